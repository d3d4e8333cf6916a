import GatewayCore

/// The eleven bytes every ITCH 5.0 message starts with after its type byte.
///
/// Type 0/1 · StockLocate 1/2 · TrackingNumber 3/2 · Timestamp 5/6.
public struct ITCHHeader: Hashable, Sendable, BitwiseCopyable {
    public enum Offset {
        public static let type = 0             // Alpha 1
        public static let stockLocate = 1      // u16
        public static let trackingNumber = 3   // u16
        public static let timestamp = 5        // u48
        /// The first byte after the header: where every message's own fields start.
        public static let end = 11
    }

    /// The symbol's stock locate code: its 1-based index in the venue's symbol
    /// directory (``SymbolIndex``), 0 for messages about no symbol (System Event,
    /// Snapshot Complete).
    public var stockLocate: SymbolIndex
    /// Always 0 at this venue: ITCH uses it for the listing market's internal
    /// tracking, which a single-engine venue does not have.
    public var trackingNumber: UInt16
    /// Nanoseconds since midnight UTC (u48 on the wire; only the low 48 bits are sent).
    public var timestamp: UInt64

    @inlinable
    public init(stockLocate: SymbolIndex, trackingNumber: UInt16 = 0, timestamp: UInt64) {
        self.stockLocate = stockLocate
        self.trackingNumber = trackingNumber
        self.timestamp = timestamp
    }

    /// Reads the header of a message at `p` (the type byte is at `p`).
    @inlinable
    public init(_ p: UnsafeRawPointer) {
        stockLocate = SymbolIndex(rawValue: MarketDataWire.u16(p, Offset.stockLocate))
        trackingNumber = MarketDataWire.u16(p, Offset.trackingNumber)
        timestamp = MarketDataWire.u48(p, Offset.timestamp)
    }

    /// Writes `type` and the header at `p`.
    @inlinable
    public func store(type: UInt8, _ p: UnsafeMutableRawPointer) {
        MarketDataWire.put8(type, p, Offset.type)
        MarketDataWire.put16(stockLocate.rawValue, p, Offset.stockLocate)
        MarketDataWire.put16(trackingNumber, p, Offset.trackingNumber)
        MarketDataWire.put48(timestamp, p, Offset.timestamp)
    }
}
