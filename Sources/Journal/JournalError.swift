/// Corruption that recovery will not repair on its own: where it is, what is
/// wrong, and why it is not a torn tail.
public struct JournalCorruption: Equatable, Sendable, CustomStringConvertible {
    /// Why the damage counts as being in the middle of the journal.
    public enum Placement: Equatable, Sendable, CustomStringConvertible {
        /// The damaged file is not the last journal file.
        case notLastFile
        /// An intact record with a plausible sequence follows the damage.
        case intactRecordFollows(offset: Int)
        /// The problem is not one a torn write produces (wrong magic, index,
        /// version, sequence).
        case notATornWrite

        public var description: String {
            switch self {
            case .notLastFile:
                return "later journal files follow"
            case .intactRecordFollows(let offset):
                return "an intact record follows at offset \(offset)"
            case .notATornWrite:
                return "a torn write does not produce this"
            }
        }
    }

    /// Full path of the damaged file.
    public var path: String
    /// Byte offset in that file where the damage starts.
    public var offset: Int
    public var problem: JournalProblem
    public var placement: Placement

    public init(path: String, offset: Int, problem: JournalProblem, placement: Placement) {
        self.path = path
        self.offset = offset
        self.problem = problem
        self.placement = placement
    }

    public var description: String {
        "\(path) at byte offset \(offset): \(problem) (not a torn tail: \(placement))"
    }
}

/// Every error the journal throws, besides POSIX's ``SystemCallError`` for a system call
/// that failed (which names the call, errno and the file or directory).
public enum JournalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A configuration value is out of range.
    case invalidConfiguration(String)
    /// A durability string other than "write" or "fsync".
    case unknownDurability(String)
    /// Another process (or writer) holds the journal directory's lock.
    case directoryLocked(path: String)
    /// A file in the journal directory starts with "journal-" and ends with
    /// ".cjl" but is not a canonical journal file name.
    case unexpectedFileName(path: String)
    /// `append` was called with a sequence other than the next one.
    case sequenceOutOfOrder(expected: UInt64, got: UInt64)
    /// `append` was called with an empty payload.
    case emptyPayload
    /// `append` was called with a payload larger than the format or the
    /// writer's buffer allows.
    case payloadTooLarge(length: Int, limit: Int)
    /// The writer was opened with a next sequence that does not follow the
    /// last record in the journal.
    case resumeMismatch(path: String, journalNextSequence: UInt64, requested: UInt64)
    /// The writer found damage in the last file: run recovery first.
    case needsRecovery(path: String, offset: Int, problem: JournalProblem)
    /// Corruption in the middle of the journal (see `JournalCorruption`).
    case corruption(JournalCorruption)
    /// An earlier write or sync failed; the writer accepts nothing more, and
    /// whether the failed batch reached the disk is unknown.
    case writerFailed(cause: String)
    /// The writer was closed.
    case writerClosed
    /// Recovery was asked to resume after a record (a snapshot's) that the journal does
    /// not hold as described.
    case resumePointMissing(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message):
            return "invalid journal configuration: \(message)"
        case .unknownDurability(let value):
            return "journal durability \"\(value)\" is not recognised: use \"write\" (each flush is written to the file; survives a killed process) or \"fsync\" (each flush is also synced to disk; survives power loss)"
        case .directoryLocked(let path):
            return "journal directory \(path) is locked by another writer or recovery"
        case .unexpectedFileName(let path):
            return "unexpected file \(path) in the journal directory (journal files are named like \(JournalFormat.fileName(index: 1)))"
        case .sequenceOutOfOrder(let expected, let got):
            return "journal append out of order: sequence \(got), expected \(expected)"
        case .emptyPayload:
            return "journal append with an empty payload"
        case .payloadTooLarge(let length, let limit):
            return "journal payload of \(length) bytes exceeds the limit of \(limit)"
        case .resumeMismatch(let path, let journalNextSequence, let requested):
            return "journal writer asked to continue at sequence \(requested), but \(path) continues at \(journalNextSequence)"
        case .needsRecovery(let path, let offset, let problem):
            return "journal needs recovery before writing: \(path) at byte offset \(offset): \(problem)"
        case .corruption(let corruption):
            return "journal corruption in \(corruption)"
        case .writerFailed(let cause):
            return "journal writer stopped after an earlier failure: \(cause)"
        case .writerClosed:
            return "journal writer is closed"
        case .resumePointMissing(let problem):
            return "the journal does not hold the record to resume after: \(problem)"
        }
    }
}
