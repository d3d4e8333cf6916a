import POSIX

/// Why a sequenced store could not be opened, read or written: the one error type of
/// every store built on ``SequencedFileStore`` (the FIX message stores, the OUCH session
/// stores and their answer indexes, the feed's message store).
public enum SequencedStoreError: SystemCallFailure, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed (POSIX's error: the call, errno and the file).
    case systemCall(SystemCallError)
    /// The file exists but is not a store of this kind (its magic, or its header's
    /// length): `reason` says what is wrong.
    case notAStore(path: String, kind: String, reason: String)
    /// A store of this kind in a version this gateway does not read. It is refused
    /// whatever its length: starting it afresh would throw away what it holds.
    case unsupportedVersion(path: String, kind: String, found: Int, supported: Int)
    /// The file belongs to another session or user than the one asked for.
    case wrongOwner(path: String, expected: String, found: String)
    /// Another open store (in this or another process) holds the file's lock.
    case locked(path: String)
    /// A record its owner cannot read back (which one, and why).
    case unreadableRecord(path: String, sequence: Int, reason: String)
    /// A record number (1-based) the store does not hold.
    case noSuchRecord(path: String, sequence: Int, count: Int)

    public var description: String {
        switch self {
        case .systemCall(let error):
            "\(error)"
        case .notAStore(let path, let kind, let reason):
            "\(path) is not a \(kind): \(reason)"
        case .unsupportedVersion(let path, let kind, let found, let supported):
            "\(path) is a version \(found) \(kind); this gateway reads version \(supported) "
                + "(move the file aside: it starts again from nothing)"
        case .wrongOwner(let path, let expected, let found):
            "\(path) belongs to \(found), expected \(expected)"
        case .locked(let path):
            "\(path) is already open (another gateway, or another store in this one, holds its lock)"
        case .unreadableRecord(let path, let sequence, let reason):
            "record \(sequence) of \(path) \(reason)"
        case .noSuchRecord(let path, let sequence, let count):
            "no record \(sequence) in \(path), which holds \(count)"
        }
    }
}
