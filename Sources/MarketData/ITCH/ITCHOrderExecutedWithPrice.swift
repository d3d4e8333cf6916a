import GatewayCore

/// Order Executed With Price (`C`, 36 bytes): a resting order traded at a price
/// other than its displayed one. The book effect is the same as Order Executed.
public struct ITCHOrderExecutedWithPrice: ITCHMessageLayout {
    public static let type = ITCHMessageType.orderExecutedWithPrice
    public static let length = ITCHMessageLength.orderExecutedWithPrice

    public enum Offset {
        public static let orderReference = 11  // u64
        public static let executedShares = 19  // u32
        public static let matchNumber = 23     // u64
        public static let printable = 31       // Alpha 1: Y or N
        public static let executionPrice = 32  // u32, 4 implied decimals
    }

    public var header: ITCHHeader
    public var orderReference: OrderReference
    public var executedShares: UInt32
    public var matchNumber: UInt64
    public var printable: UInt8
    public var executionPrice: Price

    @inlinable
    public init(
        header: ITCHHeader, orderReference: OrderReference, executedShares: UInt32, matchNumber: UInt64,
        printable: UInt8, executionPrice: Price
    ) {
        self.header = header
        self.orderReference = orderReference
        self.executedShares = executedShares
        self.matchNumber = matchNumber
        self.printable = printable
        self.executionPrice = executionPrice
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        header.store(type: Self.type, p)
        MarketDataWire.put64(orderReference, p, Offset.orderReference)
        MarketDataWire.put32(executedShares, p, Offset.executedShares)
        MarketDataWire.put64(matchNumber, p, Offset.matchNumber)
        MarketDataWire.put8(printable, p, Offset.printable)
        ITCHPriceField.write(executionPrice, p, Offset.executionPrice)
        return Self.length
    }

    @inlinable
    public init(unchecked p: UnsafeRawPointer) throws(ITCHDecodingError) {
        header = ITCHHeader(p)
        orderReference = MarketDataWire.u64(p, Offset.orderReference)
        executedShares = MarketDataWire.u32(p, Offset.executedShares)
        matchNumber = MarketDataWire.u64(p, Offset.matchNumber)
        printable = MarketDataWire.u8(p, Offset.printable)
        executionPrice = ITCHPriceField.read(p, Offset.executionPrice)
    }
}
