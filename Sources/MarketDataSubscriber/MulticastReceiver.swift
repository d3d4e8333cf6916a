import POSIX

#if canImport(Glibc)
import Glibc
#endif

/// The interface a multicast group is joined on: by name (`lo`) or by one of its
/// IPv4 addresses (`127.0.0.1`).
public enum MulticastInterface: Hashable, Sendable, CustomStringConvertible {
    case name(String)
    case address(UInt32)

    /// A dotted quad is an address; anything else an interface name.
    public init(parsing text: String) {
        if let address = IPv4Endpoint.parseAddress(text) { self = .address(address) } else { self = .name(text) }
    }

    public var description: String {
        switch self {
        case .name(let name): name
        case .address(let address): IPv4Endpoint(address: address, port: 0).host
        }
    }

    /// The `ip_mreqn` that joins `group` on this interface: by index for a name
    /// (if_nametoindex(3)), by local address otherwise.
    func membership(group: UInt32) throws(SubscriberError) -> ip_mreqn {
        var request = ip_mreqn()
        request.imr_multiaddr = in_addr(s_addr: group.bigEndian)
        switch self {
        case .name(let name):
            let index = if_nametoindex(name)
            guard index != 0 else { throw .badInterface(name) }
            request.imr_address = in_addr(s_addr: 0)
            request.imr_ifindex = Int32(index)
        case .address(let address):
            request.imr_address = in_addr(s_addr: address.bigEndian)
            request.imr_ifindex = 0
        }
        return request
    }
}

/// Receives the MoldUDP64 feed: a UDP socket bound to the group's address and port
/// (SO_REUSEADDR, so several subscribers on one host share the port) that has joined
/// the group on one interface (IP_ADD_MEMBERSHIP with `ip_mreqn`). Port 0 binds an
/// ephemeral port, read back as ``endpoint`` (for tests).
///
/// The socket's receive buffer is enlarged (``receiveBufferBytes``) because it is
/// also where live packets wait while a snapshot is being fetched.
///
/// One thread: the subscriber loop that owns it.
public final class MulticastReceiver {
    public static let receiveBufferBytes: Int32 = 4 << 20
    /// The largest UDP payload over IPv4.
    public static let maximumDatagram = 65_507

    /// The socket, for the subscriber loop's poll(2).
    public let fd: Int32
    /// The group and the port actually bound.
    public let endpoint: IPv4Endpoint
    public let interface: MulticastInterface
    let buffer: UnsafeMutableRawBufferPointer

    public init(group: IPv4Endpoint, interface: MulticastInterface) throws(SubscriberError) {
        guard group.isMulticast else { throw .badAddress("\(group) (not a multicast group)") }
        let context = "multicast \(group) on \(interface)"
        let membership = try interface.membership(group: group.address)
        let fd = try Socket.open(family: AF_INET, type: Int32(SOCK_DGRAM.rawValue), on: context, as: SubscriberError.self)
        do throws(SubscriberError) {
            try Socket.setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, Int32(1), "setsockopt(SO_REUSEADDR)", on: context, as: SubscriberError.self)
            try Socket.setOption(
                fd, level: SOL_SOCKET, name: SO_RCVBUF, Self.receiveBufferBytes, "setsockopt(SO_RCVBUF)", on: context,
                as: SubscriberError.self)
            try Socket.bind(fd, to: group.socketAddress, on: context, as: SubscriberError.self)
            try Socket.setOption(
                fd, level: Int32(IPPROTO_IP), name: IP_ADD_MEMBERSHIP, membership, "setsockopt(IP_ADD_MEMBERSHIP)", on: context,
                as: SubscriberError.self)
            endpoint = IPv4Endpoint(try Socket.localAddress(fd, on: context, as: SubscriberError.self))
        } catch {
            SystemCall.release(fd)
            throw error
        }
        self.fd = fd
        self.interface = interface
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.maximumDatagram, alignment: 8)
    }

    deinit {
        SystemCall.release(fd)
        buffer.deallocate()
    }

    /// Hands the next waiting datagram to `body` (its bytes are valid only inside
    /// `body`); nil when none is waiting. Never blocks.
    public func receiveNow<R>(_ body: (UnsafeRawBufferPointer) -> R) throws(SubscriberError) -> R? {
        guard let count = try Socket.receive(fd, into: buffer, on: "multicast \(endpoint)", as: SubscriberError.self) else {
            return nil
        }
        return body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }

    /// Waits up to `milliseconds` for a datagram and hands it to `body`; nil on timeout.
    public func receive<R>(timeoutMilliseconds: Int, _ body: (UnsafeRawBufferPointer) -> R) throws(SubscriberError) -> R? {
        if let result = try receiveNow(body) { return result }
        guard try Socket.waitReadable(fd, milliseconds: timeoutMilliseconds, on: "multicast \(endpoint)", as: SubscriberError.self)
        else { return nil }
        return try receiveNow(body)
    }
}
