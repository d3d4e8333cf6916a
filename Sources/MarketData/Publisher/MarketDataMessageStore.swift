#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import POSIX

/// Why the market-data message store could not be opened, read or written.
public enum MarketDataStoreError: SystemCallFailure, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed (POSIX's error: the call, errno and the file).
    case systemCall(SystemCallError)
    /// The file is not the store of the session asked for (another magic or session).
    case notTheStore(path: String, session: String)
    /// A stored message that does not read back as ITCH (the publisher rebuilding its
    /// book at start-up): which one, and why.
    case undecodableMessage(path: String, sequence: UInt64, reason: String)

    public var description: String {
        switch self {
        case .systemCall(let error):
            "market-data store: \(error)"
        case .notTheStore(let path, let session):
            "market-data store: \(path) is not the message store of session \(session)"
        case .undecodableMessage(let path, let sequence, let reason):
            "market-data store: message \(sequence) of \(path) \(reason)"
        }
    }
}

/// The store's POSIX calls, a failure as ``MarketDataStoreError/systemCall(_:)``.
@inline(__always) @discardableResult
private func storeCall<R>(_ body: () throws -> R) throws(MarketDataStoreError) -> R {
    try SystemCall.reporting(as: MarketDataStoreError.self, body)
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
    private let file: FileDescriptor
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
        let path = Self.path(directory: directory, session: session)
        self.path = path
        self.session = session
        let file = try storeCall { try FileDescriptor.open(path, flags: O_RDWR | O_CREAT) }
        self.file = file
        let size: Int
        do throws(MarketDataStoreError) {
            size = try storeCall { try file.size() }
        } catch {
            file.closeIgnoringErrors()
            throw error
        }
        capacity = max(initialCapacity, size)
        bytes = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        offsets.reserveCapacity(capacity / (Self.recordHeaderLength + 19))  // 19: the shortest message
        var header = [UInt8](repeating: 0, count: Self.headerLength)
        for i in 0..<8 { header[i] = Self.magic[i] }
        header.withUnsafeMutableBytes { [session] in session.store($0.baseAddress!, at: 8) }
        if size < Self.headerLength {
            truncatedBytes = size
            try storeCall {
                try file.truncate(to: 0)
                try header.withUnsafeBytes { _ = try file.writeAll($0, at: 0) }
            }
            return
        }
        var existing = [UInt8](repeating: 0, count: Self.headerLength)
        try storeCall { try existing.withUnsafeMutableBytes { try file.readExactly(into: $0, at: 0) } }
        guard existing[0..<24] == header[0..<24] else { throw .notTheStore(path: path, session: "\(session)") }
        baselineEngineSequence = existing[24..<32].reduce(0) { $0 << 8 | UInt64($1) }
        let body = size - Self.headerLength
        if body > 0 {
            let bytes = self.bytes
            try storeCall { try file.readExactly(into: UnsafeMutableRawBufferPointer(start: bytes, count: body), at: Self.headerLength) }
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
            try storeCall { try file.truncate(to: Self.headerLength + offset) }
        }
    }

    deinit {
        file.closeIgnoringErrors()
        bytes.deallocate()
    }

    /// Records the baseline engine sequence in the header.
    public func setBaseline(_ sequence: UInt64) throws(MarketDataStoreError) {
        var field = [UInt8](repeating: 0, count: 8)
        for i in 0..<8 { field[i] = UInt8(truncatingIfNeeded: sequence >> UInt64(56 - 8 * i)) }
        try storeCall { try field.withUnsafeBytes { _ = try file.writeAll($0, at: 24) } }
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
            try storeCall { try file.truncate(to: Self.headerLength + offset) }
        }
    }

    /// True when every appended message is in the file.
    public var isWritten: Bool { flushed == used }

    /// Writes what was appended since the last flush (one `pwrite`, repeated only on a
    /// short write).
    public func flush() throws(MarketDataStoreError) {
        guard flushed < used else { return }
        let (bytes, flushed, used) = (self.bytes, self.flushed, self.used)
        try storeCall { try file.writeAll(bytes + flushed, count: used - flushed, at: Self.headerLength + flushed) }
        self.flushed = used
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
