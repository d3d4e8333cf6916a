import POSIX
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What recovery does about corruption in the middle of the journal.
public struct JournalRecoveryOptions: Equatable, Sendable {
    public enum MiddleCorruption: Equatable, Sendable {
        /// Throw `JournalError.corruption` and change nothing on disk.
        case fail
        /// Keep the journal up to the damage and move the rest aside: the
        /// damaged file's original bytes are copied into a new
        /// `quarantine-<UTC time>` directory inside the journal directory and
        /// the file is truncated at the damage (a damaged header moves the
        /// whole file); every later journal file is moved there unchanged.
        /// Nothing is deleted.
        case quarantine
    }

    public var middleCorruption: MiddleCorruption

    public init(middleCorruption: MiddleCorruption = .fail) {
        self.middleCorruption = middleCorruption
    }
}

/// One journal file as recovery left it.
public struct JournalFileSummary: Equatable, Sendable {
    public var name: String
    public var index: UInt32
    /// From the header.
    public var firstSequence: UInt64
    /// Nil when the file holds no records.
    public var lastSequence: UInt64?
    public var recordCount: Int
    public var payloadBytes: Int
    /// The file's length after recovery, header included.
    public var length: Int
}

/// What recovery cut off.
public struct JournalTruncation: Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// A torn or corrupt tail of the last file, removed as a crash leaves it.
        case tornTail
        /// Corruption in the middle, cut off because the options asked for
        /// `.quarantine`.
        case middleCorruption(JournalCorruption.Placement)
    }

    public var kind: Kind
    /// The file where the damage starts.
    public var path: String
    /// Its byte offset there; the file now ends here (0: the file was removed or moved).
    public var offset: Int
    public var problem: JournalProblem
    /// Bytes cut from that file (its length before minus after).
    public var discardedBytes: Int
    /// Whether those bytes were all zero (a region the file system
    /// allocated but the crash never filled).
    public var zeroFilled: Bool
    /// The whole file went: it held no intact header (torn tail, removed) or a
    /// damaged one (middle, moved to quarantine).
    public var fileRemoved: Bool
    /// With `.quarantine`: the directory now holding the original bytes.
    public var quarantineDirectory: String?
    /// With `.quarantine`: names of the files moved or copied there.
    public var quarantinedFiles: [String]

    public var description: String {
        var text: String
        switch kind {
        case .tornTail:
            text = "torn tail in \(path) at byte offset \(offset): \(problem); "
        case .middleCorruption(let placement):
            text = "corruption in \(path) at byte offset \(offset): \(problem) (\(placement)); "
        }
        text += fileRemoved ? "file removed" : "truncated"
        text += " (\(discardedBytes) bytes\(zeroFilled && discardedBytes > 0 ? ", all zero" : ""))"
        if let quarantineDirectory {
            text += "; moved aside to \(quarantineDirectory): " + quarantinedFiles.joined(separator: ", ")
        }
        return text
    }
}

/// The journal after recovery.
public struct JournalRecoveryReport: Equatable, Sendable, CustomStringConvertible {
    public var directory: String
    /// Files that remain, in order.
    public var files: [JournalFileSummary] = []
    public var firstSequence: UInt64?
    public var lastSequence: UInt64?
    public var recordCount = 0
    public var payloadBytes = 0
    /// Bytes in the remaining files, headers included.
    public var fileBytes = 0
    /// The sequence the writer continues with: one after the last record, or
    /// the last file's header first sequence when no file holds a record;
    /// nil when the journal has no files.
    public var nextSequence: UInt64?
    /// Nil when nothing was cut.
    public var truncation: JournalTruncation?
    /// The sequence recovery resumed after (a snapshot's last record): the files before
    /// its file were not read, and the counts above are of what was.
    public var resumedAfter: UInt64?

    public var description: String {
        var text = "journal \(directory): \(files.count) file(s), \(recordCount) record(s)"
        if let firstSequence, let lastSequence {
            text += ", sequences \(firstSequence)...\(lastSequence)"
        }
        text += ", \(fileBytes) bytes"
        if let nextSequence { text += ", next sequence \(nextSequence)" }
        if let resumedAfter { text += " (resumed after sequence \(resumedAfter))" }
        if let truncation { text += "; " + truncation.description }
        return text
    }
}

/// Reads the journal back at start-up.
public enum JournalRecovery {
    /// Reads every journal file of `directory` in index order, checks each
    /// header, record checksum and the sequence continuity within and across
    /// files, and calls `onRecord` with each intact record's sequence and
    /// payload (valid only during the call), in sequence order.
    ///
    /// Torn tail — damage that a crash during a write leaves: in the last
    /// file, a header shorter than 64 bytes or all zero, or a record that is
    /// short, has a length of 0 or above the limit, a wrong checksum or
    /// non-zero padding, when no intact record with a plausible sequence
    /// follows it in that file (`JournalRecordCodec.nextIntactRecord`). It is
    /// cut off: the file is truncated at the record's offset (removed when its
    /// header is torn) and synced, and the report says where and how much.
    ///
    /// Middle corruption — anything else: such damage in a file that is not
    /// the last, or followed by an intact record; a bad magic, version,
    /// header length or header checksum; a file index that does not match its
    /// name or skips one; an intact record or file header whose sequence does
    /// not follow the previous one. With `.fail` (the default) recovery throws
    /// `JournalError.corruption` naming file, offset and problem, and changes
    /// nothing; with `.quarantine` it cuts there (see
    /// `JournalRecoveryOptions`).
    ///
    /// Records before the damage have been passed to `onRecord` when the
    /// error is thrown; a caller that stops on the error discards them.
    /// A missing directory is an empty journal. Takes the directory's lock
    /// (`directoryLocked` while a writer has it). Errors thrown by `onRecord`
    /// stop recovery and are rethrown unchanged.
    ///
    /// `resumingAfter` (a snapshot's last record) starts there instead: files before its
    /// file are not read at all, records up to it are not passed to `onRecord`, and the
    /// record itself must be there, intact, with that sequence and checksum
    /// (`JournalError.resumePointMissing` otherwise, before any record is passed on).
    public static func recover(
        directory: String,
        options: JournalRecoveryOptions = JournalRecoveryOptions(),
        resumingAfter resume: JournalPosition? = nil,
        onRecord: (_ sequence: UInt64, _ payload: UnsafeRawBufferPointer) throws -> Void
    ) throws -> JournalRecoveryReport {
        var report = JournalRecoveryReport(directory: directory)
        report.resumedAfter = resume?.sequence
        if let resume, let problem = mismatch(of: resume, directory: directory) {
            throw JournalError.resumePointMissing(problem)
        }
        guard try FileSystem.exists(directory) else { return report }
        let lock = try JournalDirectory.lock(directory)
        defer { try? lock.close() }

        let files = try JournalDirectory.journalFiles(directory)
        let loader = JournalFileLoader()
        var expected: UInt64?
        fileLoop: for (position, entry) in files.enumerated() {
            let isLast = position == files.count - 1
            let later = Array(files[(position + 1)...])

            if position > 0, entry.index != files[position - 1].index + 1 {
                let corruption = JournalCorruption(
                    path: entry.path, offset: 0,
                    problem: .fileIndexGap(expected: files[position - 1].index + 1, found: entry.index),
                    placement: .notATornWrite)
                report.truncation = try cutMiddle(
                    corruption, options: options, directory: directory,
                    damaged: entry, image: nil, later: later, wholeFile: true)
                break fileLoop
            }

            // Everything before the resume point's file is covered by the snapshot.
            if let resume, entry.index < resume.fileIndex { continue fileLoop }
            let image = try loader.load(entry.path)
            let header: JournalFileHeader
            switch JournalFileHeader.decode(image) {
            case .failure(let problem):
                let following = JournalRecordCodec.nextIntactRecord(
                    in: image, after: JournalFormat.headerLength - JournalFormat.recordAlignment,
                    expectedSequence: expected)
                if isLast, problem.canBeTornWrite, following == nil {
                    try FileSystem.remove(entry.path)
                    try FileSystem.sync(directory)
                    report.truncation = JournalTruncation(
                        kind: .tornTail, path: entry.path, offset: 0, problem: problem,
                        discardedBytes: image.count, zeroFilled: image.allSatisfy { $0 == 0 },
                        fileRemoved: true, quarantineDirectory: nil, quarantinedFiles: [])
                    break fileLoop
                }
                let corruption = JournalCorruption(
                    path: entry.path, offset: 0, problem: problem,
                    placement: placement(problem, isLast: isLast, following: following))
                report.truncation = try cutMiddle(
                    corruption, options: options, directory: directory,
                    damaged: entry, image: image, later: later, wholeFile: true)
                break fileLoop
            case .success(let decoded):
                header = decoded
            }

            var headerProblem: JournalProblem?
            if header.fileIndex != entry.index {
                headerProblem = .fileIndexMismatch(named: entry.index, inHeader: header.fileIndex)
            } else if let expected, header.firstSequence != expected {
                headerProblem = .firstSequenceMismatch(expected: expected, inHeader: header.firstSequence)
            }
            if let headerProblem {
                let corruption = JournalCorruption(
                    path: entry.path, offset: 0, problem: headerProblem, placement: .notATornWrite)
                report.truncation = try cutMiddle(
                    corruption, options: options, directory: directory,
                    damaged: entry, image: image, later: later, wholeFile: true)
                break fileLoop
            }

            var summary = JournalFileSummary(
                name: entry.name, index: entry.index, firstSequence: header.firstSequence,
                lastSequence: nil, recordCount: 0, payloadBytes: 0, length: image.count)
            var next = header.firstSequence
            var offset = JournalFormat.headerLength
            if let resume, entry.index == resume.fileIndex {
                // Checked above; the file may only have changed under a writer's lock.
                guard case .intact(let record) = JournalRecordCodec.decode(in: image, at: resume.offset),
                      record.sequence == resume.sequence
                else { throw JournalError.resumePointMissing("\(entry.path) changed while it was read") }
                next = resume.sequence + 1
                offset = resume.offset + record.size
                summary.lastSequence = resume.sequence
            }
            var damage: (offset: Int, problem: JournalProblem)?
            recordLoop: while offset < image.count {
                switch JournalRecordCodec.decode(in: image, at: offset) {
                case .damaged(let problem):
                    damage = (offset, problem)
                    break recordLoop
                case .intact(let record):
                    guard record.sequence == next else {
                        damage = (offset, .sequenceGap(expected: next, found: record.sequence))
                        break recordLoop
                    }
                    try onRecord(record.sequence, record.payload)
                    summary.lastSequence = record.sequence
                    summary.recordCount += 1
                    summary.payloadBytes += record.payload.count
                    next += 1
                    offset += record.size
                }
            }
            expected = next

            guard let damage else {
                report.files.append(summary)
                continue fileLoop
            }
            summary.length = damage.offset
            let following = JournalRecordCodec.nextIntactRecord(
                in: image, after: damage.offset, expectedSequence: next)
            if isLast, damage.problem.canBeTornWrite, following == nil {
                try truncate(entry.path, to: damage.offset)
                let discarded = UnsafeRawBufferPointer(rebasing: image[damage.offset...])
                report.truncation = JournalTruncation(
                    kind: .tornTail, path: entry.path, offset: damage.offset, problem: damage.problem,
                    discardedBytes: discarded.count, zeroFilled: discarded.allSatisfy { $0 == 0 },
                    fileRemoved: false, quarantineDirectory: nil, quarantinedFiles: [])
            } else {
                let corruption = JournalCorruption(
                    path: entry.path, offset: damage.offset, problem: damage.problem,
                    placement: placement(damage.problem, isLast: isLast, following: following))
                report.truncation = try cutMiddle(
                    corruption, options: options, directory: directory,
                    damaged: entry, image: image, later: later, wholeFile: false)
            }
            report.files.append(summary)
            break fileLoop
        }

        for file in report.files {
            report.firstSequence = report.firstSequence ?? (file.recordCount > 0 ? file.firstSequence : nil)
            report.lastSequence = file.lastSequence ?? report.lastSequence
            report.recordCount += file.recordCount
            report.payloadBytes += file.payloadBytes
            report.fileBytes += file.length
        }
        if let last = report.files.last {
            report.nextSequence = last.lastSequence.map { $0 + 1 } ?? last.firstSequence
        }
        return report
    }

    /// Checks the journal without a per-record closure.
    public static func recover(
        directory: String,
        options: JournalRecoveryOptions = JournalRecoveryOptions()
    ) throws -> JournalRecoveryReport {
        try recover(directory: directory, options: options) { _, _ in }
    }

    private static func placement(
        _ problem: JournalProblem, isLast: Bool, following: Int?
    ) -> JournalCorruption.Placement {
        if !problem.canBeTornWrite { return .notATornWrite }
        if let following { return .intactRecordFollows(offset: following) }
        precondition(!isLast, "damage at the end of the last file is a torn tail")
        return .notLastFile
    }

    /// Truncates a file and syncs it (recovery always syncs, whatever the
    /// writer's durability: it runs once, at start-up).
    private static func truncate(_ path: String, to length: Int) throws {
        let file = try FileDescriptor.open(path, flags: O_WRONLY)
        defer { try? file.close() }
        try file.truncate(to: length)
        try file.sync()
    }

    /// Throws for `.fail`; for `.quarantine` moves everything from the
    /// damage on aside and describes what it did.
    private static func cutMiddle(
        _ corruption: JournalCorruption,
        options: JournalRecoveryOptions,
        directory: String,
        damaged: JournalFileEntry,
        image: UnsafeRawBufferPointer?,
        later: [JournalFileEntry],
        wholeFile: Bool
    ) throws -> JournalTruncation {
        guard options.middleCorruption == .quarantine else {
            throw JournalError.corruption(corruption)
        }
        let quarantine = try JournalDirectory.createQuarantine(
            in: directory, nanoseconds: JournalClock.nowNanoseconds())
        var moved: [String] = []
        var discarded = 0
        var zeroFilled = true
        if wholeFile {
            discarded = try image?.count ?? FileDescriptor.open(damaged.path, flags: O_RDONLY).sizeAndClose()
            zeroFilled = image?.allSatisfy { $0 == 0 } ?? false
            try FileSystem.move(damaged.path, to: FileSystem.join(quarantine, damaged.name))
        } else if let image {
            let copy = try FileDescriptor.open(
                FileSystem.join(quarantine, damaged.name), flags: O_WRONLY | O_CREAT | O_EXCL)
            do {
                try copy.writeAll(image, at: 0)
                try copy.syncData()
            } catch {
                try? copy.close()
                throw error
            }
            try copy.close()
            let cut = UnsafeRawBufferPointer(rebasing: image[corruption.offset...])
            discarded = cut.count
            zeroFilled = cut.allSatisfy { $0 == 0 }
            try truncate(damaged.path, to: corruption.offset)
        }
        moved.append(damaged.name)
        for entry in later {
            try FileSystem.move(entry.path, to: FileSystem.join(quarantine, entry.name))
            moved.append(entry.name)
        }
        try FileSystem.sync(quarantine)
        try FileSystem.sync(directory)
        return JournalTruncation(
            kind: .middleCorruption(corruption.placement), path: corruption.path, offset: corruption.offset,
            problem: corruption.problem, discardedBytes: discarded, zeroFilled: zeroFilled,
            fileRemoved: wholeFile, quarantineDirectory: quarantine, quarantinedFiles: moved)
    }
}

extension FileDescriptor {
    /// The size, then close (for files recovery moves without reading).
    fileprivate func sizeAndClose() throws -> Int {
        defer { try? close() }
        return try size()
    }
}
