import Histogram

extension LatencyHistogram {
    /// The standard HdrHistogram percentile distribution (`.hgrm` text), values in
    /// microseconds, as `HistogramLogProcessor` and the online plotters read it.
    public func percentileDistribution() -> String {
        var text = ""
        histogram.outputPercentileDistribution(to: &text, outputValueUnitScalingRatio: 1_000, percentileTicksPerHalfDistance: 5)
        return text
    }

    /// (percentile, latency µs) points for a percentile-spectrum plot: 5 ticks per
    /// half distance, as in the `.hgrm` file; the last point is the maximum.
    public func spectrum() -> [SpectrumPoint] {
        guard count > 0 else { return [] }
        var points: [SpectrumPoint] = []
        for value in histogram.percentiles(ticksPerHalfDistance: 5) {
            let p = value.percentileLevelIteratedTo
            if p >= 100 { break }
            points.append(SpectrumPoint(percentile: p, microseconds: Double(value.value) / 1_000))
        }
        points.append(SpectrumPoint(percentile: 100, microseconds: Double(histogram.max) / 1_000))
        return points
    }
}

public struct SpectrumPoint: Sendable, Codable {
    public var percentile: Double
    public var microseconds: Double
}
