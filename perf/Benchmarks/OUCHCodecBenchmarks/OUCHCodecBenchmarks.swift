// OUCH 5.0 codec benchmarks (perf/README.md, "OUCH codec"): nanoseconds per inbound
// Enter Order found in a SoupBinTCP byte stream and decoded, and per outbound Order
// Accepted / Order Executed encoded with its SoupBinTCP Sequenced Data header into a
// preallocated buffer, on the benchmark thread. Every measured iteration must make
// zero allocations (AllocationThresholds.zero, perf/Thresholds): one malloc per
// message would show as 100,000 per iteration.
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

    // 1,000 Enter Orders, each in a SoupBinTCP Unsequenced Data packet, back to back
    // in one buffer as they arrive on a connection; every 4th carries an appendage
    // (Firm, MinQty, PostOnly). Per message: SoupBinTCPFrameDecoder.decode, the
    // packet type checked, OUCHEnterOrder(decoding:), fields folded into a digest.
    let decode = SetupState<EnterOrderDecodeRig>()
    Benchmark(
        "OUCHEnterOrderDecode",
        configuration: configuration(),
        closure: { benchmark in
            let rig = decode.get(benchmark.name)
            let rounds = EnterOrderDecodeRig.messagesPerIteration / rig.count
            let start = nowNanoseconds()
            benchmark.startMeasurement()
            let result = rig.decodeAll(rounds: rounds)
            benchmark.stopMeasurement()
            let elapsed = nowNanoseconds() &- start
            blackHole(result.digest)
            if let failure = result.failure { benchmark.error(failure) }
            benchmark.measurement(nanosecondsPerMessage, Int(elapsed) / EnterOrderDecodeRig.messagesPerIteration)
        },
        setup: { decode.value = try EnterOrderDecodeRig() },
        teardown: {
            decode.value?.deallocate()
            decode.value = nil
        }
    )

    // Order Accepted built from the engine's fields as OUCHServer.handle(_:) builds
    // it (timestamp since midnight, OUCHClOrdID from the engine's ClientOrderID, the
    // order's appendage echoed on every 4th), framed as Sequenced Data.
    let accepted = SetupState<OutboundEncodeRig>()
    Benchmark(
        "OUCHOrderAcceptedEncode",
        configuration: configuration(),
        closure: { benchmark in
            let rig = accepted.get(benchmark.name)
            let start = nowNanoseconds()
            benchmark.startMeasurement()
            let digest = rig.encodeAccepted(count: OutboundEncodeRig.messagesPerIteration)
            benchmark.stopMeasurement()
            let elapsed = nowNanoseconds() &- start
            blackHole(digest)
            benchmark.measurement(nanosecondsPerMessage, Int(elapsed) / OutboundEncodeRig.messagesPerIteration)
        },
        setup: { accepted.value = OutboundEncodeRig() },
        teardown: {
            accepted.value?.deallocate()
            accepted.value = nil
        }
    )

    // Order Executed as OUCHServer.handle(_:) builds it, framed as Sequenced Data.
    let executed = SetupState<OutboundEncodeRig>()
    Benchmark(
        "OUCHOrderExecutedEncode",
        configuration: configuration(),
        closure: { benchmark in
            let rig = executed.get(benchmark.name)
            let start = nowNanoseconds()
            benchmark.startMeasurement()
            let digest = rig.encodeExecuted(count: OutboundEncodeRig.messagesPerIteration)
            benchmark.stopMeasurement()
            let elapsed = nowNanoseconds() &- start
            blackHole(digest)
            benchmark.measurement(nanosecondsPerMessage, Int(elapsed) / OutboundEncodeRig.messagesPerIteration)
        },
        setup: { executed.value = OutboundEncodeRig() },
        teardown: {
            executed.value?.deallocate()
            executed.value = nil
        }
    )
}
