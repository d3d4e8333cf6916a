// swift-tools-version:6.0
//
// CIFT Gateway: one process that terminates order entry, matches on a pinned
// core, journals every accepted command and publishes market data.
//
// Language mode: Swift 6 everywhere. The low-level types that cross threads
// (rings, the journal writer, the engine runtime) are `@unchecked Sendable`
// classes whose single-producer/single-consumer contract is written beside
// them; that is the one place Swift 6 strict concurrency has to be told what
// the design guarantees, and it is cheaper to say so per type than to drop
// to Swift 5 mode for whole modules.
import PackageDescription

let package = Package(
    name: "cift-gateway",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cift-gateway", targets: ["cift-gateway"]),
        .executable(name: "cift-crash-drill", targets: ["cift-crash-drill"]),
        .executable(name: "cift-restart-bench", targets: ["cift-restart-bench"]),
        .library(name: "POSIX", targets: ["POSIX"]),
        .library(name: "SequencedStore", targets: ["SequencedStore"]),
        .library(name: "GatewayCore", targets: ["GatewayCore"]),
        .library(name: "Rings", targets: ["Rings"]),
        .library(name: "Matching", targets: ["Matching"]),
        .library(name: "Journal", targets: ["Journal"]),
        .library(name: "Network", targets: ["Network"]),
        .library(name: "TLS", targets: ["TLS"]),
        .library(name: "SoupBinTCP", targets: ["SoupBinTCP"]),
        .library(name: "OUCH", targets: ["OUCH"]),
        .library(name: "FIX", targets: ["FIX"]),
        .library(name: "MarketData", targets: ["MarketData"]),
        .library(name: "MarketDataSubscriber", targets: ["MarketDataSubscriber"]),
        .library(name: "Gateway", targets: ["Gateway"]),
    ],
    dependencies: [
        // The one atomics library: the rings place their indices at chosen addresses (a
        // cache line each, or inside a shared-memory mapping), which swift-atomics'
        // UnsafeAtomic allows and the standard library's Synchronization.Atomic does not.
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
    ],
    targets: [
        // A few lines of C for what Swift cannot call directly: CPU_SET/CPU_ZERO
        // are macros, futex has no libc wrapper, and the CRC32C instruction.
        .target(name: "CCiftSystem"),

        // OpenSSL (Debian's libssl-dev) and the calls Swift cannot make (macros).
        .target(name: "CCiftTLS", linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]),
        // TLS over memory BIOs: contexts with the venue's policy, and sessions that
        // never touch a socket.
        .target(name: "TLS", dependencies: ["CCiftTLS"]),

        // The one door to the kernel: system calls with EINTR, would-block and
        // short-transfer handling, file descriptors, the file system, and the one
        // error type (`SystemCallError`) every module's system calls throw.
        .target(name: "POSIX"),

        // One append-only file of numbered records after a header: open, recover the
        // torn tail, write behind, sync, read back. The FIX message stores and the feed's
        // message store are this file with their own header and records.
        .target(name: "SequencedStore", dependencies: ["POSIX"]),

        // Value types shared by every module: prices, sides, identifiers, and the
        // fixed-size Command and Event records that cross threads.
        .target(name: "GatewayCore"),

        // SPSC rings, wait strategies, thread pinning. Knows nothing of orders.
        .target(
            name: "Rings",
            dependencies: [
                "CCiftSystem", "POSIX",
                .product(name: "Atomics", package: "swift-atomics"),
            ]
        ),

        // Order books and the matching engine. Imports no codec and no threads.
        .target(name: "Matching", dependencies: ["GatewayCore"]),

        // Append-only journal of sequenced commands, recovery and inspection.
        .target(name: "Journal", dependencies: ["GatewayCore", "POSIX", "CCiftSystem"]),

        // liburing 2.3 (Debian's liburing-dev): a system library with a shim header
        // that includes Glibc's headers first (shared/notes-linux.md says why).
        .systemLibrary(
            name: "CLiburing",
            pkgConfig: "liburing",
            providers: [.apt(["liburing-dev"])]
        ),

        // The network front end: io_uring loop, epoll fallback, sockets, the
        // connection table. Bytes in and out; knows no protocol.
        .target(
            name: "Network",
            dependencies: [
                "CLiburing", "CCiftSystem", "POSIX", "Rings", "TLS",
                .product(name: "Atomics", package: "swift-atomics"),
            ]
        ),

        // SoupBinTCP 4.1: packet framing, the packets and their encoder, and a stream
        // reader for clients. Pure: bytes in, values out (and back). Used by OUCH order
        // entry, the market-data snapshot service and the subscriber's snapshot client.
        .target(name: "SoupBinTCP", dependencies: ["GatewayCore"]),

        // OUCH 5.0 over SoupBinTCP: the codec, the server (login, heartbeats, the
        // mapping to engine commands) and its sequenced message store. Pure state
        // machines: bytes and a clock in, bytes and engine commands out; no sockets.
        .target(name: "OUCH", dependencies: ["GatewayCore", "POSIX", "SequencedStore", "SoupBinTCP"]),

        // ITCH 5.0 and MoldUDP64 codecs and the subscriber's book builder. Pure:
        // bytes in, values out (and back); no sockets, no threads.
        .target(name: "MarketData", dependencies: ["GatewayCore", "SequencedStore", "SoupBinTCP"]),

        // The market-data subscriber: a pure MoldUDP64 sequencer (gaps, buffering,
        // snapshot join) over the ITCH book builder, and at the edge the multicast
        // receiver, the retransmission and snapshot clients and the loop that runs
        // them. The snapshot channel is SoupBinTCP.
        .target(name: "MarketDataSubscriber", dependencies: ["MarketData", "GatewayCore", "POSIX", "SoupBinTCP"]),

        // FIX 4.4: the tag=value codec (in-place framing, field reading, encoding, dictionary
        // validation), the acceptor's session layer and message store, and order entry
        // (messages into engine commands, engine events into ExecutionReports).
        .target(name: "FIX", dependencies: ["GatewayCore", "POSIX", "SequencedStore"]),

        // Configuration, thread wiring and lifecycle: the only module that
        // knows about threads.
        .target(
            name: "Gateway",
            dependencies: [
                "GatewayCore", "POSIX", "Rings", "Matching", "Journal", "CCiftSystem", "Network", "TLS", "SoupBinTCP", "OUCH", "FIX", "MarketData",
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),

        .executableTarget(
            name: "cift-gateway",
            dependencies: [
                "Gateway", "Journal", "GatewayCore", "MarketData", "MarketDataSubscriber",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // A gateway engine with a synthetic order source, used by the crash
        // test: it prints each acknowledgement only after the journal holds the
        // command, and is killed with SIGKILL in the middle of a burst.
        .executableTarget(name: "cift-crash-drill", dependencies: ["Gateway", "GatewayCore", "Matching", "Journal", "Rings"]),
        .executableTarget(name: "cift-restart-bench", dependencies: ["Gateway", "GatewayCore", "Journal"]),

        // What several test targets share: a seeded generator, hex for golden bytes.
        .target(name: "TestSupport", path: "Tests/TestSupport"),

        .testTarget(name: "GatewayCoreTests", dependencies: ["GatewayCore"]),
        .testTarget(name: "RingsTests", dependencies: ["TestSupport", "Rings", "POSIX"]),
        .testTarget(name: "MatchingTests", dependencies: ["TestSupport", "Matching", "GatewayCore"]),
        .testTarget(name: "JournalTests", dependencies: ["Journal", "POSIX", "GatewayCore"]),
        .testTarget(name: "POSIXTests", dependencies: ["POSIX"]),
        .testTarget(name: "SequencedStoreTests", dependencies: ["SequencedStore", "POSIX"]),
        .testTarget(name: "NetworkTests", dependencies: ["TestSupport", "Network", "POSIX", "Rings"]),
        .testTarget(name: "TLSTests", dependencies: ["TLS", "CCiftTLS"]),
        .testTarget(name: "SoupBinTCPTests", dependencies: ["TestSupport", "SoupBinTCP", "GatewayCore"]),
        .testTarget(name: "OUCHTests", dependencies: ["TestSupport", "OUCH", "SequencedStore", "SoupBinTCP", "GatewayCore"]),
        .testTarget(name: "MarketDataTests", dependencies: ["TestSupport", "MarketData", "SoupBinTCP", "GatewayCore", "Matching"]),
        // Socket tests here need the multicast network namespace (scripts/run-tests.sh).
        .testTarget(name: "MarketDataSubscriberTests", dependencies: ["MarketDataSubscriber", "MarketData", "GatewayCore", "SoupBinTCP"]),
        .testTarget(name: "FIXTests", dependencies: ["FIX", "POSIX", "SequencedStore", "GatewayCore"]),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway", "GatewayCore", "Matching", "Journal", "Rings", "FIX"]),
        // Tests that start real gateway processes.
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "TestSupport", "Gateway", "GatewayCore", "Matching", "Journal", "SoupBinTCP", "OUCH", "FIX", "MarketData", "MarketDataSubscriber",
                "Rings", "TLS", "cift-gateway", "cift-crash-drill",
            ]
        ),
    ]
)
