import GatewayCore
import Matching

/// The order flow the matching benchmarks replay, generated before anything is
/// measured, in the manner of exchange-core's benchmark: a book of about 1,000 live
/// orders over several hundred price levels on four symbols, kept in steady state
/// while resting adds, cancels, reduces, replaces and marketable orders (IOC and
/// Day limits that trade) arrive.
///
/// The generator drives a shadow engine with the same configuration and follows its
/// events, so every cancel and replace names an order that is live at that moment,
/// and every marketable order is priced against the real best price. The engine is
/// deterministic, so replaying the same commands into an engine in the same state
/// reproduces the same matches.
///
/// Three streams:
/// - `prefill`: resting orders that build the starting book (not measured);
/// - `measured`: the flow that is timed;
/// - `restore`: a mass cancel per account, then `prefill` again: it brings an engine
///   that has just processed `measured` back to the starting book (same prices,
///   quantities, queue order and keys; only order references have moved on), so
///   `measured` can be replayed in every iteration (not measured).
struct OrderFlow {
    struct Parameters {
        var symbolCount = 4
        var accountCount = 32
        /// Live orders the flow steers towards.
        var targetLiveOrders = 1_000
        /// Commands in the measured stream.
        var measuredCommands = 200_000
        /// Tick (0.01) and lot (100), as the gateway's default symbols.
        var tick: Int64 = 100
        var lot: UInt32 = 100
        /// Every symbol's book is centred on 100.00.
        var center: Int64 = 1_000_000
        /// Resting orders are placed up to this many ticks from the middle, most of
        /// them near the top of the book.
        var depthTicks = 200
        /// The engine's capacities: the gateway's defaults (`engine.max_orders`,
        /// `engine.max_price_levels_per_side`), so the key map and the order pool are
        /// as large as in production.
        var maxOrders = 262_144
        var maxPriceLevelsPerSide = 4_096
        var seed: UInt64 = 0x00C1_F7A7_E000_0001
    }

    /// What the measured stream holds, counted at generation.
    struct Mix: CustomStringConvertible {
        var restingAdds = 0
        var cancels = 0
        var reduces = 0
        var replaces = 0
        var marketableIOC = 0
        var marketableDay = 0
        var events = 0
        var trades = 0
        var minimumLive = Int.max
        var maximumLive = 0
        var liveSum = 0
        var levelSamples = 0
        var levelSum = 0
        var commands = 0

        var description: String {
            func share(_ count: Int) -> String {
                let percent = Double(count) * 100 / Double(max(commands, 1))
                return "\(count) (\(Int(percent.rounded()))%)"
            }
            let averageLive = liveSum / max(commands, 1)
            let averageLevels = levelSum / max(levelSamples, 1)
            return "\(commands) commands: resting adds \(share(restingAdds)), cancels \(share(cancels)), "
                + "reduces \(share(reduces)), replaces \(share(replaces)), marketable IOC \(share(marketableIOC)), "
                + "marketable Day limits \(share(marketableDay)); \(events) events, \(trades) trades; "
                + "live orders \(minimumLive)...\(maximumLive) (average \(averageLive)); "
                + "price levels, all symbols and sides, average \(averageLevels)"
        }
    }

    let parameters: Parameters
    let configuration: EngineConfiguration
    let prefill: [Command]
    let measured: [Command]
    let restore: [Command]
    let mix: Mix
    /// Live orders after `prefill` (and after `restore`).
    let liveAfterPrefill: Int
    /// Live orders after `measured`.
    let liveAfterMeasured: Int

    init(_ parameters: Parameters = Parameters()) {
        self.parameters = parameters
        configuration = OrderFlow.configuration(parameters, maxOrders: parameters.maxOrders)

        var generator = FlowGenerator(parameters: parameters, configuration: configuration)
        prefill = generator.generatePrefill()
        liveAfterPrefill = generator.liveCount
        measured = generator.generateMeasured()
        liveAfterMeasured = generator.liveCount
        mix = generator.mix

        var restore: [Command] = []
        for account in 1...parameters.accountCount {
            let index = AccountIndex(rawValue: UInt16(account))
            restore.append(
                Command(kind: .massCancel, symbol: .none, account: index, origin: FlowGenerator.origin(index)))
        }
        restore.append(contentsOf: prefill)
        self.restore = restore
    }
}

extension OrderFlow {
    /// The venue the flow trades on, with `maxOrders` order slots. The flow never has
    /// more than about 1,100 orders live, so any `maxOrders` from a few thousand up
    /// replays it identically; only the size of the engine's structures changes.
    static func configuration(_ parameters: Parameters, maxOrders: Int) -> EngineConfiguration {
        let symbols = (1...parameters.symbolCount).map {
            EngineConfiguration.Symbol(name: "SYM\($0)", tickSize: Price(raw: parameters.tick), lotSize: parameters.lot)
        }
        return try! EngineConfiguration(
            symbols: symbols, accountCount: parameters.accountCount,
            maxOrders: maxOrders, maxPriceLevelsPerSide: parameters.maxPriceLevelsPerSide)
    }

    func configuration(maxOrders: Int) -> EngineConfiguration {
        OrderFlow.configuration(parameters, maxOrders: maxOrders)
    }
}

/// splitmix64: small, fast and the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builds the streams against a shadow engine. Generation time only: allocates freely.
private struct FlowGenerator {
    struct Key: Hashable {
        var account: UInt16
        var reference: UInt32
    }

    struct LiveOrder {
        var key: Key
        var symbol: SymbolIndex
        var side: Side
        var price: Int64
        var open: UInt32
        var executed: UInt32
    }

    let parameters: OrderFlow.Parameters
    let shadow: MatchingEngine
    var recorder = EventRecorder()
    var random: SplitMix64
    var live: [LiveOrder] = []
    var position: [Key: Int] = [:]
    var nextReference: [UInt32]
    var sequence: UInt64 = 1
    var clock: Int64 = 1_700_000_000_000_000_000
    var mix = OrderFlow.Mix()

    init(parameters: OrderFlow.Parameters, configuration: EngineConfiguration) {
        self.parameters = parameters
        shadow = MatchingEngine(configuration: configuration)
        random = SplitMix64(seed: parameters.seed)
        nextReference = Array(repeating: 1, count: parameters.accountCount + 1)
    }

    var liveCount: Int { live.count }

    static func origin(_ account: AccountIndex) -> OrderOrigin {
        OrderOrigin(source: 1, session: account.rawValue, connection: 100 + UInt32(account.rawValue))
    }

    // MARK: Streams

    mutating func generatePrefill() -> [Command] {
        var commands: [Command] = []
        while live.count < parameters.targetLiveOrders {
            let command = restingAdd(symbol: randomSymbol(), side: randomSide())
            apply(command)
            commands.append(command)
        }
        precondition(mix.trades == 0, "the prefill must not trade")
        mix = OrderFlow.Mix()
        return commands
    }

    mutating func generateMeasured() -> [Command] {
        var commands: [Command] = []
        commands.reserveCapacity(parameters.measuredCommands)
        let target = parameters.targetLiveOrders
        while commands.count < parameters.measuredCommands {
            let symbol = randomSymbol()
            let roll = Int.random(in: 0..<100, using: &random)
            // Steer the live count: more adds below the target, more cancels above it.
            let addShare = live.count < target ? 38 : 28
            let command: Command
            if roll < addShare || live.isEmpty {
                command = restingAdd(symbol: symbol, side: randomSide())
                mix.restingAdds += 1
            } else if roll < addShare + 20 {
                command = cancel(randomLiveOrder())
                mix.cancels += 1
            } else if roll < addShare + 25 {
                let order = randomLiveOrder()
                if order.open >= 2 * parameters.lot {
                    command = reduce(order)
                    mix.reduces += 1
                } else {
                    command = cancel(order)
                    mix.cancels += 1
                }
            } else if roll < addShare + 37 {
                command = replace(randomLiveOrder())
                mix.replaces += 1
            } else {
                // Marketable: IOC or a Day limit through the opposite best price.
                let side = marketableSide(symbol: symbol)
                let ioc = Int.random(in: 0..<100, using: &random) < 55
                if let order = marketable(symbol: symbol, side: side, timeInForce: ioc ? .immediateOrCancel : .day) {
                    command = order
                    if ioc { mix.marketableIOC += 1 } else { mix.marketableDay += 1 }
                } else {
                    command = restingAdd(symbol: symbol, side: side)
                    mix.restingAdds += 1
                }
            }
            apply(command)
            commands.append(command)
            mix.commands += 1
            mix.liveSum += live.count
            mix.minimumLive = min(mix.minimumLive, live.count)
            mix.maximumLive = max(mix.maximumLive, live.count)
            if commands.count % 64 == 0 {
                var levels = 0
                for index in 1...parameters.symbolCount {
                    let symbol = SymbolIndex(rawValue: UInt16(index))
                    levels += shadow.levelCount(symbol: symbol, side: .buy) + shadow.levelCount(symbol: symbol, side: .sell)
                }
                mix.levelSum += levels
                mix.levelSamples += 1
            }
        }
        precondition(live.count == shadow.openOrderCount, "generator lost track of live orders")
        return commands
    }

    // MARK: Commands

    mutating func restingAdd(symbol: SymbolIndex, side: Side) -> Command {
        let tick = parameters.tick
        let (bid, ask) = best(symbol)
        let anchor = middle(bid: bid, ask: ask)
        // Mostly near the top: distance = 1 + depth × u², u uniform in [0, 1).
        let u = Double.random(in: 0..<1, using: &random)
        let distance = 1 + Int64(Double(parameters.depthTicks) * u * u)
        var price: Int64
        if side == .buy {
            price = anchor - distance * tick
            if let ask { price = min(price, ask - tick) }
        } else {
            price = anchor + distance * tick
            if let bid { price = max(price, bid + tick) }
        }
        price = max(price, tick)
        let lots = UInt32.random(in: 1...10, using: &random)
        let timeInForce: TimeInForce = Int.random(in: 0..<100, using: &random) < 85 ? .day : .goodTillCancel
        return newOrder(symbol: symbol, side: side, price: price, quantity: lots * parameters.lot, timeInForce: timeInForce)
    }

    /// A limit order priced 0–3 ticks through the opposite best, or nil when that
    /// side is empty.
    mutating func marketable(symbol: SymbolIndex, side: Side, timeInForce: TimeInForce) -> Command? {
        let (bid, ask) = best(symbol)
        let through = Int64.random(in: 0...3, using: &random) * parameters.tick
        let price: Int64
        if side == .buy {
            guard let ask else { return nil }
            price = ask + through
        } else {
            guard let bid else { return nil }
            price = max(bid - through, parameters.tick)
        }
        let lots = UInt32.random(in: 1...8, using: &random)
        return newOrder(symbol: symbol, side: side, price: price, quantity: lots * parameters.lot, timeInForce: timeInForce)
    }

    mutating func newOrder(
        symbol: SymbolIndex, side: Side, price: Int64, quantity: UInt32, timeInForce: TimeInForce
    ) -> Command {
        let account = randomAccount()
        let reference = takeReference(account)
        return Command(
            kind: .newOrder, side: side, orderType: .limit, timeInForce: timeInForce, keyKind: .userReference,
            symbol: symbol, account: account, origin: FlowGenerator.origin(account), quantity: quantity,
            price: Price(raw: price), userReference: reference, timestamp: nextTimestamp())
    }

    mutating func cancel(_ order: LiveOrder) -> Command {
        let account = AccountIndex(rawValue: order.key.account)
        return Command(
            kind: .cancel, keyKind: .userReference, account: account, origin: FlowGenerator.origin(account),
            quantity: 0, userReference: order.key.reference, timestamp: nextTimestamp())
    }

    /// Reduce keeping priority: one lot less open.
    mutating func reduce(_ order: LiveOrder) -> Command {
        let account = AccountIndex(rawValue: order.key.account)
        return Command(
            kind: .cancel, keyKind: .userReference, account: account, origin: FlowGenerator.origin(account),
            quantity: order.open - parameters.lot, userReference: order.key.reference, timestamp: nextTimestamp())
    }

    /// A replace: a third keep the price with a smaller open quantity (priority kept);
    /// the rest move 1–5 ticks either way on their own side of the book (priority
    /// lost; a move that reaches the opposite best trades).
    mutating func replace(_ order: LiveOrder) -> Command {
        let account = AccountIndex(rawValue: order.key.account)
        let tick = parameters.tick
        var price = order.price
        var open = order.open
        if Int.random(in: 0..<3, using: &random) == 0 && order.open >= 2 * parameters.lot {
            open = order.open - parameters.lot
        } else {
            let move = Int64.random(in: 1...5, using: &random) * tick
            price = Bool.random(using: &random) ? price + move : max(price - move, tick)
            open = UInt32.random(in: 1...10, using: &random) * parameters.lot
        }
        let reference = takeReference(account)
        return Command(
            kind: .replace, keyKind: .userReference, account: account, origin: FlowGenerator.origin(account),
            quantity: order.executed + open, price: Price(raw: price), userReference: reference,
            originalUserReference: order.key.reference, timestamp: nextTimestamp())
    }

    // MARK: Following the shadow engine

    mutating func apply(_ command: Command) {
        shadow.process(command, sequence: sequence, into: &recorder)
        sequence += 1
        for event in recorder.take() {
            mix.events += 1
            let key = Key(account: event.account.rawValue, reference: event.userReference)
            switch event.kind {
            case .booked:
                insert(
                    LiveOrder(
                        key: key, symbol: event.symbol, side: event.side, price: event.price.raw,
                        open: event.leavesQuantity, executed: event.cumulativeQuantity))
            case .executed:
                if event.liquidity == .added { update(key, open: event.leavesQuantity, executed: event.cumulativeQuantity) }
            case .trade:
                mix.trades += 1
            case .canceled, .modified:
                update(key, open: event.leavesQuantity, executed: event.cumulativeQuantity)
            case .replaced:
                let old = Key(account: event.account.rawValue, reference: event.originalUserReference)
                if event.orderReference == event.previousOrderReference {
                    // Priority kept: same order, new key, smaller open quantity.
                    if var order = remove(old) {
                        order.key = key
                        order.open = event.leavesQuantity
                        insert(order)
                    }
                } else {
                    // Off the book; it comes back with `booked` if anything rests.
                    _ = remove(old)
                }
            case .accepted, .rejected, .cancelRejected, .massCancelDone, .tradingStateChanged, .systemEvent, .riskUpdated:
                break
            }
            precondition(event.kind != .rejected && event.kind != .cancelRejected, "generated an invalid command: \(event)")
        }
    }

    mutating func insert(_ order: LiveOrder) {
        position[order.key] = live.count
        live.append(order)
    }

    mutating func remove(_ key: Key) -> LiveOrder? {
        guard let index = position.removeValue(forKey: key) else { return nil }
        let order = live[index]
        let last = live.removeLast()
        if index < live.count {
            live[index] = last
            position[last.key] = index
        }
        return order
    }

    mutating func update(_ key: Key, open: UInt32, executed: UInt32) {
        guard let index = position[key] else { return }
        if open == 0 {
            _ = remove(key)
        } else {
            live[index].open = open
            live[index].executed = executed
        }
    }

    // MARK: Choices

    mutating func randomSymbol() -> SymbolIndex {
        SymbolIndex(rawValue: UInt16.random(in: 1...UInt16(parameters.symbolCount), using: &random))
    }

    mutating func randomSide() -> Side { Bool.random(using: &random) ? .buy : .sell }

    mutating func randomAccount() -> AccountIndex {
        AccountIndex(rawValue: UInt16.random(in: 1...UInt16(parameters.accountCount), using: &random))
    }

    mutating func randomLiveOrder() -> LiveOrder {
        live[Int.random(in: 0..<live.count, using: &random)]
    }

    /// Random, leaning 60/40 towards the side that pulls the middle back to the
    /// centre, so prices do not wander off over a long stream.
    mutating func marketableSide(symbol: SymbolIndex) -> Side {
        let (bid, ask) = best(symbol)
        let leanTowardsSell = middle(bid: bid, ask: ask) > parameters.center
        let lean = Int.random(in: 0..<100, using: &random) < 60
        return (leanTowardsSell == lean) ? .sell : .buy
    }

    mutating func takeReference(_ account: AccountIndex) -> UInt32 {
        let reference = nextReference[Int(account.rawValue)]
        nextReference[Int(account.rawValue)] += 1
        return reference
    }

    mutating func nextTimestamp() -> Timestamp {
        clock += 1_000
        return Timestamp(rawValue: clock)
    }

    func best(_ symbol: SymbolIndex) -> (bid: Int64?, ask: Int64?) {
        (shadow.bestPrice(symbol: symbol, side: .buy)?.raw, shadow.bestPrice(symbol: symbol, side: .sell)?.raw)
    }

    /// The middle of the book on the tick grid, or the centre when a side is empty.
    func middle(bid: Int64?, ask: Int64?) -> Int64 {
        let tick = parameters.tick
        switch (bid, ask) {
        case let (bid?, ask?): return ((bid + ask) / 2 / tick) * tick
        case let (bid?, nil): return bid + tick
        case let (nil, ask?): return ask - tick
        case (nil, nil): return parameters.center
        }
    }
}
