// swift-tools-version:6.1
//
// CIFT Gateway benchmarks: their own package beside the gateway (style point 14),
// so the gateway's build never carries the benchmark tooling. Run from the
// repository root with `make perf`, or here with
// `swift package --allow-writing-to-package-directory benchmark` (perf/README.md).
//
// ordo-one/benchmark is named with `traits: ["MallocInterposer"]`: that trait gives
// the malloc counters every benchmark here reports (`Malloc (total)`), and naming
// only it leaves out the package's default Linux ARC runtime interposer, which
// needs a package this machine's mirror does not carry.
import PackageDescription

let package = Package(
    name: "cift-gateway-perf",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "cift-gateway", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // The CPU's spin-loop hint, which Swift cannot emit (the gateway's own copy
        // lives in CCiftSystem, which is not a product).
        .target(name: "CPerfSupport"),

        // What the benchmark targets share: the 64-byte record, long-lived worker
        // threads and their start/finish handshake, latency sample buffers.
        .target(
            name: "PerfSupport",
            dependencies: [
                "CPerfSupport",
                .product(name: "POSIX", package: "cift-gateway"),
                .product(name: "Rings", package: "cift-gateway"),
                .product(name: "GatewayCore", package: "cift-gateway"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Atomics", package: "swift-atomics"),
            ]
        ),

        // SPSC ring: cross-core throughput, ping-pong latency, and the one-thread floor.
        .executableTarget(
            name: "RingBenchmarks",
            dependencies: [
                "PerfSupport", "CPerfSupport",
                .product(name: "Rings", package: "cift-gateway"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/RingBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),

        // Matching engine: commands per second and per-command latency on a mixed,
        // steady-state order flow.
        .executableTarget(
            name: "MatchingBenchmarks",
            dependencies: [
                "PerfSupport",
                .product(name: "Matching", package: "cift-gateway"),
                .product(name: "GatewayCore", package: "cift-gateway"),
                .product(name: "Rings", package: "cift-gateway"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/MatchingBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),

        // FIX 4.4 codec: ns per NewOrderSingle parsed (frame, validate, read the
        // gateway's fields) and per ExecutionReport encoded, zero mallocs.
        // The FIX module is reached through the `Gateway` product, which links it (the
        // gateway package also vends `FIX` on its own; perf/README.md, "FIX order entry
        // round trip").
        .executableTarget(
            name: "FIXCodecBenchmarks",
            dependencies: [
                "PerfSupport",
                .product(name: "Gateway", package: "cift-gateway"),
                .product(name: "GatewayCore", package: "cift-gateway"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/FIXCodecBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),

        // Market data: ITCH Add Order encode, MoldUDP64 packet decode, and the
        // publisher's own throughput (recorded engine events -> ITCH messages ->
        // MoldUDP64 packets to a null output), zero mallocs in steady state.
        .executableTarget(
            name: "MarketDataBenchmarks",
            dependencies: [
                "PerfSupport",
                .product(name: "MarketData", package: "cift-gateway"),
                .product(name: "Matching", package: "cift-gateway"),
                .product(name: "GatewayCore", package: "cift-gateway"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/MarketDataBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),

        // OUCH 5.0 codec: ns per Enter Order found in a SoupBinTCP stream and decoded,
        // per Order Accepted / Order Executed encoded with its Sequenced Data header,
        // zero mallocs.
        .executableTarget(
            name: "OUCHCodecBenchmarks",
            dependencies: [
                "PerfSupport",
                .product(name: "SoupBinTCP", package: "cift-gateway"),
                .product(name: "OUCH", package: "cift-gateway"),
                .product(name: "GatewayCore", package: "cift-gateway"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/OUCHCodecBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),

        // Journal: ns per 96-byte command record appended in `.write` durability, in
        // batches of 1, 64 and 256 records per pwrite, zero mallocs.
        .executableTarget(
            name: "JournalBenchmarks",
            dependencies: [
                "PerfSupport",
                .product(name: "Journal", package: "cift-gateway"),
                .product(name: "GatewayCore", package: "cift-gateway"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/JournalBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),

        // TLS: the gateway's TLSSession pair in memory after the handshake, ns per
        // 50 / 150-byte message encrypted and decrypted (one record each), mallocs counted.
        .executableTarget(
            name: "TLSBenchmarks",
            dependencies: [
                "PerfSupport",
                .product(name: "TLS", package: "cift-gateway"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/TLSBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),

        // The latency harness's parts: sockets, child processes, closed-loop driver,
        // HDR histograms, reports, and one client per protocol (FIX; OUCH with the
        // ITCH multicast subscriber for `cift-perf itch`).
        .target(
            name: "PerfHarness",
            dependencies: [
                "CPerfSupport",
                .product(name: "POSIX", package: "cift-gateway"),
                .product(name: "Gateway", package: "cift-gateway"),
                .product(name: "GatewayCore", package: "cift-gateway"),
                .product(name: "SoupBinTCP", package: "cift-gateway"),
                .product(name: "OUCH", package: "cift-gateway"),
                .product(name: "MarketData", package: "cift-gateway"),
                .product(name: "MarketDataSubscriber", package: "cift-gateway"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "TLS", package: "cift-gateway"),
                .product(name: "Rings", package: "cift-gateway"),
            ]
        ),

        // `cift-perf`: the latency harness's command line (`cift-perf fix ...`).
        .executableTarget(
            name: "cift-perf",
            dependencies: [
                "PerfHarness",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "TLS", package: "cift-gateway"),
            ]
        ),
    ]
)
