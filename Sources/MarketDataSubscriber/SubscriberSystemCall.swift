#if canImport(Glibc)
import Glibc
#endif

/// The one door from the subscriber to the kernel: every socket call goes through
/// ``run(_:_:tolerating:_:)``. EINTR is retried; EAGAIN/EWOULDBLOCK (a timeout or
/// an empty non-blocking socket) comes back as nil; EBADF and EFAULT trap (a closed
/// descriptor or a bad pointer is a bug here, not the network's doing); anything
/// else throws ``SubscriberError/systemCall(call:errno:context:)`` naming the call.
enum SubscriberSystemCall {
    @inline(__always)
    static func run<R: FixedWidthInteger>(
        _ call: StaticString, _ context: @autoclosure () -> String, tolerating tolerated: Int32 = 0,
        _ body: () -> R
    ) throws(SubscriberError) -> R? {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK || (tolerated != 0 && code == tolerated) { return nil }
            if code == EBADF || code == EFAULT {
                preconditionFailure("\(call)(\(context())) failed with errno \(code): a bug in the subscriber")
            }
            throw .systemCall(call: "\(call)", errno: code, context: context())
        }
    }

    /// socket(2) with SOCK_CLOEXEC.
    static func socket(_ type: Int32, _ context: String) throws(SubscriberError) -> Int32 {
        try run("socket", context) { Glibc.socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), 0) }!
    }

    /// setsockopt(2) with a value of any fixed layout.
    static func setOption<T: BitwiseCopyable>(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: T, _ context: String)
        throws(SubscriberError)
    {
        _ = try run("setsockopt", context) {
            withUnsafeBytes(of: value) { setsockopt(fd, level, name, $0.baseAddress, socklen_t($0.count)) }
        }
    }

    /// bind(2).
    static func bind(_ fd: Int32, _ address: IPv4Endpoint, _ context: String) throws(SubscriberError) {
        var sa = address.socketAddress
        _ = try run("bind", context) {
            withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// getsockname(2): the address a socket is bound to (the port the kernel chose).
    static func localEndpoint(_ fd: Int32, _ context: String) throws(SubscriberError) -> IPv4Endpoint {
        var sa = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = try run("getsockname", context) {
            withUnsafeMutablePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
        }
        return IPv4Endpoint(sa)
    }

    /// poll(2) on one descriptor for input: true when it is readable (or has an
    /// error or hang-up to report) within `milliseconds`.
    static func waitReadable(_ fd: Int32, milliseconds: Int, _ context: String) throws(SubscriberError) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return try run("poll", context) { poll(&entry, 1, Int32(clamping: milliseconds)) }! > 0
    }

    /// poll(2) on several descriptors for input; returns which are readable.
    static func waitReadable(_ fds: [Int32], milliseconds: Int, _ context: String) throws(SubscriberError) -> [Bool] {
        var entries = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let ready = try run("poll", context) { poll(&entries, nfds_t(entries.count), Int32(clamping: milliseconds)) }!
        return ready > 0 ? entries.map { $0.revents != 0 } : fds.map { _ in false }
    }

    /// recv(2) with MSG_DONTWAIT into `buffer`: the byte count, or nil when nothing
    /// is waiting.
    static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, _ context: String)
        throws(SubscriberError) -> Int?
    {
        try run("recv", context) { recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT)) }
    }

    /// sendto(2) of one datagram.
    static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, to address: IPv4Endpoint, _ context: String)
        throws(SubscriberError)
    {
        var sa = address.socketAddress
        _ = try run("sendto", context) {
            withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), $0,
                           socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// close(2); errors are ignored (the descriptor is gone either way on Linux).
    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// CLOCK_MONOTONIC in nanoseconds.
    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
