/// A small, fast, seeded random generator (SplitMix64): every run with the same seed
/// sends the same requests.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The moving mid of each symbol: a random walk of one tick up or down on every
/// `stepEvery`-th request, kept within ±`maxTicks` of 100.00. Prices in the 4 implied
/// decimals OUCH and the harness's FIX writer use (tick 0.01 = 100).
public struct PriceWalk: Sendable {
    public static let symbols = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "SPY"]
    public static let tick: Int64 = 100
    public static let centre: Int64 = 1_000_000
    public static let maxTicks: Int64 = 200
    var mids: [Int64]
    var counter = 0
    let stepEvery: Int

    public init(symbols: Int, stepEvery: Int = 4) {
        mids = Array(repeating: Self.centre, count: symbols)
        self.stepEvery = stepEvery
    }

    public var symbolCount: Int { mids.count }

    public func mid(_ symbol: Int) -> Int64 { mids[symbol] }

    mutating func step(_ rng: inout SplitMix64) {
        counter += 1
        guard counter % stepEvery == 0 else { return }
        let s = Int(rng.next() % UInt64(mids.count))
        let up = rng.next() & 1 == 0
        let next = mids[s] + (up ? Self.tick : -Self.tick)
        if abs(next - Self.centre) <= Self.maxTicks * Self.tick { mids[s] = next }
    }
}
