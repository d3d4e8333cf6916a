#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import POSIX

/// One append-only file of numbered records after a header (after nassau's
/// `MoldUDP64MessageStore`: one small store, many payloads). The owner gives the layout
/// (``SequencedStoreLayout``: the header, where a record ends) and the records' bytes;
/// the store does the rest, one way for every store of the gateway:
///
/// - **Open**: creates the file with a new header, or checks the existing header, reads
///   the records back (handing each to the owner), and cuts off a torn tail (a record a
///   crash left half-written), syncing the cut when synchronous.
/// - **Write behind**: ``append(length:_:)`` copies a record into a buffer the store owns
///   (no system call, no allocation); ``flush()`` writes every record appended since
///   the last flush with one `pwrite`, then `fdatasync` when synchronous. A record
///   larger than the buffer goes to the file at once.
/// - **Read back** by record number, header fields rewritten in place, records dropped
///   from the end.
///
/// The file is locked (`flock`) while open when the owner asks: two processes never
/// append to one store. Used from one thread.
public final class SequencedFileStore {
    public let path: String
    public let layout: SequencedStoreLayout
    /// `fdatasync` after every write.
    public let synchronous: Bool
    /// Bytes of a torn tail cut off when the store was opened.
    public let truncatedBytes: Int
    /// True when the open wrote a new header (no file, or one torn before its header
    /// was whole).
    public let created: Bool

    private let file: FileDescriptor
    private var isOpen = true
    /// `offsets[i]`: the file offset of record `i` (0-based), durable or pending.
    private var offsets: [Int] = []
    /// The file's length once every pending record is written.
    private var end: Int
    /// Records appended since the last flush, back to back as they go to the file at
    /// `pendingStart`.
    private let pending: UnsafeMutableRawBufferPointer
    private var pendingCount = 0
    private var pendingStart = 0
    /// Records in the file (the rest are pending).
    public private(set) var durableCount = 0

    /// Opens (or creates) the store at `path`. `recovered` is handed each whole record of
    /// an existing file, in order, with its 0-based number, and answers whether to keep
    /// it: false ends the records there, and the rest of the file is cut off like a torn
    /// tail (a record that does not decode, or one past what the owner knows was sent).
    /// `header` is handed the header it checked (or wrote). The records are read in
    /// chunks of `recoveryChunkBytes` (a chunk grows to hold a larger record), so opening
    /// a day's store costs a chunk of memory, not the file's size. Throws
    /// ``SequencedStoreError``.
    public init(
        path: String, layout: SequencedStoreLayout, synchronous: Bool = false, lock: Bool = false,
        bufferCapacity: Int = 256 * 1024, reserveRecords: Int = 1 << 20, recoveryChunkBytes: Int = 1 << 20,
        header: (UnsafeRawBufferPointer) throws(SequencedStoreError) -> Void = { _ in },
        recovered: (UnsafeRawBufferPointer, Int) throws(SequencedStoreError) -> Bool = { _, _ in true }
    ) throws(SequencedStoreError) {
        self.path = path
        self.layout = layout
        self.synchronous = synchronous
        let file = try SystemCall.reporting(as: SequencedStoreError.self) {
            try FileDescriptor.open(path, flags: O_RDWR | O_CREAT)
        }
        self.file = file
        pending = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferCapacity, alignment: 16)
        // Until every stored property is set, a failure must release what is held itself.
        var truncated = 0
        var created = false
        var end = layout.headerLength
        var offsets: [Int] = []
        do throws(SequencedStoreError) {
            if lock {
                guard try SystemCall.reporting(as: SequencedStoreError.self, { try file.tryLockExclusive() }) else {
                    throw .locked(path: path)
                }
            }
            let size = try SystemCall.reporting(as: SequencedStoreError.self) { try file.size() }
            let head = UnsafeMutableRawBufferPointer.allocate(byteCount: layout.headerLength, alignment: 16)
            defer { head.deallocate() }
            let headRead = try SystemCall.reporting(as: SequencedStoreError.self) {
                try file.readFully(into: UnsafeMutableRawBufferPointer(rebasing: head[0..<min(size, layout.headerLength)]), at: 0)
            }
            if headRead > 0 {
                try layout.checkHeader(UnsafeRawBufferPointer(rebasing: head[0..<headRead]), path)
            }
            if headRead < layout.headerLength {
                // New, or torn before its header was whole: start afresh.
                truncated = size
                created = true
                head.initializeMemory(as: UInt8.self, repeating: 0)
                layout.newHeader(head)
                try SystemCall.reporting(as: SequencedStoreError.self) {
                    try file.truncate(to: 0)
                    try file.writeAll(UnsafeRawBufferPointer(head), at: 0)
                    if synchronous { try file.syncData() }
                }
                try header(UnsafeRawBufferPointer(head))
            } else {
                try header(UnsafeRawBufferPointer(head))
                end = try Self.recover(
                    file, size: size, layout: layout, chunkBytes: recoveryChunkBytes, offsets: &offsets, recovered)
                truncated = size - end
                if truncated > 0 {
                    try SystemCall.reporting(as: SequencedStoreError.self) {
                        try file.truncate(to: end)
                        if synchronous { try file.syncData() }
                    }
                }
            }
        } catch {
            file.closeIgnoringErrors()
            pending.deallocate()
            throw error
        }
        truncatedBytes = truncated
        self.created = created
        self.end = end
        self.offsets = offsets
        // Address space for a day's records, committed by the kernel only as it is written:
        // appending never stops the owner's thread to copy the table.
        self.offsets.reserveCapacity(max(offsets.count * 2, reserveRecords))
        durableCount = offsets.count
    }

    deinit {
        close()
        pending.deallocate()
    }

    /// Reads the records after the header in chunks, hands each to `recovered` and notes
    /// its offset; returns where the last whole, accepted record ends (the rest is torn).
    private static func recover(
        _ file: FileDescriptor, size: Int, layout: SequencedStoreLayout, chunkBytes: Int, offsets: inout [Int],
        _ recovered: (UnsafeRawBufferPointer, Int) throws(SequencedStoreError) -> Bool
    ) throws(SequencedStoreError) -> Int {
        var capacity = max(chunkBytes, 16)
        var chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { chunk.deallocate() }
        var chunkStart = layout.headerLength  // the file offset of chunk[0]
        var count = 0                         // bytes in the chunk
        var position = 0                      // where the next record starts in the chunk
        while true {
            let rest = UnsafeRawBufferPointer(rebasing: chunk[position..<count])
            if let length = layout.recordLength(rest, offsets.count), length > 0, length <= rest.count {
                guard try recovered(UnsafeRawBufferPointer(rebasing: rest.prefix(length)), offsets.count) else { break }
                offsets.append(chunkStart + position)
                position += length
                continue
            }
            // The chunk ends inside a record (or the bytes are not one): read on, unless
            // the file ends here, in which case the rest is a torn tail.
            let loadedEnd = chunkStart + count
            guard loadedEnd < size else { break }
            let remaining = count - position
            if remaining == capacity {
                // One record larger than the chunk: a chunk twice the size.
                capacity *= 2
                let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
                larger.copyMemory(from: UnsafeRawBufferPointer(chunk))
                chunk.deallocate()
                chunk = larger
            } else if position > 0 {
                chunk.baseAddress!.copyMemory(from: chunk.baseAddress! + position, byteCount: remaining)
            }
            chunkStart += position
            position = 0
            let want = min(capacity - remaining, size - loadedEnd)
            let target = chunk
            let read = try SystemCall.reporting(as: SequencedStoreError.self) {
                try file.readFully(into: UnsafeMutableRawBufferPointer(rebasing: target[remaining..<(remaining + want)]), at: loadedEnd)
            }
            count = remaining + read
            if read == 0 { break }  // the file shrank meanwhile
        }
        return chunkStart + position
    }

    /// Closes the file (and releases its lock). Pending records are lost: call
    /// ``flush()`` first. Safe to call twice.
    public func close() {
        guard isOpen else { return }
        file.closeIgnoringErrors()
        isOpen = false
    }

    // MARK: Records

    /// Records appended, written or not.
    public var count: Int { offsets.count }
    /// True when records were appended since the last flush.
    public var hasPendingRecords: Bool { pendingCount > 0 }

    /// Appends a record of `length` bytes, which `write` fills in place, and returns its
    /// 0-based number. In memory until ``flush()``; a record larger than the buffer is
    /// written at once (after what is pending).
    @discardableResult
    public func append(length: Int, _ write: (UnsafeMutableRawBufferPointer) -> Void) throws(SequencedStoreError) -> Int {
        if pendingCount + length > pending.count { try flush() }
        if length > pending.count {
            let record = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 16)
            defer { record.deallocate() }
            write(record)
            try writeNow(UnsafeRawBufferPointer(record), UnsafeRawBufferPointer(start: nil, count: 0), at: end)
            durableCount += 1
        } else {
            if pendingCount == 0 { pendingStart = end }
            write(UnsafeMutableRawBufferPointer(rebasing: pending[pendingCount..<(pendingCount + length)]))
            pendingCount += length
        }
        offsets.append(end)
        end += length
        return offsets.count - 1
    }

    /// Appends a record made of `head` then `body` (a record header and a message), the
    /// same way. Returns its number.
    @discardableResult
    public func append(_ head: UnsafeRawBufferPointer, _ body: UnsafeRawBufferPointer) throws(SequencedStoreError) -> Int {
        let length = head.count + body.count
        if pendingCount + length > pending.count { try flush() }
        if length > pending.count {
            // Too large for the buffer (a huge message): header and body in one pwritev.
            try writeNow(head, body, at: end)
            offsets.append(end)
            end += length
            durableCount += 1
            return offsets.count - 1
        }
        return try append(length: length) { record in
            if let base = head.baseAddress { record.baseAddress!.copyMemory(from: base, byteCount: head.count) }
            if let base = body.baseAddress { (record.baseAddress! + head.count).copyMemory(from: base, byteCount: body.count) }
        }
    }

    /// Writes records the owner keeps in memory of its own (a feed that serves them from
    /// there): `bytes` are whole records back to back, written after any pending ones in
    /// one `pwrite` (then `fdatasync` when synchronous), without a copy into the store's
    /// buffer. Returns how many records they were.
    @discardableResult
    public func write(records bytes: UnsafeRawBufferPointer) throws(SequencedStoreError) -> Int {
        guard !bytes.isEmpty else { return 0 }
        try flush()
        try writeNow(bytes, UnsafeRawBufferPointer(start: nil, count: 0), at: end)
        // One walk, after the write: the records' offsets (the owner hands whole records;
        // anything else is its bug, found here).
        let first = offsets.count
        if let fixed = layout.fixedRecordLength {
            precondition(bytes.count % fixed == 0, "\(path): the bytes handed to write(records:) are not whole records")
            for at in stride(from: 0, to: bytes.count, by: fixed) { offsets.append(end + at) }
        } else {
            var at = 0
            while at < bytes.count {
                let rest = UnsafeRawBufferPointer(rebasing: bytes[at...])
                guard let length = layout.recordLength(rest, offsets.count), length > 0, length <= rest.count else {
                    preconditionFailure("\(path): the bytes handed to write(records:) are not whole records")
                }
                offsets.append(end + at)
                at += length
            }
        }
        end += bytes.count
        durableCount = offsets.count
        return offsets.count - first
    }


    /// Writes every record appended since the last flush (one `pwrite`, then `fdatasync`
    /// when synchronous). Nothing pending: no system call. After an error the records
    /// stay pending, and the owner treats the store as failed.
    public func flush() throws(SequencedStoreError) {
        guard pendingCount > 0 else { return }
        try writeNow(UnsafeRawBufferPointer(rebasing: pending[0..<pendingCount]), UnsafeRawBufferPointer(start: nil, count: 0), at: pendingStart)
        pendingCount = 0
        durableCount = offsets.count
    }

    /// The file's length once what is pending is written: where the next record goes.
    public var endOffset: Int { end }

    /// `fdatasync`, for an owner that orders its syncs itself (a store opened with
    /// `synchronous: false` whose owner must sync a companion file first).
    public func syncData() throws(SequencedStoreError) {
        try SystemCall.reporting(as: SequencedStoreError.self) { try file.syncData() }
    }

    /// The file offset of record `index` (0-based).
    public func offset(ofRecord index: Int) -> Int { offsets[index] }

    /// The length of record `index`.
    public func length(ofRecord index: Int) -> Int {
        (index + 1 < offsets.count ? offsets[index + 1] : end) - offsets[index]
    }

    /// Reads record `index` (whole, its own header included) into `buffer`, which must
    /// be at least ``length(ofRecord:)`` bytes; flushes first when it is still pending.
    /// Returns the record's length.
    public func read(record index: Int, into buffer: UnsafeMutableRawBufferPointer) throws(SequencedStoreError) -> Int {
        precondition(index >= 0 && index < offsets.count, "no record \(index) in a store of \(offsets.count)")
        if index >= durableCount { try flush() }
        let length = length(ofRecord: index)
        try SystemCall.reporting(as: SequencedStoreError.self) {
            try file.readExactly(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length]), at: offsets[index])
        }
        return length
    }

    /// Reads `count` bytes at file offset `offset` (records already written) into `buffer`.
    public func read(bytesAt offset: Int, count: Int, into buffer: UnsafeMutableRawPointer) throws(SequencedStoreError) {
        try SystemCall.reporting(as: SequencedStoreError.self) {
            try file.readExactly(into: UnsafeMutableRawBufferPointer(start: buffer, count: count), at: offset)
        }
    }

    /// Drops every record from `index` on, pending or written; writes nothing else.
    public func truncate(fromRecord index: Int) throws(SequencedStoreError) {
        guard index < offsets.count else { return }
        let cut = offsets[index]
        offsets.removeSubrange(index...)
        if cut < end - pendingCount {
            // Some of what goes is in the file: the pending records (all after it) go too.
            pendingCount = 0
            try SystemCall.reporting(as: SequencedStoreError.self) {
                try file.truncate(to: cut)
                if synchronous { try file.syncData() }
            }
            durableCount = offsets.count
        } else {
            pendingCount = cut - pendingStart
        }
        end = cut
    }

    /// Drops every record and writes a new header (`write` fills it).
    public func reset(header write: (UnsafeMutableRawBufferPointer) -> Void) throws(SequencedStoreError) {
        pendingCount = 0
        offsets.removeAll(keepingCapacity: true)
        durableCount = 0
        end = layout.headerLength
        let fresh = UnsafeMutableRawBufferPointer.allocate(byteCount: layout.headerLength, alignment: 16)
        defer { fresh.deallocate() }
        fresh.initializeMemory(as: UInt8.self, repeating: 0)
        write(fresh)
        try SystemCall.reporting(as: SequencedStoreError.self) {
            try file.truncate(to: layout.headerLength)
            try file.writeAll(UnsafeRawBufferPointer(fresh), at: 0)
            if synchronous { try file.syncData() }
        }
    }

    // MARK: Header

    /// Rewrites `bytes` of the header at `offset`, then `fdatasync` when synchronous.
    public func writeHeader(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(SequencedStoreError) {
        precondition(offset + bytes.count <= layout.headerLength, "a header field past the header")
        try writeNow(bytes, UnsafeRawBufferPointer(start: nil, count: 0), at: offset)
    }

    private func writeNow(
        _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, at offset: Int
    ) throws(SequencedStoreError) {
        try SystemCall.reporting(as: SequencedStoreError.self) {
            try file.writeAll(first, second, at: offset)
            if synchronous { try file.syncData() }
        }
    }
}
