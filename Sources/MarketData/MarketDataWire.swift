import GatewayCore

/// ITCH 5.0 and MoldUDP64 fields are read and written with GatewayCore's
/// ``BigEndianWire`` (the same helpers as SoupBinTCP and OUCH).
@usableFromInline
typealias MarketDataWire = BigEndianWire

/// `count` bytes of a big-endian integer as text, trailing spaces removed: how the
/// short alpha fields (Reason, Attribution, Session) print.
func alphaText(_ raw: UInt64, count: Int) -> String {
    var bytes = (0..<count).map { UInt8(truncatingIfNeeded: raw >> UInt64(8 * (count - 1 - $0))) }
    while let last = bytes.last, last == UInt8(ascii: " ") { bytes.removeLast() }
    return String(decoding: bytes, as: UTF8.self)
}

/// `text` as a big-endian integer of `count` bytes, right-padded with spaces; nil if
/// longer than `count` bytes or not printable ASCII.
func alphaRaw(_ text: String, count: Int) -> UInt64? {
    let bytes = Array(text.utf8)
    guard bytes.count <= count, bytes.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) else { return nil }
    var raw: UInt64 = 0
    for i in 0..<count { raw = raw << 8 | UInt64(i < bytes.count ? bytes[i] : UInt8(ascii: " ")) }
    return raw
}
