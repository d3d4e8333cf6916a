#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A listening TCP socket on 127.0.0.1 (port 0: the kernel picks a free one).
/// `@unchecked Sendable`: handed to the echo thread, which alone accepts; `close` from
/// another thread only shuts the descriptor down to wake it.
public final class TCPListener: @unchecked Sendable {
    public let port: Int
    public private(set) var fd: Int32

    public init(port: Int = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var sa = try HostPort(host: "127.0.0.1", port: port).socketAddress()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                bind(fd, p, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, p, &length) == 0
            }
        }
        guard bound else {
            let e = SocketError("bind/listen 127.0.0.1:\(port)")
            Glibc.close(fd)
            throw e
        }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: sa.sin_port))
    }

    /// Waits for the next connection; nil once the listener is closed.
    public func accept() -> TCPSocket? {
        while true {
            let client = Glibc.accept(fd, nil, nil)
            if client >= 0 { return try? TCPSocket(fd: client) }
            if errno == EINTR { continue }
            return nil
        }
    }

    /// Stops listening; a thread blocked in `accept` returns nil.
    public func close() {
        if fd >= 0 {
            _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
            Glibc.close(fd)
            fd = -1
        }
    }

    deinit { close() }

    /// A loopback TCP port that was free a moment ago (bound to port 0 and released),
    /// for configuration files of the processes the harness starts.
    public static func freePort() throws -> Int {
        let listener = try TCPListener()
        defer { listener.close() }
        return listener.port
    }
}
