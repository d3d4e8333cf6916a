import GatewayCore
import Matching

/// A second implementation of the venue's rules (specs/engine-records.md), written for
/// obviousness instead of speed: the book is one array of resting orders, every
/// question is a linear scan, and priority is an explicit arrival counter. The
/// randomized test feeds it and the engine the same commands and compares every event.
///
/// It shares no code with the engine: if both agree, either both are right or the
/// spec itself is wrong.
final class ReferenceModel {
    struct Order {
        var reference: OrderReference
        var symbol: SymbolIndex
        var account: AccountIndex
        var side: Side
        var orderType: OrderType
        var timeInForce: TimeInForce
        var flags: OrderFlags
        var keyKind: OrderKeyKind
        var userReference: UInt32
        var clientOrderID: ClientOrderID
        var origin: OrderOrigin
        /// Zero for a market order.
        var price: Price
        var open: UInt32
        var executed: UInt32
        /// Arrival counter: the lower, the earlier in its price's queue.
        var time: UInt64 = 0
    }

    let configuration: EngineConfiguration
    /// Every resting order, in no particular order.
    private(set) var book: [Order] = []
    private(set) var nextReference: OrderReference = 1
    private(set) var nextMatch: UInt64 = 1
    private var nextTime: UInt64 = 1
    private(set) var marketOpen = true
    private(set) var halted: [Bool]

    private var events: [Event] = []
    private var sequence: UInt64 = 0
    private var timestamp = Timestamp.zero

    init(_ configuration: EngineConfiguration) {
        self.configuration = configuration
        halted = Array(repeating: false, count: configuration.symbols.count)
    }

    func process(_ command: Command, sequence: UInt64) -> [Event] {
        events = []
        self.sequence = sequence
        timestamp = command.timestamp
        switch command.kind {
        case .newOrder: newOrder(command)
        case .cancel: cancel(command)
        case .modify: modify(command)
        case .replace: replace(command)
        case .massCancel: massCancel(command)
        case .sessionDisconnected:
            let count = sweep(.disconnected) { $0.origin.session == command.origin.session }
            var done = echo(.massCancelDone, command)
            done.quantity = count
            events.append(done)
        case .setTradingState: setTradingState(command)
        case .systemEvent: systemEvent(command)
        case .riskUpdate, .killSwitch, .referencePrice, .signal:
            // Risk is checked by RiskTests against hand-worked cases; the random streams
            // compared with this model carry no risk commands and set no limits.
            preconditionFailure("ReferenceModel does not model \(command.kind)")
        }
        return events
    }

    // MARK: Rules

    private func newOrder(_ c: Command) {
        guard let symbol = configuration.symbol(c.symbol) else { return reject(c, .unknownSymbol) }
        guard c.account.rawValue >= 1 && Int(c.account.rawValue) <= configuration.accountCount else {
            return reject(c, .unknownAccount)
        }
        if c.flags.contains(.postOnly) {
            if c.orderType == .market { return reject(c, .invalidOrderType) }
            if c.timeInForce == .immediateOrCancel || c.timeInForce == .fillOrKill {
                return reject(c, .invalidTimeInForce)
            }
        }
        if c.quantity == 0 || c.quantity % symbol.lotSize != 0 { return reject(c, .invalidQuantity) }
        if c.orderType == .limit && (c.price.raw <= 0 || c.price.raw % symbol.tickSize.raw != 0) {
            return reject(c, .invalidPrice)
        }
        if !marketOpen { return reject(c, .marketClosed) }
        if halted[Int(c.symbol.rawValue) - 1] { return reject(c, .symbolHalted) }
        if find(c.account, c.keyKind, c.userReference, c.clientOrderID) != nil { return reject(c, .duplicateOrderID) }
        let rests = c.orderType == .limit && (c.timeInForce == .day || c.timeInForce == .goodTillCancel)
        if rests && !hasRoom(c.symbol, c.side, c.price, leaving: nil) { return reject(c, .capacityExceeded) }
        if c.flags.contains(.postOnly) && wouldTrade(c.symbol, c.side, c.price) {
            return reject(c, .postOnlyWouldTrade)
        }

        var order = Order(
            reference: nextReference, symbol: c.symbol, account: c.account, side: c.side, orderType: c.orderType,
            timeInForce: c.timeInForce, flags: c.flags, keyKind: c.keyKind, userReference: c.userReference,
            clientOrderID: c.clientOrderID, origin: c.origin, price: c.orderType == .market ? .zero : c.price,
            open: c.quantity, executed: 0)
        nextReference += 1
        var accepted = about(.accepted, order)
        accepted.quantity = c.quantity
        events.append(accepted)

        if c.timeInForce == .fillOrKill && !canFill(order) {
            events.append(canceledEvent(order, order.open, .fillOrKill))
            return
        }
        trade(&order)
        if order.open == 0 { return }
        if rests {
            rest(order)
        } else {
            events.append(canceledEvent(order, order.open, .immediateOrCancel))
        }
    }

    private func cancel(_ c: Command) {
        guard let index = find(c.account, c.keyKind, c.userReference, c.originalClientOrderID) else {
            return cancelReject(c, .unknownOrder, nil)
        }
        let order = book[index]
        let lot = configuration.symbol(order.symbol)!.lotSize
        if c.quantity == 0 {
            events.append(answer(canceledEvent(order, order.open, .userRequested), c, order))
            book.remove(at: index)
        } else if c.quantity < order.open && c.quantity % lot == 0 {
            book[index].open = c.quantity
            var event = canceledEvent(book[index], order.open - c.quantity, .userRequested)
            event.leavesQuantity = c.quantity
            events.append(answer(event, c, order))
        } else {
            cancelReject(c, .invalidModification, order)
        }
    }

    private func modify(_ c: Command) {
        guard let index = find(c.account, c.keyKind, c.userReference, c.originalClientOrderID) else {
            return cancelReject(c, .unknownOrder, nil)
        }
        let order = book[index]
        let lot = configuration.symbol(order.symbol)!.lotSize
        guard c.side == order.side, c.quantity <= order.open, c.quantity % lot == 0 else {
            return cancelReject(c, .invalidModification, order)
        }
        if c.quantity == 0 {
            events.append(answer(canceledEvent(order, order.open, .userRequested), c, order))
            book.remove(at: index)
            return
        }
        book[index].open = c.quantity
        var modified = about(.modified, book[index])
        modified.previousLeavesQuantity = order.open
        events.append(answer(modified, c, order))
    }

    private func replace(_ c: Command) {
        guard let index = find(c.account, c.keyKind, c.originalUserReference, c.originalClientOrderID) else {
            return cancelReject(c, .unknownOrder, nil)
        }
        let old = book[index]
        let symbol = configuration.symbol(old.symbol)!
        if !marketOpen { return cancelReject(c, .marketClosed, old) }
        if halted[Int(old.symbol.rawValue) - 1] { return cancelReject(c, .symbolHalted, old) }
        if c.keyKind == .clientOrderID && c.side != old.side { return cancelReject(c, .invalidModification, old) }
        if find(c.account, c.keyKind, c.userReference, c.clientOrderID) != nil {
            return cancelReject(c, .duplicateOrderID, old)
        }
        if c.quantity == 0 || c.quantity % symbol.lotSize != 0 || c.price.raw <= 0
            || c.price.raw % symbol.tickSize.raw != 0
        {
            events.append(answer(canceledEvent(old, old.open, .invalidReplace), c, old))
            book.remove(at: index)
            return
        }
        if c.quantity <= old.executed {
            events.append(answer(canceledEvent(old, old.open, .userRequested), c, old))
            book.remove(at: index)
            return
        }
        let newOpen = c.quantity - old.executed
        var order = old
        order.userReference = c.userReference
        order.clientOrderID = c.clientOrderID
        order.origin = c.origin
        order.price = c.price
        order.open = newOpen
        if c.price == old.price && newOpen <= old.open {
            book[index] = order
            var event = about(.replaced, order)
            event.previousOrderReference = old.reference
            event.previousLeavesQuantity = old.open
            events.append(answer(event, c, old))
            return
        }
        if c.price != old.price && old.flags.contains(.postOnly) && wouldTrade(old.symbol, old.side, c.price) {
            events.append(answer(canceledEvent(old, old.open, .postOnlyWouldTrade), c, old))
            book.remove(at: index)
            return
        }
        if !hasRoom(old.symbol, old.side, c.price, leaving: old.reference) {
            return cancelReject(c, .capacityExceeded, old)
        }
        book.remove(at: index)
        order.reference = nextReference
        nextReference += 1
        var event = about(.replaced, order)
        event.previousOrderReference = old.reference
        event.previousLeavesQuantity = old.open
        events.append(answer(event, c, old))
        trade(&order)
        if order.open > 0 { rest(order) }
    }

    private func massCancel(_ c: Command) {
        guard c.account.rawValue >= 1 && Int(c.account.rawValue) <= configuration.accountCount else {
            return reject(c, .unknownAccount)
        }
        if c.symbol != .none && configuration.symbol(c.symbol) == nil { return reject(c, .unknownSymbol) }
        let count = sweep(.userRequested) { $0.account == c.account && (c.symbol == .none || $0.symbol == c.symbol) }
        var done = echo(.massCancelDone, c)
        done.quantity = count
        events.append(done)
    }

    private func setTradingState(_ c: Command) {
        guard configuration.symbol(c.symbol) != nil else { return reject(c, .unknownSymbol) }
        guard let state = TradingState(rawValue: c.code) else { return reject(c, .unknownCommand) }
        halted[Int(c.symbol.rawValue) - 1] = state == .halted
        var event = echo(.tradingStateChanged, c)
        event.code = c.code
        events.append(event)
    }

    private func systemEvent(_ c: Command) {
        guard let code = SystemEventCode(rawValue: c.code) else { return reject(c, .unknownCommand) }
        var event = echo(.systemEvent, c)
        event.code = c.code
        if code == .startOfDay {
            events.append(event)
            marketOpen = true
        } else {
            // End of day: the cancels, then the event.
            marketOpen = false
            _ = sweep(.endOfDay) { $0.timeInForce == .day }
            events.append(event)
        }
    }

    // MARK: Matching

    /// Trades `incoming` against the book until it is filled, stops crossing, or
    /// self-trade prevention cancels it (open set to 0).
    private func trade(_ incoming: inout Order) {
        while incoming.open > 0 {
            guard let index = bestCounterparty(incoming) else { return }
            let resting = book[index]
            if resting.account == incoming.account {
                switch configuration.selfTradePrevention(for: incoming.account) {
                case .cancelNewest:
                    events.append(canceledEvent(incoming, incoming.open, .selfTradePrevention))
                    incoming.open = 0
                    return
                case .cancelOldest:
                    events.append(canceledEvent(resting, resting.open, .selfTradePrevention))
                    book.remove(at: index)
                    continue
                case .cancelBoth:
                    events.append(canceledEvent(resting, resting.open, .selfTradePrevention))
                    book.remove(at: index)
                    events.append(canceledEvent(incoming, incoming.open, .selfTradePrevention))
                    incoming.open = 0
                    return
                }
            }
            let quantity = min(resting.open, incoming.open)
            let match = nextMatch
            nextMatch += 1
            book[index].open -= quantity
            book[index].executed += quantity
            incoming.open -= quantity
            incoming.executed += quantity
            events.append(execution(book[index], quantity, resting.price, match, .added))
            events.append(execution(incoming, quantity, resting.price, match, .removed))
            var print = Event(kind: .trade)
            print.sequence = sequence
            print.timestamp = timestamp
            print.symbol = incoming.symbol
            print.side = incoming.side
            print.price = resting.price
            print.quantity = quantity
            print.matchNumber = match
            print.orderReference = incoming.reference
            print.previousOrderReference = resting.reference
            events.append(print)
            if book[index].open == 0 { book.remove(at: index) }
        }
    }

    /// Fill-or-kill: could the whole order trade now? Walks the counterparties in
    /// priority order; own orders are skipped under cancelOldest, stop the walk otherwise.
    private func canFill(_ order: Order) -> Bool {
        let skipOwn = configuration.selfTradePrevention(for: order.account) == .cancelOldest
        var available: UInt64 = 0
        for resting in counterparties(order) {
            if resting.account == order.account {
                if skipOwn { continue }
                break
            }
            available += UInt64(resting.open)
        }
        return available >= UInt64(order.open)
    }

    /// Resting orders `incoming` could trade with, in priority order.
    private func counterparties(_ incoming: Order) -> [Order] {
        book.filter { $0.symbol == incoming.symbol && $0.side != incoming.side && crosses(incoming, $0.price) }
            .sorted(by: isAhead)
    }

    private func bestCounterparty(_ incoming: Order) -> Int? {
        var best: Int?
        for index in book.indices
        where book[index].symbol == incoming.symbol && book[index].side != incoming.side
            && crosses(incoming, book[index].price)
        {
            if best == nil || isAhead(book[index], book[best!]) { best = index }
        }
        return best
    }

    private func crosses(_ incoming: Order, _ price: Price) -> Bool {
        if incoming.orderType == .market { return true }
        return incoming.side == .buy ? price <= incoming.price : price >= incoming.price
    }

    private func wouldTrade(_ symbol: SymbolIndex, _ side: Side, _ price: Price) -> Bool {
        book.contains { $0.symbol == symbol && $0.side != side && (side == .buy ? $0.price <= price : $0.price >= price) }
    }

    /// Price-time priority between two orders of the same side.
    private func isAhead(_ a: Order, _ b: Order) -> Bool {
        if a.price != b.price { return a.side == .buy ? a.price > b.price : a.price < b.price }
        return a.time < b.time
    }

    private func rest(_ order: Order) {
        var order = order
        order.time = nextTime
        nextTime += 1
        book.append(order)
        events.append(about(.booked, order))
    }

    /// Room to rest at `price`: a free order slot (the order `leaving` the book frees
    /// its own) and an existing level or room for one more.
    private func hasRoom(_ symbol: SymbolIndex, _ side: Side, _ price: Price, leaving: OrderReference?) -> Bool {
        let others = book.filter { $0.reference != leaving }
        if others.count >= configuration.maxOrders { return false }
        let prices = Set(others.filter { $0.symbol == symbol && $0.side == side }.map(\.price))
        return prices.contains(price) || prices.count < configuration.maxPriceLevelsPerSide
    }

    private func find(
        _ account: AccountIndex, _ kind: OrderKeyKind, _ userReference: UInt32, _ clientOrderID: ClientOrderID
    ) -> Int? {
        book.firstIndex {
            $0.account == account && $0.keyKind == kind
                && (kind == .userReference ? $0.userReference == userReference : $0.clientOrderID == clientOrderID)
        }
    }

    /// Cancels every resting order `matching`, in book order; returns how many.
    private func sweep(_ reason: CancelReason, matching: (Order) -> Bool) -> UInt32 {
        let victims = book.filter(matching).sorted { a, b in
            if a.symbol != b.symbol { return a.symbol < b.symbol }
            if a.side != b.side { return a.side == .buy }
            return isAhead(a, b)
        }
        for victim in victims {
            events.append(canceledEvent(victim, victim.open, reason))
        }
        let gone = Set(victims.map(\.reference))
        book.removeAll { gone.contains($0.reference) }
        return UInt32(victims.count)
    }

    // MARK: Events

    private func about(_ kind: EventKind, _ order: Order) -> Event {
        var event = Event(kind: kind)
        event.side = order.side
        event.orderType = order.orderType
        event.timeInForce = order.timeInForce
        event.flags = order.flags
        event.symbol = order.symbol
        event.account = order.account
        event.destination = order.origin
        event.sequence = sequence
        event.timestamp = timestamp
        event.orderReference = order.reference
        event.userReference = order.userReference
        event.clientOrderID = order.clientOrderID
        event.price = order.price
        event.quantity = order.open
        event.leavesQuantity = order.open
        event.cumulativeQuantity = order.executed
        return event
    }

    private func canceledEvent(_ order: Order, _ quantity: UInt32, _ reason: CancelReason) -> Event {
        var event = about(.canceled, order)
        event.quantity = quantity
        event.leavesQuantity = 0
        event.cancelReason = reason
        return event
    }

    private func execution(_ order: Order, _ quantity: UInt32, _ price: Price, _ match: UInt64, _ liquidity: LiquidityFlag)
        -> Event
    {
        var event = about(.executed, order)
        event.price = price
        event.quantity = quantity
        event.matchNumber = match
        event.liquidity = liquidity
        return event
    }

    /// The answer to request `c` about `previous` (the order before the request).
    private func answer(_ event: Event, _ c: Command, _ previous: Order) -> Event {
        var event = event
        event.destination = c.origin
        event.clientOrderID = c.clientOrderID
        event.originalClientOrderID = previous.clientOrderID
        event.originalUserReference = previous.userReference
        return event
    }

    private func echo(_ kind: EventKind, _ c: Command) -> Event {
        var event = Event(kind: kind)
        event.side = c.side
        event.orderType = c.orderType
        event.timeInForce = c.timeInForce
        event.flags = c.flags
        event.symbol = c.symbol
        event.account = c.account
        event.destination = c.origin
        event.sequence = sequence
        event.timestamp = timestamp
        event.userReference = c.userReference
        event.originalUserReference = c.originalUserReference
        event.clientOrderID = c.clientOrderID
        event.originalClientOrderID = c.originalClientOrderID
        event.price = c.price
        event.quantity = c.quantity
        return event
    }

    private func reject(_ c: Command, _ reason: RejectReason) {
        var event = echo(.rejected, c)
        event.rejectReason = reason
        events.append(event)
    }

    private func cancelReject(_ c: Command, _ reason: CancelRejectReason, _ order: Order?) {
        var event = echo(.cancelRejected, c)
        event.cancelRejectReason = reason
        if let order {
            event.symbol = order.symbol
            event.side = order.side
            event.orderType = order.orderType
            event.timeInForce = order.timeInForce
            event.flags = order.flags
            event.orderReference = order.reference
            event.leavesQuantity = order.open
            event.cumulativeQuantity = order.executed
        }
        events.append(event)
    }

    // MARK: State

    /// One side of a symbol's book in priority order, as the engine reports it.
    func orders(symbol: SymbolIndex, side: Side) -> [BookOrder] {
        book.filter { $0.symbol == symbol && $0.side == side }.sorted(by: isAhead).map {
            BookOrder(
                reference: $0.reference, symbol: $0.symbol, account: $0.account, side: $0.side, price: $0.price,
                openQuantity: $0.open, executedQuantity: $0.executed, orderType: $0.orderType,
                timeInForce: $0.timeInForce, flags: $0.flags, keyKind: $0.keyKind,
                userReference: $0.userReference, clientOrderID: $0.clientOrderID, origin: $0.origin)
        }
    }
}
