#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file or directory descriptor with the operations the journal, the stores
/// and the snapshots need. Each method calls the kernel through ``SystemCall`` (loops
/// are spelled out where a call can do part of its work: `pwrite` and `pread` go on
/// after a short transfer). `path` is kept only to name the file in errors.
public struct FileDescriptor: Sendable {
    public let rawValue: CInt
    public let path: String

    /// Adopts a descriptor opened elsewhere (a socket, a file mapped by its owner);
    /// `path` names it in errors.
    public init(rawValue: CInt, path: String) {
        self.rawValue = rawValue
        self.path = path
    }

    /// Opens `path`. Corresponds to `open(2)`.
    public static func open(_ path: String, flags: CInt, permissions: mode_t = 0o644) throws(SystemCallError) -> FileDescriptor {
        let descriptor = try SystemCall.run("open", on: path) {
            path.withCString { sysOpen($0, flags | O_CLOEXEC, permissions) }
        }
        return FileDescriptor(rawValue: descriptor, path: path)
    }

    /// Opens a directory for fsync and flock. Corresponds to `open(2)` with
    /// O_RDONLY | O_DIRECTORY.
    public static func openDirectory(_ path: String) throws(SystemCallError) -> FileDescriptor {
        try open(path, flags: O_RDONLY | O_DIRECTORY)
    }

    /// Writes all of `bytes` at `offset`, repeating after a short write.
    /// Normally one call; returns the number of calls made.
    /// Corresponds to `pwrite(2)`.
    @discardableResult
    public func writeAll(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(SystemCallError) -> Int {
        var done = 0
        var calls = 0
        while done < bytes.count {
            calls += 1
            let written = try SystemCall.run("pwrite", on: path) {
                pwrite(rawValue, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            }
            if written == 0 {
                // A regular file only returns 0 for a 0-byte request; never loop forever.
                throw SystemCallError(call: "pwrite", errno: EIO, subject: path)
            }
            done += written
        }
        return calls
    }

    /// Reads up to `buffer.count` bytes from `offset`, stopping early only at
    /// the end of the file; returns the number read. Corresponds to `pread(2)`.
    public func readFully(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(SystemCallError) -> Int {
        var done = 0
        while done < buffer.count {
            let read = try SystemCall.run("pread", on: path) {
                pread(rawValue, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            }
            if read == 0 { break }
            done += read
        }
        return done
    }

    /// ``writeAll(_:at:)`` for `count` bytes at `pointer`.
    @discardableResult
    public func writeAll(_ pointer: UnsafeRawPointer, count: Int, at offset: Int) throws(SystemCallError) -> Int {
        try writeAll(UnsafeRawBufferPointer(start: pointer, count: count), at: offset)
    }

    /// ``readFully(into:at:)`` for `count` bytes into `pointer`.
    public func readFully(_ pointer: UnsafeMutableRawPointer, count: Int, at offset: Int) throws(SystemCallError) -> Int {
        try readFully(into: UnsafeMutableRawBufferPointer(start: pointer, count: count), at: offset)
    }

    /// Writes all of `bytes` at the file's position (for a file opened with O_APPEND:
    /// at its end, each call whole), repeating after a short write. Corresponds to
    /// `write(2)`.
    public func append(_ bytes: UnsafeRawBufferPointer) throws(SystemCallError) {
        var done = 0
        while done < bytes.count {
            let written = try SystemCall.run("write", on: path) {
                write(rawValue, bytes.baseAddress! + done, bytes.count - done)
            }
            if written == 0 { throw SystemCallError(call: "write", errno: EIO, subject: path) }
            done += written
        }
    }

    /// Writes all of `first` then all of `second` at `offset`: one `pwritev(2)`
    /// normally, `pwrite` finishing a short write. A record's header and its body go to
    /// the file in one call without being copied together first.
    @discardableResult
    public func writeAll(
        _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, at offset: Int
    ) throws(SystemCallError) -> Int {
        guard second.count > 0 else { return try writeAll(first, at: offset) }
        guard first.count > 0 else { return try writeAll(second, at: offset) }
        var vectors = (
            iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count),
            iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count))
        let written = try SystemCall.run("pwritev", on: path) {
            withUnsafePointer(to: &vectors) {
                $0.withMemoryRebound(to: iovec.self, capacity: 2) { pwritev(rawValue, $0, 2, off_t(offset)) }
            }
        }
        if written < first.count {
            return 1 + (try writeAll(UnsafeRawBufferPointer(rebasing: first[written...]), second, at: offset + written))
        }
        let done = written - first.count
        guard done < second.count else { return 1 }
        return 1 + (try writeAll(UnsafeRawBufferPointer(rebasing: second[done...]), at: offset + written))
    }

    /// Reads exactly `buffer.count` bytes from `offset`; the file ending before them is
    /// an error (EIO naming the shortfall), for reads of what the file is known to hold.
    public func readExactly(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(SystemCallError) {
        let read = try readFully(into: buffer, at: offset)
        guard read == buffer.count else {
            throw SystemCallError(
                call: "pread", errno: EIO,
                subject: "\(path): the file ends \(buffer.count - read) bytes early at offset \(offset + read)")
        }
    }

    /// The file's size in bytes. Corresponds to `fstat(2)`.
    public func size() throws(SystemCallError) -> Int {
        var status = stat()
        _ = try SystemCall.run("fstat", on: path) { fstat(rawValue, &status) }
        return Int(status.st_size)
    }

    /// Flushes the file's data (and the metadata needed to read it, such as
    /// its size) to the device. Corresponds to `fdatasync(2)`.
    public func syncData() throws(SystemCallError) {
        #if canImport(Darwin)
        _ = try SystemCall.run("fcntl(F_FULLFSYNC)", on: path) { fcntl(rawValue, F_FULLFSYNC) }
        #else
        _ = try SystemCall.run("fdatasync", on: path) { fdatasync(rawValue) }
        #endif
    }

    /// Flushes data and all metadata; used on directories so that created,
    /// renamed and removed entries persist. Corresponds to `fsync(2)`.
    public func sync() throws(SystemCallError) {
        _ = try SystemCall.run("fsync", on: path) { fsync(rawValue) }
    }

    /// Cuts the file to `length` bytes. Corresponds to `ftruncate(2)`.
    public func truncate(to length: Int) throws(SystemCallError) {
        _ = try SystemCall.run("ftruncate", on: path) { ftruncate(rawValue, off_t(length)) }
    }

    /// Takes an exclusive advisory lock without waiting; false when another
    /// open file description holds it. Corresponds to `flock(2)` with
    /// LOCK_EX | LOCK_NB.
    public func tryLockExclusive() throws(SystemCallError) -> Bool {
        let result = try SystemCall.run("flock", on: path, tolerating: EWOULDBLOCK) {
            flock(rawValue, LOCK_EX | LOCK_NB)
        }
        return result != nil
    }

    /// Corresponds to `close(2)`; see `SystemCall.close`.
    public func close() throws(SystemCallError) {
        try SystemCall.close(rawValue, on: path)
    }

    /// Closes where nothing can be done about a failure (an error path, a reader, a
    /// file already synced): the descriptor is released either way.
    public func closeIgnoringErrors() {
        try? SystemCall.close(rawValue, on: path)
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
