#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import GatewayCore
import POSIX

/// Why a FIX message store could not be opened, read or written.
public enum FIXMessageStoreError: SystemCallFailure, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed (POSIX's error: the call, errno and the file).
    case systemCall(SystemCallError)
    /// The file exists but does not start with the store's magic.
    case notAStore(path: String)
    /// A store of another version: refused whatever its length, since starting it
    /// afresh would throw away its sequence numbers.
    case unsupportedVersion(path: String, version: Int)
    /// An administrative message the acceptor could not encode (a Text too long for the
    /// session's buffer), so it was neither stored nor sent.
    case unencodable(String)

    public var description: String {
        switch self {
        case .systemCall(let error):
            "FIX message store: \(error)"
        case .notAStore(let path):
            "FIX message store: \(path) is not a FIX message store"
        case .unsupportedVersion(let path, let version):
            "FIX message store: \(path) is a version \(version) FIX message store; this gateway reads version "
                + "\(FIXMessageStore.version) (move the file aside: the session starts again from MsgSeqNum 1)"
        case .unencodable(let reason):
            "FIX message store: cannot encode an administrative message: \(reason)"
        }
    }
}

/// The store's POSIX calls, a failure as ``FIXMessageStoreError/systemCall(_:)``.
@inline(__always) @discardableResult
private func storeCall<R>(_ body: () throws -> R) throws(FIXMessageStoreError) -> R {
    try SystemCall.reporting(as: FIXMessageStoreError.self, body)
}

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
/// Writes are behind by at most one loop turn: `append` and `setNextTargetSeqNum` change
/// memory only (the records go to a buffer the store owns), and `flush` writes every
/// record appended since the last flush with one `pwrite` and the inbound number with
/// another, followed by `fdatasync` when `synchronous`. The owner calls `flush` before
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

    public let path: String
    public let synchronous: Bool
    /// The MsgSeqNum our next outbound message gets.
    public private(set) var nextSenderSeqNum: Int
    /// The MsgSeqNum we expect on the next inbound message.
    public private(set) var nextTargetSeqNum: Int
    /// Bytes of a torn tail cut off when the store was opened.
    public let truncatedBytes: Int
    /// The session day the sequence numbers belong to (0: none recorded, e.g. a
    /// session without a schedule).
    public private(set) var sessionDay: Int = 0
    /// Which answers to journaled commands the store holds (recovery appends the rest).
    public private(set) var answers: EngineAnswerMark

    private let file: FileDescriptor
    private var isOpen = true
    private var end: Int
    /// offsets[seq - 1]: file offset of the record of outbound `seq`.
    private var offsets: [Int] = []
    /// Reused for each record header and header field, so that writing allocates nothing.
    private let recordHeader = UnsafeMutableRawBufferPointer.allocate(byteCount: FIXMessageStore.recordHeaderLength, alignment: 8)
    private let fieldBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 8, alignment: 8)
    /// Records appended since the last flush, back to back as they go to the file at
    /// `pendingStart`. A record larger than the buffer is written at once instead.
    private let pending = UnsafeMutableRawBufferPointer.allocate(byteCount: FIXMessageStore.pendingCapacity, alignment: 8)
    private var pendingCount = 0
    private var pendingStart = 0
    /// `nextTargetSeqNum` changed since the last flush.
    private var targetDirty = false

    /// Bytes of records the store holds for one flush (a turn's messages for a session).
    public static let pendingCapacity = 256 * 1024

    /// Whether `flush` has anything to write.
    public var hasUnwrittenData: Bool { pendingCount > 0 || targetDirty }

    /// `newStoreBaseline`: the ``answers`` baseline written into a store this call
    /// creates (``EngineAnswerMark/unsettled`` while the journal's end is not known yet).
    public init(
        directory: String, name: String, synchronous: Bool = false, newStoreBaseline: UInt64 = 0
    ) throws(FIXMessageStoreError) {
        let path = Self.path(directory: directory, name: name)
        self.path = path
        self.synchronous = synchronous
        let file = try storeCall { try FileDescriptor.open(path, flags: O_RDWR | O_CREAT) }
        self.file = file
        let contents: [UInt8]
        do throws(FIXMessageStoreError) {
            contents = try storeCall {
                let size = try file.size()
                return try [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                    count = try file.readFully(into: UnsafeMutableRawBufferPointer(buffer), at: 0)
                }
            }
            if contents.count >= 12, Array(contents[0..<8]) == Self.magic,
               Self.readInt(contents, 8, 2) != Int(Self.version) || Self.readInt(contents, 10, 2) != Self.headerLength {
                throw .unsupportedVersion(path: path, version: Self.readInt(contents, 8, 2))
            }
            if contents.count >= Self.headerLength && Array(contents[0..<8]) != Self.magic {
                throw .notAStore(path: path)
            }
        } catch {
            file.closeIgnoringErrors()
            throw error
        }
        let size = contents.count
        if size < Self.headerLength {
            // New (or torn before its header was whole): start afresh.
            nextSenderSeqNum = 1
            nextTargetSeqNum = 1
            end = Self.headerLength
            truncatedBytes = size
            var header = [UInt8](repeating: 0, count: Self.headerLength)
            answers = EngineAnswerMark(baseline: newStoreBaseline)
            Self.writeHeader(into: &header, sender: 1, target: 1, sessionDay: 0, baseline: newStoreBaseline)
            try storeCall { try file.truncate(to: 0) }
            try write(header, at: 0)
            return
        }
        nextSenderSeqNum = Self.readInt(contents, HeaderOffset.nextSenderSeqNum, 8)
        nextTargetSeqNum = Self.readInt(contents, HeaderOffset.nextTargetSeqNum, 8)
        sessionDay = Self.readInt(contents, HeaderOffset.sessionDay, 4)
        var answers = EngineAnswerMark(baseline: Self.readUInt64(contents, HeaderOffset.engineBaseline))
        var offset = Self.headerLength
        var records: [Int] = []
        while offset + Self.recordHeaderLength <= size {
            let seq = Self.readInt(contents, offset + RecordOffset.msgSeqNum, 8)
            let length = Self.readInt(contents, offset + RecordOffset.length, 4)
            guard seq == records.count + 1, length >= 0, offset + Self.recordHeaderLength + length <= size else { break }
            answers.record(Self.readUInt64(contents, offset + RecordOffset.engineSequence))
            records.append(offset)
            offset += Self.recordHeaderLength + length
        }
        self.answers = answers
        offsets = records
        // Room for a day's messages (address space, committed as written).
        offsets.reserveCapacity(max(records.count * 2, 1 << 20))
        end = offset
        truncatedBytes = size - offset
        if truncatedBytes > 0 {
            try storeCall { try file.truncate(to: offset) }
        }
        // The header's outbound number is written at creation and reset only: the
        // records are the truth for the outbound side.
        if nextSenderSeqNum <= records.count { try setNextSenderSeqNum(records.count + 1) }
    }

    deinit {
        close()
        recordHeader.deallocate()
        fieldBuffer.deallocate()
        pending.deallocate()
    }

    /// Writes what is pending (an error here is lost: call `flush` first to hear of it),
    /// then closes the file.
    public func close() {
        if isOpen {
            try? flush()
            file.closeIgnoringErrors()
            isOpen = false
        }
    }

    /// Outbound messages stored (sequence numbers 1…count).
    public var messageCount: Int { offsets.count }

    /// Stores outbound message `nextSenderSeqNum` and advances it: the record is copied
    /// into the pending buffer (written by the next `flush`), no system call and no
    /// allocation unless the buffer is full.
    ///
    /// `answering`: the journal sequence of the command whose event the message answers
    /// (0 for anything else), kept in the record for recovery (``answers``).
    public func append(
        administrative: Bool, answering engineSequence: UInt64 = 0, keepingBytes: Bool = false,
        message bytes: UnsafeRawBufferPointer
    ) throws(FIXMessageStoreError) {
        let seq = nextSenderSeqNum
        precondition(seq == offsets.count + 1, "FIX store: outbound records must be contiguous from 1")
        let body = administrative && !keepingBytes ? 0 : bytes.count
        let recordLength = Self.recordHeaderLength + body
        if pendingCount + recordLength > pending.count { try flush() }
        if recordLength > pending.count {
            // Larger than the whole buffer (a huge message): straight to the file.
            Self.putInt(recordHeader, RecordOffset.msgSeqNum, 8, seq)
            recordHeader[RecordOffset.kind] = administrative ? Kind.administrative : Kind.application
            Self.putInt(recordHeader, RecordOffset.length, 4, body)
            Self.putUInt64(recordHeader, RecordOffset.engineSequence, engineSequence)
            try write(UnsafeRawBufferPointer(recordHeader), UnsafeRawBufferPointer(rebasing: bytes[0..<body]), at: end)
        } else {
            if pendingCount == 0 { pendingStart = end }
            let record = UnsafeMutableRawBufferPointer(rebasing: pending[pendingCount..<(pendingCount + recordLength)])
            Self.putInt(record, RecordOffset.msgSeqNum, 8, seq)
            record[RecordOffset.kind] = administrative ? Kind.administrative : Kind.application
            Self.putInt(record, RecordOffset.length, 4, body)
            Self.putUInt64(record, RecordOffset.engineSequence, engineSequence)
            if body > 0 {
                UnsafeMutableRawBufferPointer(rebasing: record[Self.recordHeaderLength...])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<body]))
            }
            pendingCount += recordLength
        }
        offsets.append(end)
        end += recordLength
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
        Self.putUInt64(fieldBuffer, 0, baseline)
        try write(UnsafeRawBufferPointer(fieldBuffer), at: HeaderOffset.engineBaseline)
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
        if pendingCount > 0 {
            try write(UnsafeRawBufferPointer(rebasing: pending[0..<pendingCount]), at: pendingStart)
            pendingCount = 0
        }
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
        Self.putInt(fieldBuffer, 0, width, value)
        try write(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(fieldBuffer)[0..<width]), at: offset)
    }

    /// Both sequence numbers back to 1 and every stored message dropped
    /// (ResetSeqNumFlag=Y on Logon, or a new session day: `sessionDay`, which is kept
    /// when nil).
    public func reset(sessionDay day: Int? = nil) throws(FIXMessageStoreError) {
        // Whatever was pending belongs to the sequence numbers being dropped.
        pendingCount = 0
        targetDirty = false
        try storeCall { try file.truncate(to: Self.headerLength) }
        offsets = []
        end = Self.headerLength
        // Answers already given belong to the numbers being dropped; later events answer
        // commands after the highest one answered so far.
        answers = EngineAnswerMark(baseline: answers.highWater)
        var header = [UInt8](repeating: 0, count: Self.headerLength)
        Self.writeHeader(into: &header, sender: 1, target: 1, sessionDay: day ?? sessionDay, baseline: answers.highWater)
        try write(header, at: 0)
        nextSenderSeqNum = 1
        nextTargetSeqNum = 1
        sessionDay = day ?? sessionDay
    }

    /// Outbound message `seq`: nil if it is not stored, `.administrative` or the
    /// bytes as first sent.
    public func message(_ seq: Int) throws(FIXMessageStoreError) -> FIXStoredMessage? {
        guard seq >= 1, seq <= offsets.count else { return nil }
        if pendingCount > 0 { try flush() }
        let offset = offsets[seq - 1]
        var head = [UInt8](repeating: 0, count: Self.recordHeaderLength)
        try read(&head, at: offset)
        if head[RecordOffset.kind] == Kind.administrative { return .administrative }
        var bytes = [UInt8](repeating: 0, count: Self.readInt(head, RecordOffset.length, 4))
        try read(&bytes, at: offset + Self.recordHeaderLength)
        return .application(bytes)
    }

    /// The bytes stored for outbound message `seq`, whatever its kind (an administrative
    /// message has some only when stored while output was paced); nil when none.
    public func storedBytes(_ seq: Int) throws(FIXMessageStoreError) -> [UInt8]? {
        guard seq >= 1, seq <= offsets.count else { return nil }
        if pendingCount > 0 { try flush() }
        let offset = offsets[seq - 1]
        var head = [UInt8](repeating: 0, count: Self.recordHeaderLength)
        try read(&head, at: offset)
        let length = Self.readInt(head, RecordOffset.length, 4)
        guard length > 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: length)
        try read(&bytes, at: offset + Self.recordHeaderLength)
        return bytes
    }

    // MARK: File access

    private func write(_ bytes: [UInt8], at offset: Int) throws(FIXMessageStoreError) {
        try storeCall {
            try bytes.withUnsafeBytes { _ = try file.writeAll($0, at: offset) }
            if synchronous { try file.syncData() }
        }
    }

    /// Writes `first` then `second` at `offset` (one `pwritev`; POSIX finishes a short
    /// write), then `fdatasync` when synchronous.
    private func write(
        _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
        at offset: Int
    ) throws(FIXMessageStoreError) {
        try storeCall {
            try file.writeAll(first, second, at: offset)
            if synchronous { try file.syncData() }
        }
    }

    /// Reads `bytes.count` bytes at `offset`; the end of the file before them is an error.
    private func read(_ bytes: inout [UInt8], at offset: Int) throws(FIXMessageStoreError) {
        try storeCall { try bytes.withUnsafeMutableBytes { try file.readExactly(into: $0, at: offset) } }
    }

    static func writeHeader(into b: inout [UInt8], sender: Int, target: Int, sessionDay: Int, baseline: UInt64) {
        for i in 0..<8 { b[i] = magic[i] }
        putInt(&b, HeaderOffset.version, 2, Int(version))
        putInt(&b, HeaderOffset.headerLength, 2, headerLength)
        putInt(&b, HeaderOffset.sessionDay, 4, sessionDay)
        putInt(&b, HeaderOffset.nextSenderSeqNum, 8, sender)
        putInt(&b, HeaderOffset.nextTargetSeqNum, 8, target)
        for i in 0..<8 { b[HeaderOffset.engineBaseline + i] = UInt8(truncatingIfNeeded: baseline >> (8 * UInt64(7 - i))) }
    }

    static func putUInt64(_ b: UnsafeMutableRawBufferPointer, _ offset: Int, _ value: UInt64) {
        for i in 0..<8 { b[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(7 - i))) }
    }

    static func readUInt64(_ b: [UInt8], _ offset: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(b[offset + i]) }
        return v
    }

    static func putInt(_ b: inout [UInt8], _ offset: Int, _ width: Int, _ value: Int) {
        for i in 0..<width { b[offset + i] = UInt8(truncatingIfNeeded: UInt64(value) >> (8 * UInt64(width - 1 - i))) }
    }

    static func putInt(_ b: UnsafeMutableRawBufferPointer, _ offset: Int, _ width: Int, _ value: Int) {
        for i in 0..<width { b[offset + i] = UInt8(truncatingIfNeeded: UInt64(value) >> (8 * UInt64(width - 1 - i))) }
    }

    static func readInt(_ b: [UInt8], _ offset: Int, _ width: Int) -> Int {
        var v: UInt64 = 0
        for i in 0..<width { v = v << 8 | UInt64(b[offset + i]) }
        return Int(truncatingIfNeeded: v)
    }
}

/// One stored outbound message.
public enum FIXStoredMessage: Equatable, Sendable {
    /// Heartbeat, Logon, Reject, …: gap-filled on resend.
    case administrative
    /// The whole message as first sent.
    case application([UInt8])
}
