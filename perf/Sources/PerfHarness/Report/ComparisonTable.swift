import Foundation

/// The side-by-side table of `cift-perf fix`: one row per target and in-flight count,
/// then the ratios against the targets (stated, not asserted).
public enum ComparisonTable {
    public static func render(_ results: [FIXRunResult], ratios: [TargetRatio]) -> String {
        var lines: [String] = []
        lines.append("FIX order entry round trip: NewOrderSingle written -> ExecutionReport(New) read, per order")
        lines.append(row(["in flight", "target", "orders", "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "max µs", "orders/s"]))
        for r in results {
            let l = r.result.latency
            lines.append(row([
                String(r.inFlight), r.target.title, String(l.count), f(l.p50), f(l.p90), f(l.p99), f(l.p999), f(l.max),
                String(format: "%.0f", r.result.throughput),
            ]))
        }
        if !ratios.isEmpty {
            lines.append("")
            lines.append("Against the targets (not asserted):")
            for ratio in ratios { lines.append("  " + ratio.line) }
        }
        return lines.joined(separator: "\n")
    }

    static func f(_ v: Double) -> String { v >= 100 ? String(format: "%.0f", v) : String(format: "%.1f", v) }

    static func row(_ cells: [String]) -> String {
        let widths = [9, 13, 8, 8, 8, 8, 9, 9, 10]
        return zip(cells, widths).enumerated().map { i, pair in
            let (cell, width) = pair
            let pad = String(repeating: " ", count: max(0, width - cell.count))
            return i < 2 ? cell + pad : pad + cell
        }.joined(separator: "  ")
    }
}
