import CLiburing
import POSIX

#if canImport(Glibc)
import Glibc
#endif

/// The socket calls of the front end: listening sockets, options on accepted
/// ones, addresses. Every call goes through `SystemCall`.
enum TCPSocket {
    /// How long `listen` keeps retrying a bind that fails with EADDRINUSE:
    /// after a process is killed its listening port stays busy for tens of
    /// milliseconds while the kernel tears its io_uring down.
    static let bindRetryNanoseconds: Int64 = 1_000_000_000
    static let bindRetryPauseMicroseconds: UInt32 = 20_000

    /// A listening TCP socket on `host` (an IPv4 or IPv6 literal) and `port`
    /// (0: an ephemeral port), with SO_REUSEADDR, close-on-exec, and
    /// O_NONBLOCK when `nonBlocking`. Returns the socket and the port it got.
    static func listen(host: String, port: UInt16, backlog: Int, nonBlocking: Bool) throws(NetworkError) -> (descriptor: Int32, port: UInt16) {
        var address = try socketAddress(host: host, port: port)
        let family = Int32(address.ss_family)
        var type = Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue)
        if nonBlocking { type |= Int32(SOCK_NONBLOCK.rawValue) }
        let descriptor = Int32(try SystemCall.run("socket(SOCK_STREAM)", as: NetworkError.self) { Int(socket(family, type, 0)) })
        do throws(NetworkError) {
            var on: Int32 = 1
            _ = try SystemCall.run("setsockopt(SO_REUSEADDR)", as: NetworkError.self) {
                Int(setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size)))
            }
            let length = socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
            let deadline = MonotonicClock.nanoseconds() + bindRetryNanoseconds
            while true {
                do {
                    _ = try SystemCall.run("bind", as: NetworkError.self) {
                        Int(withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } })
                    }
                    break
                } catch {
                    guard case .systemCall(let failure) = error else { throw error }
                let code = failure.errno
                    if code == EADDRINUSE && MonotonicClock.nanoseconds() < deadline {
                        usleep(bindRetryPauseMicroseconds)
                        continue
                    }
                    throw NetworkError.systemCall(SystemCallError(call: "bind(\(host):\(port))", errno: code))
                }
            }
            _ = try SystemCall.run("listen", as: NetworkError.self) { Int(Glibc.listen(descriptor, Int32(backlog))) }
            return (descriptor, try localPort(descriptor))
        } catch {
            SystemCall.release(descriptor)
            throw error
        }
    }

    /// `host:port` as a socket address; `host` must be an IPv4 or IPv6
    /// literal (no name lookup on the loop's thread).
    static func socketAddress(host: String, port: UInt16) throws(NetworkError) -> sockaddr_storage {
        var storage = sockaddr_storage()
        var ipv4 = in_addr()
        if inet_pton(AF_INET, host, &ipv4) == 1 {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    $0.pointee.sin_family = sa_family_t(AF_INET)
                    $0.pointee.sin_port = port.bigEndian
                    $0.pointee.sin_addr = ipv4
                }
            }
            return storage
        }
        var ipv6 = in6_addr()
        if inet_pton(AF_INET6, host, &ipv6) == 1 {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    $0.pointee.sin6_family = sa_family_t(AF_INET6)
                    $0.pointee.sin6_port = port.bigEndian
                    $0.pointee.sin6_addr = ipv6
                }
            }
            return storage
        }
        throw .invalidAddress("'\(host)' is not an IPv4 or IPv6 address literal")
    }

    /// The port a bound socket has. Corresponds to getsockname(2).
    static func localPort(_ descriptor: Int32) throws(NetworkError) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try SystemCall.run("getsockname", as: NetworkError.self) {
            Int(withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            })
        }
        return withUnsafePointer(to: &storage) { pointer in
            if Int32(pointer.pointee.ss_family) == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }

    /// The IPv4 address of an accepted socket's peer, in host byte order (an IPv6 peer:
    /// its mapped IPv4 address, or its last 32 bits); 0 if unknown. Once per accepted
    /// connection, for counting per source address. Corresponds to getpeername(2).
    static func peerAddress(_ descriptor: Int32) -> UInt32 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(descriptor, $0, &length) }
        }
        guard result == 0 else { return 0 }
        return withUnsafePointer(to: &storage) { pointer in
            if Int32(pointer.pointee.ss_family) == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    var address = $0.pointee.sin6_addr
                    return withUnsafeBytes(of: &address) { bytes in
                        UInt32(bytes[12]) << 24 | UInt32(bytes[13]) << 16 | UInt32(bytes[14]) << 8 | UInt32(bytes[15])
                    }
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
        }
    }

    /// Turns off Nagle's algorithm on an accepted socket: a gateway's
    /// messages are small and must leave at once.
    /// Corresponds to setsockopt(IPPROTO_TCP, TCP_NODELAY, 1).
    static func setNoDelay(_ descriptor: Int32) throws(NetworkError) {
        var on: Int32 = 1
        _ = try SystemCall.run("setsockopt(TCP_NODELAY)", as: NetworkError.self) {
            Int(setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size)))
        }
    }

    /// Shuts both directions down, which ends any receive or send the kernel
    /// holds for the socket. Best effort: a socket whose peer is already gone
    /// (ENOTCONN) needs nothing more. Corresponds to shutdown(SHUT_RDWR).
    static func shutdownBoth(_ descriptor: Int32) {
        _ = try? SystemCall.run("shutdown(SHUT_RDWR)", as: NetworkError.self) { Int(shutdown(descriptor, Int32(SHUT_RDWR))) }
    }
}
