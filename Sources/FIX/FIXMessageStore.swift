#if canImport(Glibc)
import Glibc
#endif
import GatewayCore
import SequencedStore

/// A FIX message store failed: the one store error (``SequencedStoreError``).
public typealias FIXMessageStoreError = SequencedStoreError

/// One FIX session's sequence numbers and outbound messages, in one file
/// (`<directory>/<name>.fixstore`) so that they survive a restart. Layout (all
/// integers big-endian), spelled out with golden bytes in specs/fix44.md:
///
/// - header, 40 bytes: magic `CIFTFIXS`, u16 version 2, u16 header length 40,
///   u32 session day (0: none), u64 next outbound MsgSeqNum (offset 16; written at
///   creation and reset only — the records count the rest), u64 next expected inbound
///   MsgSeqNum (offset 24, rewritten in place for every inbound message), u64 engine
///   baseline (offset 32: the journal sequence after which the engine's answers are
///   this store's to carry; all ones until recovery settles it — ``EngineAnswerMark``).
/// - then one record per outbound message, in sequence order from 1: u64 MsgSeqNum,
///   u8 kind (`A` administrative, `P` application), u32 length, u64 the journal
///   sequence of the command the message answers (0: it answers none), then `length`
///   bytes of the whole message as sent (length 0 for administrative messages, which
///   are gap-filled, never resent — except one stored while output was paced, which
///   keeps its bytes for its first send: ``storedBytes(_:)``).
///
/// A record cut short by a crash is truncated on open (`truncatedBytes`).
///
/// The file is a ``SequencedFileStore`` (module `SequencedStore`, specs/sequenced-store.md),
/// which opens, recovers, buffers and writes it; this type supplies the header and the
/// records. Writes are behind by at most one loop turn: `append` and
/// `setNextTargetSeqNum` change memory only (the records go to the store's buffer), and
/// `flush` writes every record appended since the last flush with one `pwrite` and the
/// inbound number with another, followed by `fdatasync` when `synchronous`. The owner calls `flush` before
/// any message it appended can reach the peer (the gateway: just before the network loop
/// hands the turn's sends to the kernel), so a message is never on the wire without being
/// in the file, at two system calls per turn instead of one or two per message (the
/// acceptor also flushes before it hands an application message on: specs/fix44.md,
/// "Message store"). `message`,
/// `close` and `reset` flush or drop what is pending themselves. Used from one thread
/// (the acceptor's I/O thread).
public final class FIXMessageStore {
    public static let magic: [UInt8] = Array("CIFTFIXS".utf8)
    public static let version: UInt16 = 2
    public static let headerLength = 40
    public static let recordHeaderLength = 21

    public enum HeaderOffset {
        public static let magic = 0
        public static let version = 8
        public static let headerLength = 10
        /// u32: the session day the sequence numbers belong to (0: none recorded).
        public static let sessionDay = 12
        public static let nextSenderSeqNum = 16
        public static let nextTargetSeqNum = 24
        /// u64: answers to journal sequences above this one belong to the store.
        public static let engineBaseline = 32
    }

    /// Offsets inside a record's header.
    public enum RecordOffset {
        public static let msgSeqNum = 0
        public static let kind = 8
        public static let length = 9
        public static let engineSequence = 13
    }

    public enum Kind {
        public static let administrative = UInt8(ascii: "A")
        public static let application = UInt8(ascii: "P")
    }

    public static func path(directory: String, name: String) -> String {
        directory + "/" + name + ".fixstore"
    }

    /// Bytes of records the store holds for one flush (a turn's messages for a session).
    public static let pendingCapacity = 256 * 1024

    public var path: String { file.path }
    public var synchronous: Bool { file.synchronous }
    /// The MsgSeqNum our next outbound message gets.
    public private(set) var nextSenderSeqNum: Int
    /// The MsgSeqNum we expect on the next inbound message.
    public private(set) var nextTargetSeqNum: Int
    /// Bytes of a torn tail cut off when the store was opened.
    public var truncatedBytes: Int { file.truncatedBytes }
    /// The session day the sequence numbers belong to (0: none recorded, e.g. a
    /// session without a schedule).
    public private(set) var sessionDay: Int = 0
    /// Which answers to journaled commands the store holds (recovery appends the rest).
    public private(set) var answers: EngineAnswerMark

    private let file: SequencedFileStore
    /// Reused for each record header and header field, so that writing allocates nothing.
    private let recordHeader = UnsafeMutableRawBufferPointer.allocate(byteCount: FIXMessageStore.recordHeaderLength, alignment: 8)
    private let fieldBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 8, alignment: 8)
    /// `nextTargetSeqNum` changed since the last flush.
    private var targetDirty = false

    /// Whether `flush` has anything to write.
    public var hasUnwrittenData: Bool { file.hasPendingRecords || targetDirty }

    /// The file's layout: the header above, and records found by their length field
    /// (a record whose MsgSeqNum is not the next one ends the file: a torn tail).
    static func layout(newStoreBaseline: UInt64) -> SequencedStoreLayout {
        SequencedStoreLayout(
            kind: "FIX message store", headerLength: headerLength,
            newHeader: { header in
                writeHeader(header, sender: 1, target: 1, sessionDay: 0, baseline: newStoreBaseline)
            },
            checkHeader: { (header, path) throws(SequencedStoreError) in
                guard header.count >= 12, header.prefix(8).elementsEqual(magic) else {
                    if header.count >= headerLength {
                        throw .notAStore(path: path, kind: "FIX message store", reason: "bad magic")
                    }
                    return  // torn while created: started afresh
                }
                let version = Int(BigEndianWire.u16(header.baseAddress!, HeaderOffset.version))
                let length = Int(BigEndianWire.u16(header.baseAddress!, HeaderOffset.headerLength))
                guard version == Int(Self.version), length == headerLength else {
                    throw .unsupportedVersion(path: path, kind: "FIX message store", found: version, supported: Int(Self.version))
                }
            },
            recordLength: { bytes, index in
                guard bytes.count >= recordHeaderLength, let p = bytes.baseAddress else { return nil }
                let seq = BigEndianWire.u64(p, RecordOffset.msgSeqNum)
                let length = Int(BigEndianWire.u32(p, RecordOffset.length))
                guard seq == UInt64(index + 1) else { return nil }
                return recordHeaderLength + length
            })
    }

    /// `newStoreBaseline`: the ``answers`` baseline written into a store this call
    /// creates (``EngineAnswerMark/unsettled`` while the journal's end is not known yet).
    public init(
        directory: String, name: String, synchronous: Bool = false, newStoreBaseline: UInt64 = 0
    ) throws(FIXMessageStoreError) {
        var sender = 1
        var target = 1
        var day = 0
        var answers = EngineAnswerMark(baseline: newStoreBaseline)
        file = try SequencedFileStore(
            path: Self.path(directory: directory, name: name), layout: Self.layout(newStoreBaseline: newStoreBaseline),
            synchronous: synchronous, bufferCapacity: Self.pendingCapacity,
            header: { header in
                let p = header.baseAddress!
                sender = Int(truncatingIfNeeded: BigEndianWire.u64(p, HeaderOffset.nextSenderSeqNum))
                target = Int(truncatingIfNeeded: BigEndianWire.u64(p, HeaderOffset.nextTargetSeqNum))
                day = Int(BigEndianWire.u32(p, HeaderOffset.sessionDay))
                answers = EngineAnswerMark(baseline: BigEndianWire.u64(p, HeaderOffset.engineBaseline))
            },
            recovered: { record, _ in
                answers.record(BigEndianWire.u64(record.baseAddress!, RecordOffset.engineSequence))
                return true
            })
        nextSenderSeqNum = sender
        nextTargetSeqNum = target
        sessionDay = day
        self.answers = answers
        // The header's outbound number is written at creation and reset only: the
        // records are the truth for the outbound side.
        if nextSenderSeqNum <= file.count { try setNextSenderSeqNum(file.count + 1) }
    }

    deinit {
        close()
        recordHeader.deallocate()
        fieldBuffer.deallocate()
    }

    /// Writes what is pending (an error here is lost: call `flush` first to hear of it),
    /// then closes the file.
    public func close() {
        try? flush()
        file.close()
    }

    /// Outbound messages stored (sequence numbers 1…count).
    public var messageCount: Int { file.count }

    /// Stores outbound message `nextSenderSeqNum` and advances it: the record is copied
    /// into the store's buffer (written by the next `flush`), no system call and no
    /// allocation unless the buffer is full.
    ///
    /// `answering`: the journal sequence of the command whose event the message answers
    /// (0 for anything else), kept in the record for recovery (``answers``).
    public func append(
        administrative: Bool, answering engineSequence: UInt64 = 0, keepingBytes: Bool = false,
        message bytes: UnsafeRawBufferPointer
    ) throws(FIXMessageStoreError) {
        let seq = nextSenderSeqNum
        precondition(seq == file.count + 1, "FIX store: outbound records must be contiguous from 1")
        let body = administrative && !keepingBytes ? 0 : bytes.count
        let p = recordHeader.baseAddress!
        BigEndianWire.put64(UInt64(seq), p, RecordOffset.msgSeqNum)
        BigEndianWire.put8(administrative ? Kind.administrative : Kind.application, p, RecordOffset.kind)
        BigEndianWire.put32(UInt32(body), p, RecordOffset.length)
        BigEndianWire.put64(engineSequence, p, RecordOffset.engineSequence)
        try file.append(UnsafeRawBufferPointer(recordHeader), UnsafeRawBufferPointer(rebasing: bytes[0..<body]))
        answers.record(engineSequence)
        // The records are the truth for the outbound side (open counts them), so the
        // header's outbound number is not rewritten per message.
        nextSenderSeqNum = seq + 1
    }

    /// Whether an answer to journaled command `engineSequence` is already stored
    /// (recovery: skip it) — ``EngineAnswerMark/holdsAnswer(to:)``.
    public func holdsAnswer(to engineSequence: UInt64) -> Bool {
        answers.holdsAnswer(to: engineSequence)
    }

    /// Journal replay starts: see ``EngineAnswerMark/beginRecovery()``.
    public func beginRecovery() {
        answers.beginRecovery()
    }

    /// A store created before the journal's end was known carries the answers after
    /// `baseline` (the journal's last sequence); written to the header at once.
    public func settleBaseline(_ baseline: UInt64) throws(FIXMessageStoreError) {
        guard answers.settle(baseline: baseline) else { return }
        BigEndianWire.put64(baseline, fieldBuffer.baseAddress!, 0)
        try file.writeHeader(UnsafeRawBufferPointer(fieldBuffer), at: HeaderOffset.engineBaseline)
    }

    /// The MsgSeqNum expected next from the peer; written by the next `flush`.
    public func setNextTargetSeqNum(_ value: Int) throws(FIXMessageStoreError) {
        nextTargetSeqNum = value
        targetDirty = true
    }

    /// Writes every record appended since the last flush (one `pwrite`) and the inbound
    /// number if it changed (one more), each followed by `fdatasync` when synchronous.
    /// Nothing to write: no system call. After an error the pending bytes stay, and the
    /// caller treats the session's store as failed.
    public func flush() throws(FIXMessageStoreError) {
        try file.flush()
        if targetDirty {
            try writeHeaderField(HeaderOffset.nextTargetSeqNum, width: 8, nextTargetSeqNum)
            targetDirty = false
        }
    }

    private func setNextSenderSeqNum(_ value: Int) throws(FIXMessageStoreError) {
        nextSenderSeqNum = value
        try writeHeaderField(HeaderOffset.nextSenderSeqNum, width: 8, value)
    }

    /// Records the session day (``FIXSessionSchedule/sessionDay(at:)``) the stored
    /// sequence numbers belong to; 0 means none.
    public func setSessionDay(_ day: Int) throws(FIXMessageStoreError) {
        sessionDay = day
        try writeHeaderField(HeaderOffset.sessionDay, width: 4, day)
    }

    /// One big-endian header field, rewritten in place from the store's own buffer.
    private func writeHeaderField(_ offset: Int, width: Int, _ value: Int) throws(FIXMessageStoreError) {
        let p = fieldBuffer.baseAddress!
        if width == 8 { BigEndianWire.put64(UInt64(value), p, 0) } else { BigEndianWire.put32(UInt32(value), p, 0) }
        try file.writeHeader(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(fieldBuffer)[0..<width]), at: offset)
    }

    /// Both sequence numbers back to 1 and every stored message dropped
    /// (ResetSeqNumFlag=Y on Logon, or a new session day: `sessionDay`, which is kept
    /// when nil).
    public func reset(sessionDay day: Int? = nil) throws(FIXMessageStoreError) {
        // Whatever was pending belongs to the sequence numbers being dropped.
        targetDirty = false
        // Answers already given belong to the numbers being dropped; later events answer
        // commands after the highest one answered so far.
        answers = EngineAnswerMark(baseline: answers.highWater)
        let newDay = day ?? sessionDay
        let baseline = answers.highWater
        try file.reset { header in
            Self.writeHeader(header, sender: 1, target: 1, sessionDay: newDay, baseline: baseline)
        }
        nextSenderSeqNum = 1
        nextTargetSeqNum = 1
        sessionDay = newDay
    }

    /// Outbound message `seq`: nil if it is not stored, `.administrative` or the
    /// bytes as first sent.
    public func message(_ seq: Int) throws(FIXMessageStoreError) -> FIXStoredMessage? {
        guard seq >= 1, seq <= file.count else { return nil }
        let head = try read(seq, at: 0, count: Self.recordHeaderLength)
        if head[RecordOffset.kind] == Kind.administrative { return .administrative }
        return .application(try read(seq, at: Self.recordHeaderLength, count: Self.bodyLength(head)))
    }

    /// The bytes stored for outbound message `seq`, whatever its kind (an administrative
    /// message has some only when stored while output was paced); nil when none.
    public func storedBytes(_ seq: Int) throws(FIXMessageStoreError) -> [UInt8]? {
        guard seq >= 1, seq <= file.count else { return nil }
        let head = try read(seq, at: 0, count: Self.recordHeaderLength)
        let length = Self.bodyLength(head)
        guard length > 0 else { return nil }
        return try read(seq, at: Self.recordHeaderLength, count: length)
    }

    /// `count` bytes of record `seq`, from `offset` in the record, read back from the file
    /// (written first if still pending).
    private func read(_ seq: Int, at offset: Int, count: Int) throws(FIXMessageStoreError) -> [UInt8] {
        if file.hasPendingRecords { try file.flush() }
        var bytes = [UInt8](repeating: 0, count: count)
        var failure: SequencedStoreError?
        let start = file.offset(ofRecord: seq - 1) + offset
        bytes.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            do throws(SequencedStoreError) {
                try file.read(bytesAt: start, count: buffer.count, into: base)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return bytes
    }

    static func bodyLength(_ head: [UInt8]) -> Int {
        head.withUnsafeBytes { Int(BigEndianWire.u32($0.baseAddress!, RecordOffset.length)) }
    }

    static func writeHeader(_ b: UnsafeMutableRawBufferPointer, sender: Int, target: Int, sessionDay: Int, baseline: UInt64) {
        let p = b.baseAddress!
        for i in 0..<8 { BigEndianWire.put8(magic[i], p, HeaderOffset.magic + i) }
        BigEndianWire.put16(version, p, HeaderOffset.version)
        BigEndianWire.put16(UInt16(headerLength), p, HeaderOffset.headerLength)
        BigEndianWire.put32(UInt32(sessionDay), p, HeaderOffset.sessionDay)
        BigEndianWire.put64(UInt64(sender), p, HeaderOffset.nextSenderSeqNum)
        BigEndianWire.put64(UInt64(target), p, HeaderOffset.nextTargetSeqNum)
        BigEndianWire.put64(baseline, p, HeaderOffset.engineBaseline)
    }
}

/// One stored outbound message.
public enum FIXStoredMessage: Equatable, Sendable {
    /// Heartbeat, Logon, Reject, …: gap-filled on resend.
    case administrative
    /// The whole message as first sent.
    case application([UInt8])
}
