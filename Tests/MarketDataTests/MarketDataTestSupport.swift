import Foundation
import GatewayCore
import MarketData
import TestSupport

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

