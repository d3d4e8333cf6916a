import ArgumentParser
import Foundation
import PerfHarness

/// `cift-perf load`: the order-entry load generator. Several real protocol clients (OUCH
/// 5.0 over SoupBinTCP, or FIX 4.4) on the demo users / sessions, a configurable order mix
/// around moving mids, closed or open loop, HDR histograms of order → ack, → first fill,
/// → ITCH Add Order (`--feed`), cancel → canceled and replace → replaced; a summary,
/// JSON, `.hgrm` files and an HTML percentile plot (`--out DIR`).
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Order-entry load (OUCH or FIX, several connections, order mix, closed or open loop) with HDR latency reports.",
        discussion: """
            Starts the gateway from --gateway PATH (temporary configuration, free ports) or uses the \
            one at --target HOST:PORT (its OUCH or FIX listener). --compare also runs the same \
            load against the QuickFIX/C++ acceptor (FIX) and the TCP echo floor, one after \
            another, and prints the ratios; the compared runs send new orders only (the \
            acceptor answers nothing else). --feed subscribes to the market-data group and \
            needs multicast on loopback (perf/scripts/load-compare.sh enters a namespace). \
            --tls-compare starts the gateway with [tls] (a test PKI made in the temporary directory \
            by scripts/make-test-certificates.sh, client certificates required), runs the same load \
            against its plain listener and then its TLS listener (then the TCP echo floor plain and \
            behind TLS), prints the TLS / plain ratios, and \
            measures --handshakes connection set-ups on each (TCP connect; TCP connect → TLS \
            established). Every run stops at --orders measured requests or --duration seconds.
            """
    )

    enum ProtocolName: String, ExpressibleByArgument { case ouch, fix }

    @Option(name: .customLong("protocol"), help: "ouch or fix.")
    var protocolName: ProtocolName = .ouch

    @Option(help: "A built cift-gateway binary to start with a temporary configuration.")
    var gateway: String?

    @Option(help: "An already running gateway's OUCH or FIX listener (HOST:PORT) instead of starting one.")
    var target: String?

    @Option(help: "The market-data group with --target and --feed (market_data.group).")
    var group = "239.192.0.1:31001"

    @Option(help: "The interface to join the group on, with --target.")
    var interface = "127.0.0.1"

    @Option(help: "The FIX dictionary the started gateway loads (default: fix-dictionaries/FIX44.xml above the binary).")
    var gatewayDictionary: String?

    @Option(name: .customLong("gateway-set"), help: "Override one key of the started gateway's configuration (section.key=TOML value); repeatable.")
    var gatewaySettings: [String] = []

    @Option(help: "The QuickFIX acceptor binary (perf/quickfix-acceptor/build.sh), with --compare --protocol fix.")
    var quickfix: String?

    @Flag(help: "Also run the QuickFIX acceptor (FIX) and the TCP floor with the same load, and print the ratios.")
    var compare = false

    @Flag(help: "Start the gateway with TLS and run the same load against its plain and its TLS listener (same process), one after the other.")
    var tlsCompare = false

    @Flag(help: "With --tls-compare: run the TLS listener's load first (the run order's own effect shows when both orders are run).")
    var tlsFirst = false

    @Option(help: "With --tls-compare: connection set-ups measured on each listener (one after another, before the load).")
    var handshakes = 200

    @Option(help: "With --tls-compare: an existing test PKI (ca.pem, server.pem/.key, client1.pem/.key) instead of making one.")
    var tlsCertificates: String?

    @Option(name: .customLong("server-cores"), help: "Start the gateway and the QuickFIX acceptor under taskset -c LIST and pin the floor's echo thread to its first core (put cift-perf itself elsewhere with taskset).")
    var serverCores: String?

    @Flag(help: "Time each resting order to its ITCH Add Order on the multicast feed (gateway runs only).")
    var feed = false

    @Option(help: "Connections, spread over the demo users OUCH01–04 / sessions CLIENT1–4.")
    var connections = 4

    @Option(help: "closed (--in-flight per connection) or open (--rate requests/s over all connections).")
    var mode: LoadPlan.Mode = .closed

    @Option(name: .customLong("in-flight"), help: "Closed loop: requests outstanding per connection.")
    var inFlight = 1

    @Option(help: "Open loop: requests per second over all connections.")
    var rate: Double = 10_000

    @Option(help: "Order mix in percent: rest, cancel, replace, market (must add up to 100).")
    var mix = OrderMix.standard.description

    @Option(help: "Requests at the start of each run that are not measured.")
    var warmup = 2_000

    @Option(help: "Measured requests per run, at most.")
    var orders = 50_000

    @Option(help: "Seconds after which a run stops issuing, warm-up included.")
    var duration: Double = 20

    @Option(help: "Seconds after which an unanswered request counts as a timeout.")
    var timeout: Double = 5

    @Option(help: "Seed of the order flow (same seed, same requests).")
    var seed: UInt64 = 42

    @Option(help: "Write load.json, one .hgrm per target and measure, and load.html into this directory.")
    var out: String?

    func validate() throws {
        if (gateway == nil) == (target == nil) { throw ValidationError("give exactly one of --gateway PATH and --target HOST:PORT") }
        if let target, HostPort(target) == nil { throw ValidationError("--target must be HOST:PORT") }
        if tlsCompare && (gateway == nil || compare) { throw ValidationError("--tls-compare needs --gateway PATH and excludes --compare") }
        if tlsCompare && handshakes < 0 { throw ValidationError("--handshakes must be ≥ 0") }
        if compare && protocolName == .fix && quickfix == nil { throw ValidationError("--compare --protocol fix needs --quickfix PATH") }
        guard (1...4).contains(connections) else { throw ValidationError("--connections must be 1...4 (the demo users / sessions)") }
        guard inFlight >= 1 && inFlight <= 1_024, rate > 0, warmup >= 0, orders >= 1, duration > 0, timeout > 0 else {
            throw ValidationError("--in-flight 1...1024, --rate > 0, --warmup ≥ 0, --orders ≥ 1, --duration and --timeout > 0")
        }
        guard OrderMix(parsing: mix) != nil else {
            throw ValidationError("--mix: rest=N,cancel=N,replace=N,market=N in percent, adding up to 100")
        }
        // A compared run rests every order until logout: stay within the engine's 262,144.
        guard !compare || warmup + orders <= 200_000 else {
            throw ValidationError("with --compare, --warmup + --orders must be at most 200,000 (every order rests)")
        }
    }

    func run() throws {
        ServerPlacement.cores = serverCores
        Progress.write("placement: \(ServerPlacement.description)\n")
        var orderMix = OrderMix(parsing: mix)!
        if compare && (orderMix.cancel > 0 || orderMix.replace > 0) {
            orderMix = orderMix.newOrdersOnly
            Progress.write("--compare: the QuickFIX acceptor and the floor answer new orders only; mix for every target: \(orderMix)\n")
        }
        var plan = LoadPlan(mode: mode, inFlight: inFlight, rate: rate, warmup: warmup, orders: orders, durationSeconds: duration, mix: orderMix)
        plan.timeoutSeconds = timeout
        plan.seed = seed
        let targets = try LoadTargets.start(
            protocolName: protocolName, gateway: gateway, target: target.flatMap(HostPort.init), group: HostPort(group),
            interface: interface, dictionary: gatewayDictionary, settings: gatewaySettings,
            quickfix: compare && protocolName == .fix ? quickfix : nil, floor: compare, feed: feed,
            tls: tlsCompare, tlsCertificates: tlsCertificates)
        var failed = true
        defer { targets.stop(keepLogs: failed) }

        let protocolTitle = protocolName == .ouch ? "OUCH" : "FIX"
        var connects: [HandshakeRun.Result] = []
        if tlsCompare && handshakes > 0, let context = targets.tlsContext {
            for t in targets.addresses where t.kind == .gateway || t.kind == .gatewayTLS {
                let tls = t.kind == .gatewayTLS
                connects.append(try HandshakeRun.run(
                    to: t.address, transport: tls ? .tls(context) : .plain, count: handshakes,
                    name: "\(protocolTitle) \(tls ? "TLS" : "plain")",
                    title: tls ? "connect → TLS done" : "TCP connect"))
            }
        }
        var entries: [LoadReport.Target] = []
        let order = tlsFirst ? Array(targets.addresses.reversed()) : targets.addresses
        for (index, t) in order.enumerated() {
            let connections = try LoadTargets.connect(
                t.kind, protocolName: protocolName, address: t.address, count: self.connections, run: index,
                tls: targets.tlsContext)
            let gatewayKind = t.kind == .gateway || t.kind == .gatewayTLS
            let result = try LoadRun.run(
                label: "\(protocolTitle) \(t.kind.rawValue)", connections: connections, plan: plan,
                acknowledgeOnly: !gatewayKind, feed: gatewayKind ? targets.feed : nil,
                maxLive: compare ? Int.max : 200)
            entries.append(LoadReport.Target(target: t.kind.rawValue, title: t.kind.title, protocolName: protocolTitle, result: result))
        }
        let report = LoadReport(command: CommandLine.arguments, targets: entries, connects: connects)
        print(report.render())
        if let out {
            for path in try report.write(to: out) { print("wrote \(path)") }
        }
        failed = false
    }
}

extension LoadPlan.Mode: ExpressibleByArgument {}
