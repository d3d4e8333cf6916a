#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import GatewayCore
import POSIX

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
/// One thread at a time: the owner of the stream store.
final class OUCHAnswerIndex {
    static let magic: [UInt8] = Array("CIFTSANS".utf8)
    static let headerLength = 16
    static let entryLength = 8

    /// `<directory>/<USERNAME>.ans`.
    static func path(directory: String, username: String) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + username.uppercased() + ".ans"
    }

    let path: String
    let synchronous: Bool
    private let file: FileDescriptor
    private var isOpen = true
    /// Entries in the file.
    private(set) var durableCount: Int
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
        let path = Self.path(directory: directory, username: username)
        let file = try storeCall { try FileDescriptor.open(path, flags: O_RDWR | O_CREAT) }
        do throws(OUCHStoreError) {
            guard try storeCall({ try file.tryLockExclusive() }) else { throw OUCHStoreError.locked(path: path) }
            let size = UInt64(try storeCall { try file.size() })
            let head = UnsafeMutableRawPointer.allocate(byteCount: headerLength, alignment: 8)
            defer { head.deallocate() }
            var baseline = newBaseline
            var entries: [UInt64] = []
            if size < UInt64(headerLength) {
                // New, or torn before its header was whole: no entry can have been written.
                for (i, byte) in magic.enumerated() { Wire.put8(byte, head, i) }
                Wire.put64(baseline, head, 8)
                try storeCall { try file.truncate(to: Int(0)) }
                try storeCall { try file.writeAll(head, count: headerLength, at: 0) }
                if synchronous { try storeCall { try file.syncData() } }
            } else {
                _ = try storeCall { try file.readFully(head, count: headerLength, at: 0) }
                guard Array(UnsafeRawBufferPointer(start: head, count: 8)) == magic else {
                    throw .notAStore(path: path, reason: "bad magic (not an answer index)")
                }
                baseline = Wire.u64(head, 8)
                let count = Int((size - UInt64(headerLength)) / UInt64(entryLength))
                if count > 0 {
                    let bytes = UnsafeMutableRawPointer.allocate(byteCount: count * entryLength, alignment: 8)
                    defer { bytes.deallocate() }
                    _ = try storeCall { try file.readFully(bytes, count: count * entryLength, at: headerLength) }
                    entries.reserveCapacity(count)
                    for i in 0..<count { entries.append(Wire.u64(bytes, i * entryLength)) }
                }
            }
            let index = OUCHAnswerIndex(path: path, synchronous: synchronous, file: file, count: entries.count)
            return (index, Contents(baseline: baseline, entries: entries, existed: size >= UInt64(headerLength)))
        } catch {
            file.closeIgnoringErrors()
            throw error
        }
    }

    private init(path: String, synchronous: Bool, file: FileDescriptor, count: Int) {
        self.path = path
        self.synchronous = synchronous
        self.file = file
        self.durableCount = count
        pendingCapacity = 4096
        pending = UnsafeMutablePointer<UInt64>.allocate(capacity: 4096)
    }

    deinit {
        close()
        pending.deallocate()
    }

    func close() {
        if isOpen {
            file.closeIgnoringErrors()
            isOpen = false
        }
    }

    /// Cuts the file to `count` entries (after a crash: entries of packets that never
    /// made it into the stream).
    func truncate(to count: Int) throws(OUCHStoreError) {
        precondition(pendingCount == 0 && count <= durableCount)
        try storeCall { try file.truncate(to: Self.headerLength + count * Self.entryLength) }
        if synchronous { try storeCall { try file.syncData() } }
        durableCount = count
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
        try storeCall {
            try file.writeAll(pending, count: pendingCount * Self.entryLength, at: Self.headerLength + durableCount * Self.entryLength)
        }
        durableCount += pendingCount
        pendingCount = 0
    }

    func sync() throws(OUCHStoreError) {
        try storeCall { try file.syncData() }
    }

    /// Writes the baseline into the header.
    func writeBaseline(_ baseline: UInt64) throws(OUCHStoreError) {
        var big = baseline.bigEndian
        try withUnsafeBytes(of: &big) { (bytes) throws(OUCHStoreError) in
            try storeCall { try file.writeAll(bytes.baseAddress!, count: 8, at: Int(8)) }
        }
        if synchronous { try storeCall { try file.syncData() } }
    }
}
