import Foundation
import GatewayCore
import OUCH
import XCTest
import SoupBinTCP
import TestSupport

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init(_ label: String = "ouch") throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("cift-\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Encodes a message into an array with its own encoder.
func encoded<M: OUCHMessage>(_ message: M) -> [UInt8] { message.encodedBytes }

/// Decodes `bytes` as `M`.
func decoded<M: OUCHMessage>(_ type: M.Type, _ bytes: [UInt8]) throws -> M {
    try bytes.withUnsafeBytes { try M(decoding: $0) }
}

/// The decode error for `bytes` as `M`, or nil when they decode.
func decodeError<M: OUCHMessage>(_ type: M.Type, _ bytes: [UInt8]) -> OUCHDecodingError? {
    bytes.withUnsafeBytes { b in
        do throws(OUCHDecodingError) {
            _ = try M(decoding: b)
            return nil
        } catch {
            return error
        }
    }
}

// MARK: Client-side packet builders (what a test client sends)

enum Client {
    static func login(
        _ username: String = "OUCH01", _ password: String = "demo", session: String = "",
        sequence: UInt64 = 0, heartbeatTimeout: UInt32? = 0
    ) -> [UInt8] {
        let request = SoupBinTCPLoginRequest(
            username: username, password: password, requestedSession: session,
            requestedSequenceNumber: sequence, heartbeatTimeoutMilliseconds: heartbeatTimeout)
        return SoupBinTCPEncoder.bytes { request.encode($0) }
    }

    static func data<M: OUCHMessage>(_ message: M) -> [UInt8] {
        SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.unsequencedData(message, $0) }
    }

    static func data(raw payload: [UInt8]) -> [UInt8] {
        payload.withUnsafeBytes { p in SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.unsequencedData(p, $0) } }
    }

    static func packet(type: UInt8, payload: [UInt8]) -> [UInt8] {
        let length = UInt16(payload.count + 1)
        return [UInt8(length >> 8), UInt8(length & 0xFF), type] + payload
    }

    static var heartbeat: [UInt8] { SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.clientHeartbeat($0) } }
    static var logout: [UInt8] { SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.logoutRequest($0) } }
}

/// What a client reads from the server, decoded into comparable values.
enum ServerPacket: Equatable, CustomStringConvertible {
    case loginAccepted(session: String, sequence: UInt64)
    case loginRejected(UInt8)
    case sequenced(OUCHOutboundMessage)
    case heartbeat
    case endOfSession
    case debug(String)
    case unsequenced([UInt8])

    var description: String {
        switch self {
        case .loginAccepted(let s, let n): "loginAccepted(\(s), \(n))"
        case .loginRejected(let c): "loginRejected(\(UnicodeScalar(c)))"
        case .sequenced(let m): "sequenced(\(m))"
        case .heartbeat: "heartbeat"
        case .endOfSession: "endOfSession"
        case .debug(let t): "debug(\(t))"
        case .unsequenced(let b): "unsequenced(\(hex(b)))"
        }
    }

    /// Every packet in `bytes`; fails the test on a byte that is not a whole packet.
    static func parse(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> [ServerPacket] {
        var reader = SoupBinTCPStreamReader(direction: .serverToClient)
        reader.append(contentsOf: bytes)
        var packets: [ServerPacket] = []
        do {
            while let packet = try reader.next({ frame -> ServerPacket in
                switch try SoupBinTCPServerPacket(frame) {
                case .loginAccepted(let a): return .loginAccepted(session: a.session, sequence: a.sequenceNumber)
                case .loginRejected(let reason): return .loginRejected(reason)
                case .sequencedData(let payload): return .sequenced(try OUCHOutboundMessage(decoding: payload))
                case .serverHeartbeat: return .heartbeat
                case .endOfSession: return .endOfSession
                case .debug(let text): return .debug(String(decoding: text, as: UTF8.self))
                case .unsequencedData(let payload): return .unsequenced(Array(payload))
                }
            }) {
                packets.append(packet)
            }
        } catch {
            XCTFail("server sent bytes that do not decode: \(error)", file: file, line: line)
        }
        XCTAssertEqual(reader.bufferedByteCount, 0, "a partial packet was sent", file: file, line: line)
        return packets
    }
}

extension OUCHOutboundMessage {
    /// The UserRefNum the message is about (0 for System Event).
    var userRefNum: UInt32 {
        switch self {
        case .systemEvent: 0
        case .orderAccepted(let m): m.userRefNum
        case .orderReplaced(let m): m.userRefNum
        case .orderCanceled(let m): m.userRefNum
        case .orderExecuted(let m): m.userRefNum
        case .brokenTrade(let m): m.userRefNum
        case .rejected(let m): m.userRefNum
        case .orderModified(let m): m.userRefNum
        case .accountQueryResponse: 0
        }
    }
}

