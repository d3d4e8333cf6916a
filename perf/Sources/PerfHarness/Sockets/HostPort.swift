#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An IPv4 `HOST:PORT` (`127.0.0.1:9878`; `localhost` is taken as 127.0.0.1).
public struct HostPort: Sendable, CustomStringConvertible, Codable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port)
        else { return nil }
        let host = String(text[..<colon])
        self.init(host: host == "localhost" ? "127.0.0.1" : host, port: port)
    }

    public var description: String { "\(host):\(port)" }

    func socketAddress() throws -> sockaddr_in {
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &sa.sin_addr) == 1 else {
            throw SocketError(message: "not an IPv4 address: \(host)")
        }
        return sa
    }
}
