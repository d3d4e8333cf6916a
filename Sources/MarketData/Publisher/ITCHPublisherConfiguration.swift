import GatewayCore

/// One symbol of the venue's directory as the feed announces it.
public struct ITCHSymbol: Sendable, Equatable {
    public var locate: SymbolIndex
    public var stock: ITCHStock
    public var roundLotSize: UInt32

    public init(locate: SymbolIndex, stock: ITCHStock, roundLotSize: UInt32) {
        self.locate = locate
        self.stock = stock
        self.roundLotSize = roundLotSize
    }
}

public struct ITCHPublisherConfiguration: Sendable {
    public var session: MoldUDP64Session
    /// In stock-locate order.
    public var symbols: [ITCHSymbol]
    /// Largest UDP payload (MoldUDP64 header included).
    public var maximumPacketSize: Int
    /// A message waits at most this long for more to share its packet.
    public var flushDelayNanoseconds: Int64
    /// A heartbeat (or, after the end of the session, an End of Session) when nothing
    /// was sent for this long.
    public var heartbeatIntervalNanoseconds: Int64
    /// Room reserved in the publisher's book at start (the engine's `maxOrders` and
    /// price levels per side), so that the book never allocates while the feed runs.
    public var expectedOrders: Int
    public var expectedLevelsPerSide: Int

    public init(session: MoldUDP64Session, symbols: [ITCHSymbol],
                maximumPacketSize: Int = MoldUDP64PacketBuilder.defaultMaximumPacketSize,
                flushDelayNanoseconds: Int64 = 100_000, heartbeatIntervalNanoseconds: Int64 = 1_000_000_000,
                expectedOrders: Int = 4096, expectedLevelsPerSide: Int = 256) {
        self.expectedOrders = expectedOrders
        self.expectedLevelsPerSide = expectedLevelsPerSide
        self.session = session
        self.symbols = symbols
        self.maximumPacketSize = maximumPacketSize
        self.flushDelayNanoseconds = flushDelayNanoseconds
        self.heartbeatIntervalNanoseconds = heartbeatIntervalNanoseconds
    }
}

/// Where the publisher's packets go: the market-data thread's multicast socket; tests
/// record them.
public protocol ITCHPublisherIO {
    /// One whole MoldUDP64 packet (copy it: the buffer is reused).
    mutating func publish(_ packet: UnsafeRawBufferPointer)
}

/// An order on the engine's book when a session day's feed starts, in priority order.
public struct ITCHRestingOrder: Sendable, Equatable {
    public var reference: OrderReference
    public var locate: SymbolIndex
    public var side: Side
    public var price: Price
    public var shares: UInt32

    public init(reference: OrderReference, locate: SymbolIndex, side: Side, price: Price, shares: UInt32) {
        self.reference = reference
        self.locate = locate
        self.side = side
        self.price = price
        self.shares = shares
    }
}
