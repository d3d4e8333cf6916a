#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A socket error with the failing call and errno's text.
public struct SocketError: Error, CustomStringConvertible {
    public var description: String
    init(_ call: String, errno code: Int32 = errno) {
        description = "\(call): \(String(cString: strerror(code)))"
    }
    init(message: String) { description = message }
}

/// One connected TCP socket, blocking, TCP_NODELAY on: what the harness's clients and
/// the echo server talk through. Used by one thread at a time.
public final class TCPSocket: @unchecked Sendable {
    public private(set) var fd: Int32

    init(fd: Int32) throws {
        self.fd = fd
        var one: Int32 = 1
        guard setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            let e = SocketError("setsockopt(TCP_NODELAY)")
            Glibc.close(fd)
            throw e
        }
    }

    /// Connects to `address` (IPv4), blocking.
    public static func connect(to address: HostPort) throws -> TCPSocket {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket") }
        var sa = try address.socketAddress()
        let rc = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            let e = SocketError("connect(\(address))")
            Glibc.close(fd)
            throw e
        }
        return try TCPSocket(fd: fd)
    }

    /// Makes `receive` return nil after `milliseconds` without data (0: wait forever).
    public func setReceiveTimeout(milliseconds: Int) throws {
        var tv = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        guard setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            throw SocketError("setsockopt(SO_RCVTIMEO)")
        }
    }

    /// Writes all of `bytes`.
    public func sendAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n < 0 {
                if errno == EINTR { continue }
                throw SocketError("send")
            }
            offset += n
        }
    }

    /// Reads what has arrived into `buffer`: the byte count, 0 when the peer closed, or
    /// nil when the receive timeout passed without data.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws -> Int? {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            throw SocketError("recv")
        }
    }

    /// Shuts both directions down (wakes a thread blocked in `receive`) without
    /// releasing the descriptor.
    public func shutdown() {
        if fd >= 0 { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    public func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    deinit { close() }
}
