import GatewayCore
import SequencedStore

/// The feed's message store failed: the one store error (``SequencedStoreError``).
public typealias MarketDataStoreError = SequencedStoreError

/// Every message the feed has sent in one session day, in MoldUDP64 sequence order, in
/// memory (for retransmission and snapshots) and in a file (so it survives a restart).
///
/// File `<directory>/<session>.itchstore`, layout in specs/moldudp64.md ("Message
/// store"): a 32-byte header (magic `CIFTMDS1`, the 10-byte session, 6 zero bytes, u64
/// big-endian baseline engine sequence at offset 24), then
/// one record per message: u16 big-endian length, u64 big-endian engine sequence of the
/// event the message came from (0 for the venue's own messages), the message.
///
/// The file is a ``SequencedFileStore`` (module `SequencedStore`, specs/sequenced-store.md),
/// which opens and recovers it (a record torn by a crash is cut off) and writes it; this
/// type keeps every record in memory as well, where retransmissions and snapshots read
/// them. Appending copies into memory only; ``flush()`` hands what was appended since the
/// last flush to the file in one `pwrite`, straight from that memory (the publisher
/// flushes once per packet sent, so the file costs one system call per packet, not per
/// message). Used from one thread (the market-data thread).
public final class MarketDataMessageStore {
    public static let magic: [UInt8] = Array("CIFTMDS1".utf8)
    public static let headerLength = 32
    public static let recordHeaderLength = 10

    public var path: String { file.path }
    public let session: MoldUDP64Session
    private let file: SequencedFileStore
    /// All records (file layout, header excluded), contiguous.
    private var bytes: UnsafeMutableRawPointer
    private var capacity: Int
    private var used = 0
    /// Bytes of `bytes` already in the file (the file holds the header, then them).
    private var flushed: Int { file.endOffset - Self.headerLength }
    /// offsets[seq - 1]: where record `seq` starts in `bytes`.
    private var offsets: [Int] = []
    /// Bytes of a torn tail cut off at open.
    public var truncatedBytes: Int { file.truncatedBytes }
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
        self.session = session
        capacity = initialCapacity
        bytes = UnsafeMutableRawPointer.allocate(byteCount: initialCapacity, alignment: 16)
        offsets.reserveCapacity(initialCapacity / (Self.recordHeaderLength + 19))  // 19: the shortest message
        var baseline: UInt64 = 0
        var memory = (bytes: bytes, capacity: capacity, used: 0)
        var recoveredOffsets: [Int] = []
        do throws(MarketDataStoreError) {
            file = try SequencedFileStore(
                path: Self.path(directory: directory, session: session), layout: Self.layout(session),
                bufferCapacity: 0, reserveRecords: initialCapacity / (Self.recordHeaderLength + 19),
                header: { header in baseline = BigEndianWire.u64(header.baseAddress!, HeaderOffset.baseline) },
                recovered: { record, _ in
                    if memory.used + record.count > memory.capacity {
                        // A store larger than the capacity asked for: room for all of it.
                        var grown = memory.capacity * 2
                        while grown < memory.used + record.count { grown *= 2 }
                        let newBytes = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
                        newBytes.copyMemory(from: memory.bytes, byteCount: memory.used)
                        memory.bytes.deallocate()
                        memory.bytes = newBytes
                        memory.capacity = grown
                    }
                    (memory.bytes + memory.used).copyMemory(from: record.baseAddress!, byteCount: record.count)
                    recoveredOffsets.append(memory.used)
                    memory.used += record.count
                    return true
                })
        } catch {
            memory.bytes.deallocate()
            throw error
        }
        bytes = memory.bytes
        capacity = memory.capacity
        used = memory.used
        offsets += recoveredOffsets
        baselineEngineSequence = baseline
    }

    /// Header offsets: magic 8, session 10, 6 zero bytes, baseline.
    public enum HeaderOffset {
        public static let magic = 0
        public static let session = 8
        public static let baseline = 24
    }

    /// The file's layout: the header names the session; a record is u16 length, u64
    /// engine sequence, the message (a zero length is not a record: the end is torn there).
    static func layout(_ session: MoldUDP64Session) -> SequencedStoreLayout {
        SequencedStoreLayout(
            kind: "market-data message store", headerLength: headerLength,
            newHeader: { header in
                for i in 0..<8 { header[HeaderOffset.magic + i] = magic[i] }
                session.store(header.baseAddress!, at: HeaderOffset.session)
            },
            checkHeader: { (header, path) throws(SequencedStoreError) in
                guard header.count >= headerLength else { return }  // torn while created: started afresh
                guard header.prefix(8).elementsEqual(magic) else {
                    throw .notAStore(path: path, kind: "market-data message store", reason: "bad magic")
                }
                let found = MoldUDP64Session(header.baseAddress!, at: HeaderOffset.session)
                guard found == session, header[18..<24].allSatisfy({ $0 == 0 }) else {
                    throw .wrongOwner(path: path, expected: "session \(session)", found: "session \(found)")
                }
            },
            recordLength: { bytes, _ in
                guard bytes.count >= recordHeaderLength else { return nil }
                let length = Int(BigEndianWire.u16(bytes.baseAddress!, 0))
                return length > 0 ? recordHeaderLength + length : nil
            })
    }

    deinit {
        bytes.deallocate()
    }

    /// Records the baseline engine sequence in the header.
    public func setBaseline(_ sequence: UInt64) throws(MarketDataStoreError) {
        var field = sequence.bigEndian
        try withUnsafeBytes(of: &field) { (bytes) throws(MarketDataStoreError) in
            try file.writeHeader(bytes, at: HeaderOffset.baseline)
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
        try file.truncate(fromRecord: Int(sequence) - 1)
    }

    /// True when every appended message is in the file.
    public var isWritten: Bool { flushed == used }

    /// Writes what was appended since the last flush (one `pwrite`, repeated only on a
    /// short write).
    public func flush() throws(MarketDataStoreError) {
        guard flushed < used else { return }
        try file.write(records: UnsafeRawBufferPointer(start: bytes + flushed, count: used - flushed))
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
