import GatewayCore

/// Order Replace (`U`, 35 bytes): a resting order was replaced by a new one on the
/// same side and symbol. The old reference leaves the book; the new one joins the
/// back of its price level (a replace loses time priority).
public struct ITCHOrderReplace: ITCHMessageLayout {
    public static let type = ITCHMessageType.orderReplace
    public static let length = ITCHMessageLength.orderReplace

    public enum Offset {
        public static let originalOrderReference = 11  // u64
        public static let newOrderReference = 19       // u64
        public static let shares = 27                  // u32
        public static let price = 31                   // u32, 4 implied decimals
    }

    public var header: ITCHHeader
    public var originalOrderReference: OrderReference
    /// The engine's reference for the replacing order (a fresh, day-unique number).
    public var newOrderReference: OrderReference
    public var shares: UInt32
    public var price: Price

    @inlinable
    public init(
        header: ITCHHeader, originalOrderReference: OrderReference, newOrderReference: OrderReference, shares: UInt32,
        price: Price
    ) {
        self.header = header
        self.originalOrderReference = originalOrderReference
        self.newOrderReference = newOrderReference
        self.shares = shares
        self.price = price
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        header.store(type: Self.type, p)
        MarketDataWire.put64(originalOrderReference, p, Offset.originalOrderReference)
        MarketDataWire.put64(newOrderReference, p, Offset.newOrderReference)
        MarketDataWire.put32(shares, p, Offset.shares)
        ITCHPriceField.write(price, p, Offset.price)
        return Self.length
    }

    @inlinable
    public init(unchecked p: UnsafeRawPointer) throws(ITCHDecodingError) {
        header = ITCHHeader(p)
        originalOrderReference = MarketDataWire.u64(p, Offset.originalOrderReference)
        newOrderReference = MarketDataWire.u64(p, Offset.newOrderReference)
        shares = MarketDataWire.u32(p, Offset.shares)
        price = ITCHPriceField.read(p, Offset.price)
    }
}
