// Market-data benchmarks (perf/README.md, "Market data: order → Add Order, publish
// throughput"): ITCH Add Order encode, MoldUDP64 packet decode, and the publisher's
// own rate (engine events → ITCH messages → MoldUDP64 packets, no socket). Measured
// iterations of the codec and steady-state publisher benchmarks must make zero
// allocations (AllocationThresholds.zero, perf/Thresholds).
import Benchmark
import PerfSupport

let nanosecondsPerMessage = BenchmarkMetric.custom("ns per message", polarity: .prefersSmaller, useScalingFactor: false)
let nanosecondsPerPacket = BenchmarkMetric.custom("ns per packet", polarity: .prefersSmaller, useScalingFactor: false)
let messagesPerSecond = BenchmarkMetric.custom("ITCH messages/s", polarity: .prefersLarger, useScalingFactor: false)
let packetsPerSecond = BenchmarkMetric.custom("packets/s", polarity: .prefersLarger, useScalingFactor: false)
let eventsPerSecond = BenchmarkMetric.custom("engine events/s", polarity: .prefersLarger, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    // One recorded event stream per process, made by whichever setup runs first.
    let burst = SetupState<EngineEventBurst>()
    func makeBurst() -> EngineEventBurst {
        if let existing = burst.value { return existing }
        let made = EngineEventBurst()
        burst.value = made
        printNote("engine events: \(made.events.count) from \(made.commandCount) commands")
        return made
    }

    func codecConfiguration(_ metrics: [BenchmarkMetric]) -> Benchmark.Configuration {
        Benchmark.Configuration(
            metrics: [.wallClock, .mallocCountTotal] + metrics,
            timeUnits: .milliseconds,
            warmupIterations: 3,
            maxDuration: .seconds(3),
            maxIterations: 50,
            thresholds: AllocationThresholds.zero
        )
    }

    // 100,000 Add Orders encoded into one preallocated 64-byte buffer.
    let encode = SetupState<AddOrderEncodeRig>()
    Benchmark(
        "ITCHAddOrderEncode",
        configuration: codecConfiguration([nanosecondsPerMessage]),
        closure: { benchmark in
            let rig = encode.get(benchmark.name)
            let start = nowNanoseconds()
            benchmark.startMeasurement()
            let digest = rig.encodeAll()
            benchmark.stopMeasurement()
            let elapsed = nowNanoseconds() &- start
            blackHole(digest)
            benchmark.measurement(nanosecondsPerMessage, Int(elapsed) / AddOrderEncodeRig.messagesPerIteration)
        },
        setup: { encode.value = AddOrderEncodeRig() },
        teardown: {
            encode.value?.deallocate()
            encode.value = nil
        }
    )

    // The publisher's packets for one replay of the event stream, decoded 8 times
    // (packet check, then every ITCH message).
    let decode = SetupState<PacketDecodeRig>()
    Benchmark(
        "MoldUDP64PacketDecode",
        configuration: codecConfiguration([nanosecondsPerPacket, nanosecondsPerMessage]),
        closure: { benchmark in
            let rig = decode.get(benchmark.name)
            let rounds = 8
            let start = nowNanoseconds()
            benchmark.startMeasurement()
            var digest: UInt64 = 0
            for _ in 0..<rounds {
                let result = rig.decodeAll()
                if let failure = result.failure { benchmark.error(failure) }
                digest &+= result.digest
            }
            benchmark.stopMeasurement()
            let elapsed = Int(nowNanoseconds() &- start)
            blackHole(digest)
            benchmark.measurement(nanosecondsPerPacket, elapsed / (rounds * rig.packets.count))
            benchmark.measurement(nanosecondsPerMessage, elapsed / (rounds * rig.messageCount))
        },
        setup: {
            let rig = try PacketDecodeRig(burst: makeBurst())
            printNote("packet decode corpus: \(rig.packets.count) packets, \(rig.messageCount) messages")
            decode.value = rig
        },
        teardown: {
            decode.value?.deallocate()
            decode.value = nil
        }
    )

    // The publisher in steady state: each iteration starts a new publisher (new store
    // file) and replays the stream once unmeasured (the book's tables and the store's
    // arrays reach their size), then measures a second replay.
    let steady = SetupState<PublisherRig>()
    Benchmark(
        "ITCHPublisherThroughput",
        configuration: Benchmark.Configuration(
            metrics: [.wallClock, .mallocCountTotal, messagesPerSecond, packetsPerSecond, eventsPerSecond],
            timeUnits: .milliseconds,
            warmupIterations: 2,
            maxDuration: .seconds(4),
            maxIterations: 40,
            thresholds: AllocationThresholds.zero
        ),
        closure: { benchmark in
            let rig = steady.get(benchmark.name)
            do { try rig.reset() } catch { benchmark.error("\(error)") }
            rig.replay()
            benchmark.startMeasurement()
            rig.replay()
            benchmark.stopMeasurement()
            if let failure = rig.failure { benchmark.error(failure) }
            benchmark.measurement(messagesPerSecond, rig.messagesPerSecond)
            benchmark.measurement(packetsPerSecond, rig.packetsPerSecond)
            benchmark.measurement(eventsPerSecond, rig.eventsPerSecond)
        },
        setup: {
            let rig = try PublisherRig(burst: makeBurst())
            rig.replay()
            printNote("publisher replay: \(rig.burst.events.count) events -> \(rig.messages) ITCH messages in \(rig.packets) packets")
            steady.value = rig
        },
        teardown: { steady.value = nil }
    )

    // The same replay into a publisher that has just begun its day: the first replay
    // is measured, so what the book and the store allocate while they grow shows in
    // `Malloc (total)`. No allocation threshold: this one documents the cold start.
    let cold = SetupState<PublisherRig>()
    Benchmark(
        "ITCHPublisherThroughputCold",
        configuration: Benchmark.Configuration(
            metrics: [.wallClock, .mallocCountTotal, messagesPerSecond, packetsPerSecond, eventsPerSecond],
            timeUnits: .milliseconds,
            warmupIterations: 2,
            maxDuration: .seconds(4),
            maxIterations: 40
        ),
        closure: { benchmark in
            let rig = cold.get(benchmark.name)
            do { try rig.reset() } catch { benchmark.error("\(error)") }
            benchmark.startMeasurement()
            rig.replay()
            benchmark.stopMeasurement()
            if let failure = rig.failure { benchmark.error(failure) }
            benchmark.measurement(messagesPerSecond, rig.messagesPerSecond)
            benchmark.measurement(packetsPerSecond, rig.packetsPerSecond)
            benchmark.measurement(eventsPerSecond, rig.eventsPerSecond)
        },
        setup: { cold.value = try PublisherRig(burst: makeBurst()) },
        teardown: { cold.value = nil }
    )
}
