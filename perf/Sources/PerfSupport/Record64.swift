/// The record the ring benchmarks move: 64 bytes of plain integers, one cache line,
/// the size of the records the stress tests use (specs/threading.md). `w0` carries the
/// sequence number the consumer checks; the other words are payload.
public struct Record64: BitwiseCopyable, Sendable {
    public var w0: UInt64
    public var w1: UInt64
    public var w2: UInt64
    public var w3: UInt64
    public var w4: UInt64
    public var w5: UInt64
    public var w6: UInt64
    public var w7: UInt64

    @inlinable
    public init(sequence: UInt64) {
        w0 = sequence
        w1 = 0x0101_0101_0101_0101
        w2 = 0x0202_0202_0202_0202
        w3 = 0x0303_0303_0303_0303
        w4 = 0x0404_0404_0404_0404
        w5 = 0x0505_0505_0505_0505
        w6 = 0x0606_0606_0606_0606
        w7 = 0x0707_0707_0707_0707
    }
}

extension Record64 {
    /// Checked once at start-up by every ring benchmark: the figures are "64-byte
    /// records" only if the stride really is 64.
    public static func checkLayout() {
        precondition(
            MemoryLayout<Record64>.size == 64 && MemoryLayout<Record64>.stride == 64,
            "Record64 must be exactly 64 bytes, is \(MemoryLayout<Record64>.stride)")
    }
}
