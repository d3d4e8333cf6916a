/// How one `NetworkLoop` is sized and how it waits. Every buffer it implies is
/// allocated when the loop is created; nothing grows afterwards.
///
/// Memory per loop: `maxConnections × maxSendBufferBytes` of send buffers
/// (allocated up front, touched by the kernel only as it is used) plus
/// `receiveBufferCount × receiveBufferSize` of receive buffers (io_uring)
/// or one `receiveBufferSize` buffer (epoll).
public struct NetworkConfiguration: Sendable, Equatable {
    /// Which kernel interface the loop uses.
    public enum Backend: String, Sendable, Equatable, CaseIterable {
        /// io_uring when it can be set up here, else epoll; the loop's
        /// `fallbackReason` says why it fell back.
        case automatic
        /// io_uring or nothing: the loop's initializer throws when io_uring
        /// cannot be set up.
        case ioUring = "io_uring"
        /// epoll, even where io_uring works.
        case epoll
    }

    /// Which kernel interface to use.
    public var backend: Backend
    /// Connection slots, 1 to 65,536. A connection accepted when all are in
    /// use is closed at once; the handler never hears of it.
    public var maxConnections: Int
    /// Listening sockets, 1 to 256.
    public var maxListeners: Int
    /// Bytes per receive buffer (io_uring: each provided buffer; epoll: the
    /// one read buffer), 64 to 1,048,576. A `received` callback gets at most
    /// this many bytes.
    public var receiveBufferSize: Int
    /// io_uring provided buffers shared by all connections of the loop, a
    /// power of two from 1 to 32,768. When all are taken (every one
    /// delivered-and-not-returned, or held while reading is paused), receives
    /// wait; no byte is lost.
    public var receiveBufferCount: Int
    /// The most output one connection may have pending (queued and not yet
    /// taken by the kernel), 1 to 1 GiB. A `send` that would exceed it closes
    /// the connection with `CloseReason.slowConsumer`. Also the largest single
    /// `send`.
    public var maxSendBufferBytes: Int
    /// The longest the loop blocks when it has nothing to do, 1 to 60,000 ms.
    /// It bounds how late `NetworkHandler.turn` runs for timers.
    public var maxIdleWaitMilliseconds: Int
    /// Empty turns spent polling without blocking before the loop parks
    /// (0 or more): trades a core for the wake-up latency of a parked
    /// thread (about 10 µs on our VMs). Each such turn is one system call.
    public var spinTurns: Int
    /// io_uring submission queue entries, a power of two from 8 to 32,768.
    /// The completion queue gets four times as many (at least enough for
    /// every connection and buffer); the kernel keeps completions beyond it
    /// rather than dropping them.
    public var ioUringEntries: Int
    /// Whether io_uring receives may be multishot when the kernel supports
    /// them (checked at start-up). `false` forces single-shot receives.
    public var allowMultishotReceive: Bool
    /// How long a graceful close may take to write what is still queued,
    /// 0 to 60,000 ms; after that the rest is discarded.
    public var closeLingerMilliseconds: Int
    /// The listen(2) backlog, 1 to 65,535.
    public var listenBacklog: Int
    /// A TLS connection whose handshake has not finished after this long is closed
    /// (`CloseReason.tlsHandshakeTimeout`), 100 to 600,000 ms.
    public var tlsHandshakeTimeoutMilliseconds = 5_000

    public init(
        backend: Backend = .automatic,
        maxConnections: Int = 256,
        maxListeners: Int = 8,
        receiveBufferSize: Int = 16_384,
        receiveBufferCount: Int = 256,
        maxSendBufferBytes: Int = 262_144,
        maxIdleWaitMilliseconds: Int = 20,
        spinTurns: Int = 50,
        ioUringEntries: Int = 256,
        allowMultishotReceive: Bool = true,
        closeLingerMilliseconds: Int = 1_000,
        listenBacklog: Int = 1_024
    ) {
        self.backend = backend
        self.maxConnections = maxConnections
        self.maxListeners = maxListeners
        self.receiveBufferSize = receiveBufferSize
        self.receiveBufferCount = receiveBufferCount
        self.maxSendBufferBytes = maxSendBufferBytes
        self.maxIdleWaitMilliseconds = maxIdleWaitMilliseconds
        self.spinTurns = spinTurns
        self.ioUringEntries = ioUringEntries
        self.allowMultishotReceive = allowMultishotReceive
        self.closeLingerMilliseconds = closeLingerMilliseconds
        self.listenBacklog = listenBacklog
    }

    /// Throws `NetworkError.invalidConfiguration` naming the first field out
    /// of range, its value and the accepted values.
    public func validate() throws(NetworkError) {
        try Self.check("maxConnections", maxConnections, 1...65_536)
        try Self.check("maxListeners", maxListeners, 1...256)
        try Self.check("receiveBufferSize", receiveBufferSize, 64...1_048_576)
        try Self.checkPowerOfTwo("receiveBufferCount", receiveBufferCount, 1...32_768)
        try Self.check("maxSendBufferBytes", maxSendBufferBytes, 1...(1 << 30))
        try Self.check("maxIdleWaitMilliseconds", maxIdleWaitMilliseconds, 1...60_000)
        try Self.check("spinTurns", spinTurns, 0...Int.max)
        try Self.checkPowerOfTwo("ioUringEntries", ioUringEntries, 8...32_768)
        try Self.check("closeLingerMilliseconds", closeLingerMilliseconds, 0...60_000)
        try Self.check("listenBacklog", listenBacklog, 1...65_535)
        try Self.check("tlsHandshakeTimeoutMilliseconds", tlsHandshakeTimeoutMilliseconds, 100...600_000)
    }

    static func check(_ name: String, _ value: Int, _ range: ClosedRange<Int>) throws(NetworkError) {
        guard range.contains(value) else {
            let accepted = range.upperBound == Int.max ? "at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
            throw .invalidConfiguration("\(name) must be \(accepted), got \(value)")
        }
    }

    static func checkPowerOfTwo(_ name: String, _ value: Int, _ range: ClosedRange<Int>) throws(NetworkError) {
        guard range.contains(value), value & (value - 1) == 0 else {
            throw .invalidConfiguration("\(name) must be a power of two from \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
    }
}
