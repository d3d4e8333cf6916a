/// Reading and writing big-endian binary fields in place: what SoupBinTCP, OUCH 5.0,
/// ITCH 5.0 and MoldUDP64 all are. Fields sit at fixed, unaligned offsets, so every
/// load and store is unaligned. Nothing here allocates or bounds-checks: callers check
/// a message's or packet's length once, against its layout, before touching fields.
public enum BigEndianWire {
    @inlinable @inline(__always)
    public static func u8(_ p: UnsafeRawPointer, _ offset: Int) -> UInt8 {
        p.load(fromByteOffset: offset, as: UInt8.self)
    }

    @inlinable @inline(__always)
    public static func u16(_ p: UnsafeRawPointer, _ offset: Int) -> UInt16 {
        UInt16(bigEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable @inline(__always)
    public static func u32(_ p: UnsafeRawPointer, _ offset: Int) -> UInt32 {
        UInt32(bigEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// A 48-bit big-endian integer (the ITCH timestamp): a u16 then a u32.
    @inlinable @inline(__always)
    public static func u48(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(u16(p, offset)) << 32 | UInt64(u32(p, offset + 2))
    }

    @inlinable @inline(__always)
    public static func u64(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(bigEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inlinable @inline(__always)
    public static func put8(_ value: UInt8, _ p: UnsafeMutableRawPointer, _ offset: Int) {
        p.storeBytes(of: value, toByteOffset: offset, as: UInt8.self)
    }

    @inlinable @inline(__always)
    public static func put16(_ value: UInt16, _ p: UnsafeMutableRawPointer, _ offset: Int) {
        p.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    @inlinable @inline(__always)
    public static func put32(_ value: UInt32, _ p: UnsafeMutableRawPointer, _ offset: Int) {
        p.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }

    /// Writes the low 48 bits of `value`; higher bits are dropped (a timestamp is
    /// below 86,400 × 10⁹ < 2⁴⁷, so nothing real is lost).
    @inlinable @inline(__always)
    public static func put48(_ value: UInt64, _ p: UnsafeMutableRawPointer, _ offset: Int) {
        put16(UInt16(truncatingIfNeeded: value >> 32), p, offset)
        put32(UInt32(truncatingIfNeeded: value), p, offset + 2)
    }

    @inlinable @inline(__always)
    public static func put64(_ value: UInt64, _ p: UnsafeMutableRawPointer, _ offset: Int) {
        p.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt64.self)
    }
}

/// "0x47 ('G')" or "0x00": a byte named for error messages and logs.
public func describeByte(_ byte: UInt8) -> String {
    let hexDigits = Array("0123456789ABCDEF")
    let hex = "0x" + String(hexDigits[Int(byte >> 4)]) + String(hexDigits[Int(byte & 0xF)])
    if byte >= 0x21 && byte <= 0x7E { return hex + " ('" + String(UnicodeScalar(byte)) + "')" }
    return hex
}
