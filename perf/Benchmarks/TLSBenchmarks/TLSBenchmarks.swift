// TLS benchmarks (perf/README.md, "TLS"): the gateway's TLSSession (OpenSSL over memory
// BIOs) after the handshake, a client and a server session in memory: nanoseconds per
// order-sized message encrypted (write + drainOutput, one record per message) and
// decrypted (receive, one record per call), 50 bytes (an OUCH Enter Order in its
// SoupBinTCP packet) and 150 bytes (a FIX NewOrderSingle). Only the phase named is
// measured; the other runs outside the measurement to keep the pair in step.
//
// Allocations: OpenSSL 3.0 asks for small blocks inside SSL_write and SSL_read on every
// record (3 of 40 bytes per record written, 1 per record read, freed before the call
// returns). The gateway's memory functions (Sources/CCiftTLS/cift_tls_memory.c) serve
// them from a per-thread cache, so none is a malloc once warm: perf/Thresholds pins
// Malloc (total) at 0. "OpenSSL blocks per 1,000 messages" shows that OpenSSL still asks
// (served from the cache), so a zero here is not OpenSSL having stopped asking.
import Benchmark
import PerfSupport
import TLS

let nanosecondsPerMessage = BenchmarkMetric.custom(
    "ns per message", polarity: .prefersSmaller, useScalingFactor: false)

let openSSLBlocksPerThousand = BenchmarkMetric.custom(
    "OpenSSL blocks per 1,000 messages", polarity: .prefersSmaller, useScalingFactor: false)

/// OpenSSL's small-block requests on this thread (all served from its cache once warm).
func openSSLRequests() -> UInt64 { TLSMemory.threadStatistics.requests }

let benchmarks: @Sendable () -> Void = {
    func configuration() -> Benchmark.Configuration {
        Benchmark.Configuration(
            metrics: [.wallClock, .mallocCountTotal, nanosecondsPerMessage, openSSLBlocksPerThousand],
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
            let asked = openSSLRequests()
            let start = nowNanoseconds()
            benchmark.startMeasurement()
            rig.encrypt()
            benchmark.stopMeasurement()
            let elapsed = nowNanoseconds() &- start
            benchmark.measurement(openSSLBlocksPerThousand, Int(openSSLRequests() &- asked) * 1_000 / TLSPairRig.messagesPerIteration)
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
                let asked = openSSLRequests()
                let start = nowNanoseconds()
                benchmark.startMeasurement()
                rig.encrypt()
                benchmark.stopMeasurement()
                let elapsed = nowNanoseconds() &- start
                benchmark.measurement(openSSLBlocksPerThousand, Int(openSSLRequests() &- asked) * 1_000 / TLSPairRig.messagesPerIteration)
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
                let asked = openSSLRequests()
                let start = nowNanoseconds()
                benchmark.startMeasurement()
                let digest = rig.decrypt()
                benchmark.stopMeasurement()
                benchmark.measurement(openSSLBlocksPerThousand, Int(openSSLRequests() &- asked) * 1_000 / TLSPairRig.messagesPerIteration)
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
