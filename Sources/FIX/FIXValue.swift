import GatewayCore

/// The value of one field: a slice of the bytes the message was decoded from (valid
/// as long as they are), without the tag, the `=` or the closing SOH.
///
/// Every reader parses in place and allocates nothing; each returns nil when the
/// bytes are not a value of that FIX type, which the validator reports as
/// SessionRejectReason 6 (incorrect data format).
public struct FIXValue {
    public let bytes: UnsafeRawBufferPointer

    @inlinable public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    @inlinable public var count: Int { bytes.count }

    @inlinable public subscript(i: Int) -> UInt8 { bytes[i] }

    /// True when the value is exactly `text` (ASCII), for example `value.equals("FIX.4.4")`.
    @inlinable
    public func equals(_ text: StaticString) -> Bool {
        guard text.utf8CodeUnitCount == bytes.count else { return false }
        let p = text.utf8Start
        for i in 0..<bytes.count where bytes[i] != p[i] { return false }
        return true
    }

    /// True when the value is exactly these bytes.
    @inlinable
    public func equals<Bytes: Collection>(bytes other: Bytes) -> Bool where Bytes.Element == UInt8 {
        guard other.count == bytes.count else { return false }
        var i = 0
        for b in other {
            if bytes[i] != b { return false }
            i += 1
        }
        return true
    }

    /// FIX `int` (and its kinds Length, SeqNum, NumInGroup, TagNum): an optional `-`
    /// then decimal digits; leading zeros are allowed. Nil on anything else or when
    /// the value does not fit 64 bits.
    @inlinable
    public var int: Int? {
        var i = 0
        var negative = false
        if bytes.count > 0 && bytes[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        }
        guard i < bytes.count else { return nil }
        var value = 0
        while i < bytes.count {
            let b = bytes[i]
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(Int(b &- 48)) : m.addingReportingOverflow(Int(b &- 48))
            if o1 || o2 { return nil }
            value = s
            i += 1
        }
        return value
    }

    /// FIX `Price` (and any decimal: Qty, Amt, PriceOffset) as a ``GatewayCore/Price``
    /// with four implied decimals: an optional `-`, digits, an optional `.` and
    /// digits, at least one digit in all ("100", "100.5", ".5", "0.0001").
    ///
    /// Nil for more than four decimal places, even when they are zeros ("1.00000"):
    /// a venue never rounds a price, and accepting extra zeros would make the
    /// rule depend on the digits. Also nil when the value does not fit.
    @inlinable
    public var price: Price? {
        var i = 0
        var negative = false
        if bytes.count > 0 && bytes[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        }
        var raw: Int64 = 0
        var digits = 0
        var fractionDigits = 0
        var seenDot = false
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if b == UInt8(ascii: ".") {
                if seenDot { return nil }
                seenDot = true
                continue
            }
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            if seenDot {
                fractionDigits += 1
                if fractionDigits > Price.decimals { return nil }
            }
            let (m, o1) = raw.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(b &- 48))
            if o1 || o2 { return nil }
            raw = s
            digits += 1
        }
        guard digits > 0 else { return nil }
        while fractionDigits < Price.decimals {
            let (m, o) = raw.multipliedReportingOverflow(by: 10)
            if o { return nil }
            raw = m
            fractionDigits += 1
        }
        return Price(raw: negative ? -raw : raw)
    }

    /// True when the value is a FIX decimal of any precision (optional `-`, digits
    /// with at most one `.`, at least one digit). Lets the validator tell a value
    /// that is not a number (reason 6) from one the venue cannot take (reason 5).
    @inlinable
    public var isDecimal: Bool {
        var i = bytes.count > 0 && bytes[0] == UInt8(ascii: "-") ? 1 : 0
        var digits = 0
        var seenDot = false
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: ".") {
                if seenDot { return false }
                seenDot = true
            } else if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                digits += 1
            } else {
                return false
            }
            i += 1
        }
        return digits > 0
    }

    /// FIX `char`: exactly one byte.
    @inlinable
    public var char: UInt8? { bytes.count == 1 ? bytes[0] : nil }

    /// FIX `Boolean`: `Y` or `N`.
    @inlinable
    public var bool: Bool? {
        guard bytes.count == 1 else { return nil }
        switch bytes[0] {
        case UInt8(ascii: "Y"): return true
        case UInt8(ascii: "N"): return false
        default: return nil
        }
    }

    /// FIX `UTCTimestamp`: `YYYYMMDD-HH:MM:SS` or `YYYYMMDD-HH:MM:SS.sss`.
    @inlinable
    public var utcTimestamp: Timestamp? { FIXUTCTimestamp.parse(bytes) }

    /// The value as a String. Allocates: for logs, errors and tests, not the hot path.
    public var string: String { String(decoding: bytes, as: UTF8.self) }
}
