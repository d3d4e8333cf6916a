import Foundation

/// A directory of this fuzzing process for the stores the sessions write (FIX message
/// store, OUCH sequenced streams). Emptied before every input, so that no input sees
/// what an earlier one left: a crash found is a crash reproduced by its input alone.
/// Under `CIFT_FUZZ_SCRATCH` when set, else the system's temporary directory; removed
/// when the process exits normally.
public final class FuzzScratchDirectory: @unchecked Sendable {
    public let path: String

    public init(_ name: String) {
        let base = ProcessInfo.processInfo.environment["CIFT_FUZZ_SCRATCH"] ?? NSTemporaryDirectory()
        path = base + "/cift-fuzz-\(name)-\(getpid())"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        FuzzScratchDirectory.created.append(path)
        if FuzzScratchDirectory.created.count == 1 { atexit { FuzzScratchDirectory.removeAll() } }
    }

    /// Removes everything inside, keeps the directory.
    public func empty() {
        let manager = FileManager.default
        for entry in (try? manager.contentsOfDirectory(atPath: path)) ?? [] {
            try? manager.removeItem(atPath: path + "/" + entry)
        }
    }

    nonisolated(unsafe) static var created: [String] = []

    static func removeAll() {
        for path in created { try? FileManager.default.removeItem(atPath: path) }
    }
}
