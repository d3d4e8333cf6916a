/// An IPv4 address and port from configuration, written `"127.0.0.1:9878"`.
public struct ListenAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` with a dotted-quad IPv4 host. Port 0 asks the kernel for a free
    /// port (the gateway prints the one it got): for tests and side-by-side runs.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = UInt16(parts[1]),
            ListenAddress.isDottedQuad(parts[0])
        else { return nil }
        self.host = String(parts[0])
        self.port = port
    }

    static func isDottedQuad(_ s: Substring) -> Bool {
        let octets = s.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { UInt8($0) != nil }
    }

    /// True for 127.0.0.0/8: the only addresses on which demo credentials may listen.
    public var isLoopback: Bool { host.hasPrefix("127.") }

    public var description: String { "\(host):\(port)" }
}
