import POSIX

/// Why the subscriber's sockets, its snapshot or its gap filling failed.
public enum SubscriberError: SystemCallFailure, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed (POSIX's error: the call, errno, and what it was for).
    case systemCall(SystemCallError)
    /// An interface name the kernel does not know, or an address that is not IPv4.
    case badInterface(String)
    /// Not a dotted-quad IPv4 `host:port`.
    case badAddress(String)
    /// The snapshot server broke the protocol (specs/itch.md, "Snapshot service").
    case snapshotProtocol(String)
    /// The snapshot did not arrive within its deadline.
    case snapshotTimedOut(afterMilliseconds: Int)
    /// The retransmission server never filled a gap.
    case retransmissionGaveUp(MoldUDP64RetransmissionGaveUp)
    /// A gap was found but no retransmission server is configured.
    case gapWithoutRetransmission(MoldUDP64Gap)

    public var description: String {
        switch self {
        case .systemCall(let error):
            "\(error)"
        case .badInterface(let name):
            "no IPv4 interface '\(name)' (give an interface name such as lo, or its address such as 127.0.0.1)"
        case .badAddress(let text):
            "'\(text)' is not an IPv4 host:port"
        case .snapshotProtocol(let what):
            "snapshot: \(what)"
        case .snapshotTimedOut(let ms):
            "snapshot: no complete snapshot within \(ms) ms"
        case .retransmissionGaveUp(let reason):
            "retransmission: \(reason)"
        case .gapWithoutRetransmission(let gap):
            "\(gap) missing and no retransmission server configured"
        }
    }
}
