import POSIX
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Follows a journal that a writer is appending to, from a given record on: the
/// snapshotting thread reads every command the engine has made durable, in order,
/// without a lock and without disturbing the writer (only `pread` on its files).
///
/// It reads only what the caller says is durable (`through`), so it never meets a record
/// the writer is still writing; a record it needs that is missing or damaged is an error
/// (the writer's file was changed behind it). When a file ends before the next sequence,
/// the writer has rolled: the next file's header must continue the sequence.
public final class JournalTailReader {
    public let directory: String
    /// The last record read (nil: none yet, reading starts at the first file's first record).
    public private(set) var position: JournalPosition?
    /// The sequence of the next record to read.
    public private(set) var nextSequence: UInt64

    private var file: FileDescriptor?
    private var fileIndex: UInt32
    /// The file offset of `buffer[0]`.
    private var bufferOffset = 0
    private var buffer: UnsafeMutableRawBufferPointer
    private var filled = 0
    private var cursor = 0

    /// Starts after `position` (a snapshot's last record), or at the beginning of the
    /// journal when nil.
    public init(directory: String, after position: JournalPosition?) throws {
        self.directory = directory
        self.position = position
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        if let position {
            fileIndex = position.fileIndex
            nextSequence = position.sequence + 1
            // The cursor starts on the snapshot's record, which is skipped below.
            bufferOffset = position.offset
        } else {
            let files = try JournalDirectory.journalFiles(directory)
            fileIndex = files.first?.index ?? 1
            nextSequence = 0  // taken from the first file's header when it is opened
            bufferOffset = JournalFormat.headerLength
        }
        skipResumeRecord = position != nil
    }

    deinit {
        try? file?.close()
        buffer.deallocate()
    }

    private var skipResumeRecord: Bool

    /// Calls `body` with every record from the next one up to sequence `last` (at most
    /// `limit` of them); returns how many. Payloads are valid only during the call.
    @discardableResult
    public func read(through last: UInt64, limit: Int = .max,
                     _ body: (_ sequence: UInt64, _ payload: UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        var count = 0
        while count < limit {
            if nextSequence != 0 && nextSequence > last && !skipResumeRecord { break }
            if file == nil {
                guard try openFile() else { break }
            }
            let available = UnsafeRawBufferPointer(rebasing: buffer[cursor..<filled])
            if available.count >= JournalFormat.recordHeaderLength {
                let length = available.loadLittleEndian(at: JournalFormat.RecordOffset.length, as: UInt32.self)
                guard length >= 1, length <= JournalFormat.maxPayloadLength else {
                    throw JournalError.corruption(JournalCorruption(
                        path: currentPath, offset: bufferOffset + cursor, problem: .badLength(length), placement: .notATornWrite))
                }
                let size = JournalFormat.recordSize(payloadLength: Int(length))
                if available.count >= size {
                    switch JournalRecordCodec.decode(in: available, at: 0) {
                    case .damaged(let problem):
                        throw JournalError.corruption(JournalCorruption(
                            path: currentPath, offset: bufferOffset + cursor, problem: problem, placement: .notATornWrite))
                    case .intact(let record):
                        let expected = skipResumeRecord ? position!.sequence : nextSequence
                        guard record.sequence == expected else {
                            throw JournalError.corruption(JournalCorruption(
                                path: currentPath, offset: bufferOffset + cursor,
                                problem: .sequenceGap(expected: expected, found: record.sequence), placement: .notATornWrite))
                        }
                        let checksum = available.loadLittleEndian(at: JournalFormat.RecordOffset.checksum, as: UInt32.self)
                        let here = JournalPosition(fileIndex: fileIndex, offset: bufferOffset + cursor, sequence: record.sequence, checksum: checksum)
                        if skipResumeRecord {
                            skipResumeRecord = false
                        } else {
                            try body(record.sequence, record.payload)
                            count += 1
                            nextSequence = record.sequence + 1
                        }
                        position = here
                        cursor += size
                        continue
                    }
                }
            }
            // Not a whole record in the buffer: read more of the file, or go to the next
            // once the writer has rolled to it (until then the file may still grow).
            if try !refill() {
                if skipResumeRecord {
                    throw JournalError.resumePointMissing("\(currentPath) ends before offset \(bufferOffset)")
                }
                let nextPath = FileSystem.join(directory, JournalFormat.fileName(index: fileIndex + 1))
                if nextSequence <= last, try FileSystem.exists(nextPath) {
                    guard cursor == filled else {
                        throw JournalError.resumePointMissing("\(currentPath) ends inside a record at offset \(bufferOffset + cursor)")
                    }
                    try? file?.close()
                    file = nil
                    fileIndex += 1
                    bufferOffset = JournalFormat.headerLength
                    filled = 0
                    cursor = 0
                } else {
                    break
                }
            }
        }
        // Bytes after the last record taken may have been read while the writer was
        // still writing them: they are read again next time, never trusted from here.
        filled = cursor
        return count
    }

    private var currentPath: String { FileSystem.join(directory, JournalFormat.fileName(index: fileIndex)) }

    /// Opens the current file and checks its header; false when it does not exist yet.
    private func openFile() throws -> Bool {
        guard try FileSystem.exists(currentPath) else {
            if nextSequence != 0 && !skipResumeRecord {
                throw JournalError.resumePointMissing("\(currentPath) should hold sequence \(nextSequence) but does not exist")
            }
            return false
        }
        let descriptor = try FileDescriptor.open(currentPath, flags: O_RDONLY)
        let header = UnsafeMutableRawBufferPointer.allocate(byteCount: JournalFormat.headerLength, alignment: 8)
        defer { header.deallocate() }
        guard try descriptor.readFully(into: header, at: 0) == header.count else {
            try? descriptor.close()
            throw JournalError.resumePointMissing("\(currentPath) has no complete header")
        }
        switch JournalFileHeader.decode(UnsafeRawBufferPointer(header)) {
        case .failure(let problem):
            try? descriptor.close()
            throw JournalError.corruption(JournalCorruption(path: currentPath, offset: 0, problem: problem, placement: .notATornWrite))
        case .success(let decoded):
            if nextSequence == 0 { nextSequence = decoded.firstSequence }
            if !skipResumeRecord && bufferOffset == JournalFormat.headerLength && decoded.firstSequence != nextSequence {
                try? descriptor.close()
                throw JournalError.corruption(JournalCorruption(
                    path: currentPath, offset: 0,
                    problem: .firstSequenceMismatch(expected: nextSequence, inHeader: decoded.firstSequence), placement: .notATornWrite))
            }
        }
        file = descriptor
        filled = 0
        cursor = 0
        return true
    }

    /// Moves the unread bytes to the front and reads more after them; false at the end
    /// of the file (nothing more could be read).
    private func refill() throws -> Bool {
        guard let file else { return false }
        if cursor > 0 {
            let unread = filled - cursor
            if unread > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + cursor, byteCount: unread) }
            bufferOffset += cursor
            filled = unread
            cursor = 0
        }
        if filled == buffer.count {
            // One record larger than the buffer (at most 1 MiB + 16 bytes): grow once.
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
            bigger.copyMemory(from: UnsafeRawBufferPointer(buffer))
            buffer.deallocate()
            buffer = bigger
        }
        let read = try file.readFully(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]), at: bufferOffset + filled)
        filled += read
        return read > 0
    }
}
