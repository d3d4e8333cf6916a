#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file or directory descriptor with the operations the journal
/// needs. Each method calls the kernel once through `SystemCall` (loops
/// are spelled out where a call can do part of its work). `path` is kept only
/// to name the file in errors. Public for the gateway's other files written the
/// journal's way (the snapshots), so that they do not call the kernel a second way.
public struct FileDescriptor {
    public let rawValue: CInt
    public let path: String

    /// Opens `path`. Corresponds to `open(2)`.
    public static func open(_ path: String, flags: CInt, permissions: mode_t = 0o644) throws -> FileDescriptor {
        let descriptor = try SystemCall.run("open", path: path) {
            path.withCString { sysOpen($0, flags | O_CLOEXEC, permissions) }
        }
        return FileDescriptor(rawValue: descriptor, path: path)
    }

    /// Opens a directory for fsync and flock. Corresponds to `open(2)` with
    /// O_RDONLY | O_DIRECTORY.
    public static func openDirectory(_ path: String) throws -> FileDescriptor {
        try open(path, flags: O_RDONLY | O_DIRECTORY)
    }

    /// Writes all of `bytes` at `offset`, repeating after a short write.
    /// Normally one call; returns the number of calls made.
    /// Corresponds to `pwrite(2)`.
    @discardableResult
    public func writeAll(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws -> Int {
        var done = 0
        var calls = 0
        while done < bytes.count {
            calls += 1
            let written = try SystemCall.run("pwrite", path: path) {
                pwrite(rawValue, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            }
            if written == 0 {
                // A regular file only returns 0 for a 0-byte request; never loop forever.
                throw JournalError.systemCall(call: "pwrite", errno: EIO, path: path)
            }
            done += written
        }
        return calls
    }

    /// Reads up to `buffer.count` bytes from `offset`, stopping early only at
    /// the end of the file; returns the number read. Corresponds to `pread(2)`.
    public func readFully(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        var done = 0
        while done < buffer.count {
            let read = try SystemCall.run("pread", path: path) {
                pread(rawValue, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            }
            if read == 0 { break }
            done += read
        }
        return done
    }

    /// The file's size in bytes. Corresponds to `fstat(2)`.
    public func size() throws -> Int {
        var status = stat()
        _ = try SystemCall.run("fstat", path: path) { fstat(rawValue, &status) }
        return Int(status.st_size)
    }

    /// Flushes the file's data (and the metadata needed to read it, such as
    /// its size) to the device. Corresponds to `fdatasync(2)`.
    public func syncData() throws {
        #if canImport(Darwin)
        _ = try SystemCall.run("fcntl(F_FULLFSYNC)", path: path) { fcntl(rawValue, F_FULLFSYNC) }
        #else
        _ = try SystemCall.run("fdatasync", path: path) { fdatasync(rawValue) }
        #endif
    }

    /// Flushes data and all metadata; used on directories so that created,
    /// renamed and removed entries persist. Corresponds to `fsync(2)`.
    public func sync() throws {
        _ = try SystemCall.run("fsync", path: path) { fsync(rawValue) }
    }

    /// Cuts the file to `length` bytes. Corresponds to `ftruncate(2)`.
    func truncate(to length: Int) throws {
        _ = try SystemCall.run("ftruncate", path: path) { ftruncate(rawValue, off_t(length)) }
    }

    /// Takes an exclusive advisory lock without waiting; false when another
    /// open file description holds it. Corresponds to `flock(2)` with
    /// LOCK_EX | LOCK_NB.
    func tryLockExclusive() throws -> Bool {
        let result = try SystemCall.run("flock", path: path, tolerating: EWOULDBLOCK) {
            flock(rawValue, LOCK_EX | LOCK_NB)
        }
        return result != nil
    }

    /// Corresponds to `close(2)`; see `SystemCall.close`.
    public func close() throws {
        try SystemCall.close(rawValue, path: path)
    }
}

@inline(__always)
private func sysOpen(_ path: UnsafePointer<CChar>, _ flags: CInt, _ mode: mode_t) -> CInt {
    #if canImport(Glibc)
    return Glibc.open(path, flags, mode)
    #elseif canImport(Musl)
    return Musl.open(path, flags, mode)
    #else
    return Darwin.open(path, flags, mode)
    #endif
}
