import GatewayCore
import Matching
import TestSupport

/// Random but venue-shaped commands for the test configuration (EngineConfiguration.test):
/// prices within a few ticks of a mid so orders cross often, several accounts and
/// sessions, both key kinds, every command kind, and a share of invalid input
/// (off-tick prices, odd lots, unknown symbols, accounts and orders, reused keys).
struct RandomCommands {
    var random: SplitMix64
    let configuration: EngineConfiguration
    private var nextUserReference: [UInt32]
    private var nextClientOrderID = 1
    /// Keys recently given to orders (live or not), the targets of cancels and replaces.
    private var recentKeys: [(account: AccountIndex, kind: OrderKeyKind, userReference: UInt32, clientOrderID: ClientOrderID)] = []
    private var time: Int64 = 1_700_000_000_000_000_000

    init(seed: UInt64, configuration: EngineConfiguration) {
        random = SplitMix64(seed: seed)
        self.configuration = configuration
        nextUserReference = Array(repeating: 1, count: configuration.accountCount + 2)
    }

    private mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

    private mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }

    private mutating func account() -> AccountIndex {
        AccountIndex(rawValue: UInt16.random(in: 1...UInt16(configuration.accountCount), using: &random))
    }

    /// Two sessions per account (sessions 2a and 2a+1), and a connection per session.
    private mutating func origin(for account: AccountIndex) -> OrderOrigin {
        let session = account.rawValue * 2 + UInt16.random(in: 0...1, using: &random)
        return OrderOrigin(source: UInt8(session % 3 + 1), session: session, connection: UInt32(session) * 10)
    }

    private mutating func symbol() -> SymbolIndex {
        if chance(1) { return SymbolIndex(rawValue: UInt16(configuration.symbols.count + 1)) }
        return SymbolIndex(rawValue: UInt16.random(in: 1...UInt16(configuration.symbols.count), using: &random))
    }

    /// A price a few ticks from the symbol's mid, mostly on the order's own side of it
    /// (so a book builds up) and sometimes through it (so orders trade); sometimes off
    /// tick or not positive.
    private mutating func price(_ symbol: SymbolIndex, _ side: Side) -> Price {
        guard let entry = configuration.symbol(symbol) else { return Price(raw: 100_000) }
        let tick = entry.tickSize.raw
        let mid = tick * (1_000 + Int64(symbol.rawValue) * 50)
        if chance(2) { return Price(raw: mid + tick / 2) }
        if chance(1) { return .zero }
        let away = Int64.random(in: -3...8, using: &random)
        return Price(raw: side == .buy ? mid - tick * away : mid + tick * away)
    }

    /// 1–8 lots; sometimes zero or an odd lot.
    private mutating func quantity(_ symbol: SymbolIndex, lots: ClosedRange<UInt32> = 1...8) -> UInt32 {
        let lot = configuration.symbol(symbol)?.lotSize ?? 100
        if chance(2) { return 0 }
        if chance(2) && lot > 1 { return lot + 1 }
        return lot * UInt32.random(in: lots, using: &random)
    }

    private mutating func freshKey(_ account: AccountIndex, _ kind: OrderKeyKind) -> (UInt32, ClientOrderID) {
        switch kind {
        case .userReference:
            let reference = nextUserReference[Int(account.rawValue)]
            nextUserReference[Int(account.rawValue)] += 1
            return (reference, ClientOrderID("O\(reference)")!)
        case .clientOrderID:
            defer { nextClientOrderID += 1 }
            return (0, ClientOrderID("FIX-\(nextClientOrderID)")!)
        }
    }

    private mutating func remember(_ account: AccountIndex, _ kind: OrderKeyKind, _ userReference: UInt32, _ id: ClientOrderID) {
        recentKeys.append((account, kind, userReference, id))
        if recentKeys.count > 48 { recentKeys.removeFirst(recentKeys.count - 48) }
    }

    /// An order to act on: mostly a live one, sometimes a recent key (often of an
    /// order that is gone), sometimes one that never existed.
    private mutating func target() -> Target {
        if !live.isEmpty && chance(80) {
            let order = pick(live)
            return Target(
                account: order.account, kind: order.keyKind, userReference: order.userReference,
                clientOrderID: order.clientOrderID, order: order)
        }
        if recentKeys.isEmpty || chance(20) {
            return Target(
                account: account(), kind: chance(80) ? .userReference : .clientOrderID, userReference: 999_999,
                clientOrderID: ClientOrderID("NONE")!, order: nil)
        }
        let key = pick(recentKeys)
        return Target(
            account: key.account, kind: key.kind, userReference: key.userReference, clientOrderID: key.clientOrderID,
            order: nil)
    }

    struct Target {
        var account: AccountIndex
        var kind: OrderKeyKind
        var userReference: UInt32
        var clientOrderID: ClientOrderID
        /// The live order, when the target is one.
        var order: BookOrder?
    }

    /// Resting orders of the engine the commands are for, refreshed before each command
    /// so that cancels, modifies and replaces mostly find their order.
    private var live: [BookOrder] = []
    private var marketOpen = true

    /// The next command. `engine` (the engine under test, or any engine in the same
    /// state) steers the choice of targets; the commands stay a pure function of the
    /// seed and the command history.
    mutating func next(for engine: MatchingEngine? = nil) -> Command {
        live.removeAll(keepingCapacity: true)
        marketOpen = engine?.isMarketOpen ?? true
        if let engine {
            for position in configuration.symbols.indices {
                for side in Side.allCases {
                    engine.forEachOrder(symbol: SymbolIndex(rawValue: UInt16(position + 1)), side: side) {
                        live.append($0)
                    }
                }
            }
        }
        time += Int64.random(in: 1...5_000, using: &random)
        var command = make()
        command.timestamp = Timestamp(rawValue: time)
        return command
    }

    private mutating func make() -> Command {
        // A closed market reopens soon, so most of a run is spent trading.
        if !marketOpen && chance(10) {
            return Command(kind: .systemEvent, code: SystemEventCode.startOfDay.rawValue)
        }
        let roll = Int.random(in: 0..<1_000, using: &random)
        switch roll {
        case 0..<450: return newOrder()
        case 450..<570: return cancelCommand()
        case 570..<640: return modifyCommand()
        case 640..<830: return replaceCommand()
        case 830..<835: return massCancelCommand()
        case 835..<838:
            let session = account().rawValue * 2 + UInt16.random(in: 0...1, using: &random)
            return Command(kind: .sessionDisconnected, origin: OrderOrigin(source: 1, session: session, connection: 1))
        case 838..<850:
            let state: TradingState = chance(10) ? .halted : .trading
            return Command(kind: .setTradingState, code: chance(1) ? 7 : state.rawValue, symbol: symbol())
        case 850..<852: return Command(kind: .systemEvent, code: SystemEventCode.endOfDay.rawValue)
        case 852..<855: return Command(kind: .systemEvent, code: chance(5) ? 9 : SystemEventCode.startOfDay.rawValue)
        default: return newOrder()
        }
    }

    private mutating func newOrder() -> Command {
        let account = chance(1) ? AccountIndex(rawValue: UInt16(configuration.accountCount + 1)) : account()
        let kind: OrderKeyKind = chance(75) ? .userReference : .clientOrderID
        var (userReference, id) = freshKey(account, kind)
        if chance(3), let reused = recentKeys.last(where: { $0.account == account && $0.kind == kind }) {
            (userReference, id) = (reused.userReference, reused.clientOrderID)
        }
        remember(account, kind, userReference, id)
        let symbol = symbol()
        var orderType = OrderType.limit
        var timeInForce = TimeInForce.day
        var flags: OrderFlags = []
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<60: break
        case 60..<70: timeInForce = .goodTillCancel
        case 70..<78: timeInForce = .immediateOrCancel
        case 78..<84: timeInForce = .fillOrKill
        case 84..<90:
            orderType = .market
            timeInForce = pick([.immediateOrCancel, .fillOrKill, .day])
        default:
            flags = .postOnly
            if chance(10) { timeInForce = pick([.immediateOrCancel, .fillOrKill]) }
            if chance(5) { orderType = .market }
        }
        let side: Side = chance(50) ? .buy : .sell
        return Command(
            kind: .newOrder, side: side, orderType: orderType, timeInForce: timeInForce,
            flags: flags, keyKind: kind, symbol: symbol, account: account, origin: origin(for: account),
            quantity: quantity(symbol), price: orderType == .market && chance(50) ? .zero : price(symbol, side),
            userReference: userReference, clientOrderID: id)
    }

    /// A quantity for a modify or reduce of `target`: mostly below its open quantity.
    private mutating func smallerQuantity(_ target: Target) -> UInt32 {
        let symbol = target.order?.symbol ?? 1
        guard let order = target.order, let lot = configuration.symbol(symbol)?.lotSize, chance(85) else {
            return quantity(symbol, lots: 1...6)
        }
        return lot * UInt32.random(in: 0...(order.openQuantity / lot), using: &random)
    }

    private mutating func cancelCommand() -> Command {
        let target = target()
        let quantity: UInt32 = chance(65) ? 0 : smallerQuantity(target)
        switch target.kind {
        case .userReference:
            return Command(
                kind: .cancel, keyKind: .userReference, account: target.account, origin: origin(for: target.account),
                quantity: quantity, userReference: target.userReference)
        case .clientOrderID:
            let (_, id) = freshKey(target.account, .clientOrderID)
            return Command(
                kind: .cancel, keyKind: .clientOrderID, account: target.account, origin: origin(for: target.account),
                quantity: quantity, clientOrderID: id, originalClientOrderID: target.clientOrderID)
        }
    }

    private mutating func modifyCommand() -> Command {
        let target = target()
        let side = target.order.map { chance(90) ? $0.side : $0.side.opposite } ?? (chance(50) ? .buy : .sell)
        return Command(
            kind: .modify, side: side, keyKind: target.kind, account: target.account,
            origin: origin(for: target.account), quantity: smallerQuantity(target),
            userReference: target.userReference, originalClientOrderID: target.clientOrderID)
    }

    private mutating func replaceCommand() -> Command {
        let target = target()
        var (userReference, id) = freshKey(target.account, target.kind)
        if chance(3), let other = recentKeys.last(where: { $0.account == target.account && $0.kind == target.kind }) {
            (userReference, id) = (other.userReference, other.clientOrderID)
        }
        remember(target.account, target.kind, userReference, id)
        let symbol = target.order?.symbol
            ?? SymbolIndex(rawValue: UInt16.random(in: 1...UInt16(configuration.symbols.count), using: &random))
        var side: Side = chance(50) ? .buy : .sell
        if let order = target.order { side = chance(95) ? order.side : order.side.opposite }
        var price = price(symbol, side)
        var quantity = quantity(symbol, lots: 1...10)
        if let order = target.order {
            // Often the same price, and a total that keeps or shrinks the open quantity.
            if chance(40) { price = order.price }
            if chance(50) { quantity = order.executedQuantity + smallerQuantity(target) }
        }
        return Command(
            kind: .replace, side: side, keyKind: target.kind, account: target.account,
            origin: origin(for: target.account), quantity: quantity, price: price,
            userReference: userReference, originalUserReference: target.userReference, clientOrderID: id,
            originalClientOrderID: target.clientOrderID)
    }

    private mutating func massCancelCommand() -> Command {
        let account = chance(2) ? AccountIndex(rawValue: 0) : account()
        let symbol: SymbolIndex = chance(50) ? .none : symbol()
        return Command(kind: .massCancel, symbol: symbol, account: account, origin: origin(for: account))
    }
}
