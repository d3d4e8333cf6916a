import GatewayCore

/// An OUCH Symbol field: 8 bytes of ASCII, left-justified, right-padded with spaces.
/// Corresponds to OUCH "Symbol" (Alpha 8).
///
/// Kept as the 8 bytes read as one big-endian integer, so that a copy is a register
/// move, a comparison one instruction, and the directory lookup hashes one word.
public struct OUCHSymbol: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// The 8 bytes as a big-endian integer: the first byte of the field is the most
    /// significant byte.
    public var rawValue: UInt64

    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// `name` padded with spaces; nil if it is empty, longer than 8 bytes or not
    /// printable ASCII.
    public init?(_ name: String) {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 8, bytes.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) else { return nil }
        var raw: UInt64 = 0
        for i in 0..<8 { raw = raw << 8 | UInt64(i < bytes.count ? bytes[i] : UInt8(ascii: " ")) }
        rawValue = raw
    }

    /// Reads the field at `offset`. Corresponds to an OUCH Alpha 8 field.
    @inlinable
    public init(_ p: UnsafeRawPointer, at offset: Int) {
        rawValue = Wire.u64(p, offset)
    }

    @inlinable
    public func store(_ p: UnsafeMutableRawPointer, at offset: Int) {
        Wire.put64(rawValue, p, offset)
    }

    /// True when all 8 bytes are printable ASCII.
    @inlinable
    public var isPrintableASCII: Bool {
        var r = rawValue
        for _ in 0..<8 {
            let b = UInt8(truncatingIfNeeded: r)
            if b < 0x20 || b > 0x7E { return false }
            r >>= 8
        }
        return true
    }

    /// The 8 bytes of the field.
    public var bytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: rawValue >> UInt64(56 - 8 * $0)) } }

    /// The name without its padding.
    public var description: String {
        var b = bytes
        while let last = b.last, last == UInt8(ascii: " ") { b.removeLast() }
        return String(decoding: b, as: UTF8.self)
    }
}

/// An OUCH ClOrdID field: 14 bytes of ASCII, left-justified, right-padded with
/// spaces. Corresponds to OUCH "ClOrdID" (Alpha 14). Informational at this venue:
/// orders are named by UserRefNum; the ClOrdID is carried to the engine and echoed.
public struct OUCHClOrdID: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    public static let width = 14
    /// Bytes 0–7 as a big-endian integer.
    public var high: UInt64
    /// Bytes 8–13 as a big-endian integer in the low 48 bits.
    public var low: UInt64

    @inlinable public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low & 0xFFFF_FFFF_FFFF
    }

    /// All spaces.
    public static let blank = OUCHClOrdID(high: 0x2020_2020_2020_2020, low: 0x2020_2020_2020)

    /// `text` padded with spaces; nil if longer than 14 bytes or not printable ASCII.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count <= OUCHClOrdID.width, bytes.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) else { return nil }
        self.init(paddedBytes: bytes)
    }

    init(paddedBytes bytes: [UInt8]) {
        var h: UInt64 = 0
        var l: UInt64 = 0
        for i in 0..<8 { h = h << 8 | UInt64(i < bytes.count ? bytes[i] : UInt8(ascii: " ")) }
        for i in 8..<14 { l = l << 8 | UInt64(i < bytes.count ? bytes[i] : UInt8(ascii: " ")) }
        high = h
        low = l
    }

    /// The engine's identifier: up to 14 bytes, padded with spaces; a longer one is cut.
    @inlinable
    public init(_ id: ClientOrderID) {
        var h: UInt64 = 0
        var l: UInt64 = 0
        for i in 0..<8 {
            let b = id[i]
            h = h << 8 | UInt64(b == 0 ? UInt8(ascii: " ") : b)
        }
        // Once a NUL is met the identifier has ended: every later byte is NUL too.
        for i in 8..<14 {
            let b = id[i]
            l = l << 8 | UInt64(b == 0 ? UInt8(ascii: " ") : b)
        }
        high = h
        low = l
    }

    /// Reads the field at `offset`.
    @inlinable
    public init(_ p: UnsafeRawPointer, at offset: Int) {
        high = Wire.u64(p, offset)
        low = UInt64(Wire.u32(p, offset + 8)) << 16 | UInt64(Wire.u16(p, offset + 12))
    }

    @inlinable
    public func store(_ p: UnsafeMutableRawPointer, at offset: Int) {
        Wire.put64(high, p, offset)
        Wire.put32(UInt32(truncatingIfNeeded: low >> 16), p, offset + 8)
        Wire.put16(UInt16(truncatingIfNeeded: low), p, offset + 12)
    }

    /// Byte `i` of the field, 0 ..< 14.
    @inlinable
    public subscript(i: Int) -> UInt8 {
        i < 8 ? UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * i))
            : UInt8(truncatingIfNeeded: low >> UInt64(40 - 8 * (i - 8)))
    }

    /// True when all 14 bytes are printable ASCII.
    @inlinable
    public var isPrintableASCII: Bool {
        for i in 0..<OUCHClOrdID.width {
            let b = self[i]
            if b < 0x20 || b > 0x7E { return false }
        }
        return true
    }

    /// The engine's identifier: the field without its trailing spaces. Nil when it
    /// holds a byte that is not printable ASCII.
    @inlinable
    public var clientOrderID: ClientOrderID? {
        guard isPrintableASCII else { return nil }
        var end = OUCHClOrdID.width
        while end > 0 && self[end - 1] == UInt8(ascii: " ") { end -= 1 }
        var w0: UInt64 = 0
        var w1: UInt64 = 0
        // ClientOrderID words are little-endian: byte i at bits 8*(i&7).
        for i in 0..<end {
            let shift = UInt64((i & 7) * 8)
            if i < 8 { w0 |= UInt64(self[i]) << shift } else { w1 |= UInt64(self[i]) << shift }
        }
        return ClientOrderID(words: (w0, w1, 0))
    }

    public var bytes: [UInt8] { (0..<OUCHClOrdID.width).map { self[$0] } }

    /// The field without its trailing spaces.
    public var description: String {
        var b = bytes
        while let last = b.last, last == UInt8(ascii: " ") { b.removeLast() }
        return String(decoding: b, as: UTF8.self)
    }
}

/// An OUCH Firm: 4 bytes of ASCII (the Firm optional field, tag 2).
public struct OUCHFirm: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// The 4 bytes as a big-endian integer.
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `text` padded with spaces; nil if empty, longer than 4 bytes or not printable ASCII.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 4, bytes.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) else { return nil }
        var raw: UInt32 = 0
        for i in 0..<4 { raw = raw << 8 | UInt32(i < bytes.count ? bytes[i] : UInt8(ascii: " ")) }
        rawValue = raw
    }

    public var description: String {
        var b = (0..<4).map { UInt8(truncatingIfNeeded: rawValue >> UInt32(24 - 8 * $0)) }
        while let last = b.last, last == UInt8(ascii: " ") { b.removeLast() }
        return String(decoding: b, as: UTF8.self)
    }
}
