// TLS benchmarks (perf/README.md, "TLS"): the gateway's TLSSession (OpenSSL over memory
// BIOs) after the handshake, a client and a server session in memory: nanoseconds per
// order-sized message encrypted (write + drainOutput, one record per message) and
// decrypted (receive, one record per call), 50 bytes (an OUCH Enter Order in its
// SoupBinTCP packet) and 150 bytes (a FIX NewOrderSingle). Only the phase named is
// measured; the other runs outside the measurement to keep the pair in step.
//
// No allocation threshold: OpenSSL 3.0 allocates inside SSL_write and SSL_read on every
// record (3 mallocs of 40 bytes per record written, 1 per record read, freed at once;
// perf/README.md "TLS"), so a zero threshold would fail and perf/Thresholds has no
// file for these. The counts are reported (Malloc (total): 30 K / 10 K per iteration
// of 10,000 messages).
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
            maxIterations: 50
        )
    }

    // 8 messages of 50 bytes in one write (one record): the cost per message if the
    // gateway coalesced a turn's messages per connection.
    let batchRig = SetupState<TLSPairRig>()
    Benchmark(
        "TLSEncrypt50Batch8",
        configuration: configuration(),
        closure: { benchmark in
            let rig = batchRig.get(benchmark.name)
            let start = nowNanoseconds()
            benchmark.startMeasurement()
            rig.encrypt()
            benchmark.stopMeasurement()
            let elapsed = nowNanoseconds() &- start
            if rig.decrypt() < 0 { benchmark.error("decrypt failed") }
            benchmark.measurement(nanosecondsPerMessage, Int(elapsed) / TLSPairRig.messagesPerIteration)
        },
        setup: { batchRig.value = try TLSPairRig(size: 50, batch: 8) },
        teardown: {
            batchRig.value?.deallocate()
            batchRig.value = nil
        }
    )

    for size in [50, 150] {
        let encryptRig = SetupState<TLSPairRig>()
        Benchmark(
            "TLSEncrypt\(size)",
            configuration: configuration(),
            closure: { benchmark in
                let rig = encryptRig.get(benchmark.name)
                let start = nowNanoseconds()
                benchmark.startMeasurement()
                rig.encrypt()
                benchmark.stopMeasurement()
                let elapsed = nowNanoseconds() &- start
                if rig.decrypt() < 0 { benchmark.error("decrypt failed") }
                benchmark.measurement(nanosecondsPerMessage, Int(elapsed) / TLSPairRig.messagesPerIteration)
            },
            setup: {
                encryptRig.value = try TLSPairRig(size: size)
                printNote("TLSEncrypt\(size): \(encryptRig.value!.version), \(encryptRig.value!.wireCount / TLSPairRig.messagesPerIteration) bytes on the wire per \(size)-byte message")
            },
            teardown: {
                encryptRig.value?.deallocate()
                encryptRig.value = nil
            }
        )

        let decryptRig = SetupState<TLSPairRig>()
        Benchmark(
            "TLSDecrypt\(size)",
            configuration: configuration(),
            closure: { benchmark in
                let rig = decryptRig.get(benchmark.name)
                rig.encrypt()
                let start = nowNanoseconds()
                benchmark.startMeasurement()
                let digest = rig.decrypt()
                benchmark.stopMeasurement()
                let elapsed = nowNanoseconds() &- start
                blackHole(digest)
                if digest < 0 { benchmark.error("decrypt failed") }
                benchmark.measurement(nanosecondsPerMessage, Int(elapsed) / TLSPairRig.messagesPerIteration)
            },
            setup: { decryptRig.value = try TLSPairRig(size: size) },
            teardown: {
                decryptRig.value?.deallocate()
                decryptRig.value = nil
            }
        )
    }
}
