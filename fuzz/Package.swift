// swift-tools-version:6.0
//
// Coverage-guided fuzz targets (libFuzzer) for the bytes a client or a local process can
// send the gateway: one executable per target, each defining LLVMFuzzerTestOneInput.
// Its own package, like perf/, so that the gateway's build and `swift test` never see
// the fuzzer's flags. Build and run with scripts/run-fuzz.sh; fuzz/README.md gives the
// flags and why.
import PackageDescription

let gateway = "cift-gateway"

/// Every fuzz target: its file has only declarations (libFuzzer's driver is the program).
func fuzzTarget(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["CFuzzerDriver", "FuzzSupport"] + products.map { .product(name: $0, package: gateway) },
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    )
}

let package = Package(
    name: "cift-gateway-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: gateway, path: ".."),
    ],
    targets: [
        // Starts libFuzzer's driver from a target's entry point (see its header for why).
        .target(name: "CFuzzerDriver"),
        // What the targets share: the input reader, scratch directories, the engine.
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "GatewayCore", package: gateway), .product(name: "Matching", package: gateway)]
        ),
        fuzzTarget("FIXFrameFuzzer", ["FIX", "GatewayCore"]),
        fuzzTarget("FIXSessionFuzzer", ["FIX", "GatewayCore"]),
        fuzzTarget("OUCHSessionFuzzer", ["OUCH", "SoupBinTCP", "GatewayCore"]),
        fuzzTarget("MoldUDP64RequestFuzzer", ["MarketData", "GatewayCore"]),
        fuzzTarget("SnapshotRequestFuzzer", ["MarketData", "SoupBinTCP", "GatewayCore"]),
        fuzzTarget("SignalRecordFuzzer", ["Gateway", "GatewayCore"]),
    ]
)
