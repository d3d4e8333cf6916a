/// FNV-1a, 64-bit: the engine's state digest and the snapshot's configuration
/// fingerprint. Not for hash tables that clients can aim at (the engine's key map has
/// its own seeded hash): a digest that must be the same in every process and build.
public struct FNV1a {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    /// One byte.
    @inline(__always)
    public mutating func add(byte: UInt8) {
        value ^= UInt64(byte)
        value &*= 0x0000_0100_0000_01b3
    }

    /// A 64-bit word, byte by byte, little-endian.
    public mutating func add(_ word: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { add(byte: UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }

    /// Every byte of `bytes`, in order.
    public mutating func add<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes { add(byte: byte) }
    }
}
