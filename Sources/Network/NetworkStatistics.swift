/// Counters of one `NetworkLoop`, for logs and tests. Read on the loop's
/// thread (`NetworkLoop.statistics`).
public struct NetworkStatistics: Sendable, Equatable {
    /// Connections accepted and handed to the handler (`opened`).
    public var acceptedConnections: UInt64 = 0
    /// Connections accepted and closed at once because every slot was in
    /// use (`maxConnections`); the handler never heard of them.
    public var rejectedConnections: UInt64 = 0
    /// Accepts the kernel failed (EMFILE, ECONNABORTED, ...), and accepted
    /// sockets that could not be set up.
    public var acceptErrors: UInt64 = 0
    /// Connections closed with `CloseReason.slowConsumer`.
    public var slowConsumerDisconnects: UInt64 = 0
    /// TLS handshakes finished, and TLS connections closed for a failure or a
    /// handshake timeout.
    public var tlsHandshakes: UInt64 = 0
    public var tlsFailures: UInt64 = 0
    /// Bytes handed to the handler in `received`.
    public var bytesReceived: UInt64 = 0
    /// Bytes the kernel took from send buffers.
    public var bytesSent: UInt64 = 0
    /// UDP datagrams handed to the kernel, delivered to a `DatagramHandler`, dropped
    /// (no send slot free, or the kernel refused them), and receive errors.
    public var datagramsSent: UInt64 = 0
    public var datagramsReceived: UInt64 = 0
    public var datagramsDropped: UInt64 = 0
    public var datagramReceiveErrors: UInt64 = 0
    /// Loop turns (calls of `NetworkHandler.turn`).
    public var turns: UInt64 = 0
    /// Turns that ended blocked in the kernel (parked) rather than polling.
    public var parks: UInt64 = 0

    public init() {}
}
