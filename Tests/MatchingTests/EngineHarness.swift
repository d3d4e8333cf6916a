import GatewayCore
import Matching
import XCTest

// The test venue: two symbols with different ticks and lots, four accounts, one per
// self-trade prevention mode (account 4 keeps the default).
//   symbol 1 "AAA": tick 0.01, lot 100
//   symbol 2 "BBB": tick 0.05, lot 10
//   account 1 cancelNewest, 2 cancelOldest, 3 cancelBoth, 4 default (cancelNewest)
extension EngineConfiguration {
    static func test(maxOrders: Int = 64, maxPriceLevelsPerSide: Int = 16) -> EngineConfiguration {
        try! EngineConfiguration(
            symbols: [
                Symbol(name: "AAA", tickSize: Price(raw: 100), lotSize: 100),
                Symbol(name: "BBB", tickSize: Price(raw: 500), lotSize: 10),
            ],
            accountCount: 4,
            selfTradePrevention: [2: .cancelOldest, 3: .cancelBoth],
            maxOrders: maxOrders,
            maxPriceLevelsPerSide: maxPriceLevelsPerSide)
    }
}

/// `"10.01"` as a price.
func px(_ text: String) -> Price { Price(parsing: text)! }

/// `"ORD1"` as a client order identifier.
func cl(_ text: String) -> ClientOrderID { ClientOrderID(text)! }

/// The origin of account `n`'s session: source 1, session `n`, connection 100 + `n`.
func origin(_ account: AccountIndex) -> OrderOrigin {
    OrderOrigin(source: 1, session: account.rawValue, connection: 100 + UInt32(account.rawValue))
}

// MARK: - Commands

/// An OUCH-keyed limit order.
func limit(
    _ side: Side, _ quantity: UInt32, _ price: String, account: AccountIndex = 1, ref: UInt32,
    symbol: SymbolIndex = 1, tif: TimeInForce = .day, flags: OrderFlags = [], from: OrderOrigin? = nil
) -> Command {
    Command(
        kind: .newOrder, side: side, orderType: .limit, timeInForce: tif, flags: flags, keyKind: .userReference,
        symbol: symbol, account: account, origin: from ?? origin(account), quantity: quantity, price: px(price),
        userReference: ref, clientOrderID: cl("OUCH\(ref)"))
}

/// A FIX-keyed limit order.
func fixLimit(
    _ side: Side, _ quantity: UInt32, _ price: String, account: AccountIndex = 1, id: String,
    symbol: SymbolIndex = 1, tif: TimeInForce = .day, flags: OrderFlags = []
) -> Command {
    Command(
        kind: .newOrder, side: side, orderType: .limit, timeInForce: tif, flags: flags, keyKind: .clientOrderID,
        symbol: symbol, account: account, origin: origin(account), quantity: quantity, price: px(price),
        clientOrderID: cl(id))
}

/// An OUCH-keyed market order.
func market(
    _ side: Side, _ quantity: UInt32, account: AccountIndex = 1, ref: UInt32, symbol: SymbolIndex = 1,
    tif: TimeInForce = .immediateOrCancel
) -> Command {
    Command(
        kind: .newOrder, side: side, orderType: .market, timeInForce: tif, keyKind: .userReference,
        symbol: symbol, account: account, origin: origin(account), quantity: quantity,
        userReference: ref, clientOrderID: cl("OUCH\(ref)"))
}

/// OUCH Cancel Order: quantity 0 cancels, more reduces to that open quantity.
func cancel(account: AccountIndex = 1, ref: UInt32, quantity: UInt32 = 0) -> Command {
    Command(
        kind: .cancel, keyKind: .userReference, account: account, origin: origin(account), quantity: quantity,
        userReference: ref)
}

/// FIX OrderCancelRequest.
func fixCancel(account: AccountIndex = 1, id: String, original: String) -> Command {
    Command(
        kind: .cancel, keyKind: .clientOrderID, account: account, origin: origin(account),
        clientOrderID: cl(id), originalClientOrderID: cl(original))
}

/// OUCH Modify Order.
func modify(account: AccountIndex = 1, ref: UInt32, side: Side, quantity: UInt32) -> Command {
    Command(
        kind: .modify, side: side, keyKind: .userReference, account: account, origin: origin(account),
        quantity: quantity, userReference: ref)
}

/// OUCH Replace Order (quantity: total liable).
func replace(
    account: AccountIndex = 1, original: UInt32, ref: UInt32, _ quantity: UInt32, _ price: String,
    from: OrderOrigin? = nil
) -> Command {
    Command(
        kind: .replace, keyKind: .userReference, account: account, origin: from ?? origin(account),
        quantity: quantity, price: px(price), userReference: ref, originalUserReference: original,
        clientOrderID: cl("OUCH\(ref)"))
}

/// FIX OrderCancelReplaceRequest.
func fixReplace(
    account: AccountIndex = 1, original: String, id: String, side: Side, _ quantity: UInt32, _ price: String
) -> Command {
    Command(
        kind: .replace, side: side, keyKind: .clientOrderID, account: account, origin: origin(account),
        quantity: quantity, price: px(price), clientOrderID: cl(id), originalClientOrderID: cl(original))
}

func massCancel(account: AccountIndex, symbol: SymbolIndex = .none) -> Command {
    Command(kind: .massCancel, symbol: symbol, account: account, origin: origin(account))
}

func disconnected(_ origin: OrderOrigin) -> Command {
    Command(kind: .sessionDisconnected, origin: origin)
}

func tradingState(_ symbol: SymbolIndex, _ state: TradingState) -> Command {
    Command(kind: .setTradingState, code: state.rawValue, symbol: symbol)
}

func systemEvent(_ code: SystemEventCode) -> Command {
    Command(kind: .systemEvent, code: code.rawValue)
}

/// The order `order` became after `replace` was applied: its identifiers, price and
/// origin, for building the events about it from then on.
func replaced(_ order: Command, by replace: Command) -> Command {
    var result = order
    result.userReference = replace.userReference
    result.clientOrderID = replace.clientOrderID
    result.price = replace.price
    result.origin = replace.origin
    return result
}

// MARK: - Harness

/// Drives an engine one command at a time: numbers the commands (sequence 1, 2, …),
/// stamps them, records their events and checks the book invariants after each one.
/// The expected-event builders use the sequence and timestamp of the last command
/// sent, so expectations are written right after `send`.
final class EngineHarness {
    let engine: MatchingEngine
    private(set) var sequence: UInt64 = 0

    init(_ configuration: EngineConfiguration = .test()) {
        engine = MatchingEngine(configuration: configuration)
    }

    /// The timestamp the harness gives command `sequence`.
    var timestamp: Timestamp { Timestamp(rawValue: 1_700_000_000_000_000_000 + Int64(sequence) * 1_000) }

    @discardableResult
    func send(_ command: Command, file: StaticString = #filePath, line: UInt = #line) -> [Event] {
        sequence += 1
        var stamped = command
        stamped.timestamp = timestamp
        var recorder = EventRecorder()
        engine.process(stamped, sequence: sequence, into: &recorder)
        do {
            try engine.checkInvariants()
        } catch {
            XCTFail("\(error) after command \(sequence): \(command)", file: file, line: line)
        }
        return recorder.events
    }

    /// Sends each command and returns all their events.
    @discardableResult
    func send(_ commands: [Command], file: StaticString = #filePath, line: UInt = #line) -> [Event] {
        commands.flatMap { send($0, file: file, line: line) }
    }

    // MARK: Expected events (for the last command sent)

    /// The fields every event about `order` carries (the order as entered, or as
    /// replaced: see `replaced(_:by:)`).
    func about(_ kind: EventKind, _ order: Command, ref: OrderReference) -> Event {
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
        event.orderReference = ref
        event.userReference = order.userReference
        event.clientOrderID = order.clientOrderID
        event.price = order.orderType == .market ? .zero : order.price
        return event
    }

    /// Makes `event` the answer to `request` about `order` (identifiers before the request).
    func answering(_ event: Event, _ request: Command, previous order: Command) -> Event {
        var event = event
        event.destination = request.origin
        event.clientOrderID = request.clientOrderID
        event.originalClientOrderID = order.clientOrderID
        event.originalUserReference = order.userReference
        return event
    }

    func accepted(_ order: Command, ref: OrderReference) -> Event {
        var event = about(.accepted, order, ref: ref)
        event.quantity = order.quantity
        event.leavesQuantity = order.quantity
        return event
    }

    func booked(_ order: Command, ref: OrderReference, open: UInt32, cum: UInt32 = 0) -> Event {
        var event = about(.booked, order, ref: ref)
        event.quantity = open
        event.leavesQuantity = open
        event.cumulativeQuantity = cum
        return event
    }

    func executed(
        _ order: Command, ref: OrderReference, _ quantity: UInt32, at price: String, leaves: UInt32, cum: UInt32,
        match: UInt64, _ liquidity: LiquidityFlag
    ) -> Event {
        var event = about(.executed, order, ref: ref)
        event.price = px(price)
        event.quantity = quantity
        event.leavesQuantity = leaves
        event.cumulativeQuantity = cum
        event.matchNumber = match
        event.liquidity = liquidity
        return event
    }

    func trade(
        _ aggressor: Command, ref: OrderReference, resting: OrderReference, _ quantity: UInt32, at price: String,
        match: UInt64
    ) -> Event {
        var event = Event(kind: .trade)
        event.sequence = sequence
        event.timestamp = timestamp
        event.symbol = aggressor.symbol
        event.side = aggressor.side
        event.price = px(price)
        event.quantity = quantity
        event.matchNumber = match
        event.orderReference = ref
        event.previousOrderReference = resting
        return event
    }

    /// The three events of one match: resting executed, incoming executed, trade.
    func fill(
        resting: Command, _ restingRef: OrderReference, restingLeaves: UInt32, restingCum: UInt32,
        incoming: Command, _ incomingRef: OrderReference, incomingLeaves: UInt32, incomingCum: UInt32,
        _ quantity: UInt32, at price: String, match: UInt64
    ) -> [Event] {
        [
            executed(resting, ref: restingRef, quantity, at: price, leaves: restingLeaves, cum: restingCum,
                     match: match, .added),
            executed(incoming, ref: incomingRef, quantity, at: price, leaves: incomingLeaves, cum: incomingCum,
                     match: match, .removed),
            trade(incoming, ref: incomingRef, resting: restingRef, quantity, at: price, match: match),
        ]
    }

    func canceled(
        _ order: Command, ref: OrderReference, _ quantity: UInt32, leaves: UInt32 = 0, cum: UInt32 = 0,
        _ reason: CancelReason, answering request: Command? = nil
    ) -> Event {
        var event = about(.canceled, order, ref: ref)
        event.quantity = quantity
        event.leavesQuantity = leaves
        event.cumulativeQuantity = cum
        event.cancelReason = reason
        if let request { event = answering(event, request, previous: order) }
        return event
    }

    /// `previousOpen`: the open quantity before the request (default: the order's
    /// quantity less `cum`, its open quantity when nothing else changed it).
    func modified(_ order: Command, ref: OrderReference, open: UInt32, cum: UInt32 = 0, previousOpen: UInt32? = nil,
                  answering request: Command) -> Event
    {
        var event = about(.modified, order, ref: ref)
        event.previousLeavesQuantity = previousOpen ?? order.quantity &- cum
        event.quantity = open
        event.leavesQuantity = open
        event.cumulativeQuantity = cum
        return answering(event, request, previous: order)
    }

    /// `replaced` for `order` replaced by `request`, now `ref` (was `previousRef`).
    func replacedEvent(
        _ order: Command, by request: Command, ref: OrderReference, previousRef: OrderReference, open: UInt32,
        cum: UInt32 = 0, previousOpen: UInt32? = nil
    ) -> Event {
        var event = about(.replaced, replaced(order, by: request), ref: ref)
        event.previousOrderReference = previousRef
        event.previousLeavesQuantity = previousOpen ?? order.quantity &- cum
        event.quantity = open
        event.leavesQuantity = open
        event.cumulativeQuantity = cum
        return answering(event, request, previous: order)
    }

    func rejected(_ command: Command, _ reason: RejectReason) -> Event {
        var event = echo(.rejected, command)
        event.rejectReason = reason
        return event
    }

    /// A refused cancel/modify/replace; `order` is the target when it exists.
    func cancelRejected(
        _ request: Command, _ reason: CancelRejectReason,
        order: (command: Command, ref: OrderReference, leaves: UInt32, cum: UInt32)? = nil
    ) -> Event {
        var event = echo(.cancelRejected, request)
        event.cancelRejectReason = reason
        if let order {
            event.symbol = order.command.symbol
            event.side = order.command.side
            event.orderType = order.command.orderType
            event.timeInForce = order.command.timeInForce
            event.flags = order.command.flags
            event.orderReference = order.ref
            event.leavesQuantity = order.leaves
            event.cumulativeQuantity = order.cum
        }
        return event
    }

    func massCancelDone(_ command: Command, count: UInt32) -> Event {
        var event = echo(.massCancelDone, command)
        event.quantity = count
        return event
    }

    func tradingStateChanged(_ command: Command) -> Event {
        var event = echo(.tradingStateChanged, command)
        event.code = command.code
        return event
    }

    func systemEventEvent(_ command: Command) -> Event {
        var event = echo(.systemEvent, command)
        event.code = command.code
        return event
    }

    /// An event that echoes the command's fields.
    func echo(_ kind: EventKind, _ command: Command) -> Event {
        var event = Event(kind: kind)
        event.side = command.side
        event.orderType = command.orderType
        event.timeInForce = command.timeInForce
        event.flags = command.flags
        event.symbol = command.symbol
        event.account = command.account
        event.destination = command.origin
        event.sequence = sequence
        event.timestamp = timestamp
        event.userReference = command.userReference
        event.originalUserReference = command.originalUserReference
        event.clientOrderID = command.clientOrderID
        event.originalClientOrderID = command.originalClientOrderID
        event.price = command.price
        event.quantity = command.quantity
        return event
    }

    /// A book entry for `order` as entered (or replaced).
    func resting(_ order: Command, ref: OrderReference, open: UInt32, executed: UInt32 = 0) -> BookOrder {
        BookOrder(
            reference: ref, symbol: order.symbol, account: order.account, side: order.side, price: order.price,
            openQuantity: open, executedQuantity: executed, orderType: order.orderType,
            timeInForce: order.timeInForce, flags: order.flags, keyKind: order.keyKind,
            userReference: order.userReference, clientOrderID: order.clientOrderID, origin: order.origin)
    }
}

/// Compares two event lists and, when they differ, names the first difference field by
/// field: far easier to read than two dumps of 30-field structs.
func assertEvents(
    _ actual: [Event], _ expected: [Event], file: StaticString = #filePath, line: UInt = #line
) {
    if actual == expected { return }
    var message = "events differ (\(actual.count) actual, \(expected.count) expected)\n"
    for index in 0..<max(actual.count, expected.count) {
        let a = index < actual.count ? actual[index] : nil
        let e = index < expected.count ? expected[index] : nil
        guard let a, let e else {
            message += "  [\(index)] actual \(a.map(describe) ?? "none"), expected \(e.map(describe) ?? "none")\n"
            continue
        }
        if a != e { message += "  [\(index)] \(difference(a, e))\n" }
    }
    XCTFail(message, file: file, line: line)
}

func describe(_ event: Event) -> String {
    "\(event.kind) ref \(event.orderReference) \(event.side) \(event.quantity)@\(event.price) leaves \(event.leavesQuantity)"
}

/// The fields in which two events differ.
func difference(_ a: Event, _ e: Event) -> String {
    var parts: [String] = []
    func check<T: Equatable>(_ name: String, _ x: T, _ y: T) {
        if x != y { parts.append("\(name): actual \(x), expected \(y)") }
    }
    check("kind", a.kind, e.kind)
    check("side", a.side, e.side)
    check("orderType", a.orderType, e.orderType)
    check("timeInForce", a.timeInForce, e.timeInForce)
    check("flags", a.flags, e.flags)
    check("liquidity", a.liquidity, e.liquidity)
    check("code", a.code, e.code)
    check("cancelReason", a.cancelReason, e.cancelReason)
    check("cancelRejectReason", a.cancelRejectReason, e.cancelRejectReason)
    check("rejectReason", a.rejectReason, e.rejectReason)
    check("symbol", a.symbol, e.symbol)
    check("account", a.account, e.account)
    check("destination", a.destination, e.destination)
    check("sequence", a.sequence, e.sequence)
    check("timestamp", a.timestamp, e.timestamp)
    check("orderReference", a.orderReference, e.orderReference)
    check("previousOrderReference", a.previousOrderReference, e.previousOrderReference)
    check("userReference", a.userReference, e.userReference)
    check("originalUserReference", a.originalUserReference, e.originalUserReference)
    check("clientOrderID", a.clientOrderID, e.clientOrderID)
    check("originalClientOrderID", a.originalClientOrderID, e.originalClientOrderID)
    check("price", a.price, e.price)
    check("quantity", a.quantity, e.quantity)
    check("leavesQuantity", a.leavesQuantity, e.leavesQuantity)
    check("cumulativeQuantity", a.cumulativeQuantity, e.cumulativeQuantity)
    check("matchNumber", a.matchNumber, e.matchNumber)
    return "\(a.kind): " + parts.joined(separator: "; ")
}
