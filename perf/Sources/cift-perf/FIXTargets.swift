import Foundation
import PerfHarness

/// The processes and threads a `cift-perf fix` run talks to, started before the first
/// run and stopped after the last, also when a run fails (every child is killed; on
/// SIGINT/SIGTERM the ChildProcessRegistry kills them).
final class FIXTargets {
    private(set) var addresses: [(FIXRunTarget, HostPort)] = []
    private var children: [ChildProcess] = []
    private var echo: EchoServer?
    private let directory: TemporaryDirectory

    private init(directory: TemporaryDirectory) { self.directory = directory }

    static func start(
        gateway: String?, target: HostPort?, dictionary: String?, settings: [String], quickfix: String?, floor: Bool
    ) throws -> FIXTargets {
        let targets = FIXTargets(directory: try TemporaryDirectory(prefix: "cift-perf"))
        do {
            if let target {
                targets.addresses.append((.gateway, target))
            } else if let gateway {
                Progress.write("starting \(gateway) in \(targets.directory.path)\n")
                let (child, address) = try GatewayProcess.start(
                    executable: gateway, dictionary: dictionary, settings: settings, directory: targets.directory.path)
                targets.children.append(child)
                targets.addresses.append((.gateway, address))
            }
            if let quickfix {
                Progress.write("starting \(quickfix)\n")
                let (child, address) = try QuickFIXAcceptorProcess.start(executable: quickfix, directory: targets.directory.path)
                targets.children.append(child)
                targets.addresses.append((.quickfix, address))
            }
            if floor {
                let server = try EchoServer()
                targets.echo = server
                targets.addresses.append((.floor, server.address))
            }
        } catch {
            targets.stop(keepLogs: true)
            throw error
        }
        return targets
    }

    /// Stops every child and the echo thread; removes the temporary directory unless
    /// `keepLogs` (a failed run: the children's output is kept there and named).
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
