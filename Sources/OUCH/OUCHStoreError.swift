import POSIX

/// Why a session store could not be opened, read or written.
public enum OUCHStoreError: SystemCallFailure, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed (POSIX's error: the call, errno and the file).
    case systemCall(SystemCallError)
    /// The file exists but is not a session store of this format.
    case notAStore(path: String, reason: String)
    /// The file belongs to another session or user than the one asked for.
    case wrongOwner(path: String, expected: String, found: String)
    /// Another open store (in this or another process) holds the file's lock.
    case locked(path: String)
    /// A message number that the store does not hold.
    case noSuchMessage(sequence: Int, count: Int)

    public var description: String {
        switch self {
        case .systemCall(let error):
            "\(error)"
        case .notAStore(let path, let reason):
            "\(path) is not an OUCH session store: \(reason)"
        case .wrongOwner(let path, let expected, let found):
            "\(path) belongs to \(found), expected \(expected)"
        case .locked(let path):
            "\(path) is already open (another gateway, or another store in this one, holds its lock)"
        case .noSuchMessage(let sequence, let count):
            "no message \(sequence) in a store of \(count) messages"
        }
    }
}

/// The store's POSIX calls, a failure as ``OUCHStoreError/systemCall(_:)``.
@inline(__always) @discardableResult
func storeCall<R>(_ body: () throws -> R) throws(OUCHStoreError) -> R {
    try SystemCall.reporting(as: OUCHStoreError.self, body)
}
