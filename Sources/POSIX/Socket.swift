#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The socket calls a blocking client makes (the market-data subscriber, tools), each
/// through ``SystemCall``: EINTR retried, would-block as nil, a failure naming the call
/// and `subject` (the peer, or what the socket is for). The gateway's own sockets are
/// driven by the network loop (io_uring or epoll), which makes the same calls the
/// same way. Like ``SystemCall``'s helpers, each takes the caller's error type as `as:`.
public enum Socket {
    /// socket(2) with SOCK_CLOEXEC.
    @inlinable
    public static func open<E: SystemCallFailure>(
        family: Int32, type: Int32, on subject: @autoclosure () -> String = "", as _: E.Type = SystemCallError.self
    ) throws(E) -> CInt {
        try SystemCall.run("socket", on: subject(), as: E.self) { socket(family, type | Int32(SOCK_CLOEXEC.rawValue), 0) }
    }

    /// setsockopt(2) with a value of any fixed layout; `call` names the option
    /// (`"setsockopt(SO_RCVBUF)"`).
    @inlinable
    public static func setOption<T: BitwiseCopyable, E: SystemCallFailure>(
        _ descriptor: CInt, level: Int32, name: Int32, _ value: T, _ call: StaticString,
        on subject: @autoclosure () -> String = "", as _: E.Type = SystemCallError.self
    ) throws(E) {
        _ = try SystemCall.run(call, on: subject(), as: E.self) {
            withUnsafeBytes(of: value) { setsockopt(descriptor, level, name, $0.baseAddress, socklen_t($0.count)) }
        }
    }

    /// bind(2) to an IPv4 address.
    @inlinable
    public static func bind<E: SystemCallFailure>(
        _ descriptor: CInt, to address: sockaddr_in, on subject: @autoclosure () -> String = "",
        as _: E.Type = SystemCallError.self
    ) throws(E) {
        _ = try SystemCall.run("bind", on: subject(), as: E.self) {
            withSocketAddress(address) { Glibc.bind(descriptor, $0, $1) }
        }
    }

    /// connect(2) to an IPv4 address, blocking.
    @inlinable
    public static func connect<E: SystemCallFailure>(
        _ descriptor: CInt, to address: sockaddr_in, on subject: @autoclosure () -> String = "",
        as _: E.Type = SystemCallError.self
    ) throws(E) {
        _ = try SystemCall.run("connect", on: subject(), as: E.self) {
            withSocketAddress(address) { Glibc.connect(descriptor, $0, $1) }
        }
    }

    /// `address` as the `sockaddr` pointer and length the socket calls take.
    @inlinable
    static func withSocketAddress<R>(_ address: sockaddr_in, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var address = address
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    /// getsockname(2) of an IPv4 socket: where it is bound (the port the kernel chose).
    @inlinable
    public static func localAddress<E: SystemCallFailure>(
        _ descriptor: CInt, on subject: @autoclosure () -> String = "", as _: E.Type = SystemCallError.self
    ) throws(E) -> sockaddr_in {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = try SystemCall.run("getsockname", on: subject(), as: E.self) {
            withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
        }
        return address
    }

    /// poll(2) for input on `descriptors`: which are readable (or have an error or a
    /// hang-up to report) within `milliseconds`; all false when none is, or when a
    /// signal ended the wait.
    public static func waitReadable<E: SystemCallFailure>(
        _ descriptors: [CInt], milliseconds: Int, on subject: @autoclosure () -> String = "",
        as _: E.Type = SystemCallError.self
    ) throws(E) -> [Bool] {
        var entries = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let ready = try SystemCall.wait("poll", on: subject(), as: E.self) {
            poll(&entries, nfds_t(entries.count), Int32(clamping: milliseconds))
        }
        return ready > 0 ? entries.map { $0.revents != 0 } : descriptors.map { _ in false }
    }

    /// ``waitReadable(_:milliseconds:on:as:)`` for one descriptor.
    public static func waitReadable<E: SystemCallFailure>(
        _ descriptor: CInt, milliseconds: Int, on subject: @autoclosure () -> String = "",
        as _: E.Type = SystemCallError.self
    ) throws(E) -> Bool {
        try waitReadable([descriptor], milliseconds: milliseconds, on: subject(), as: E.self)[0]
    }

    /// recv(2) with MSG_DONTWAIT into `buffer`: the byte count (0: the peer closed a
    /// stream), or nil when nothing is waiting.
    @inlinable
    public static func receive<E: SystemCallFailure>(
        _ descriptor: CInt, into buffer: UnsafeMutableRawBufferPointer, on subject: @autoclosure () -> String = "",
        as _: E.Type = SystemCallError.self
    ) throws(E) -> Int? {
        try SystemCall.nonBlocking("recv", on: subject(), as: E.self) {
            recv(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
        }
    }

    /// send(2) with MSG_NOSIGNAL (a closed peer is an error, not a SIGPIPE): the bytes
    /// the kernel took, or nil when the socket's buffer is full.
    @inlinable
    public static func send<E: SystemCallFailure>(
        _ descriptor: CInt, _ bytes: UnsafeRawBufferPointer, on subject: @autoclosure () -> String = "",
        as _: E.Type = SystemCallError.self
    ) throws(E) -> Int? {
        try SystemCall.nonBlocking("send", on: subject(), as: E.self) {
            Glibc.send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
        }
    }

    /// sendto(2) of one datagram to an IPv4 address, with MSG_NOSIGNAL.
    @inlinable
    public static func send<E: SystemCallFailure>(
        _ descriptor: CInt, _ bytes: UnsafeRawBufferPointer, to address: sockaddr_in,
        on subject: @autoclosure () -> String = "", as _: E.Type = SystemCallError.self
    ) throws(E) {
        _ = try SystemCall.run("sendto", on: subject(), as: E.self) {
            withSocketAddress(address) {
                sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), $0, $1)
            }
        }
    }
}
