// Journal append benchmarks (perf/README.md, "Journal append"): 96-byte command
// records (`CommandRecord`) appended to a `JournalWriter` in `.write` durability, on
// a file in a temporary directory, the way the journal thread appends them: encode,
// append, and one `flush` (one `pwrite`) per batch. Batches of 1, 64 and 256 records.
// Every measured iteration must make zero allocations (AllocationThresholds.zero,
// perf/Thresholds): one malloc per record would show as 8,192 or 65,536 per iteration.
import Benchmark
import PerfSupport

let nanosecondsPerRecord = BenchmarkMetric.custom(
    "ns per record", polarity: .prefersSmaller, useScalingFactor: false)
let appendNanosecondsPerRecord = BenchmarkMetric.custom(
    "append ns per record", polarity: .prefersSmaller, useScalingFactor: false)
let flushNanosecondsPerBatch = BenchmarkMetric.custom(
    "flush ns per batch", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    func register(batchSize: Int, recordsPerIteration: Int) {
        let state = SetupState<JournalRig>()
        Benchmark(
            "JournalAppendBatch\(batchSize)",
            configuration: Benchmark.Configuration(
                metrics: [.wallClock, .mallocCountTotal, nanosecondsPerRecord, appendNanosecondsPerRecord,
                          flushNanosecondsPerBatch],
                timeUnits: .milliseconds,
                warmupIterations: 3,
                maxDuration: .seconds(3),
                maxIterations: 50,
                thresholds: AllocationThresholds.zero
            ),
            closure: { benchmark in
                let rig = state.get(benchmark.name)
                // A fresh file for every iteration, outside the measurement.
                do { try rig.reset() } catch { benchmark.error("reset failed: \(error)") }
                benchmark.startMeasurement()
                rig.run()
                benchmark.stopMeasurement()
                if let failure = rig.failure { benchmark.error(failure) }
                if let problem = rig.check(expectedRecords: UInt64(recordsPerIteration)) { benchmark.error(problem) }
                let batches = recordsPerIteration / batchSize
                benchmark.measurement(nanosecondsPerRecord, Int(rig.totalNanoseconds) / recordsPerIteration)
                benchmark.measurement(appendNanosecondsPerRecord, Int(rig.appendNanoseconds) / recordsPerIteration)
                benchmark.measurement(flushNanosecondsPerBatch, Int(rig.flushNanoseconds) / batches)
            },
            setup: {
                let rig = try JournalRig(batchSize: batchSize, recordsPerIteration: recordsPerIteration)
                printNote("journal: \(rig.directory), \(recordsPerIteration) records per iteration in batches of \(batchSize)")
                state.value = rig
            },
            teardown: {
                state.value?.remove()
                state.value = nil
            }
        )
    }

    // One record per flush: a pwrite per record, as when commands trickle in.
    register(batchSize: 1, recordsPerIteration: 8_192)
    // 64 and 256 (the engine's default batch_size) records per pwrite: bursts.
    register(batchSize: 64, recordsPerIteration: 65_536)
    register(batchSize: 256, recordsPerIteration: 65_536)
}
