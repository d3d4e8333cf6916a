import Foundation
import PerfHarness

/// The processes and threads a `cift-perf load` invocation talks to, started before the
/// first run and stopped after the last (also when a run fails; on SIGINT/SIGTERM the
/// ChildProcessRegistry kills the children).
final class LoadTargets {
    private(set) var addresses: [(kind: FIXRunTarget, address: HostPort)] = []
    private(set) var feed: ITCHFeedReceiver?
    private var children: [ChildProcess] = []
    private var echo: MultiEchoServer?
    private let directory: TemporaryDirectory

    private init(directory: TemporaryDirectory) { self.directory = directory }

    static func start(
        protocolName: LoadCommand.ProtocolName, gateway: String?, target: HostPort?, group: HostPort?, interface: String,
        dictionary: String?, settings: [String], quickfix: String?, floor: Bool, feed: Bool
    ) throws -> LoadTargets {
        let targets = LoadTargets(directory: try TemporaryDirectory(prefix: "cift-perf-load"))
        do {
            var groupAddress = group
            var joinOn = interface
            if let target {
                targets.addresses.append((kind: .gateway, address: target))
            } else if let gateway {
                Progress.write("starting \(gateway) in \(targets.directory.path)\n")
                let (child, listeners) = try GatewayProcess.startWithListeners(
                    executable: gateway, dictionary: dictionary, settings: settings, directory: targets.directory.path)
                targets.children.append(child)
                targets.addresses.append((kind: .gateway, address: protocolName == .ouch ? listeners.ouch : listeners.fix))
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
        _ kind: FIXRunTarget, protocolName: LoadCommand.ProtocolName, address: HostPort, count: Int, run: Int
    ) throws -> [LoadConnection] {
        let stamp = Int(Date().timeIntervalSince1970) % 100_000
        return try (0..<count).map { i -> LoadConnection in
            switch (kind, protocolName) {
            case (.floor, .ouch): return try FloorLoadConnection(address: address, bytes: .ouch)
            case (.floor, .fix): return try FloorLoadConnection(address: address, bytes: .fix)
            case (_, .ouch): return try OUCHLoadConnection(address: address, username: "OUCH0\(i + 1)", password: "demo")
            case (_, .fix):
                return try FIXLoadConnection(address: address, senderCompID: "CLIENT\(i + 1)", prefix: "L\(stamp)R\(run)-")
            }
        }
    }

    func stop(keepLogs: Bool) {
        for child in children { child.stop() }
        children.removeAll()
        echo?.stop()
        echo = nil
        if keepLogs {
            Progress.write("logs of the started processes kept in \(directory.path)\n")
        } else {
            directory.remove()
        }
    }
}
