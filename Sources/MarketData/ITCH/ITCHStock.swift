import GatewayCore

/// An ITCH Stock field: 8 bytes of ASCII, left-justified, right-padded with spaces.
/// Corresponds to ITCH "Stock" (Alpha 8) in Stock Directory, Stock Trading Action,
/// Add Order and Trade.
///
/// Kept as the 8 bytes read as one big-endian integer, so that a copy is a register
/// move and a comparison one instruction (the same representation as OUCHSymbol).
public struct ITCHStock: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// The 8 bytes as a big-endian integer: the first byte of the field is the most
    /// significant byte.
    public var rawValue: UInt64

    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// `name` padded with spaces; nil if it is empty, longer than 8 bytes or not
    /// printable ASCII.
    public init?(_ name: String) {
        guard !name.isEmpty, let raw = alphaRaw(name, count: 8) else { return nil }
        rawValue = raw
    }

    /// Eight spaces: what a message that names no stock would carry.
    public static let blank = ITCHStock(rawValue: 0x2020_2020_2020_2020)

    /// Reads the field at `offset`.
    @inlinable
    public init(_ p: UnsafeRawPointer, at offset: Int) {
        rawValue = MarketDataWire.u64(p, offset)
    }

    /// Writes the field at `offset`.
    @inlinable
    public func store(_ p: UnsafeMutableRawPointer, at offset: Int) {
        MarketDataWire.put64(rawValue, p, offset)
    }

    /// The name without its padding.
    public var description: String { alphaText(rawValue, count: 8) }
}

/// A four-byte alpha field held as a big-endian integer: the Stock Trading Action
/// Reason and the Add Order with MPID Attribution.
public struct ITCHAlpha4: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    public var rawValue: UInt32

    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `text` padded with spaces; nil if longer than 4 bytes or not printable ASCII.
    public init?(_ text: String) {
        guard let raw = alphaRaw(text, count: 4) else { return nil }
        rawValue = UInt32(raw)
    }

    /// Four spaces.
    public static let blank = ITCHAlpha4(rawValue: 0x2020_2020)

    public var description: String { alphaText(UInt64(rawValue), count: 4) }
}
