import GatewayCore

/// Add Order, no MPID attribution (`A`, 36 bytes): an order now rests on the book,
/// at the back of its price level.
public struct ITCHAddOrder: ITCHMessageLayout {
    public static let type = ITCHMessageType.addOrder
    public static let length = ITCHMessageLength.addOrder

    public enum Offset {
        public static let orderReference = 11  // u64
        public static let side = 19            // Alpha 1: B or S
        public static let shares = 20          // u32
        public static let stock = 24           // Alpha 8
        public static let price = 32           // u32, 4 implied decimals
    }

    public var header: ITCHHeader
    /// The engine's order reference (day-unique), the same number OUCH Order
    /// Accepted and FIX OrderID carry.
    public var orderReference: OrderReference
    public var side: Side
    public var shares: UInt32
    public var stock: ITCHStock
    public var price: Price

    @inlinable
    public init(header: ITCHHeader, orderReference: OrderReference, side: Side, shares: UInt32, stock: ITCHStock, price: Price) {
        self.header = header
        self.orderReference = orderReference
        self.side = side
        self.shares = shares
        self.stock = stock
        self.price = price
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        header.store(type: Self.type, p)
        MarketDataWire.put64(orderReference, p, Offset.orderReference)
        ITCHSideField.write(side, p, Offset.side)
        MarketDataWire.put32(shares, p, Offset.shares)
        stock.store(p, at: Offset.stock)
        ITCHPriceField.write(price, p, Offset.price)
        return Self.length
    }

    @inlinable
    public init(unchecked p: UnsafeRawPointer) throws(ITCHDecodingError) {
        header = ITCHHeader(p)
        orderReference = MarketDataWire.u64(p, Offset.orderReference)
        side = try ITCHSideField.read(p, Offset.side, type: Self.type)
        shares = MarketDataWire.u32(p, Offset.shares)
        stock = ITCHStock(p, at: Offset.stock)
        price = ITCHPriceField.read(p, Offset.price)
    }
}
