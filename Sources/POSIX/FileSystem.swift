#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Paths and directories: what the journal, the stores and the data directory do to
/// the file system besides reading and writing files (``FileDescriptor``). Every call
/// goes through ``SystemCall``.
public enum FileSystem {
    /// `directory/name`.
    public static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Whether `path` exists (as anything). Corresponds to `stat(2)`.
    public static func exists(_ path: String) throws(SystemCallError) -> Bool {
        var status = stat()
        let result = try SystemCall.run("stat", on: path, tolerating: ENOENT) {
            path.withCString { stat($0, &status) }
        }
        return result != nil
    }

    /// Creates `directory` and any missing parents; returns the paths it
    /// created, outermost first. Corresponds to `mkdir(2)`.
    public static func createDirectories(_ directory: String) throws(SystemCallError) -> [String] {
        var created: [String] = []
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += component
            let result = try SystemCall.run("mkdir", on: prefix, tolerating: EEXIST) {
                prefix.withCString { mkdir($0, 0o755) }
            }
            if result != nil { created.append(prefix) }
            prefix += "/"
        }
        return created
    }

    /// The parent directory of `path` ("." for a bare name).
    public static func parent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    /// Names of all entries in `directory` except "." and "..".
    /// Corresponds to `opendir(3)`, `readdir(3)`, `closedir(3)`.
    public static func entries(_ directory: String) throws(SystemCallError) -> [String] {
        let stream = try SystemCall.runReturningPointer("opendir", on: directory) {
            directory.withCString { opendir($0) }
        }
        defer { _ = try? SystemCall.run("closedir", on: directory) { closedir(stream) } }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                let code = errno
                if code != 0 {
                    throw SystemCallError(call: "readdir", errno: code, subject: directory)
                }
                break
            }
            let name = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes a file. Corresponds to `unlink(2)`.
    public static func remove(_ path: String) throws(SystemCallError) {
        _ = try SystemCall.run("unlink", on: path) { path.withCString { unlink($0) } }
    }

    /// Moves a file within one file system. Corresponds to `rename(2)`.
    public static func move(_ source: String, to destination: String) throws(SystemCallError) {
        _ = try SystemCall.run("rename", on: source + " -> " + destination) {
            source.withCString { from in destination.withCString { to in rename(from, to) } }
        }
    }

    /// Syncs a directory so that entries created, renamed or removed in it
    /// persist. Corresponds to `open(2)` + `fsync(2)`.
    public static func sync(_ directory: String) throws(SystemCallError) {
        let descriptor = try FileDescriptor.openDirectory(directory)
        defer { try? descriptor.close() }
        try descriptor.sync()
    }
}
