#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import GatewayCore
import SequencedStore

/// Beside each sequenced stream (`<USER>.seq`), which engine command each of its
/// messages answers: `<USER>.ans` (specs/soupbintcp.md, "Answer index"). The stream file
/// holds packets exactly as sent, back to back, so the tag cannot live in it; recovery
/// needs it to find the answers a crash kept out of the stream (``EngineAnswerMark``).
///
/// Layout (big-endian): a 16-byte header — magic `CIFTSANS`, u64 engine baseline (all
/// ones: not settled yet) — then one u64 per stream message, in message order: the
/// journal sequence of the command whose event the message reports, 0 when it reports
/// none (a Rejected the server gave itself, a System Event).
///
/// Crash ordering: a flush writes the index entries before the packets they describe
/// (both `pwrite`, same flush), so after a crash the index is never shorter than the
/// stream's sent part. On open, entries past the stream's end (packets that never made
/// it) are cut; a stream longer than its index (only a power loss between the two
/// `fdatasync`s of a synchronous store can leave one; none of those packets was sent) is
/// cut back to the index.
///
/// The file is a ``SequencedFileStore`` of 8-byte records (specs/sequenced-store.md);
/// this type keeps the entries appended since the last flush in memory of its own, and
/// orders its `fdatasync`s after the stream's own write.
///
/// One thread at a time: the owner of the stream store.
final class OUCHAnswerIndex {
    static let magic: [UInt8] = Array("CIFTSANS".utf8)
    static let headerLength = 16
    static let entryLength = 8

    /// `<directory>/<USERNAME>.ans`.
    static func path(directory: String, username: String) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + username.uppercased() + ".ans"
    }

    var path: String { file.path }
    let synchronous: Bool
    private let file: SequencedFileStore
    /// Entries in the file.
    var durableCount: Int { file.count }
    /// Entries appended since the last flush.
    private var pending: UnsafeMutablePointer<UInt64>
    private var pendingCapacity: Int
    private var pendingCount = 0

    /// What the index said when opened.
    struct Contents {
        /// Answers after this journal sequence are the stream's to carry.
        var baseline: UInt64
        /// One per message, in message order.
        var entries: [UInt64]
        /// False when there was no index (a new stream, or one written before indexes).
        var existed: Bool
    }

    /// Opens (or creates, with baseline `newBaseline`) the index of `username` in
    /// `directory`, reads it whole and
    /// takes an exclusive lock (the stream's lock guards it too; this one keeps a stray
    /// process off the index alone).
    static func open(
        directory: String, username: String, synchronous: Bool, newBaseline: UInt64
    ) throws(OUCHStoreError) -> (OUCHAnswerIndex, Contents) {
        var baseline = newBaseline
        var entries: [UInt64] = []
        // Synchronous or not, the store's own writes are not synced: the owner syncs the
        // index first and the stream after it (see the crash ordering above).
        let file = try SequencedFileStore(
            path: Self.path(directory: directory, username: username), layout: layout(newBaseline: newBaseline),
            lock: true, bufferCapacity: 0,
            header: { header in baseline = Wire.u64(header.baseAddress!, 8) },
            recovered: { entry, _ in
                entries.append(Wire.u64(entry.baseAddress!, 0))
                return true
            })
        if synchronous && (file.created || file.truncatedBytes > 0) { try file.syncData() }
        let index = OUCHAnswerIndex(synchronous: synchronous, file: file)
        return (index, Contents(baseline: baseline, entries: entries, existed: !file.created))
    }

    /// The file's layout: a 16-byte header (magic, baseline), then 8-byte entries (a
    /// partial one at the end is a torn tail).
    private static func layout(newBaseline: UInt64) -> SequencedStoreLayout {
        SequencedStoreLayout(
            kind: "OUCH answer index", headerLength: headerLength,
            newHeader: { header in
                for (i, byte) in magic.enumerated() { Wire.put8(byte, header.baseAddress!, i) }
                Wire.put64(newBaseline, header.baseAddress!, 8)
            },
            checkHeader: { (header, path) throws(SequencedStoreError) in
                // Torn before its header was whole: no entry can have been written.
                guard header.count >= headerLength else { return }
                guard header.prefix(8).elementsEqual(magic) else {
                    throw .notAStore(path: path, kind: "OUCH answer index", reason: "bad magic")
                }
            },
            recordLength: { bytes, _ in bytes.count >= entryLength ? entryLength : nil }, fixedRecordLength: entryLength)
    }

    private init(synchronous: Bool, file: SequencedFileStore) {
        self.synchronous = synchronous
        self.file = file
        pendingCapacity = 4096
        pending = UnsafeMutablePointer<UInt64>.allocate(capacity: 4096)
    }

    deinit {
        close()
        pending.deallocate()
    }

    func close() {
        file.close()
    }

    /// Cuts the file to `count` entries (after a crash: entries of packets that never
    /// made it into the stream).
    func truncate(to count: Int) throws(OUCHStoreError) {
        precondition(pendingCount == 0 && count <= durableCount)
        try file.truncate(fromRecord: count)
        if synchronous { try file.syncData() }
    }

    /// Appends `count` entries of 0 at once (a stream that had no index: its messages
    /// answer nothing recovery could regenerate).
    func appendUntagged(_ count: Int) {
        for _ in 0..<count { append(0) }
    }

    /// The next message's entry, written by the next ``flush()``.
    @inline(__always)
    func append(_ engineSequence: UInt64) {
        if pendingCount == pendingCapacity { grow() }
        // Big-endian in memory already, so that a flush is one pwrite of the buffer.
        pending[pendingCount] = engineSequence.bigEndian
        pendingCount += 1
    }

    private func grow() {
        let bigger = UnsafeMutablePointer<UInt64>.allocate(capacity: pendingCapacity * 2)
        bigger.update(from: pending, count: pendingCount)
        pending.deallocate()
        pending = bigger
        pendingCapacity *= 2
    }

    /// Writes the entries appended since the last flush; no system call when there are
    /// none. `fdatasync` is the caller's (``sync()``), after the stream's own write.
    func flush() throws(OUCHStoreError) {
        guard pendingCount > 0 else { return }
        try file.write(records: UnsafeRawBufferPointer(start: pending, count: pendingCount * Self.entryLength))
        pendingCount = 0
    }

    func sync() throws(OUCHStoreError) {
        try file.syncData()
    }

    /// Writes the baseline into the header.
    func writeBaseline(_ baseline: UInt64) throws(OUCHStoreError) {
        var big = baseline.bigEndian
        try withUnsafeBytes(of: &big) { (bytes) throws(OUCHStoreError) in try file.writeHeader(bytes, at: 8) }
        if synchronous { try file.syncData() }
    }
}
