import GatewayCore

/// Order Executed (`E`, 31 bytes): part or all of a resting order traded at its own
/// price. The subscriber reduces the order's shares and removes it at zero.
public struct ITCHOrderExecuted: ITCHMessageLayout {
    public static let type = ITCHMessageType.orderExecuted
    public static let length = ITCHMessageLength.orderExecuted

    public enum Offset {
        public static let orderReference = 11  // u64
        public static let executedShares = 19  // u32
        public static let matchNumber = 23     // u64
    }

    public var header: ITCHHeader
    public var orderReference: OrderReference
    public var executedShares: UInt32
    /// The engine's match number: the same one OUCH Order Executed and FIX ExecID
    /// carry for this trade, so a participant can tie its fill to the public print.
    public var matchNumber: UInt64

    @inlinable
    public init(header: ITCHHeader, orderReference: OrderReference, executedShares: UInt32, matchNumber: UInt64) {
        self.header = header
        self.orderReference = orderReference
        self.executedShares = executedShares
        self.matchNumber = matchNumber
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        header.store(type: Self.type, p)
        MarketDataWire.put64(orderReference, p, Offset.orderReference)
        MarketDataWire.put32(executedShares, p, Offset.executedShares)
        MarketDataWire.put64(matchNumber, p, Offset.matchNumber)
        return Self.length
    }

    @inlinable
    public init(unchecked p: UnsafeRawPointer) throws(ITCHDecodingError) {
        header = ITCHHeader(p)
        orderReference = MarketDataWire.u64(p, Offset.orderReference)
        executedShares = MarketDataWire.u32(p, Offset.executedShares)
        matchNumber = MarketDataWire.u64(p, Offset.matchNumber)
    }
}
