/// A price with four implied decimal places, as every protocol the venue speaks
/// carries it (OUCH Price, ITCH Price, the engine's books): 1.2345 is `raw == 12345`.
///
/// Kept as a signed 64-bit integer so arithmetic on the hot path is one instruction
/// and spreads below zero (never a valid order price) are still representable.
public struct Price: Hashable, Comparable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// The price multiplied by ``Price/scale``.
    public var raw: Int64

    /// 10^4: the number of raw units in one currency unit.
    public static let scale: Int64 = 10_000
    /// Number of implied decimal places.
    public static let decimals = 4

    @inlinable public init(raw: Int64) { self.raw = raw }

    /// A price of zero, which the engine uses as "no price" on market orders.
    public static let zero = Price(raw: 0)

    @inlinable public static func < (lhs: Price, rhs: Price) -> Bool { lhs.raw < rhs.raw }

    /// Parses a decimal such as `"123.45"`, `"7"` or `"0.0001"`.
    ///
    /// Returns nil for anything that is not a plain non-negative decimal with at most
    /// four decimal places, or that does not fit: a venue refuses a price it would
    /// have to round.
    public init?(parsing text: Substring) {
        var units: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenDot = false
        var digits = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let d = Int64(byte &- UInt8(ascii: "0"))
                if seenDot {
                    fractionDigits += 1
                    if fractionDigits > Price.decimals { return nil }
                    fraction = fraction * 10 + d
                } else {
                    let (m, o1) = units.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.addingReportingOverflow(d)
                    if o1 || o2 { return nil }
                    units = s
                }
                digits += 1
            case UInt8(ascii: "."):
                if seenDot { return nil }
                seenDot = true
            default:
                return nil
            }
        }
        if digits == 0 { return nil }
        while fractionDigits < Price.decimals { fraction *= 10; fractionDigits += 1 }
        let (m, o1) = units.multipliedReportingOverflow(by: Price.scale)
        let (s, o2) = m.addingReportingOverflow(fraction)
        if o1 || o2 { return nil }
        self.raw = s
    }

    public init?(parsing text: String) { self.init(parsing: Substring(text)) }

    /// `"123.4500"`: always four decimals, so logs line up and round-trip exactly.
    public var description: String {
        let sign = raw < 0 ? "-" : ""
        let magnitude = raw.magnitude
        let units = magnitude / UInt64(Price.scale)
        let fraction = magnitude % UInt64(Price.scale)
        let f = String(fraction)
        return sign + String(units) + "." + String(repeating: "0", count: Price.decimals - f.count) + f
    }
}
