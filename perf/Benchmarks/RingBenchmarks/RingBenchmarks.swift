// SPSC ring benchmarks (perf/README.md): cross-core throughput of 64-byte records in
// batches, ping-pong round-trip latency between two pinned busy-spinning threads, and
// the one-thread floors the throughput is read against. Every measured iteration
// must make zero allocations (AllocationThresholds.zero, perf/Thresholds).
import Benchmark
import PerfSupport

#if canImport(Glibc)
import Glibc
#endif

let recordsPerSecond = BenchmarkMetric.custom("records/s", polarity: .prefersLarger, useScalingFactor: false)
let roundTripNanoseconds = BenchmarkMetric.custom("round trip (ns)", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    let throughputConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, recordsPerSecond],
        timeUnits: .milliseconds,
        warmupIterations: 2,
        maxDuration: .seconds(3),
        maxIterations: 40,
        thresholds: AllocationThresholds.zero
    )

    // The floor: the same records built, copied into a 4096-slot array and checked
    // by one thread on core 0. No ring, no atomics, no second core.
    let copyLoop = SetupState<OneThreadRig>()
    Benchmark(
        "RecordCopyLoopOneThread",
        configuration: throughputConfiguration,
        closure: { benchmark in
            let rig = copyLoop.get(benchmark.name)
            benchmark.startMeasurement()
            let (rate, failure) = rig.runOnce(.copyLoop)
            benchmark.stopMeasurement()
            benchmark.measurement(recordsPerSecond, rate)
            if let failure { benchmark.error(failure) }
        },
        setup: {
            copyLoop.value = try OneThreadRig(
                capacity: RingSizes.throughputCapacity, batch: RingSizes.batch, recordsPerRun: RingSizes.recordsPerRun)
        },
        teardown: {
            copyLoop.value?.stop()
            copyLoop.value = nil
        }
    )

    // The ring's own cost without a second core: push a batch, drain it, same thread.
    let oneThread = SetupState<OneThreadRig>()
    Benchmark(
        "SPSCRingOneThread",
        configuration: throughputConfiguration,
        closure: { benchmark in
            let rig = oneThread.get(benchmark.name)
            benchmark.startMeasurement()
            let (rate, failure) = rig.runOnce(.ringOneThread)
            benchmark.stopMeasurement()
            benchmark.measurement(recordsPerSecond, rate)
            if let failure { benchmark.error(failure) }
        },
        setup: {
            oneThread.value = try OneThreadRig(
                capacity: RingSizes.throughputCapacity, batch: RingSizes.batch, recordsPerRun: RingSizes.recordsPerRun)
        },
        teardown: {
            oneThread.value?.stop()
            oneThread.value = nil
        }
    )

    // Producer on core 0, consumer on core 1, batches of 256 through a 4096-slot ring.
    let throughput = SetupState<RingThroughputRig>()
    Benchmark(
        "SPSCRingThroughput",
        configuration: throughputConfiguration,
        closure: { benchmark in
            let rig = throughput.get(benchmark.name)
            benchmark.startMeasurement()
            let (rate, failure) = rig.runOnce()
            benchmark.stopMeasurement()
            benchmark.measurement(recordsPerSecond, rate)
            if let failure { benchmark.error(failure) }
        },
        setup: {
            throughput.value = try RingThroughputRig(
                capacity: RingSizes.throughputCapacity, batch: RingSizes.batch, recordsPerRun: RingSizes.recordsPerRun)
        },
        teardown: {
            throughput.value?.stop()
            throughput.value = nil
        }
    )

    // The allocation counter itself: exactly 1,000 mallocs on a worker thread per
    // iteration (perf/Thresholds expects 1000). If the counter stopped seeing other
    // threads, or stopped working at all, every "0" above would mean nothing; this
    // one then reads 0 and `thresholds check` fails.
    let canary = SetupState<BenchmarkWorker>()
    Benchmark(
        "WorkerThreadMallocCount",
        configuration: Benchmark.Configuration(
            metrics: [.mallocCountTotal],
            warmupIterations: 1,
            maxDuration: .seconds(1),
            maxIterations: 10,
            thresholds: AllocationThresholds.zero
        ),
        closure: { benchmark in
            canary.get(benchmark.name).run(0)
        },
        setup: {
            canary.value = BenchmarkWorker(name: "malloc-canary", core: RingSizes.producerCore) { _ in
                for _ in 0..<1_000 {
                    let block = malloc(64)
                    Benchmark.blackHole(block)
                    free(block)
                }
            }
        },
        teardown: {
            canary.value?.stop()
            canary.value = nil
        }
    )

    // One record there and back between two pinned, busy-spinning threads.
    let pingPong = SetupState<PingPongRig>()
    Benchmark(
        "SPSCRingPingPongLatency",
        configuration: Benchmark.Configuration(
            metrics: [.wallClock, .mallocCountTotal, roundTripNanoseconds, timerOverheadMetric],
            timeUnits: .milliseconds,
            warmupIterations: 2,
            maxDuration: .seconds(3),
            maxIterations: 30,
            thresholds: AllocationThresholds.zero
        ),
        closure: { benchmark in
            let rig = pingPong.get(benchmark.name)
            benchmark.startMeasurement()
            let (_, failure) = rig.runOnce()
            benchmark.stopMeasurement()
            rig.samples.report(to: benchmark, as: roundTripNanoseconds)
            rig.measureTimer()
            rig.timerSamples.report(to: benchmark, as: timerOverheadMetric)
            if let failure { benchmark.error(failure) }
        },
        setup: {
            pingPong.value = try PingPongRig(
                capacity: RingSizes.pingPongCapacity, roundTrips: RingSizes.roundTripsPerRun,
                warmup: RingSizes.warmupRoundTrips)
        },
        teardown: {
            pingPong.value?.stop()
            pingPong.value = nil
        }
    )
}
