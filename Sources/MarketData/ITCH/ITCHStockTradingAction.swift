import GatewayCore

/// Stock Trading Action (`H`, 25 bytes): a symbol's trading state changed (halt,
/// resume), and once per symbol at the start of the day.
public struct ITCHStockTradingAction: ITCHMessageLayout {
    public static let type = ITCHMessageType.stockTradingAction
    public static let length = ITCHMessageLength.stockTradingAction

    public enum Offset {
        public static let stock = 11         // Alpha 8
        public static let tradingState = 19  // Alpha 1: see ITCHTradingState
        public static let reserved = 20      // Alpha 1
        public static let reason = 21        // Alpha 4
    }

    public var header: ITCHHeader
    public var stock: ITCHStock
    public var tradingState: UInt8
    /// Sent as a space; read back as received.
    public var reserved: UInt8
    public var reason: ITCHAlpha4

    @inlinable
    public init(
        header: ITCHHeader, stock: ITCHStock, tradingState: UInt8, reserved: UInt8 = UInt8(ascii: " "),
        reason: ITCHAlpha4 = .blank
    ) {
        self.header = header
        self.stock = stock
        self.tradingState = tradingState
        self.reserved = reserved
        self.reason = reason
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        header.store(type: Self.type, p)
        stock.store(p, at: Offset.stock)
        MarketDataWire.put8(tradingState, p, Offset.tradingState)
        MarketDataWire.put8(reserved, p, Offset.reserved)
        MarketDataWire.put32(reason.rawValue, p, Offset.reason)
        return Self.length
    }

    @inlinable
    public init(unchecked p: UnsafeRawPointer) throws(ITCHDecodingError) {
        header = ITCHHeader(p)
        stock = ITCHStock(p, at: Offset.stock)
        tradingState = MarketDataWire.u8(p, Offset.tradingState)
        reserved = MarketDataWire.u8(p, Offset.reserved)
        reason = ITCHAlpha4(rawValue: MarketDataWire.u32(p, Offset.reason))
    }
}
