#if canImport(Glibc)
import Glibc
#endif
import MarketData

/// Asks the venue's retransmission server for missing messages: sends MoldUDP64
/// request packets from its own UDP socket (bound to an ephemeral port) and receives
/// the answers, ordinary downstream packets sent by unicast to that port.
///
/// One thread: the subscriber loop that owns it.
public final class RetransmissionClient {
    /// The socket, for the subscriber loop's poll(2).
    public let fd: Int32
    public let server: IPv4Endpoint
    /// Where the answers arrive.
    public let localEndpoint: IPv4Endpoint
    let buffer: UnsafeMutableRawBufferPointer

    /// Binds an ephemeral port on 0.0.0.0 (or on `localAddress`).
    public init(server: IPv4Endpoint, localAddress: UInt32 = 0) throws(SubscriberError) {
        let context = "retransmission client for \(server)"
        let fd = try SubscriberSystemCall.socket(Int32(SOCK_DGRAM.rawValue), context)
        do {
            try SubscriberSystemCall.setOption(fd, SOL_SOCKET, SO_RCVBUF, MulticastReceiver.receiveBufferBytes, context)
            try SubscriberSystemCall.bind(fd, IPv4Endpoint(address: localAddress, port: 0), context)
            localEndpoint = try SubscriberSystemCall.localEndpoint(fd, context)
        } catch {
            SubscriberSystemCall.close(fd)
            throw error
        }
        self.fd = fd
        self.server = server
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: MulticastReceiver.maximumDatagram, alignment: 8)
    }

    deinit {
        SubscriberSystemCall.close(fd)
        buffer.deallocate()
    }

    /// Sends one 20-byte request packet to the server.
    public func send(_ request: MoldUDP64Request) throws(SubscriberError) {
        var bytes = (UInt64(0), UInt64(0), UInt32(0))
        try withUnsafeMutableBytes(of: &bytes) { (raw) throws(SubscriberError) in
            let count = request.encode(into: raw)
            try SubscriberSystemCall.send(fd, UnsafeRawBufferPointer(rebasing: raw[0..<count]), to: server,
                                          "retransmission request to \(server)")
        }
    }

    /// Hands the next waiting answer to `body`; nil when none is waiting. Never blocks.
    public func receiveNow<R>(_ body: (UnsafeRawBufferPointer) -> R) throws(SubscriberError) -> R? {
        guard let count = try SubscriberSystemCall.receive(fd, into: buffer, "retransmission from \(server)") else {
            return nil
        }
        return body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }

    /// Waits up to `milliseconds` for an answer and hands it to `body`; nil on timeout.
    public func receive<R>(timeoutMilliseconds: Int, _ body: (UnsafeRawBufferPointer) -> R) throws(SubscriberError) -> R? {
        if let result = try receiveNow(body) { return result }
        guard try SubscriberSystemCall.waitReadable(fd, milliseconds: timeoutMilliseconds, "retransmission from \(server)")
        else { return nil }
        return try receiveNow(body)
    }
}
