import Histogram

/// Round-trip latencies in nanoseconds in an HDR histogram (3 significant digits, 1 ns
/// to 100 s): recording allocates nothing.
public final class LatencyHistogram {
    var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: 100_000_000_000, numberOfSignificantValueDigits: .three)

    public init() {}

    public func record(nanoseconds: Int64) {
        _ = histogram.record(UInt64(max(nanoseconds, 1)))
    }

    public var count: Int { Int(histogram.totalCount) }

    public func summary() -> LatencySummary {
        func at(_ p: Double) -> Double { count == 0 ? 0 : Double(histogram.valueAtPercentile(p)) / 1_000 }
        return LatencySummary(
            count: count, p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), p9999: at(99.99),
            max: count == 0 ? 0 : Double(histogram.max) / 1_000,
            mean: count == 0 ? 0 : histogram.mean / 1_000)
    }
}

/// Percentiles of one run, in microseconds.
public struct LatencySummary: Sendable, Codable {
    public var count: Int
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var p9999: Double
    public var max: Double
    public var mean: Double
}
