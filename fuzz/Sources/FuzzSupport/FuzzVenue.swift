import GatewayCore
import Matching

/// The matching engine behind the session fuzz targets: the real engine, small, with
/// risk limits on account 1 (so that every pre-trade gate runs on fuzzed orders) and
/// none on account 2. What a client sends reaches the engine exactly as the gateway
/// passes it, and the engine's answers go back to the session that sent it, so that
/// the report paths (ExecutionReports, OUCH Accepted/Executed/Canceled) see fuzzed
/// values too.
///
/// Symbols: 1 AAPL (tick 0.01, lot 1), 2 MSFT (tick 0.01, lot 100), 3 PENNY (tick
/// 0.0001, lot 1). Accounts 1 and 2.
public final class FuzzVenue {
    public static let symbols: [(name: String, index: SymbolIndex, tick: Int64, lot: UInt32)] = [
        ("AAPL", 1, 100, 1), ("MSFT", 2, 100, 100), ("PENNY", 3, 1, 1),
    ]

    public let engine: MatchingEngine
    var sequence: UInt64 = 0
    var recorder = EventRecorder()

    public init() {
        var configuration = try! EngineConfiguration(
            symbols: Self.symbols.map { .init(name: $0.name, tickSize: Price(raw: $0.tick), lotSize: $0.lot) },
            accountCount: 2, selfTradePrevention: [2: .cancelBoth], maxOrders: 64, maxPriceLevelsPerSide: 16)
        try! configuration.setRisk(
            limits: [
                1: RiskLimits(
                    maxOrderQuantity: 1_000_000, maxOrderNotional: 10_000_000_000_000, priceCollarBasisPoints: 2_000,
                    maxOpenOrders: 32, maxGrossPosition: 10_000_000, maxNetPosition: 1_000_000,
                    maxTotalExposure: 100_000_000_000_000),
            ],
            restricted: [1: [3]],
            referencePrices: [1: Price(raw: 1_500_000)])
        engine = MatchingEngine(configuration: configuration)
    }

    /// Applies `commands` in order, as the engine thread would, and returns every event.
    public func process(_ commands: [Command]) -> [Event] {
        for command in commands {
            sequence += 1
            engine.process(command, sequence: sequence, into: &recorder)
        }
        return recorder.take()
    }
}
