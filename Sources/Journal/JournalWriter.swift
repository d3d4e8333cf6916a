import POSIX
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Counters a `JournalWriter` keeps for tests, metrics and the operator.
public struct JournalWriterStatistics: Equatable, Sendable {
    /// Records accepted by `append`.
    public var recordsAppended: UInt64 = 0
    /// Flushes that wrote at least one record (explicit, automatic or before a roll).
    public var flushes: UInt64 = 0
    /// Of those, flushes `append` made because the buffer was full.
    public var automaticFlushes: UInt64 = 0
    /// pwrite calls made for records: one per flush unless the kernel wrote short.
    public var writeCalls: UInt64 = 0
    /// fdatasync calls made for records: one per flush in `.fsync`, none in `.write`.
    public var dataSyncs: UInt64 = 0
    /// Record bytes written, padding included, file headers excluded.
    public var bytesWritten: UInt64 = 0
    /// Journal files this writer created.
    public var filesCreated: UInt64 = 0

    public init() {}
}

/// Appends sequenced records to the journal directory.
///
/// Threading: owned by exactly one thread, the journal thread. It may be
/// created on another thread and handed over before its first use; after
/// that every call (`append`, `flush`, `close`, the properties) comes from the
/// journal thread. Nothing inside is synchronised; that contract is why it is
/// `@unchecked Sendable`.
///
/// Batching: `append` copies the record into a buffer preallocated at
/// `configuration.bufferCapacity` bytes (no allocation per record). `flush`
/// writes everything buffered with one `pwrite` at the end of the current
/// file — the batch — and in `.fsync` mode one `fdatasync` after it (group
/// commit). The caller releases acknowledgements for sequences up to
/// `flushedThroughSequence` after `flush` returns. When a record does not
/// fit in the buffer, `append` flushes first: records are never dropped and
/// the buffer never grows.
///
/// Crash safety: the writer only ever writes past the end of the file, so a
/// process killed mid-write leaves complete earlier records and at most one
/// torn batch at the tail, which `JournalRecovery` truncates.
///
/// Failure: after any failed write or sync the writer refuses every further
/// call with `JournalError.writerFailed`; whether the failed batch reached
/// the disk is unknown (a failed fsync cannot be retried safely), so the
/// gateway must stop and recover from the files.
public final class JournalWriter: @unchecked Sendable {
    public let configuration: JournalConfiguration

    /// The sequence the next `append` must carry.
    public private(set) var nextSequence: UInt64
    /// Every record up to and including this sequence is in the file (and on
    /// the device in `.fsync` mode). `nextSequence - 1` right after a flush.
    public private(set) var flushedThroughSequence: UInt64
    public private(set) var statistics = JournalWriterStatistics()

    /// Index of the file being appended to.
    public var currentFileIndex: UInt32 { fileIndex }
    /// Path of the file being appended to.
    public var currentFilePath: String { file.path }
    /// Bytes appended but not yet flushed.
    public var bufferedByteCount: Int { buffered }

    private enum State {
        case open
        case failed(String)
        case closed
    }

    private var state = State.open
    /// Held open for the writer's life: its flock keeps other writers and
    /// recoveries out; fsynced when a file is created in `.fsync` mode.
    private let directory: FileDescriptor
    private var file: FileDescriptor
    private var fileIndex: UInt32
    /// Bytes in the current file: everything up to here has been written.
    private var fileOffset: Int
    private let buffer: UnsafeMutableRawPointer
    private var buffered = 0

    /// Opens the journal in `configuration.directory` to append records from
    /// `nextSequence` on (sequences start at 1).
    ///
    /// With no journal files there, creates journal-000001.cjl whose first
    /// sequence is `nextSequence`. Otherwise continues at the end of the last
    /// file, after checking that its header and every record in it are
    /// intact (else `needsRecovery`: run `JournalRecovery` first) and that
    /// its last record is `nextSequence - 1` (else `resumeMismatch`). Takes
    /// the directory's lock (`directoryLocked` when another writer has it).
    public init(configuration: JournalConfiguration, nextSequence: UInt64) throws {
        try configuration.validate()
        guard nextSequence >= 1 else {
            throw JournalError.invalidConfiguration("next sequence must be at least 1")
        }
        let created = try FileSystem.createDirectories(configuration.directory)
        if configuration.durability == .fsync, let outermost = created.first {
            try FileSystem.sync(FileSystem.parent(of: outermost))
            for path in created.dropLast() { try FileSystem.sync(path) }
        }
        let directory = try JournalDirectory.lock(configuration.directory)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: configuration.bufferCapacity, alignment: 4096)
        // Touch every page now so the first appends take no page faults.
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: configuration.bufferCapacity)
        let opened: (file: FileDescriptor, index: UInt32, size: Int, created: Bool)
        do {
            opened = try Self.openLastFile(configuration: configuration, directory: directory, nextSequence: nextSequence)
        } catch {
            buffer.deallocate()
            try? directory.close()
            throw error
        }
        self.configuration = configuration
        self.directory = directory
        self.buffer = buffer
        self.file = opened.file
        self.fileIndex = opened.index
        self.fileOffset = opened.size
        self.nextSequence = nextSequence
        self.flushedThroughSequence = nextSequence - 1
        if opened.created { statistics.filesCreated = 1 }
    }

    deinit {
        if case .closed = state {} else {
            try? file.close()
            try? directory.close()
        }
        buffer.deallocate()
    }

    /// Copies one record into the buffer. `sequence` must be `nextSequence`;
    /// the payload must be 1...`configuration.maxPayloadLength` bytes. Rolls
    /// to a new file first when the record would take the current file past
    /// `maxFileSize`, and flushes first when the buffer cannot take it.
    /// No allocation; a system call only on those two occasions.
    public func append(sequence: UInt64, payload: UnsafeRawBufferPointer) throws {
        try checkOpen()
        guard sequence == nextSequence else {
            throw JournalError.sequenceOutOfOrder(expected: nextSequence, got: sequence)
        }
        let length = payload.count
        guard length > 0 else { throw JournalError.emptyPayload }
        guard length <= configuration.maxPayloadLength else {
            throw JournalError.payloadTooLarge(length: length, limit: configuration.maxPayloadLength)
        }
        let size = JournalFormat.recordSize(payloadLength: length)
        let fileEnd = fileOffset + buffered
        if fileEnd + size > configuration.maxFileSize, fileEnd > JournalFormat.headerLength {
            try roll(firstSequence: sequence)
        } else if buffered + size > configuration.bufferCapacity {
            statistics.automaticFlushes += 1
            try flush()
        }
        _ = JournalRecordCodec.encode(sequence: sequence, payload: payload, into: buffer + buffered)
        buffered += size
        nextSequence = sequence + 1
        statistics.recordsAppended += 1
    }

    /// Writes every buffered record with one `pwrite` (repeated only if the
    /// kernel writes short) and, in `.fsync` mode, one `fdatasync`. Returns
    /// `flushedThroughSequence`. Nothing buffered: returns at once.
    @discardableResult
    public func flush() throws -> UInt64 {
        try checkOpen()
        guard buffered > 0 else { return flushedThroughSequence }
        do {
            let calls = try file.writeAll(UnsafeRawBufferPointer(start: buffer, count: buffered), at: fileOffset)
            statistics.writeCalls += UInt64(calls)
            fileOffset += buffered
            statistics.bytesWritten += UInt64(buffered)
            buffered = 0
            if configuration.durability == .fsync {
                try file.syncData()
                statistics.dataSyncs += 1
            }
        } catch {
            state = .failed("\(error)")
            throw error
        }
        statistics.flushes += 1
        flushedThroughSequence = nextSequence - 1
        return flushedThroughSequence
    }

    /// Flushes, then closes the file and releases the directory lock. Later
    /// calls throw `writerClosed`. Closing a failed writer only releases
    /// its descriptors.
    public func close() throws {
        switch state {
        case .closed:
            return
        case .failed:
            state = .closed
            try? file.close()
            try? directory.close()
        case .open:
            var flushError: Error?
            do { try flush() } catch { flushError = error }
            state = .closed
            let closeResult = Result { try file.close() }
            try? directory.close()
            if let flushError { throw flushError }
            try closeResult.get()
        }
    }

    private func checkOpen() throws {
        switch state {
        case .open: return
        case .failed(let cause): throw JournalError.writerFailed(cause: cause)
        case .closed: throw JournalError.writerClosed
        }
    }

    /// Flushes (and in `.fsync` mode thereby syncs) the current file, closes
    /// it and creates the next one, whose header names `firstSequence`.
    private func roll(firstSequence: UInt64) throws {
        try flush()
        do {
            let next = try Self.createFile(
                index: fileIndex + 1, firstSequence: firstSequence,
                configuration: configuration, directory: directory)
            let previous = file
            file = next
            fileIndex += 1
            fileOffset = JournalFormat.headerLength
            statistics.filesCreated += 1
            try previous.close()
        } catch {
            state = .failed("\(error)")
            throw error
        }
    }

    /// Creates journal file `index` holding only its header. In `.fsync`
    /// mode the file and then the directory are synced, so the file exists
    /// with its header after a power loss.
    private static func createFile(
        index: UInt32, firstSequence: UInt64,
        configuration: JournalConfiguration, directory: FileDescriptor
    ) throws -> FileDescriptor {
        let path = FileSystem.join(configuration.directory, JournalFormat.fileName(index: index))
        let file = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_EXCL)
        do {
            let header = JournalFileHeader(
                fileIndex: index,
                firstSequence: firstSequence,
                createdAtNanoseconds: JournalClock.nowNanoseconds(),
                maxFileSize: UInt64(configuration.maxFileSize),
                writerProcessID: UInt32(truncatingIfNeeded: getpid()),
                durability: configuration.durability)
            try withUnsafeTemporaryAllocation(byteCount: JournalFormat.headerLength, alignment: 8) { bytes in
                header.encode(into: bytes)
                _ = try file.writeAll(UnsafeRawBufferPointer(bytes), at: 0)
            }
            if configuration.durability == .fsync {
                try file.syncData()
                try directory.sync()
            }
        } catch {
            try? file.close()
            throw error
        }
        return file
    }

    /// Opens the last journal file for appending after checking it, or
    /// creates the first one.
    private static func openLastFile(
        configuration: JournalConfiguration, directory: FileDescriptor, nextSequence: UInt64
    ) throws -> (file: FileDescriptor, index: UInt32, size: Int, created: Bool) {
        guard let last = try JournalDirectory.journalFiles(configuration.directory).last else {
            let file = try createFile(index: 1, firstSequence: nextSequence, configuration: configuration, directory: directory)
            return (file, 1, JournalFormat.headerLength, true)
        }
        let loader = JournalFileLoader()
        let image = try loader.load(last.path)
        let header: JournalFileHeader
        switch JournalFileHeader.decode(image) {
        case .failure(let problem):
            throw JournalError.needsRecovery(path: last.path, offset: 0, problem: problem)
        case .success(let decoded):
            header = decoded
        }
        guard header.fileIndex == last.index else {
            throw JournalError.needsRecovery(
                path: last.path, offset: 0,
                problem: .fileIndexMismatch(named: last.index, inHeader: header.fileIndex))
        }
        var expected = header.firstSequence
        var offset = JournalFormat.headerLength
        while offset < image.count {
            switch JournalRecordCodec.decode(in: image, at: offset) {
            case .damaged(let problem):
                throw JournalError.needsRecovery(path: last.path, offset: offset, problem: problem)
            case .intact(let record):
                guard record.sequence == expected else {
                    throw JournalError.needsRecovery(
                        path: last.path, offset: offset,
                        problem: .sequenceGap(expected: expected, found: record.sequence))
                }
                expected += 1
                offset += record.size
            }
        }
        guard expected == nextSequence else {
            throw JournalError.resumeMismatch(path: last.path, journalNextSequence: expected, requested: nextSequence)
        }
        // Appends go to offset image.count; the directory lock keeps other
        // writers (and recoveries) from changing the file meanwhile.
        let file = try FileDescriptor.open(last.path, flags: O_WRONLY)
        return (file, last.index, image.count, false)
    }
}
