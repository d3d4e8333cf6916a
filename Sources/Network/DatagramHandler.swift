/// Hears the datagrams that arrive on a loop's UDP endpoint (`NetworkLoop.openDatagram`).
/// Called on the loop's thread, from inside a turn or a wait, one at a time; it may call
/// the loop's methods (`sendDatagram` to answer, `send` on connections).
public protocol DatagramHandler: AnyObject {
    /// One datagram arrived on `endpoint` from `peer`. `bytes` is the endpoint's receive
    /// buffer, lent for the call only: copy what you keep. A datagram longer than the
    /// endpoint's `maximumDatagramBytes` arrives cut to that length.
    func received(datagram bytes: UnsafeRawBufferPointer, from peer: DatagramAddress, endpoint: DatagramEndpointID, loop: NetworkLoop)
}

/// A UDP endpoint of one loop.
public struct DatagramEndpointID: Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
}

/// How a UDP endpoint is opened: where it is bound, and for a multicast sender, the
/// interface, hop limit and loop-back of what it sends.
public struct DatagramOptions: Sendable, Equatable {
    /// Bind here (an IPv4 literal and a port, 0: one the kernel picks); nil: not bound
    /// (a sender only; the kernel picks a source port on the first send).
    public var bindHost: String?
    public var bindPort: UInt16
    /// Multicast out of the interface with this IPv4 address (IP_MULTICAST_IF).
    public var multicastInterface: String?
    /// IP_MULTICAST_TTL (1: this subnet only).
    public var multicastTTL: UInt8
    /// IP_MULTICAST_LOOP: a subscriber on this machine hears what is sent.
    public var multicastLoop: Bool
    /// The longest datagram sent or received (1 to 65,507 bytes).
    public var maximumDatagramBytes: Int
    /// io_uring: datagrams that may wait in the submission queue or in the kernel at
    /// once, each in a slot of its own. A send when all are taken hands the queue to the
    /// kernel and goes out with a direct `sendto` behind it (order kept).
    public var sendSlots: Int

    public init(bindHost: String? = nil, bindPort: UInt16 = 0, multicastInterface: String? = nil, multicastTTL: UInt8 = 1,
                multicastLoop: Bool = true, maximumDatagramBytes: Int = 1_500, sendSlots: Int = 64) {
        self.bindHost = bindHost
        self.bindPort = bindPort
        self.multicastInterface = multicastInterface
        self.multicastTTL = multicastTTL
        self.multicastLoop = multicastLoop
        self.maximumDatagramBytes = maximumDatagramBytes
        self.sendSlots = sendSlots
    }
}

/// What `NetworkLoop.sendDatagram` did with a datagram.
public enum DatagramSendResult: Sendable, Equatable {
    /// Queued for the kernel (io_uring: handed over at the next submission), or (epoll)
    /// taken by it.
    case sent
    /// Not sent: the kernel refused it (its socket buffer full, an error); counted in
    /// `NetworkStatistics.datagramsDropped`. UDP: the market data's packets are in its
    /// store, and a subscriber's gap detection fetches a lost one.
    case dropped
    /// Longer than the endpoint's `maximumDatagramBytes`; nothing sent.
    case tooLarge
    /// The identifier names no open endpoint of this loop.
    case unknownEndpoint
}
