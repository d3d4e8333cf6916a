#if canImport(Glibc)
import Glibc
#endif

/// Why a connection closed; the handler gets it once, in
/// `NetworkHandler.closed`.
///
/// Closes for `.peerClosed`, `.closedByHandler` and `.loopShutdown` are
/// graceful: bytes already accepted by `send` are still written (for at most
/// `closeLingerMilliseconds`) before the socket is closed. The others are
/// abortive: pending output is discarded.
public enum CloseReason: Sendable, Equatable, CustomStringConvertible {
    /// The peer closed its side: a receive returned 0 bytes (end of stream).
    case peerClosed
    /// A receive failed, e.g. ECONNRESET when the peer reset the connection.
    case receiveFailed(errno: Int32)
    /// A send failed, e.g. EPIPE or ECONNRESET.
    case sendFailed(errno: Int32)
    /// A `send` would have taken the connection's pending output past
    /// `maxSendBufferBytes`: the client does not read fast enough.
    case slowConsumer
    /// The handler called `NetworkLoop.close`.
    case closedByHandler
    /// The loop was stopped (`requestStop`).
    case loopShutdown
    /// TLS listener: the handshake failed, or a record could not be read (a plain-text
    /// client, an untrusted certificate, a corrupted or truncated record); OpenSSL's words.
    case tlsFailure(String)
    /// TLS listener: the handshake did not finish within the configured time.
    case tlsHandshakeTimeout

    /// Whether output already queued is still written before the socket closes.
    var isGraceful: Bool {
        switch self {
        case .peerClosed, .closedByHandler, .loopShutdown: return true
        case .receiveFailed, .sendFailed, .slowConsumer, .tlsFailure, .tlsHandshakeTimeout: return false
        }
    }

    public var description: String {
        switch self {
        case .peerClosed: return "peer closed the connection"
        case .receiveFailed(let code): return "receive failed: errno \(code) (\(String(cString: strerror(code))))"
        case .sendFailed(let code): return "send failed: errno \(code) (\(String(cString: strerror(code))))"
        case .slowConsumer: return "slow consumer: pending output exceeded the send buffer limit"
        case .closedByHandler: return "closed by the handler"
        case .loopShutdown: return "network loop shut down"
        case .tlsFailure(let detail): return "TLS failure: \(detail)"
        case .tlsHandshakeTimeout: return "TLS handshake timed out"
        }
    }
}
