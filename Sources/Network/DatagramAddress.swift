import CLiburing

#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 address and UDP port: where a datagram came from or goes to. The market
/// data's group and its retransmission requesters are IPv4 (specs/moldudp64.md).
public struct DatagramAddress: Sendable, Equatable, CustomStringConvertible {
    /// The address as the kernel takes it (network byte order inside).
    var socketAddress: sockaddr_in

    /// `host` must be an IPv4 literal (no name lookup on a loop's thread); nil otherwise.
    public init?(host: String, port: UInt16) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return nil }
        socketAddress = address
    }

    init(socketAddress: sockaddr_in) {
        self.socketAddress = socketAddress
    }

    /// The IPv4 address in host byte order (e.g. 0x7F000001 for 127.0.0.1).
    public var hostOrderAddress: UInt32 { UInt32(bigEndian: socketAddress.sin_addr.s_addr) }

    public var port: UInt16 { UInt16(bigEndian: socketAddress.sin_port) }

    public var description: String {
        let a = hostOrderAddress
        return "\(a >> 24).\(a >> 16 & 0xFF).\(a >> 8 & 0xFF).\(a & 0xFF):\(port)"
    }

    public static func == (lhs: DatagramAddress, rhs: DatagramAddress) -> Bool {
        lhs.socketAddress.sin_addr.s_addr == rhs.socketAddress.sin_addr.s_addr && lhs.socketAddress.sin_port == rhs.socketAddress.sin_port
    }
}
