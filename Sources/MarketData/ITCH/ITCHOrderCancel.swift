import GatewayCore

/// Order Cancel (`X`, 23 bytes): a resting order's shares were reduced by a partial
/// cancel; the order keeps its place in the queue.
public struct ITCHOrderCancel: ITCHMessageLayout {
    public static let type = ITCHMessageType.orderCancel
    public static let length = ITCHMessageLength.orderCancel

    public enum Offset {
        public static let orderReference = 11  // u64
        public static let canceledShares = 19  // u32
    }

    public var header: ITCHHeader
    public var orderReference: OrderReference
    public var canceledShares: UInt32

    @inlinable
    public init(header: ITCHHeader, orderReference: OrderReference, canceledShares: UInt32) {
        self.header = header
        self.orderReference = orderReference
        self.canceledShares = canceledShares
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        header.store(type: Self.type, p)
        MarketDataWire.put64(orderReference, p, Offset.orderReference)
        MarketDataWire.put32(canceledShares, p, Offset.canceledShares)
        return Self.length
    }

    @inlinable
    public init(unchecked p: UnsafeRawPointer) throws(ITCHDecodingError) {
        header = ITCHHeader(p)
        orderReference = MarketDataWire.u64(p, Offset.orderReference)
        canceledShares = MarketDataWire.u32(p, Offset.canceledShares)
    }
}
