import ArgumentParser
import Foundation
import PerfHarness

/// `cift-perf fix`: FIX 4.4 order entry round trips in a closed loop, against the
/// gateway alone or (`--compare`) beside the QuickFIX acceptor and the TCP floor.
struct FIXCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fix",
        abstract: "FIX 4.4 NewOrderSingle -> ExecutionReport(New) round trips (closed loop, HDR histogram).",
        discussion: """
            Without --compare, measures the gateway only: one started from --gateway PATH, or \
            the one running at --target HOST:PORT. With --compare, also the QuickFIX acceptor \
            (--quickfix PATH, built by perf/quickfix-acceptor/build.sh) and an in-process TCP \
            echo floor, with the same load, and prints the ratios against the targets.
            """
    )

    @Option(help: "A built cift-gateway binary to start with a temporary configuration.")
    var gateway: String?

    @Option(help: "An already running gateway's FIX listener (HOST:PORT) instead of starting one.")
    var target: String?

    @Option(help: "The FIX dictionary the started gateway loads (default: fix-dictionaries/FIX44.xml above the binary).")
    var gatewayDictionary: String?

    @Option(name: .customLong("gateway-set"), help: "Override one key of the started gateway's configuration, as section.key=TOML value (e.g. engine.wait_strategy='\"busy-spin\"'); repeatable.")
    var gatewaySettings: [String] = []

    @Option(help: "The QuickFIX acceptor binary built by perf/quickfix-acceptor/build.sh (with --compare).")
    var quickfix: String?

    @Flag(help: "Also run the QuickFIX acceptor and the TCP floor, and print the comparison.")
    var compare = false

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    @OptionGroup var load: LoadOptions

    func validate() throws {
        if (gateway == nil) == (target == nil) {
            throw ValidationError("give exactly one of --gateway PATH and --target HOST:PORT")
        }
        if let target, HostPort(target) == nil { throw ValidationError("--target must be HOST:PORT") }
        if compare && quickfix == nil { throw ValidationError("--compare needs --quickfix PATH") }
    }

    func run() throws {
        let environment = try FIXTargets.start(
            gateway: gateway, target: target.flatMap(HostPort.init), dictionary: gatewayDictionary, settings: gatewaySettings,
            quickfix: compare ? quickfix : nil, floor: compare)
        var failed = true
        defer { environment.stop(keepLogs: failed) }

        var results: [FIXRunResult] = []
        var runIndex = 0
        for inFlight in load.inFlightCounts {
            for (target, address) in environment.addresses {
                let result = try FIXRoundTripRun.run(
                    target, at: address, load: load.parameters(inFlight: inFlight), session: runIndex, runIndex: runIndex)
                results.append(FIXRunResult(target: target, address: address, result: result))
                runIndex += 1
            }
        }
        let ratios = TargetRatio.compute(results)
        print(ComparisonTable.render(results, ratios: ratios))
        if results.contains(where: { $0.result.stoppedByDuration }) {
            print("note: a run reached --duration before sending every order; its count is lower")
        }
        if let json {
            try JSONReport(command: CommandLine.arguments, results: results, ratios: ratios).write(to: json)
            print("results written to \(json)")
        }
        failed = false
    }
}
