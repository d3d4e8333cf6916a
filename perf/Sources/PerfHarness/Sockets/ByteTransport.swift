import TLS

#if canImport(Glibc)
import Glibc
#endif

/// What the harness's protocol clients (OUCH, FIX) read and write through: a plain
/// ``TCPSocket`` or a ``TLSTransport`` (TLS over the socket, with the gateway's own TLS
/// module). Blocking; `receive` returns nil when nothing (no plaintext) is there yet.
public protocol ByteTransport: AnyObject {
    /// The socket's descriptor, for `ppoll` (readable when ciphertext arrived).
    var fd: Int32 { get }
    func setReceiveTimeout(milliseconds: Int) throws
    /// Writes all of `bytes` (encrypted first over TLS).
    func sendAll(_ bytes: UnsafeRawBufferPointer) throws
    /// What has arrived, as plaintext: the byte count, 0 when the peer closed, nil when
    /// nothing (the receive timeout passed, or only part of a TLS record is in).
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws -> Int?
    func shutdown()
    func close()
}

extension TCPSocket: ByteTransport {}

/// How a client connects: plain TCP, or TLS with a client context.
public enum ClientTransport {
    case plain
    case tls(TLSContext)

    public func connect(to address: HostPort) throws -> any ByteTransport {
        switch self {
        case .plain: return try TCPSocket.connect(to: address)
        case .tls(let context): return try TLSTransport(connectingTo: address, context: context)
        }
    }
}
