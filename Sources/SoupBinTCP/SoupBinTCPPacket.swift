import GatewayCore

/// A SoupBinTCP packet whose payload does not fit its type.
public enum SoupBinTCPPacketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The payload is not the length the packet type has.
    case wrongPayloadLength(packet: String, expected: Int, actual: Int)
    /// A field that does not hold what it must (digits in a numeric field).
    case badField(packet: String, field: String, value: String)

    public var description: String {
        switch self {
        case .wrongPayloadLength(let packet, let expected, let actual):
            "malformed \(packet): \(actual) payload bytes, expected \(expected)"
        case .badField(let packet, let field, let value):
            "malformed \(packet): \(field) '\(value)' is not a decimal number"
        }
    }
}

/// A packet a SoupBinTCP server receives, read from a frame.
public enum SoupBinTCPClientPacket {
    case loginRequest(SoupBinTCPLoginRequest)
    /// The higher-level message (OUCH), a slice of the frame's bytes.
    case unsequencedData(UnsafeRawBufferPointer)
    case clientHeartbeat
    case logoutRequest
    case debug(UnsafeRawBufferPointer)

    public init(_ frame: SoupBinTCPFrame) throws(SoupBinTCPPacketError) {
        switch frame.type {
        case SoupBinTCPPacketType.loginRequest:
            self = .loginRequest(try SoupBinTCPLoginRequest(payload: frame.payload))
        case SoupBinTCPPacketType.unsequencedData:
            self = .unsequencedData(frame.payload)
        case SoupBinTCPPacketType.clientHeartbeat:
            try Self.empty(frame, "Client Heartbeat ('R')")
            self = .clientHeartbeat
        case SoupBinTCPPacketType.logoutRequest:
            try Self.empty(frame, "Logout Request ('O')")
            self = .logoutRequest
        default:
            // The frame decoder lets through only this direction's types: this is `+`.
            self = .debug(frame.payload)
        }
    }

    static func empty(_ frame: SoupBinTCPFrame, _ name: String) throws(SoupBinTCPPacketError) {
        guard frame.payload.count == 0 else {
            throw .wrongPayloadLength(packet: name, expected: 0, actual: frame.payload.count)
        }
    }
}

/// A packet a SoupBinTCP client receives, read from a frame.
public enum SoupBinTCPServerPacket {
    case debug(UnsafeRawBufferPointer)
    case loginAccepted(SoupBinTCPLoginAccepted)
    case loginRejected(reason: UInt8)
    /// The higher-level message (OUCH), a slice of the frame's bytes.
    case sequencedData(UnsafeRawBufferPointer)
    case unsequencedData(UnsafeRawBufferPointer)
    case serverHeartbeat
    case endOfSession

    public init(_ frame: SoupBinTCPFrame) throws(SoupBinTCPPacketError) {
        switch frame.type {
        case SoupBinTCPPacketType.loginAccepted:
            self = .loginAccepted(try SoupBinTCPLoginAccepted(payload: frame.payload))
        case SoupBinTCPPacketType.loginRejected:
            guard frame.payload.count == 1 else {
                throw .wrongPayloadLength(packet: "Login Rejected ('J')", expected: 1, actual: frame.payload.count)
            }
            self = .loginRejected(reason: frame.payload[0])
        case SoupBinTCPPacketType.sequencedData:
            self = .sequencedData(frame.payload)
        case SoupBinTCPPacketType.unsequencedData:
            self = .unsequencedData(frame.payload)
        case SoupBinTCPPacketType.serverHeartbeat:
            try SoupBinTCPClientPacket.empty(frame, "Server Heartbeat ('H')")
            self = .serverHeartbeat
        case SoupBinTCPPacketType.endOfSession:
            try SoupBinTCPClientPacket.empty(frame, "End of Session ('Z')")
            self = .endOfSession
        default:
            self = .debug(frame.payload)
        }
    }
}
