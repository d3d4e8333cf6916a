import ArgumentParser
import Foundation
import PerfHarness

/// `cift-perf itch`: order entry → market data. An OUCH client enters resting orders
/// with one in flight and times each one's Order Accepted and its Add Order on the
/// multicast feed; then a burst of orders and a sweep, counting ITCH messages and
/// MoldUDP64 packets per second at the subscriber. Must run where multicast works on
/// loopback (perf/scripts/itch-perf.sh enters a network namespace for it).
struct ITCHCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "itch",
        abstract: "OUCH order -> Order Accepted and -> ITCH Add Order on the multicast feed; burst publish rates.",
        discussion: """
            Starts the gateway from --gateway PATH (temporary configuration: free ports, \
            market_data.group on a free port) or uses the one at --target (its OUCH \
            listener) with --group. Run inside a network namespace whose loopback carries \
            multicast (perf/scripts/itch-perf.sh).
            """
    )

    @Option(help: "A built cift-gateway binary to start with a temporary configuration.")
    var gateway: String?

    @Option(help: "An already running gateway's OUCH listener (HOST:PORT) instead of starting one.")
    var target: String?

    @Option(help: "The market-data group with --target (market_data.group).")
    var group = "239.192.0.1:31001"

    @Option(help: "The interface to join the group on (market_data.interface).")
    var interface = "127.0.0.1"

    @Option(help: "The FIX dictionary the started gateway loads (default: fix-dictionaries/FIX44.xml above the binary).")
    var gatewayDictionary: String?

    @Option(name: .customLong("gateway-set"), help: "Override one key of the started gateway's configuration (section.key=TOML value); repeatable.")
    var gatewaySettings: [String] = []

    @Option(help: "Closed-loop orders at the start that are not measured.")
    var warmup = 1_000

    @Option(help: "Measured closed-loop orders, at most.")
    var orders = 10_000

    @Option(help: "Seconds after which the closed loop stops sending, warm-up included.")
    var duration: Double = 10

    @Option(help: "Orders in the burst (0: no burst).")
    var burst = 20_000

    @Option(name: .customLong("burst-duration"), help: "Seconds after which the burst stops sending.")
    var burstDuration: Double = 5

    @Option(help: "Burst orders unanswered at most.")
    var window = 2_048

    @Flag(name: .customLong("no-sweep"), help: "No sweep after the burst.")
    var noSweep = false

    @Option(help: "OUCH user entering the orders (and the next user, OUCH02 by default, sweeps).")
    var user = "OUCH01"

    @Option(help: "OUCH user of the sweep (another account than --user).")
    var sweepUser = "OUCH02"

    @Option(help: "OUCH password.")
    var password = "demo"

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    func validate() throws {
        if (gateway == nil) == (target == nil) {
            throw ValidationError("give exactly one of --gateway PATH and --target HOST:PORT")
        }
        if let target, HostPort(target) == nil { throw ValidationError("--target must be HOST:PORT") }
        if HostPort(group) == nil { throw ValidationError("--group must be HOST:PORT") }
        guard warmup >= 0, orders >= 1, burst >= 0, duration > 0, burstDuration > 0, window >= 1 else {
            throw ValidationError("--warmup, --burst ≥ 0; --orders, --window ≥ 1; durations > 0")
        }
        // Every order rests until the session logs out (or the sweep): one run stays
        // within the engine's 262,144 orders.
        guard warmup + orders + burst <= 200_000 else {
            throw ValidationError("--warmup + --orders + --burst must be at most 200,000 (every order rests)")
        }
    }

    func run() throws {
        let directory = try TemporaryDirectory(prefix: "cift-perf-itch")
        var child: ChildProcess?
        var failed = true
        defer {
            child?.stop()
            if failed, child != nil {
                Progress.write("logs of the started gateway kept in \(directory.path)\n")
            } else {
                directory.remove()
            }
        }
        var ouch = target.flatMap(HostPort.init)
        var groupAddress = HostPort(group)!
        var interface = self.interface
        if let gateway {
            Progress.write("starting \(gateway) in \(directory.path)\n")
            let (started, listeners) = try GatewayProcess.startWithListeners(
                executable: gateway, dictionary: gatewayDictionary, settings: gatewaySettings, directory: directory.path)
            child = started
            ouch = listeners.ouch
            groupAddress = listeners.marketDataGroup
            interface = listeners.marketDataInterface
        }
        let feed = try ITCHFeedReceiver(group: groupAddress, interface: interface)
        let client = try OUCHOrderEntryClient(address: ouch!, username: user, password: password)
        let sweeper = burst > 0 && !noSweep
            ? try OUCHOrderEntryClient(address: ouch!, username: sweepUser, password: password) : nil
        Progress.write("OUCH \(ouch!) as \(user); feed \(groupAddress) on \(interface), SO_RCVBUF \(feed.receiveBufferBytes)\n")

        var source = RestingOrderSource()
        let closedLoop = try OrderToAddOrderRun.run(
            client: client, feed: feed, source: &source, warmup: warmup, orders: orders, durationSeconds: duration)
        var burstResult: PublishBurstRun.Result?
        if burst > 0 {
            burstResult = try PublishBurstRun.run(
                client: client, sweeper: sweeper, feed: feed, source: &source, count: burst, window: window,
                durationSeconds: burstDuration)
        }
        sweeper?.logout()
        client.logout()

        let report = ITCHReport(command: CommandLine.arguments, closedLoop: closedLoop, burst: burstResult)
        print(report.render())
        if let json {
            try report.write(to: json)
            print("results written to \(json)")
        }
        failed = false
    }
}
