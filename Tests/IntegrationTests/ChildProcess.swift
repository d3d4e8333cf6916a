import Foundation
import XCTest

/// A real child process of one of the package's executables, with its output read
/// line by line on a background thread so the test can wait for a line with a deadline.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private let lock = NSCondition()
    private var lines: [String] = []
    private var partial = Data()
    private var errorText = Data()
    private var ended = false
    /// Serialises reads of standard output between the readability handler and the final
    /// read in `waitForExit`; `drained` (under it) is set once that final read has run.
    private let readLock = NSLock()
    private var drained = false

    /// The directory the test bundle was built into, which also holds the executables.
    static var productsDirectory: URL {
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL
    }

    /// One of the package's own executables, from the build products directory.
    convenience init(executable: String, arguments: [String], workingDirectory: String? = nil) throws {
        try self.init(path: Self.productsDirectory.appendingPathComponent(executable).path, arguments: arguments,
                      workingDirectory: workingDirectory)
    }

    /// Any program, by path.
    init(path: String, arguments: [String], workingDirectory: String? = nil) throws {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw NSError(domain: "ChildProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(path) is not built or installed"])
        }
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        // A child that traps prints Swift's one-line "Fatal error" and dies at once: the
        // runtime's backtracer would hold the child's pipes open (and the test with them)
        // while it inspects the process.
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        stdoutPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            guard let self else { return }
            // Read and append under `readLock`, so that `waitForExit`'s final read comes
            // after any read in flight here has been appended: the output stays whole and
            // in order (a chunk read here but appended after the final read was lost to a
            // test that looked at the lines at once).
            self.readLock.lock()
            defer { self.readLock.unlock() }
            guard !self.drained else { return }
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }  // end of file
            self.append(data)
        }
        stderrPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            guard let self else { return }
            self.lock.lock()
            self.errorText.append(data)
            self.lock.broadcast()
            self.lock.unlock()
        }
        process.terminationHandler = { [weak self] _ in
            guard let self else { return }
            self.lock.lock()
            self.ended = true
            self.lock.broadcast()
            self.lock.unlock()
        }
        try process.run()
    }

    private func append(_ data: Data) {
        lock.lock()
        defer { lock.unlock() }
        if data.isEmpty { return }
        partial.append(data)
        while let nl = partial.firstIndex(of: 0x0A) {
            lines.append(String(decoding: partial[partial.startIndex..<nl], as: UTF8.self))
            partial.removeSubrange(partial.startIndex...nl)
        }
        lock.broadcast()
    }

    /// Every complete line of standard output so far.
    var outputLines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }

    var standardError: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: errorText, as: UTF8.self)
    }

    /// Waits until `predicate` holds for the output lines, the process ends, or `seconds` pass.
    @discardableResult
    func waitFor(seconds: Double, _ predicate: ([String]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        lock.lock()
        defer { lock.unlock() }
        while !predicate(lines) {
            if ended || !lock.wait(until: deadline) { return predicate(lines) }
        }
        return true
    }

    /// Waits for the process to end (at most `seconds`); returns its status, or nil on timeout
    /// (the process is then killed, so no test leaves a process behind).
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        // Read what is still in the pipes: a process may exit with megabytes unread, and
        // the readability handler does not reliably report end of file.
        stdoutPipe.fileHandleForReading.readabilityHandler = nil
        stderrPipe.fileHandleForReading.readabilityHandler = nil
        readLock.lock()
        drained = true
        append(stdoutPipe.fileHandleForReading.readDataToEndOfFile())
        readLock.unlock()
        let restOfErrors = stderrPipe.fileHandleForReading.readDataToEndOfFile()
        lock.lock()
        errorText.append(restOfErrors)
        lock.unlock()
        return process.terminationStatus
    }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        stdoutPipe.fileHandleForReading.readabilityHandler = nil
        stderrPipe.fileHandleForReading.readabilityHandler = nil
    }
}

/// A fresh temporary directory, removed by `cleanup()`.
func makeTemporaryDirectory(_ name: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("cift-\(name)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
