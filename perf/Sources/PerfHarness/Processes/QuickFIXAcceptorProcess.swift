import Foundation

/// Starts the QuickFIX acceptor built by perf/quickfix-acceptor/build.sh: the binary,
/// with `acceptor.cfg` and QuickFIX's `FIX44.xml` beside it, on a free loopback port.
public enum QuickFIXAcceptorProcess {
    public static func start(executable: String, directory: String) throws -> (ChildProcess, HostPort) {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw HarnessError("--quickfix \(executable): not an executable file (build it with perf/quickfix-acceptor/build.sh)")
        }
        let folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        let settings = folder.appendingPathComponent("acceptor.cfg").path
        let dictionary = folder.appendingPathComponent("FIX44.xml").path
        for file in [settings, dictionary] where !FileManager.default.fileExists(atPath: file) {
            throw HarnessError("\(file) missing: build.sh copies it beside the acceptor")
        }
        let port = try TCPListener.freePort()
        let (command, arguments) = ServerPlacement.command(executable, [settings, String(port), dictionary])
        let child = try ChildProcess(name: "quickfix-acceptor", executable: command, arguments: arguments, logDirectory: directory)
        do {
            try child.waitForOutput(seconds: 30) { $0.contains("ready \(port)") }
        } catch {
            child.stop()
            throw error
        }
        return (child, HostPort(host: "127.0.0.1", port: port))
    }
}
