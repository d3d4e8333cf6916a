// FIX 4.4 codec benchmarks (perf/README.md, "FIX order entry round trip"): nanoseconds
// per NewOrderSingle parsed and per ExecutionReport encoded, on the benchmark thread.
// Every measured iteration must make zero allocations (AllocationThresholds.zero,
// perf/Thresholds): one malloc per message would show as 100,000 per iteration.
import Benchmark
import PerfSupport

let nanosecondsPerMessage = BenchmarkMetric.custom(
    "ns per message", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    func configuration() -> Benchmark.Configuration {
        Benchmark.Configuration(
            metrics: [.wallClock, .mallocCountTotal, nanosecondsPerMessage],
            timeUnits: .milliseconds,
            warmupIterations: 3,
            maxDuration: .seconds(3),
            maxIterations: 50,
            thresholds: AllocationThresholds.zero
        )
    }

    // Frame decode (BeginString, BodyLength, CheckSum), dictionary validation against
    // fix-dictionaries/FIX44.xml, then one pass reading the fields the gateway's
    // FIXOrderEntry reads, converted as it converts them (NewOrderSingleCorpus).
    let parse = SetupState<NewOrderSingleCorpus>()
    Benchmark(
        "FIXNewOrderSingleParse",
        configuration: configuration(),
        closure: { benchmark in
            let corpus = parse.get(benchmark.name)
            let start = nowNanoseconds()
            benchmark.startMeasurement()
            let result = corpus.parseAll(rounds: NewOrderSingleCorpus.messagesPerIteration / corpus.count)
            benchmark.stopMeasurement()
            let elapsed = nowNanoseconds() &- start
            blackHole(result.digest)
            if let failure = result.failure { benchmark.error(failure) }
            benchmark.measurement(nanosecondsPerMessage, Int(elapsed) / NewOrderSingleCorpus.messagesPerIteration)
        },
        setup: { parse.value = try NewOrderSingleCorpus() },
        teardown: { parse.value = nil }
    )

    // An ExecutionReport(New) as the gateway sends it (header 49 56 34 52, body
    // 37 11 17 150 39 55 54 38 40 44 59 151 14 6 60) into one preallocated buffer.
    let encode = SetupState<ExecutionReportEncoderRig>()
    Benchmark(
        "FIXExecutionReportEncode",
        configuration: configuration(),
        closure: { benchmark in
            let rig = encode.get(benchmark.name)
            let start = nowNanoseconds()
            benchmark.startMeasurement()
            let result = rig.encodeAll(count: ExecutionReportEncoderRig.messagesPerIteration)
            benchmark.stopMeasurement()
            let elapsed = nowNanoseconds() &- start
            blackHole(result.digest)
            if let failure = result.failure { benchmark.error(failure) }
            benchmark.measurement(nanosecondsPerMessage, Int(elapsed) / ExecutionReportEncoderRig.messagesPerIteration)
        },
        setup: { encode.value = ExecutionReportEncoderRig() },
        teardown: {
            encode.value?.deallocate()
            encode.value = nil
        }
    )
}
