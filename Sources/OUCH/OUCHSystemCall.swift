#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a session store could not be opened, read or written.
public enum OUCHStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed: which call, errno, and the file.
    case systemCall(call: String, errno: Int32, path: String)
    /// The file exists but is not a session store of this format.
    case notAStore(path: String, reason: String)
    /// The file belongs to another session or user than the one asked for.
    case wrongOwner(path: String, expected: String, found: String)
    /// Another open store (in this or another process) holds the file's lock.
    case locked(path: String)
    /// A message number that the store does not hold.
    case noSuchMessage(sequence: Int, count: Int)

    public var description: String {
        switch self {
        case .systemCall(let call, let code, let path):
            "\(call)(\(path)) failed: \(errnoText(code)) (errno \(code))"
        case .notAStore(let path, let reason):
            "\(path) is not an OUCH session store: \(reason)"
        case .wrongOwner(let path, let expected, let found):
            "\(path) belongs to \(found), expected \(expected)"
        case .locked(let path):
            "\(path) is already open (another gateway, or another store in this one, holds its lock)"
        case .noSuchMessage(let sequence, let count):
            "no message \(sequence) in a store of \(count) messages"
        }
    }
}

func errnoText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return String(cString: text)
}

/// The one door from the OUCH module to the kernel: every system call the session
/// store makes goes through here. EINTR is retried; EBADF and EFAULT trap (a closed
/// descriptor or a bad pointer is a bug in this module); anything else throws
/// ``OUCHStoreError/systemCall(call:errno:path:)`` naming the call, errno and file.
enum OUCHSystemCall {
    @inline(__always)
    static func run<R: FixedWidthInteger>(
        _ call: StaticString, path: @autoclosure () -> String, tolerating tolerated: Int32 = 0,
        _ body: () -> R
    ) throws(OUCHStoreError) -> R? {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            if tolerated != 0 && code == tolerated { return nil }
            if code == EBADF || code == EFAULT {
                preconditionFailure("\(call)(\(path())) failed with errno \(code): a bug in the OUCH store")
            }
            throw .systemCall(call: "\(call)", errno: code, path: path())
        }
    }

    /// open(2) with O_CLOEXEC.
    static func open(_ path: String, flags: CInt, mode: mode_t = 0o644) throws(OUCHStoreError) -> CInt {
        try run("open", path: path) { path.withCString { systemOpen($0, flags | O_CLOEXEC, mode) } }!
    }

    /// flock(2) LOCK_EX | LOCK_NB: false when another open file description holds it.
    static func lockExclusive(_ fd: CInt, path: String) throws(OUCHStoreError) -> Bool {
        try run("flock", path: path, tolerating: EWOULDBLOCK) { flock(fd, LOCK_EX | LOCK_NB) } != nil
    }

    /// pwrite(2) until every byte is written.
    static func writeAll(_ fd: CInt, _ p: UnsafeRawPointer, _ count: Int, at offset: UInt64, path: String)
        throws(OUCHStoreError)
    {
        var done = 0
        while done < count {
            let n = try run("pwrite", path: path) { pwrite(fd, p + done, count - done, off_t(offset) + off_t(done)) }!
            if n == 0 { throw .systemCall(call: "pwrite", errno: EIO, path: path) }
            done += n
        }
    }

    /// pread(2) until `count` bytes are read or the file ends; returns the bytes read.
    static func readFully(_ fd: CInt, _ p: UnsafeMutableRawPointer, _ count: Int, at offset: UInt64, path: String)
        throws(OUCHStoreError) -> Int
    {
        var done = 0
        while done < count {
            let n = try run("pread", path: path) { pread(fd, p + done, count - done, off_t(offset) + off_t(done)) }!
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// The file's size. fstat(2).
    static func size(_ fd: CInt, path: String) throws(OUCHStoreError) -> UInt64 {
        var info = stat()
        _ = try run("fstat", path: path) { fstat(fd, &info) }
        return UInt64(info.st_size)
    }

    /// ftruncate(2).
    static func truncate(_ fd: CInt, to size: UInt64, path: String) throws(OUCHStoreError) {
        _ = try run("ftruncate", path: path) { ftruncate(fd, off_t(size)) }
    }

    /// fdatasync(2).
    static func dataSync(_ fd: CInt, path: String) throws(OUCHStoreError) {
        _ = try run("fdatasync", path: path) { fdatasync(fd) }
    }

    /// close(2), once: Linux releases the descriptor even when close reports EINTR.
    static func close(_ fd: CInt) {
        _ = systemClose(fd)
    }

    /// mkdir -p: creates `path` and any missing parent, mode 0755.
    static func makeDirectories(_ path: String) throws(OUCHStoreError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += component
            _ = try run("mkdir", path: prefix, tolerating: EEXIST) { prefix.withCString { mkdir($0, 0o755) } }
            prefix += "/"
        }
    }
}

@inline(__always)
private func systemOpen(_ path: UnsafePointer<CChar>, _ flags: CInt, _ mode: mode_t) -> CInt {
    #if canImport(Glibc)
    return Glibc.open(path, flags, mode)
    #elseif canImport(Musl)
    return Musl.open(path, flags, mode)
    #else
    return Darwin.open(path, flags, mode)
    #endif
}

@inline(__always)
private func systemClose(_ fd: CInt) -> CInt {
    #if canImport(Glibc)
    return Glibc.close(fd)
    #elseif canImport(Musl)
    return Musl.close(fd)
    #else
    return Darwin.close(fd)
    #endif
}
