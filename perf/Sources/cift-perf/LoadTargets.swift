import Foundation
import PerfHarness
import TLS

/// The processes and threads a `cift-perf load` invocation talks to, started before the
/// first run and stopped after the last (also when a run fails; on SIGINT/SIGTERM the
/// ChildProcessRegistry kills the children).
final class LoadTargets {
    private(set) var addresses: [(kind: FIXRunTarget, address: HostPort)] = []
    private(set) var feed: ITCHFeedReceiver?
    /// The client context for the gateway's TLS listener (with --tls-compare).
    private(set) var tlsContext: TLSContext?
    private var children: [ChildProcess] = []
    private var echo: MultiEchoServer?
    private var tlsEcho: MultiEchoServer?
    private let directory: TemporaryDirectory

    private init(directory: TemporaryDirectory) { self.directory = directory }

    static func start(
        protocolName: LoadCommand.ProtocolName, gateway: String?, target: HostPort?, group: HostPort?, interface: String,
        dictionary: String?, settings: [String], quickfix: String?, floor: Bool, feed: Bool,
        tls: Bool = false, tlsCertificates: String? = nil
    ) throws -> LoadTargets {
        let targets = LoadTargets(directory: try TemporaryDirectory(prefix: "cift-perf-load"))
        do {
            var groupAddress = group
            var joinOn = interface
            if let target {
                targets.addresses.append((kind: .gateway, address: target))
            } else if let gateway {
                var pki: TLSCertificates?
                var serverContext: TLSContext?
                if tls {
                    if let tlsCertificates {
                        pki = TLSCertificates(directory: tlsCertificates)
                    } else {
                        let script = try findScript(near: gateway)
                        Progress.write("making a test PKI with \(script)\n")
                        pki = try TLSCertificates.make(script: script, in: targets.directory.path + "/tls")
                    }
                    targets.tlsContext = try pki!.clientContext()
                    serverContext = try pki!.serverContext()
                }
                Progress.write("starting \(gateway) in \(targets.directory.path)\n")
                let (child, listeners) = try GatewayProcess.startWithListeners(
                    executable: gateway, dictionary: dictionary, settings: settings, directory: targets.directory.path, tls: pki)
                targets.children.append(child)
                targets.addresses.append((kind: .gateway, address: protocolName == .ouch ? listeners.ouch : listeners.fix))
                if tls, let address = protocolName == .ouch ? listeners.tlsOUCH : listeners.tlsFIX {
                    targets.addresses.append((kind: .gatewayTLS, address: address))
                    // The floors, plain and TLS: the transport's cost without the gateway.
                    let plainEcho = try MultiEchoServer()
                    targets.echo = plainEcho
                    targets.addresses.append((kind: .floor, address: plainEcho.address))
                    let echo = try MultiEchoServer(tls: serverContext)
                    targets.tlsEcho = echo
                    targets.addresses.append((kind: .floorTLS, address: echo.address))
                }
                groupAddress = listeners.marketDataGroup
                joinOn = listeners.marketDataInterface
            }
            if feed, let groupAddress {
                targets.feed = try ITCHFeedReceiver(group: groupAddress, interface: joinOn)
            }
            if let quickfix {
                Progress.write("starting \(quickfix)\n")
                let (child, address) = try QuickFIXAcceptorProcess.start(executable: quickfix, directory: targets.directory.path)
                targets.children.append(child)
                targets.addresses.append((kind: .quickfix, address: address))
            }
            if floor {
                let server = try MultiEchoServer()
                targets.echo = server
                targets.addresses.append((kind: .floor, address: server.address))
            }
        } catch {
            targets.stop(keepLogs: true)
            throw error
        }
        return targets
    }

    /// `count` connections to one target: OUCH01.. / CLIENT1.. for the gateway and
    /// QuickFIX, raw sockets for the floor.
    static func connect(
        _ kind: FIXRunTarget, protocolName: LoadCommand.ProtocolName, address: HostPort, count: Int, run: Int,
        tls: TLSContext? = nil
    ) throws -> [LoadConnection] {
        let stamp = Int(Date().timeIntervalSince1970) % 100_000
        let transport: ClientTransport = kind == .gatewayTLS || kind == .floorTLS ? .tls(tls!) : .plain
        return try (0..<count).map { i -> LoadConnection in
            switch (kind, protocolName) {
            case (.floor, .ouch), (.floorTLS, .ouch): return try FloorLoadConnection(address: address, bytes: .ouch, transport: transport)
            case (.floor, .fix), (.floorTLS, .fix): return try FloorLoadConnection(address: address, bytes: .fix, transport: transport)
            case (_, .ouch):
                return try OUCHLoadConnection(address: address, username: "OUCH0\(i + 1)", password: "demo", transport: transport,
                                              userRefNumBase: run * 10_000_000)
            case (_, .fix):
                return try FIXLoadConnection(
                    address: address, senderCompID: "CLIENT\(i + 1)", prefix: "L\(stamp)R\(run)-", transport: transport)
            }
        }
    }

    /// scripts/make-test-certificates.sh in the checkout the gateway binary was built in.
    static func findScript(near executable: String) throws -> String {
        var url = URL(fileURLWithPath: executable).standardizedFileURL.deletingLastPathComponent()
        while url.path != "/" {
            let candidate = url.appendingPathComponent("scripts/make-test-certificates.sh").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            url.deleteLastPathComponent()
        }
        throw HarnessError("no scripts/make-test-certificates.sh above \(executable); pass --tls-certificates DIR")
    }

    func stop(keepLogs: Bool) {
        for child in children { child.stop() }
        children.removeAll()
        echo?.stop()
        echo = nil
        tlsEcho?.stop()
        tlsEcho = nil
        if keepLogs {
            Progress.write("logs of the started processes kept in \(directory.path)\n")
        } else {
            directory.remove()
        }
    }
}
