import CLiburing
import POSIX

#if canImport(Glibc)
import Glibc
#endif

/// The socket calls of UDP endpoints: opening one with its options, and (epoll) sending
/// and receiving without blocking. Every call goes through `SystemCall`.
enum DatagramSocket {
    /// A non-blocking, close-on-exec IPv4 UDP socket set up as `options` say; returns it
    /// and its local port (0 when not bound).
    static func open(_ options: DatagramOptions) throws(NetworkError) -> (descriptor: Int32, port: UInt16) {
        let type = Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue)
        let descriptor = Int32(try SystemCall.run("socket(SOCK_DGRAM)", as: NetworkError.self) { Int(socket(AF_INET, type, 0)) })
        do throws(NetworkError) {
            if let interface = options.multicastInterface {
                var address = in_addr()
                guard inet_pton(AF_INET, interface, &address) == 1 else {
                    throw .invalidAddress("multicast interface \"\(interface)\" is not an IPv4 address")
                }
                let ip = Int32(IPPROTO_IP)
                try Socket.setOption(descriptor, level: ip, name: IP_MULTICAST_IF, address, "setsockopt(IP_MULTICAST_IF)", as: NetworkError.self)
                try Socket.setOption(
                    descriptor, level: ip, name: IP_MULTICAST_TTL, options.multicastTTL, "setsockopt(IP_MULTICAST_TTL)",
                    as: NetworkError.self)
                let loop: UInt8 = options.multicastLoop ? 1 : 0
                try Socket.setOption(descriptor, level: ip, name: IP_MULTICAST_LOOP, loop, "setsockopt(IP_MULTICAST_LOOP)", as: NetworkError.self)
            }
            guard let host = options.bindHost else { return (descriptor, 0) }
            guard let address = DatagramAddress(host: host, port: options.bindPort)?.socketAddress else {
                throw .invalidAddress("\"\(host)\" is not an IPv4 address")
            }
            try Socket.bind(descriptor, to: address, on: "\(host):\(options.bindPort)/udp", as: NetworkError.self)
            return (descriptor, try TCPSocket.localPort(descriptor))
        } catch {
            SystemCall.release(descriptor)
            throw error
        }
    }

    /// epoll: one datagram to `peer`; false when the kernel would block or refused it
    /// (ENOBUFS, an unreachable peer reported by ICMP): UDP, the datagram is dropped.
    static func send(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, to peer: DatagramAddress) -> Bool {
        var address = peer.socketAddress
        while true {
            let n = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL), $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if n >= 0 { return true }
            let code = errno
            if code == EINTR { continue }
            if code == EBADF || code == EFAULT { _ = SystemCall.error("sendto", errno: code) }
            return false
        }
    }

    /// epoll: one waiting datagram into `buffer`: its length and sender, nil when none
    /// is waiting. An error the socket reports (ICMP for an earlier send) is skipped.
    static func receive(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, from: DatagramAddress)? {
        var from = sockaddr_in()
        while true {
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let n = withUnsafeMutablePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT), $0, &length)
                }
            }
            if n >= 0 { return (n, DatagramAddress(socketAddress: from)) }
            let code = errno
            if code == EINTR || code == ECONNREFUSED { continue }
            if code == EBADF || code == EFAULT { _ = SystemCall.error("recvfrom", errno: code) }
            return nil
        }
    }
}
