import GatewayCore
import Matching

/// The engine events the publisher benchmarks replay: generated once, before anything
/// is measured, by a real `MatchingEngine`, and recorded (EventRecorder).
///
/// One round, on each of 4 symbols (tick 0.01, lot 100, centred on 100.00): 200
/// resting buys and 200 resting sells, 10 per level on 20 levels each side, from
/// accounts 1–4; a sell IOC from account 5 that sweeps 100 of the bids (the last one
/// partly) and a buy IOC from account 6 that sweeps 100 of the asks; cancels of every
/// third order left (some already filled: those are cancel rejects, which publish
/// nothing); priority-keeping reduces of every fifth; then a mass cancel for each of
/// accounts 1–4. The book is empty after every round, so the stream can be replayed
/// into the publisher again and again and always finds the same book.
struct EngineEventBurst {
    static let symbolCount = 4
    static let rounds = 5
    static let tick: Int64 = 100
    static let lot: UInt32 = 100
    static let center: Int64 = 1_000_000

    let events: [Event]
    let commandCount: Int
    let symbols: [(locate: SymbolIndex, name: String)]

    init() {
        let names = (1...Self.symbolCount).map { "SYM\($0)" }
        symbols = names.enumerated().map { (SymbolIndex(rawValue: UInt16($0.offset + 1)), $0.element) }
        let configuration = try! EngineConfiguration(
            symbols: names.map { EngineConfiguration.Symbol(name: $0, tickSize: Price(raw: Self.tick), lotSize: Self.lot) },
            accountCount: 8, maxOrders: 65_536, maxPriceLevelsPerSide: 4_096)
        let engine = MatchingEngine(configuration: configuration)
        var recorder = EventRecorder()
        var sequence: UInt64 = 1
        var clock: Int64 = 1_795_000_000_000_000_000
        var nextReference = [UInt32](repeating: 1, count: 9)
        var commands = 0

        func origin(_ account: UInt16) -> OrderOrigin {
            OrderOrigin(source: 1, session: account, connection: 100 + UInt32(account))
        }
        func process(_ command: Command) {
            engine.process(command, sequence: sequence, into: &recorder)
            sequence += 1
            commands += 1
        }
        func newOrder(_ account: UInt16, _ symbol: SymbolIndex, _ side: Side, _ price: Int64, _ quantity: UInt32,
                      _ tif: TimeInForce) -> UInt32 {
            let reference = nextReference[Int(account)]
            nextReference[Int(account)] += 1
            clock += 1_000
            process(Command(kind: .newOrder, side: side, orderType: .limit, timeInForce: tif, keyKind: .userReference,
                            symbol: symbol, account: AccountIndex(rawValue: account), origin: origin(account),
                            quantity: quantity, price: Price(raw: price), userReference: reference,
                            timestamp: Timestamp(rawValue: clock)))
            return reference
        }

        for _ in 0..<Self.rounds {
            var resting: [(account: UInt16, reference: UInt32)] = []
            for (symbol, _) in symbols {
                for level in 1...20 {
                    for k in 0..<10 {
                        let account = UInt16(1 + (level + k) % 4)
                        let shares = Self.lot * UInt32(1 + k % 3)
                        resting.append((account, newOrder(account, symbol, .buy, Self.center - Int64(level) * Self.tick, shares, .day)))
                        resting.append((account, newOrder(account, symbol, .sell, Self.center + Int64(level) * Self.tick, shares, .day)))
                    }
                }
                // Bids and asks rest 2 lots each on average: 100 orders ≈ 200 lots.
                _ = newOrder(5, symbol, .sell, Self.center - 20 * Self.tick, 199 * Self.lot, .immediateOrCancel)
                _ = newOrder(6, symbol, .buy, Self.center + 20 * Self.tick, 199 * Self.lot, .immediateOrCancel)
            }
            for (index, order) in resting.enumerated() where index % 3 == 0 || index % 5 == 0 {
                clock += 1_000
                let reduce = index % 3 != 0
                process(Command(kind: .cancel, keyKind: .userReference, account: AccountIndex(rawValue: order.account),
                                origin: origin(order.account), quantity: reduce ? Self.lot : 0,
                                userReference: order.reference, timestamp: Timestamp(rawValue: clock)))
            }
            for account in UInt16(1)...4 {
                clock += 1_000
                process(Command(kind: .massCancel, symbol: .none, account: AccountIndex(rawValue: account),
                                origin: origin(account), timestamp: Timestamp(rawValue: clock)))
            }
            precondition(engine.openOrderCount == 0, "a round must leave the book empty")
        }
        events = recorder.take()
        commandCount = commands
    }
}
