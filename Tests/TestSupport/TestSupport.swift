import Foundation

// What several test targets share: a seeded generator and hex helpers for golden bytes.

/// A small, fast, seeded generator (SplitMix64), so that a "random" test (chunkings,
/// command mixes, interleavings) runs the same on every run and a failure replays
/// from its seed.
public struct SplitMix64: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Splits `bytes` into pieces of 1 to `maxPiece` bytes (a stream as reads deliver it).
public func chunks(_ bytes: [UInt8], maxPiece: Int, using rng: inout SplitMix64) -> [[UInt8]] {
    var pieces: [[UInt8]] = []
    var i = 0
    while i < bytes.count {
        let n = min(Int.random(in: 1...maxPiece, using: &rng), bytes.count - i)
        pieces.append(Array(bytes[i..<(i + n)]))
        i += n
    }
    return pieces
}

/// Lower-case hex digits, no separators.
public func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

public func hex(_ bytes: UnsafeRawBufferPointer) -> String { hex(Array(bytes)) }

/// Bytes from hex digits; spaces and newlines are ignored.
public func unhex(_ text: String) -> [UInt8] {
    let digits = Array(text.filter { !$0.isWhitespace })
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}
