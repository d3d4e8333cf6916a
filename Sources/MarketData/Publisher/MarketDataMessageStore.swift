#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

public struct MarketDataStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "market-data store: " + message }
}

/// Every message the feed has sent in one session day, in MoldUDP64 sequence order, in
/// memory (for retransmission and snapshots) and in a file (so it survives a restart).
///
/// File `<directory>/<session>.itchstore`, layout in specs/moldudp64.md ("Message
/// store"): a 32-byte header (magic `CIFTMDS1`, the 10-byte session, 6 zero bytes, u64
/// big-endian baseline engine sequence at offset 24), then
/// one record per message: u16 big-endian length, u64 big-endian engine sequence of the
/// event the message came from (0 for the venue's own messages), the message.
///
/// Appending copies into memory only; ``flush()`` writes what was appended since the
/// last flush in one `write` (the publisher flushes once per packet sent, so the file
/// costs one system call per packet, not per message). A record torn by a crash is cut
/// off when the store is opened. Used from one thread (the market-data thread).
public final class MarketDataMessageStore {
    public static let magic: [UInt8] = Array("CIFTMDS1".utf8)
    public static let headerLength = 32
    public static let recordHeaderLength = 10

    public let path: String
    public let session: MoldUDP64Session
    private var fd: CInt
    /// All records (file layout, header excluded), contiguous.
    private var bytes: UnsafeMutableRawPointer
    private var capacity: Int
    private var used = 0
    /// Bytes of `bytes` already in the file.
    private var flushed = 0
    /// offsets[seq - 1]: where record `seq` starts in `bytes`.
    private var offsets: [Int] = []
    /// Bytes of a torn tail cut off at open.
    public let truncatedBytes: Int
    /// The engine sequence the session's opening book was taken at (its first Add
    /// Orders describe the book after that command); 0 until set.
    public private(set) var baselineEngineSequence: UInt64 = 0

    public static func path(directory: String, session: MoldUDP64Session) -> String {
        directory + "/" + session.description + ".itchstore"
    }

    /// Opens (or creates) the store of `session` in `directory`, reading what it holds.
    ///
    /// The default capacity (256 MiB of messages, about 7 million; offsets for as many)
    /// is reserved address space: the allocator maps it and the kernel commits pages only
    /// as they are written, so a quiet day costs little and a busy one never stops the
    /// feed to copy the whole store into a bigger buffer.
    public init(directory: String, session: MoldUDP64Session, initialCapacity: Int = 1 << 28) throws(MarketDataStoreError) {
        path = Self.path(directory: directory, session: session)
        self.session = session
        let file = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        fd = file
        if fd < 0 { throw MarketDataStoreError("open \(path): errno \(errno)") }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            _ = close(fd)
            throw MarketDataStoreError("fstat \(path): errno \(e)")
        }
        let size = Int(st.st_size)
        capacity = max(initialCapacity, size)
        bytes = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        offsets.reserveCapacity(capacity / (Self.recordHeaderLength + 19))  // 19: the shortest message
        var header = [UInt8](repeating: 0, count: Self.headerLength)
        for i in 0..<8 { header[i] = Self.magic[i] }
        header.withUnsafeMutableBytes { [session] in session.store($0.baseAddress!, at: 8) }
        if size < Self.headerLength {
            truncatedBytes = size
            guard ftruncate(fd, 0) == 0,
                  header.withUnsafeBytes({ pwrite(file, $0.baseAddress, Self.headerLength, 0) }) == Self.headerLength
            else { throw MarketDataStoreError("write header \(path): errno \(errno)") }
            return
        }
        var existing = [UInt8](repeating: 0, count: Self.headerLength)
        guard existing.withUnsafeMutableBytes({ pread(file, $0.baseAddress, Self.headerLength, 0) }) == Self.headerLength,
              existing[0..<24] == header[0..<24]
        else { throw MarketDataStoreError("\(path) is not the message store of session \(session)") }
        baselineEngineSequence = existing[24..<32].reduce(0) { $0 << 8 | UInt64($1) }
        let body = size - Self.headerLength
        if body > 0 {
            guard pread(fd, bytes, body, off_t(Self.headerLength)) == body else {
                throw MarketDataStoreError("read \(path): errno \(errno)")
            }
        }
        var offset = 0
        while offset + Self.recordHeaderLength <= body {
            let length = Int(bytes.load(fromByteOffset: offset, as: UInt8.self)) << 8
                | Int(bytes.load(fromByteOffset: offset + 1, as: UInt8.self))
            guard length > 0, offset + Self.recordHeaderLength + length <= body else { break }
            offsets.append(offset)
            offset += Self.recordHeaderLength + length
        }
        used = offset
        flushed = offset
        truncatedBytes = body - offset
        if truncatedBytes > 0 {
            guard ftruncate(fd, off_t(Self.headerLength + offset)) == 0 else {
                throw MarketDataStoreError("ftruncate \(path): errno \(errno)")
            }
        }
    }

    deinit {
        if fd >= 0 { _ = close(fd) }
        bytes.deallocate()
    }

    /// Records the baseline engine sequence in the header.
    public func setBaseline(_ sequence: UInt64) throws(MarketDataStoreError) {
        var field = [UInt8](repeating: 0, count: 8)
        for i in 0..<8 { field[i] = UInt8(truncatingIfNeeded: sequence >> UInt64(56 - 8 * i)) }
        guard field.withUnsafeBytes({ pwrite(fd, $0.baseAddress, 8, 24) }) == 8 else {
            throw MarketDataStoreError("write header \(path): errno \(errno)")
        }
        baselineEngineSequence = sequence
    }

    /// Messages stored: MoldUDP64 sequence numbers 1…count.
    public var count: Int { offsets.count }

    /// The sequence number the next message gets.
    public var nextSequenceNumber: UInt64 { UInt64(offsets.count) + 1 }

    /// Message `sequence` (1-based), valid until the next append.
    public func message(_ sequence: UInt64) -> UnsafeRawBufferPointer? {
        guard sequence >= 1, sequence <= UInt64(offsets.count) else { return nil }
        let offset = offsets[Int(sequence) - 1]
        let length = Int(bytes.load(fromByteOffset: offset, as: UInt8.self)) << 8
            | Int(bytes.load(fromByteOffset: offset + 1, as: UInt8.self))
        return UnsafeRawBufferPointer(start: bytes + offset + Self.recordHeaderLength, count: length)
    }

    /// The engine sequence recorded with message `sequence`.
    public func engineSequence(_ sequence: UInt64) -> UInt64? {
        guard sequence >= 1, sequence <= UInt64(offsets.count) else { return nil }
        var value: UInt64 = 0
        let p = bytes + offsets[Int(sequence) - 1] + 2
        for i in 0..<8 { value = value << 8 | UInt64(p.load(fromByteOffset: i, as: UInt8.self)) }
        return value
    }

    /// Appends one message (in memory; ``flush()`` writes it). Returns its sequence number.
    @discardableResult
    public func append(_ message: UnsafeRawBufferPointer, engineSequence: UInt64) -> UInt64 {
        let needed = Self.recordHeaderLength + message.count
        if used + needed > capacity { grow(to: used + needed) }
        let p = bytes + used
        p.storeBytes(of: UInt8(truncatingIfNeeded: message.count >> 8), as: UInt8.self)
        (p + 1).storeBytes(of: UInt8(truncatingIfNeeded: message.count), as: UInt8.self)
        for i in 0..<8 {
            (p + 2 + i).storeBytes(of: UInt8(truncatingIfNeeded: engineSequence >> UInt64(56 - 8 * i)), as: UInt8.self)
        }
        (p + Self.recordHeaderLength).copyMemory(from: message.baseAddress!, byteCount: message.count)
        offsets.append(used)
        used += needed
        return UInt64(offsets.count)
    }

    /// Drops every message from `sequence` on (memory and file): used at start-up to
    /// take back the messages of a command the feed may not have finished.
    public func truncate(from sequence: UInt64) throws(MarketDataStoreError) {
        guard sequence >= 1, sequence <= UInt64(offsets.count) else { return }
        let offset = offsets[Int(sequence) - 1]
        offsets.removeSubrange((Int(sequence) - 1)...)
        used = offset
        if flushed > offset {
            flushed = offset
            guard ftruncate(fd, off_t(Self.headerLength + offset)) == 0 else {
                throw MarketDataStoreError("ftruncate \(path): errno \(errno)")
            }
        }
    }

    /// True when every appended message is in the file.
    public var isWritten: Bool { flushed == used }

    /// Writes what was appended since the last flush (one `pwrite`, repeated only on a
    /// short write).
    public func flush() throws(MarketDataStoreError) {
        while flushed < used {
            let n = pwrite(fd, bytes + flushed, used - flushed, off_t(Self.headerLength + flushed))
            if n < 0 {
                if errno == EINTR { continue }
                throw MarketDataStoreError("write \(path): errno \(errno)")
            }
            flushed += n
        }
    }

    /// Doubles the memory (rare: the initial capacity covers a normal day's start).
    private func grow(to minimum: Int) {
        var newCapacity = capacity * 2
        while newCapacity < minimum { newCapacity *= 2 }
        let newBytes = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBytes.copyMemory(from: bytes, byteCount: used)
        bytes.deallocate()
        bytes = newBytes
        capacity = newCapacity
    }
}
