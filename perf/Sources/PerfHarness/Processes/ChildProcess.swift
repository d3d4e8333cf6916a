import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A process the harness started (the gateway, the QuickFIX acceptor), with its
/// standard output and error going to files, so a chatty child never blocks on a full
/// pipe. Every child is registered with ``ChildProcessRegistry`` until it is stopped.
public final class ChildProcess: @unchecked Sendable {
    public let name: String
    public let stdoutPath: String
    public let stderrPath: String
    private let process = Process()

    /// Starts `executable` with `arguments`; output goes to `<logDirectory>/<name>.out|.err`.
    public init(name: String, executable: String, arguments: [String], logDirectory: String) throws {
        self.name = name
        stdoutPath = logDirectory + "/\(name).out"
        stderrPath = logDirectory + "/\(name).err"
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        ChildProcessRegistry.add(process.processIdentifier)
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    public var standardOutput: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    public var standardError: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits until `condition` holds for the child's output (stdout and stderr
    /// together), polling every 20 ms; throws when the child exits first or `seconds` pass.
    public func waitForOutput(seconds: Double, _ condition: (String) -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let output = standardOutput + standardError
            if condition(output) { return }
            if !process.isRunning {
                throw HarnessError("\(name) exited (status \(process.terminationStatus)) before it was ready:\n\(output)")
            }
            usleep(20_000)
        }
        throw HarnessError("\(name) not ready after \(seconds) s:\n\(standardOutput + standardError)")
    }

    /// SIGTERM, then SIGKILL after `graceSeconds`; waits for the exit. Idempotent.
    public func stop(graceSeconds: Double = 3) {
        let pid = process.processIdentifier
        if process.isRunning {
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(graceSeconds)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning {
                kill(pid, SIGKILL)
                process.waitUntilExit()
            }
        }
        ChildProcessRegistry.remove(pid)
    }

    deinit { stop() }
}

/// An error of the harness itself, with a message for the user.
public struct HarnessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
