import GatewayCore

/// Order Delete (`D`, 19 bytes): a resting order left the book (canceled in full,
/// or expired).
public struct ITCHOrderDelete: ITCHMessageLayout {
    public static let type = ITCHMessageType.orderDelete
    public static let length = ITCHMessageLength.orderDelete

    public enum Offset {
        public static let orderReference = 11  // u64
    }

    public var header: ITCHHeader
    public var orderReference: OrderReference

    @inlinable
    public init(header: ITCHHeader, orderReference: OrderReference) {
        self.header = header
        self.orderReference = orderReference
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        header.store(type: Self.type, p)
        MarketDataWire.put64(orderReference, p, Offset.orderReference)
        return Self.length
    }

    @inlinable
    public init(unchecked p: UnsafeRawPointer) throws(ITCHDecodingError) {
        header = ITCHHeader(p)
        orderReference = MarketDataWire.u64(p, Offset.orderReference)
    }
}
