#if canImport(Glibc)
import Glibc
#endif

public enum UDPPort {
    /// A UDP port that was free a moment ago (a socket bound to port 0 and closed),
    /// for the market-data group of a gateway the harness starts.
    public static func free() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket(UDP)") }
        defer { close(fd) }
        var sa = try HostPort(host: "0.0.0.0", port: 0).socketAddress()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw SocketError("bind UDP port 0") }
        return Int(UInt16(bigEndian: sa.sin_port))
    }
}
