import POSIX

#if canImport(Glibc)
import Glibc
#endif

/// Why the network front end refused to start or to listen.
public enum NetworkError: SystemCallFailure, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed (POSIX's error: the call, errno, and what it was doing,
    /// e.g. `bind(127.0.0.1:9879)`).
    case systemCall(SystemCallError)
    /// A configuration value is out of range; the text names the field, the
    /// value and what is accepted.
    case invalidConfiguration(String)
    /// `listen` got a host that is not an IPv4 or IPv6 literal.
    case invalidAddress(String)
    /// `listen` was called more than `maxListeners` times.
    case tooManyListeners(limit: Int)
    /// `backend = .ioUring` was forced and io_uring cannot be used here; the
    /// text says why (e.g. blocked by a seccomp profile).
    case ioUringUnavailable(String)

    public var description: String {
        switch self {
        case .systemCall(let error):
            return "\(error)"
        case .invalidConfiguration(let text):
            return "invalid network configuration: \(text)"
        case .invalidAddress(let text):
            return "invalid listen address: \(text)"
        case .tooManyListeners(let limit):
            return "too many listeners: this loop accepts at most \(limit) (maxListeners)"
        case .ioUringUnavailable(let reason):
            return "io_uring is unavailable: \(reason)"
        }
    }
}
