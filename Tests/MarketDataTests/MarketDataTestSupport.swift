import Foundation
import GatewayCore
import MarketData

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

func hex(_ bytes: UnsafeRawBufferPointer) -> String { hex(Array(bytes)) }

/// Bytes from hex digits; spaces and newlines are ignored.
func unhex(_ text: String) -> [UInt8] {
    let digits = Array(text.filter { !$0.isWhitespace })
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

/// Decodes `bytes` as one ITCH message.
func decodeITCH(_ bytes: [UInt8]) throws -> ITCHMessage {
    try bytes.withUnsafeBytes { try ITCHMessage(decoding: $0) }
}

/// Decodes `bytes` as the layout `M`.
func decodeLayout<M: ITCHMessageLayout>(_ type: M.Type, _ bytes: [UInt8]) throws -> M {
    try bytes.withUnsafeBytes { try M(decoding: $0) }
}

/// Decodes `bytes` as a retransmission request.
func decodeRequest(_ bytes: [UInt8]) throws -> MoldUDP64Request {
    try bytes.withUnsafeBytes { try MoldUDP64Request(decoding: $0) }
}

/// Decodes `bytes` as one downstream packet and returns its header and messages.
func decodePacket(_ bytes: [UInt8]) throws -> (MoldUDP64Header, [(UInt64, [UInt8])]) {
    try bytes.withUnsafeBytes { buffer in
        let packet = try MoldUDP64Packet(decoding: buffer)
        return (packet.header, packet.map { ($0.0, Array($0.1)) })
    }
}

/// A deterministic generator for the round-trip tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
