/// The side of an order. Raw values are FIX tag 54's: `1` buy, `2` sell.
///
/// Short sales (OUCH `T`/`E`, FIX `5`/`6`) are sells to the book; the session keeps the
/// distinction for reporting, the engine does not need it.
public enum Side: UInt8, Sendable, BitwiseCopyable, CaseIterable {
    case buy = 1
    case sell = 2

    /// The side an incoming order of this side trades against.
    @inlinable public var opposite: Side { self == .buy ? .sell : .buy }
}

/// Order type. Raw values are FIX tag 40's (`1` market, `2` limit).
public enum OrderType: UInt8, Sendable, BitwiseCopyable, CaseIterable {
    case market = 1
    case limit = 2
}

/// Time in force. Raw values are FIX tag 59's.
public enum TimeInForce: UInt8, Sendable, BitwiseCopyable, CaseIterable {
    /// Rests until end of day.
    case day = 0
    /// Rests across end of day until canceled.
    case goodTillCancel = 1
    /// Trades what it can on arrival; the rest is canceled.
    case immediateOrCancel = 3
    /// Trades its whole quantity on arrival or nothing at all.
    case fillOrKill = 4
}

/// Flags on a new order. One byte, so more can be added without changing the record size.
public struct OrderFlags: OptionSet, Sendable, BitwiseCopyable, Hashable {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Post-only: the order must add liquidity. If it would trade on arrival it is
    /// rejected (or canceled, for a replace) instead.
    public static let postOnly = OrderFlags(rawValue: 1 << 0)

    /// On a replace: the replace always loses time priority, even at the same price with a
    /// smaller quantity (OUCH's rule). Without it a same-price reduction keeps its place
    /// (FIX's usual venue behaviour). Read from the replace command, never stored.
    public static let replaceLosesPriority = OrderFlags(rawValue: 1 << 1)
}
