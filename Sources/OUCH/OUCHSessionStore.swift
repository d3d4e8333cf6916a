#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import GatewayCore
import POSIX
import SequencedStore
import SoupBinTCP

/// The sequenced outbound stream of one SoupBinTCP user for one session day, kept in
/// a file so that a client can log in again at any sequence number, and a restarted
/// gateway still has every message it ever sent.
///
/// File layout (specs/soupbintcp.md, "Sequenced stream store"): a 64-byte header, then
/// the messages as the SoupBinTCP Sequenced Data packets that carry them on the wire
/// (`Length u16` · `S` · OUCH message). Message *n* is the *n*th packet. Storing the
/// packets exactly as sent means a replay is a read of a file range and one send.
///
/// The file is a ``SequencedFileStore`` (module `SequencedStore`, specs/sequenced-store.md),
/// which opens, checks, recovers and writes it. Writing: ``append(_:)`` encodes a message
/// into a memory buffer of this type and records its offset; ``flush(highWater:)`` hands
/// everything appended since the last flush to the file with one `pwrite` (and one
/// `fdatasync` when the store is synchronous). A message is *durable* once flushed, and
/// only durable messages are ever read for sending, so a message that a crash tore was
/// never sent; reopening truncates it.
///
/// Memory: an index of one `UInt64` file offset per message (8 bytes per message,
/// amortized array growth) and a buffer holding the bytes appended since the previous
/// flush (grown by doubling, never shrunk). In steady state an append allocates
/// nothing beyond that amortized growth.
///
/// Beside the stream, an ``OUCHAnswerIndex`` (`<USER>.ans`) says which engine command
/// each message answers, so that recovery appends, once and in order, every answer
/// that a crash kept out of the stream (``answers``, ``holdsAnswer(to:)``).
///
/// One thread at a time: the I/O thread that owns the server owning the store.
public final class OUCHSessionStore {
    // MARK: Layout

    /// `CIFTSOUP`.
    public static let magic: [UInt8] = Array("CIFTSOUP".utf8)
    public static let version: UInt16 = 1
    public static let headerLength = 64

    /// Header field offsets.
    public enum HeaderOffset {
        public static let magic = 0                // 8 bytes, "CIFTSOUP"
        public static let version = 8              // u16 big-endian, 1
        public static let headerLength = 10        // u16 big-endian, 64
        public static let session = 12             // Alpha 10, left-padded (as in Login Accepted)
        public static let username = 22            // Alpha 6, right-padded, upper case
        public static let userRefNumHighWater = 28 // u32 big-endian, rewritten in place
        public static let reserved = 32            // 32 bytes, zero
    }

    /// The store file of `username` in `directory`: `<directory>/<USERNAME>.seq`.
    public static func path(directory: String, username: String) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + username.uppercased() + ".seq"
    }

    // MARK: State

    public var path: String { file.path }
    /// The session (without padding) and user the file belongs to.
    public let session: String
    public let username: String
    /// `fdatasync` after every flush that wrote something.
    public let synchronous: Bool

    private let file: SequencedFileStore
    /// File offset of each message's packet: `offsets[n - 1]` for message n.
    private var offsets: [UInt64]
    /// Messages that are written to the file.
    public var durableCount: Int { file.count }

    /// Packets in memory: `buffer[0 ..< recentCount]` were written by the last flush
    /// (kept so that the live send needs no read), `buffer[recentCount ..< count]` are
    /// appended and not yet written. `bufferFileOffset + recentCount` is the file's end.
    private var buffer: UnsafeMutableRawPointer
    private var bufferCapacity: Int
    private var bufferCount = 0
    private var recentCount = 0
    private var bufferFileOffset: UInt64

    /// The high-water field's 4 bytes on their way to the header.
    private let headerField: UnsafeMutableRawPointer
    /// A reusable read buffer for replays from the file.
    private var scratch: UnsafeMutableRawPointer?
    private var scratchCapacity = 0

    /// The UserRefNum high-water mark in the header.
    public private(set) var persistedHighWater: UInt32
    /// Bytes cut from the end of the file when it was opened (a torn last packet).
    public var truncatedBytes: UInt64 { UInt64(file.truncatedBytes) }
    /// Which engine command each message answers, beside the stream.
    private let answerIndex: OUCHAnswerIndex
    /// Which answers to journaled commands the stream holds.
    public private(set) var answers: EngineAnswerMark

    /// Messages appended, durable or not.
    public var messageCount: Int { offsets.count }
    /// True when messages were appended since the last flush.
    public var hasUnflushedMessages: Bool { bufferCount > recentCount }

    // MARK: Opening

    /// Opens (or creates) the store of `username` for `session` in `directory`,
    /// creating the directory if needed. An existing file is checked (magic, version,
    /// session, user) and read: every whole message is handed to `recovered`, in
    /// order, and a torn or unreadable tail is truncated. The file is locked
    /// (`flock`) for as long as the store is open.
    public init(
        directory: String, username: String, session: String, synchronous: Bool = false,
        newStoreBaseline: UInt64 = 0, recovered: (UnsafeRawBufferPointer) -> Void = { _ in }
    ) throws(OUCHStoreError) {
        let path = Self.path(directory: directory, username: username)
        let owner = Owner(session: session.trimmingSpaces, username: username.uppercased())
        try SystemCall.reporting(as: OUCHStoreError.self) { _ = try FileSystem.createDirectories(directory) }
        let (index, contents) = try OUCHAnswerIndex.open(
            directory: directory, username: username, synchronous: synchronous, newBaseline: newStoreBaseline)
        let file: SequencedFileStore
        var answers = EngineAnswerMark(baseline: contents.baseline)
        var highWater: UInt32 = 0
        do throws(OUCHStoreError) {
            // The index is written first, so the stream's messages beyond its entries
            // were never sent (see OUCHAnswerIndex): they are cut off like a torn tail.
            let limit = contents.existed ? contents.entries.count : Int.max
            file = try SequencedFileStore(
                    path: path, layout: Self.layout(owner), lock: true, bufferCapacity: 0,
                    header: { header in highWater = Wire.u32(header.baseAddress!, HeaderOffset.userRefNumHighWater) },
                    recovered: { packet, number in
                        guard number < limit, packet[2] == SoupBinTCPPacketType.sequencedData else { return false }
                        let message = UnsafeRawBufferPointer(rebasing: packet[3...])
                        guard (try? OUCHOutboundMessage(decoding: message)) != nil else { return false }
                        recovered(message)
                        return true
                    })
            if synchronous && file.truncatedBytes > 0 { try file.syncData() }
            let count = file.count
            if contents.existed {
                if contents.entries.count > count { try index.truncate(to: count) }
                for entry in contents.entries.prefix(count) { answers.record(entry) }
            } else if count > 0 {
                // A stream older than indexes: its messages are tagged as answering
                // nothing, and it gets the baseline of a new stream (the gateway's
                // is settled at the journal's end after this start's replay).
                index.appendUntagged(count)
                try index.flush()
            }
        } catch {
            index.close()
            throw error
        }
        self.answerIndex = index
        self.answers = answers
        self.session = owner.session
        self.username = owner.username
        self.synchronous = synchronous
        self.file = file
        // Address space for a day's messages (about a million per user), committed by the
        // kernel only as it is written: appending never stops the I/O thread to copy.
        var offsets: [UInt64] = []
        offsets.reserveCapacity(max(file.count * 2, 1 << 20))
        for number in 0..<file.count { offsets.append(UInt64(file.offset(ofRecord: number))) }
        self.offsets = offsets
        self.persistedHighWater = highWater
        self.bufferCapacity = 64 * 1024
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        self.headerField = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
        self.bufferFileOffset = UInt64(file.endOffset)
    }

    deinit {
        close()
        buffer.deallocate()
        headerField.deallocate()
        scratch?.deallocate()
    }

    /// Closes the file (and releases its lock). Unflushed messages are lost; call
    /// ``flush(highWater:)`` first. Safe to call twice.
    public func close() {
        file.close()
        answerIndex.close()
    }

    private struct Owner {
        var session: String
        var username: String
    }

    /// The 64 header bytes of a new file.
    private static func writeHeader(_ owner: Owner, into b: UnsafeMutableRawBufferPointer) {
        let p = b.baseAddress!
        for (i, byte) in magic.enumerated() { Wire.put8(byte, p, HeaderOffset.magic + i) }
        Wire.put16(version, p, HeaderOffset.version)
        Wire.put16(UInt16(headerLength), p, HeaderOffset.headerLength)
        Wire.putAlphaRight(owner.session, width: 10, p, HeaderOffset.session)
        Wire.putAlphaLeft(owner.username, width: 6, p, HeaderOffset.username)
        Wire.put32(0, p, HeaderOffset.userRefNumHighWater)
    }

    /// The file's layout: the header above, and Sequenced Data packets found by their
    /// Length field (the recovery closure checks that each is `S` and decodes).
    private static func layout(_ owner: Owner) -> SequencedStoreLayout {
        SequencedStoreLayout(
            kind: "OUCH session store", headerLength: headerLength,
            newHeader: { writeHeader(owner, into: $0) },
            checkHeader: { (head, path) throws(SequencedStoreError) in
                let p = head.baseAddress!
                if head.count < headerLength {
                    // Torn while the header was being written: what is there must be the
                    // start of the header this store would write.
                    let fresh = UnsafeMutableRawBufferPointer.allocate(byteCount: headerLength, alignment: 16)
                    defer { fresh.deallocate() }
                    fresh.initializeMemory(as: UInt8.self, repeating: 0)
                    writeHeader(owner, into: fresh)
                    guard fresh.prefix(head.count).elementsEqual(head) else {
                        throw .notAStore(path: path, kind: "OUCH session store", reason: "\(head.count) bytes, shorter than a header")
                    }
                    return
                }
                guard head.prefix(8).elementsEqual(magic) else {
                    throw .notAStore(path: path, kind: "OUCH session store", reason: "bad magic")
                }
                let v = Wire.u16(p, HeaderOffset.version)
                let h = Wire.u16(p, HeaderOffset.headerLength)
                guard v == version else {
                    throw .unsupportedVersion(path: path, kind: "OUCH session store", found: Int(v), supported: Int(version))
                }
                guard h == UInt16(headerLength) else {
                    throw .notAStore(path: path, kind: "OUCH session store", reason: "header length \(h), expected \(headerLength)")
                }
                let session = Wire.trimmedText(p, HeaderOffset.session, 10)
                let user = Wire.trimmedText(p, HeaderOffset.username, 6)
                guard session == owner.session, user == owner.username else {
                    throw .wrongOwner(
                        path: path, expected: "session '\(owner.session)' user '\(owner.username)'",
                        found: "session '\(session)' user '\(user)'")
                }
            },
            recordLength: { bytes, _ in
                guard bytes.count >= 2 else { return nil }
                let length = Int(Wire.u16(bytes.baseAddress!, 0))
                // A type byte and at least one message byte.
                return length >= 2 ? 2 + length : nil
            })
    }

    // MARK: Appending and flushing

    /// Appends `message` as the next sequenced message (number ``messageCount`` after
    /// the call). It becomes durable, and may be sent, at the next flush.
    ///
    /// `answering`: the journal sequence of the command whose engine event the message
    /// reports (0: none). An answer the stream already holds — journal replay after a
    /// restart meets every answer again — is not appended (returns false).
    @inlinable
    @discardableResult
    public func append<M: OUCHMessage>(_ message: M, answering engineSequence: UInt64 = 0) -> Bool {
        appendPacket(length: 3 + message.encodedLength, answering: engineSequence) { p in
            SoupBinTCPEncoder.sequencedData(message, p)
        }
    }

    /// Appends an already encoded OUCH message.
    @discardableResult
    public func append(message bytes: UnsafeRawBufferPointer, answering engineSequence: UInt64 = 0) -> Bool {
        appendPacket(length: 3 + bytes.count, answering: engineSequence) { p in
            SoupBinTCPEncoder.sequencedData(bytes, p)
        }
    }

    /// Whether an answer to journaled command `engineSequence` is already in the stream
    /// (``EngineAnswerMark/holdsAnswer(to:)``).
    public func holdsAnswer(to engineSequence: UInt64) -> Bool {
        answers.holdsAnswer(to: engineSequence)
    }

    /// Journal replay starts: see ``EngineAnswerMark/beginRecovery()``.
    public func beginRecovery() {
        answers.beginRecovery()
    }

    /// A stream created before the journal's end was known carries the answers after
    /// `baseline` (the journal's last sequence); written to the index header at once.
    public func settleBaseline(_ baseline: UInt64) throws(OUCHStoreError) {
        guard answers.settle(baseline: baseline) else { return }
        try answerIndex.writeBaseline(baseline)
    }

    /// Makes room for `length` bytes, lets `write` fill them with one Sequenced Data
    /// packet, and indexes it (offset, and the command it answers).
    @usableFromInline
    func appendPacket(length: Int, answering engineSequence: UInt64, _ write: (UnsafeMutableRawPointer) -> Int) -> Bool {
        if engineSequence != 0 && answers.holdsAnswer(to: engineSequence) { return false }
        answerIndex.append(engineSequence)
        answers.record(engineSequence)
        if bufferCount + length > bufferCapacity { grow(to: bufferCount + length) }
        let written = write(buffer + bufferCount)
        offsets.append(bufferFileOffset + UInt64(bufferCount))
        bufferCount += written
        return true
    }

    private func grow(to needed: Int) {
        var capacity = bufferCapacity
        while capacity < needed { capacity *= 2 }
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        bigger.copyMemory(from: buffer, byteCount: bufferCount)
        buffer.deallocate()
        buffer = bigger
        bufferCapacity = capacity
    }

    /// Writes every message appended since the last flush (one `pwrite`) and, when
    /// `highWater` differs from the header's, the UserRefNum high-water mark (a second,
    /// 4-byte `pwrite` in place); then one `fdatasync` if the store is synchronous and
    /// anything was written. Afterwards ``durableCount`` == ``messageCount``.
    ///
    /// The bytes written stay in memory until the next flush, so that sending them
    /// right after this call (``withPackets(from:maxBytes:_:)``) reads no file.
    public func flush(highWater: UInt32? = nil) throws(OUCHStoreError) {
        if recentCount > 0 {
            let pending = bufferCount - recentCount
            if pending > 0 { buffer.copyMemory(from: buffer + recentCount, byteCount: pending) }
            bufferFileOffset += UInt64(recentCount)
            bufferCount = pending
            recentCount = 0
        }
        var wrote = false
        if bufferCount > 0 {
            // The index entries first: a packet in the stream always has its entry.
            try answerIndex.flush()
            try file.write(records: UnsafeRawBufferPointer(start: buffer, count: bufferCount))
            recentCount = bufferCount
            wrote = true
        }
        if let highWater, highWater != persistedHighWater {
            Wire.put32(highWater, headerField, 0)
            try file.writeHeader(UnsafeRawBufferPointer(start: headerField, count: 4), at: HeaderOffset.userRefNumHighWater)
            persistedHighWater = highWater
            wrote = true
        }
        if wrote && synchronous {
            // The index before the stream: a durable packet always has a durable entry.
            try answerIndex.sync()
            try file.syncData()
        }
    }

    // MARK: Reading

    /// File offset where message `index` (0-based) ends.
    private func end(ofMessageAt index: Int) -> UInt64 {
        index + 1 < offsets.count ? offsets[index + 1] : bufferFileOffset + UInt64(bufferCount)
    }

    /// Hands `body` the packets of durable messages from `sequence` on, contiguous, and
    /// how many messages they are.
    ///
    /// Messages written by the last flush come from memory, as many as fit in
    /// `maxRecentBytes` (all of them by default). Older ones are read from the file,
    /// whole messages up to `maxBytes` and `maxRecentBytes`, into a reusable buffer: a
    /// replay proceeds a bounded slice per call. At least one message either way. The
    /// bytes are valid only inside `body`.
    public func withPackets<R>(
        from sequence: Int, maxBytes: Int, maxRecentBytes: Int = .max,
        _ body: (UnsafeRawBufferPointer, _ messages: Int) -> R
    ) throws(OUCHStoreError) -> R {
        guard sequence >= 1 && sequence <= durableCount else {
            throw .noSuchRecord(path: path, sequence: sequence, count: durableCount)
        }
        let start = offsets[sequence - 1]
        // Whole messages from `sequence` that end within `maxBytes` (at least one): the
        // last index `last` (0-based) with end(last) <= limit, found by binary search.
        let allowed = start >= bufferFileOffset ? maxRecentBytes : min(maxBytes, maxRecentBytes)
        let limit = start &+ UInt64(max(allowed, 0)) < start ? UInt64.max : start &+ UInt64(max(allowed, 0))
        var low = sequence - 1
        var high = durableCount - 1
        if end(ofMessageAt: high) <= limit { low = high }
        while low < high {
            let middle = (low + high + 1) / 2
            if end(ofMessageAt: middle) <= limit { low = middle } else { high = middle - 1 }
        }
        let last = low
        let count = Int(end(ofMessageAt: last) - start)
        if start >= bufferFileOffset {
            // Written by the last flush: still in memory.
            let bytes = UnsafeRawBufferPointer(start: buffer + Int(start - bufferFileOffset), count: count)
            return body(bytes, last - (sequence - 1) + 1)
        }
        if count > scratchCapacity {
            scratch?.deallocate()
            scratchCapacity = max(count, 64 * 1024)
            scratch = UnsafeMutableRawPointer.allocate(byteCount: scratchCapacity, alignment: 16)
        }
        try file.read(bytesAt: Int(start), count: count, into: scratch!)
        return body(UnsafeRawBufferPointer(start: scratch!, count: count), last - (sequence - 1) + 1)
    }

    /// The OUCH message `sequence` (1-based), durable or not, as a copy: for tests,
    /// tools and recovery checks, not the send path.
    public func message(_ sequence: Int) throws(OUCHStoreError) -> [UInt8] {
        guard sequence >= 1 && sequence <= offsets.count else {
            throw .noSuchRecord(path: path, sequence: sequence, count: offsets.count)
        }
        let start = offsets[sequence - 1]
        let count = Int(end(ofMessageAt: sequence - 1) - start)
        if start >= bufferFileOffset {
            return Array(UnsafeRawBufferPointer(start: buffer + Int(start - bufferFileOffset) + 3, count: count - 3))
        }
        let packet = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 16)
        defer { packet.deallocate() }
        try file.read(bytesAt: Int(start), count: count, into: packet)
        return Array(UnsafeRawBufferPointer(start: packet + 3, count: count - 3))
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
