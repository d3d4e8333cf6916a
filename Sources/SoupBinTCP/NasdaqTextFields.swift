import GatewayCore

/// SoupBinTCP fields are read and written with GatewayCore's ``BigEndianWire``.
@usableFromInline
typealias Wire = BigEndianWire

/// The text conventions Nasdaq's SoupBinTCP and OUCH wires share, beside the binary
/// fields of ``BigEndianWire``: alpha fields padded with spaces, and numbers written
/// as decimal ASCII. Public for OUCH, whose Alpha fields and store header follow them.
extension BigEndianWire {
    /// Writes `text` left-justified in a field of `width` bytes, right-padded with
    /// spaces (the OUCH and SoupBinTCP alpha convention). Longer text is cut.
    public static func putAlphaLeft(_ text: String, width: Int, _ p: UnsafeMutableRawPointer, _ offset: Int) {
        var i = 0
        for byte in text.utf8 where i < width {
            p.storeBytes(of: byte, toByteOffset: offset + i, as: UInt8.self)
            i += 1
        }
        while i < width {
            p.storeBytes(of: UInt8(ascii: " "), toByteOffset: offset + i, as: UInt8.self)
            i += 1
        }
    }

    /// Writes `text` right-justified in a field of `width` bytes, left-padded with
    /// spaces (SoupBinTCP's Session and its numeric ASCII fields). Longer text keeps
    /// its last `width` bytes.
    public static func putAlphaRight(_ text: String, width: Int, _ p: UnsafeMutableRawPointer, _ offset: Int) {
        let bytes = Array(text.utf8.suffix(width))
        let pad = width - bytes.count
        for i in 0..<pad { p.storeBytes(of: UInt8(ascii: " "), toByteOffset: offset + i, as: UInt8.self) }
        for (i, byte) in bytes.enumerated() { p.storeBytes(of: byte, toByteOffset: offset + pad + i, as: UInt8.self) }
    }

    /// Writes `value` as decimal ASCII, right-justified and left-padded with spaces in
    /// a field of `width` bytes. Does not allocate. The caller makes sure it fits.
    public static func putDecimalRight(_ value: UInt64, width: Int, _ p: UnsafeMutableRawPointer, _ offset: Int) {
        var v = value
        var i = offset + width - 1
        repeat {
            p.storeBytes(of: UInt8(ascii: "0") + UInt8(v % 10), toByteOffset: i, as: UInt8.self)
            v /= 10
            i -= 1
        } while v > 0 && i >= offset
        while i >= offset {
            p.storeBytes(of: UInt8(ascii: " "), toByteOffset: i, as: UInt8.self)
            i -= 1
        }
    }

    /// Reads a decimal ASCII field that may be padded with spaces on either side.
    /// All spaces is 0. Nil when anything else is there (a sign, a letter, a space
    /// between digits) or the value overflows 64 bits.
    public static func decimal(_ p: UnsafeRawPointer, _ offset: Int, _ width: Int) -> UInt64? {
        var value: UInt64 = 0
        var seenDigit = false
        var finished = false
        for i in offset..<(offset + width) {
            let b = p.load(fromByteOffset: i, as: UInt8.self)
            if b == UInt8(ascii: " ") {
                if seenDigit { finished = true }
                continue
            }
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9"), !finished else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(b - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            value = s
            seenDigit = true
        }
        return value
    }

    /// The text of an alpha field with the padding spaces on both sides removed.
    public static func trimmedText(_ p: UnsafeRawPointer, _ offset: Int, _ width: Int) -> String {
        var start = offset
        var end = offset + width
        while start < end, p.load(fromByteOffset: start, as: UInt8.self) == UInt8(ascii: " ") { start += 1 }
        while end > start, p.load(fromByteOffset: end - 1, as: UInt8.self) == UInt8(ascii: " ") { end -= 1 }
        return String(decoding: UnsafeRawBufferPointer(start: p + start, count: end - start), as: UTF8.self)
    }
}
