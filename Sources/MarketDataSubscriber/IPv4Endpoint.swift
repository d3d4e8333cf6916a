#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 address and port, written `"239.192.0.1:31001"`.
public struct IPv4Endpoint: Hashable, Sendable, CustomStringConvertible {
    /// The address in host byte order (127.0.0.1 is 0x7F00_0001).
    public var address: UInt32
    public var port: UInt16

    public init(address: UInt32, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// `host` as a dotted quad; nil for anything else.
    public init?(host: String, port: UInt16) {
        guard let address = Self.parseAddress(host) else { return nil }
        self.init(address: address, port: port)
    }

    /// Parses `a.b.c.d:port`.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = UInt16(parts[1]) else { return nil }
        self.init(host: String(parts[0]), port: port)
    }

    /// A dotted quad in host byte order; nil for anything else.
    public static func parseAddress(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard octet.count <= 3, let byte = UInt8(octet) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    init(_ sa: sockaddr_in) {
        address = UInt32(bigEndian: sa.sin_addr.s_addr)
        port = UInt16(bigEndian: sa.sin_port)
    }

    /// The `sockaddr_in` for bind(2), connect(2) and sendto(2).
    var socketAddress: sockaddr_in {
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        sa.sin_addr = in_addr(s_addr: address.bigEndian)
        return sa
    }

    /// 224.0.0.0/4.
    public var isMulticast: Bool { address >> 28 == 0xE }

    public var host: String {
        "\(address >> 24).\(address >> 16 & 0xFF).\(address >> 8 & 0xFF).\(address & 0xFF)"
    }

    public var description: String { "\(host):\(port)" }
}
