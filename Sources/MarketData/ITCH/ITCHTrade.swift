import GatewayCore

/// Trade, non-cross (`P`, 44 bytes): an execution involving an order that was never
/// on the displayed book. It prints the trade; it does not change the book.
public struct ITCHTrade: ITCHMessageLayout {
    public static let type = ITCHMessageType.trade
    public static let length = ITCHMessageLength.trade

    public enum Offset {
        public static let orderReference = 11  // u64, 0 when the order is hidden
        public static let side = 19            // Alpha 1: B or S
        public static let shares = 20          // u32
        public static let stock = 24           // Alpha 8
        public static let price = 32           // u32, 4 implied decimals
        public static let matchNumber = 36     // u64
    }

    public var header: ITCHHeader
    public var orderReference: OrderReference
    public var side: Side
    public var shares: UInt32
    public var stock: ITCHStock
    public var price: Price
    public var matchNumber: UInt64

    @inlinable
    public init(
        header: ITCHHeader, orderReference: OrderReference, side: Side, shares: UInt32, stock: ITCHStock, price: Price,
        matchNumber: UInt64
    ) {
        self.header = header
        self.orderReference = orderReference
        self.side = side
        self.shares = shares
        self.stock = stock
        self.price = price
        self.matchNumber = matchNumber
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        header.store(type: Self.type, p)
        MarketDataWire.put64(orderReference, p, Offset.orderReference)
        ITCHSideField.write(side, p, Offset.side)
        MarketDataWire.put32(shares, p, Offset.shares)
        stock.store(p, at: Offset.stock)
        ITCHPriceField.write(price, p, Offset.price)
        MarketDataWire.put64(matchNumber, p, Offset.matchNumber)
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
        matchNumber = MarketDataWire.u64(p, Offset.matchNumber)
    }
}
