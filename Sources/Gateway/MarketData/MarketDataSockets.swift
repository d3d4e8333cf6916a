#if canImport(Glibc)
import Glibc
#endif
import GatewayCore

/// The market-data thread's sockets, opened on the starting thread so that a bad
/// address is a start-up error: the multicast sender, the retransmission server's UDP
/// socket and the snapshot service's TCP listener. All non-blocking.
struct MarketDataSockets {
    let multicast: Int32
    var group = sockaddr_in()
    let retransmission: Int32
    let snapshotListener: Int32
    let retransmissionPort: UInt16
    let snapshotPort: UInt16

    init(settings: GatewayConfiguration.MarketDataSettings) throws {
        // Multicast out of the configured interface, TTL as configured, looped back so a
        // subscriber on this machine hears it.
        multicast = try Self.socket(SOCK_DGRAM)
        var interface = in_addr()
        guard inet_pton(AF_INET, settings.interface, &interface) == 1 else {
            throw ConfigurationError(key: "market_data.interface", value: "\"\(settings.interface)\"", expected: "an IPv4 address of a local interface")
        }
        try Self.option(multicast, Int32(IPPROTO_IP), IP_MULTICAST_IF, &interface, "IP_MULTICAST_IF \(settings.interface)")
        var ttl = UInt8(settings.ttl)
        try Self.option(multicast, Int32(IPPROTO_IP), IP_MULTICAST_TTL, &ttl, "IP_MULTICAST_TTL")
        var loop: UInt8 = 1
        try Self.option(multicast, Int32(IPPROTO_IP), IP_MULTICAST_LOOP, &loop, "IP_MULTICAST_LOOP")
        group = try Self.address(settings.group.host, settings.group.port, key: "market_data.group")

        retransmission = try Self.socket(SOCK_DGRAM)
        var retransmissionAddress = try Self.address(settings.retransmission.host, settings.retransmission.port, key: "market_data.retransmission")
        try Self.bind(retransmission, &retransmissionAddress, "market_data.retransmission \(settings.retransmission)")
        retransmissionPort = Self.localPort(retransmission)

        snapshotListener = try Self.socket(SOCK_STREAM)
        var one: Int32 = 1
        try Self.option(snapshotListener, SOL_SOCKET, SO_REUSEADDR, &one, "SO_REUSEADDR")
        var snapshotAddress = try Self.address(settings.snapshot.host, settings.snapshot.port, key: "market_data.snapshot")
        try Self.bind(snapshotListener, &snapshotAddress, "market_data.snapshot \(settings.snapshot)")
        guard listen(snapshotListener, 64) == 0 else { throw MarketDataSocketError("listen \(settings.snapshot)", errno) }
        snapshotPort = Self.localPort(snapshotListener)
    }

    func close() {
        _ = Glibc.close(multicast)
        _ = Glibc.close(retransmission)
        _ = Glibc.close(snapshotListener)
    }

    static func socket(_ type: __socket_type) throws -> Int32 {
        let fd = Glibc.socket(AF_INET, Int32(type.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw MarketDataSocketError("socket", errno) }
        return fd
    }

    static func option<T>(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: inout T, _ what: String) throws {
        guard setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<T>.size)) == 0 else {
            throw MarketDataSocketError("setsockopt \(what)", errno)
        }
    }

    static func address(_ host: String, _ port: UInt16, key: String) throws -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &a.sin_addr) == 1 else {
            throw ConfigurationError(key: key, value: "\"\(host):\(port)\"", expected: "an IPv4 address and port")
        }
        return a
    }

    static func bind(_ fd: Int32, _ address: inout sockaddr_in, _ what: String) throws {
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw MarketDataSocketError("bind \(what)", errno) }
    }

    static func localPort(_ fd: Int32) -> UInt16 {
        var a = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: a.sin_port)
    }
}

struct MarketDataSocketError: Error, CustomStringConvertible {
    let call: String
    let errno: Int32
    init(_ call: String, _ errno: Int32) {
        self.call = call
        self.errno = errno
    }
    var description: String { "market data: \(call) failed: \(String(cString: strerror(errno)))" }
}
