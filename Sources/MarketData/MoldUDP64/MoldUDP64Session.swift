import GatewayCore

/// A MoldUDP64 Session field: 10 bytes of ASCII, left-justified, right-padded with
/// spaces. It names the day's stream; sequence numbers are unique only within it.
///
/// Kept as two big-endian integers (bytes 0–7 and 8–9) so that comparing the session
/// of every received packet with the expected one is two instructions.
public struct MoldUDP64Session: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    public static let width = 10
    /// Bytes 0–7 as a big-endian integer.
    public var high: UInt64
    /// Bytes 8–9 as a big-endian integer.
    public var low: UInt16

    @inlinable public init(high: UInt64, low: UInt16) {
        self.high = high
        self.low = low
    }

    /// `name` padded with spaces; nil if longer than 10 bytes or not printable ASCII.
    public init?(_ name: String) {
        let bytes = Array(name.utf8)
        guard bytes.count <= Self.width, bytes.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) else { return nil }
        var h: UInt64 = 0
        for i in 0..<8 { h = h << 8 | UInt64(i < bytes.count ? bytes[i] : UInt8(ascii: " ")) }
        var l: UInt16 = 0
        for i in 8..<10 { l = l << 8 | UInt16(i < bytes.count ? bytes[i] : UInt8(ascii: " ")) }
        high = h
        low = l
    }

    /// The venue's session for a trading day: `CIFT` and the date as `YYMMDD`
    /// (`CIFT261121` for 21 November 2026). One session per trading day, kept across
    /// a restart within the day, so sequence numbers never repeat within a session.
    public static func tradingDay(year: Int, month: Int, day: Int) -> MoldUDP64Session {
        precondition((1...12).contains(month) && (1...31).contains(day), "not a date: \(year)-\(month)-\(day)")
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return MoldUDP64Session("CIFT" + two(((year % 100) + 100) % 100) + two(month) + two(day))!
    }

    /// Reads the field at `offset`.
    @inlinable
    public init(_ p: UnsafeRawPointer, at offset: Int) {
        high = MarketDataWire.u64(p, offset)
        low = MarketDataWire.u16(p, offset + 8)
    }

    /// Writes the field at `offset`.
    @inlinable
    public func store(_ p: UnsafeMutableRawPointer, at offset: Int) {
        MarketDataWire.put64(high, p, offset)
        MarketDataWire.put16(low, p, offset + 8)
    }

    /// The 10 bytes of the field.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * $0)) }
            + [UInt8(truncatingIfNeeded: low >> 8), UInt8(truncatingIfNeeded: low)]
    }

    /// The name without its padding.
    public var description: String {
        var b = bytes
        while let last = b.last, last == UInt8(ascii: " ") { b.removeLast() }
        return String(decoding: b, as: UTF8.self)
    }
}
