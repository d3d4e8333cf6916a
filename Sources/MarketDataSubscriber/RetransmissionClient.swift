import POSIX

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
        let fd = try Socket.open(family: AF_INET, type: Int32(SOCK_DGRAM.rawValue), on: context, as: SubscriberError.self)
        do throws(SubscriberError) {
            try Socket.setOption(
                fd, level: SOL_SOCKET, name: SO_RCVBUF, MulticastReceiver.receiveBufferBytes, "setsockopt(SO_RCVBUF)",
                on: context, as: SubscriberError.self)
            try Socket.bind(fd, to: IPv4Endpoint(address: localAddress, port: 0).socketAddress, on: context, as: SubscriberError.self)
            localEndpoint = IPv4Endpoint(try Socket.localAddress(fd, on: context, as: SubscriberError.self))
        } catch {
            SystemCall.release(fd)
            throw error
        }
        self.fd = fd
        self.server = server
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: MulticastReceiver.maximumDatagram, alignment: 8)
    }

    deinit {
        SystemCall.release(fd)
        buffer.deallocate()
    }

    /// Sends one 20-byte request packet to the server.
    public func send(_ request: MoldUDP64Request) throws(SubscriberError) {
        var bytes = (UInt64(0), UInt64(0), UInt32(0))
        try withUnsafeMutableBytes(of: &bytes) { (raw) throws(SubscriberError) in
            let count = request.encode(into: raw)
            try Socket.send(
                fd, UnsafeRawBufferPointer(rebasing: raw[0..<count]), to: server.socketAddress,
                on: "retransmission request to \(server)", as: SubscriberError.self)
        }
    }

    /// Hands the next waiting answer to `body`; nil when none is waiting. Never blocks.
    public func receiveNow<R>(_ body: (UnsafeRawBufferPointer) -> R) throws(SubscriberError) -> R? {
        guard let count = try Socket.receive(fd, into: buffer, on: "retransmission from \(server)", as: SubscriberError.self) else {
            return nil
        }
        return body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }

    /// Waits up to `milliseconds` for an answer and hands it to `body`; nil on timeout.
    public func receive<R>(timeoutMilliseconds: Int, _ body: (UnsafeRawBufferPointer) -> R) throws(SubscriberError) -> R? {
        if let result = try receiveNow(body) { return result }
        guard try Socket.waitReadable(
            fd, milliseconds: timeoutMilliseconds, on: "retransmission from \(server)", as: SubscriberError.self)
        else { return nil }
        return try receiveNow(body)
    }
}
