import Benchmark

/// Holds what a benchmark's setup builds (threads, rings, an engine) for its closure
/// and teardown. Built in setup rather than at registration, so that listing the
/// benchmarks starts no threads.
///
/// Touched only by the benchmark thread (setup, iterations and teardown run there in turn).
public final class SetupState<Value>: @unchecked Sendable {
    public var value: Value?
    public init() {}

    /// The value setup built; traps with the benchmark's name if setup did not run.
    public func get(_ name: String) -> Value {
        guard let value else { preconditionFailure("\(name): used before its setup ran") }
        return value
    }
}

public enum AllocationThresholds {
    /// Zero tolerance on the allocation count at every percentile: one malloc more in
    /// any measured iteration is a regression, both in `thresholds check` (against
    /// perf/Thresholds, which holds 0) and in `baseline check`. An iteration moves
    /// 200,000 commands (matching) or 4,194,304 records (rings), so one malloc per
    /// message would show as a count of that size.
    public static var zero: [BenchmarkMetric: BenchmarkThresholds] {
        [
            .mallocCountTotal: BenchmarkThresholds(
                absolute: [.p0: 0, .p25: 0, .p50: 0, .p75: 0, .p90: 0, .p99: 0, .p100: 0]
            )
        ]
    }
}

/// The metric that shows the clock's own cost: the same two clock reads as around a
/// measured operation, with nothing between them.
public let timerOverheadMetric = BenchmarkMetric.custom(
    "timer only (ns)", polarity: .prefersSmaller, useScalingFactor: false)

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes a line to standard error: notes about the run (pinning, the order flow)
/// show beside the progress output and stay out of exported results.
public func printNote(_ text: String) {
    let line = text + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}
