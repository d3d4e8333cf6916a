import GatewayCore

/// SoupBinTCP 4.1 packet types (the byte after the Length field).
public enum SoupBinTCPPacketType {
    // Either direction.
    public static let debug = UInt8(ascii: "+")
    // Server → client.
    public static let loginAccepted = UInt8(ascii: "A")
    public static let loginRejected = UInt8(ascii: "J")
    public static let sequencedData = UInt8(ascii: "S")
    public static let serverHeartbeat = UInt8(ascii: "H")
    public static let endOfSession = UInt8(ascii: "Z")
    // Client → server.
    public static let loginRequest = UInt8(ascii: "L")
    public static let clientHeartbeat = UInt8(ascii: "R")
    public static let logoutRequest = UInt8(ascii: "O")
    // Either direction (the payload is the higher-level protocol's message).
    public static let unsequencedData = UInt8(ascii: "U")

    /// "Login Request ('L')", for errors and logs.
    public static func name(_ type: UInt8, _ direction: SoupBinTCPDirection) -> String {
        let name: String
        switch (type, direction) {
        case (debug, _): name = "Debug"
        case (unsequencedData, _): name = "Unsequenced Data"
        case (loginRequest, .clientToServer): name = "Login Request"
        case (clientHeartbeat, .clientToServer): name = "Client Heartbeat"
        case (logoutRequest, .clientToServer): name = "Logout Request"
        case (loginAccepted, .serverToClient): name = "Login Accepted"
        case (loginRejected, .serverToClient): name = "Login Rejected"
        case (sequencedData, .serverToClient): name = "Sequenced Data"
        case (serverHeartbeat, .serverToClient): name = "Server Heartbeat"
        case (endOfSession, .serverToClient): name = "End of Session"
        default: return "packet type \(describeByte(type))"
        }
        return name + " ('" + String(UnicodeScalar(type)) + "')"
    }
}

/// Which way packets travel: each direction has its own set of packet types.
public enum SoupBinTCPDirection: Sendable, Equatable {
    /// What a server reads: `L`, `U`, `R`, `O`, `+`.
    case clientToServer
    /// What a client reads: `+`, `A`, `J`, `S`, `U`, `H`, `Z`.
    case serverToClient

    /// True when `type` is a packet of this direction.
    @inlinable
    public func accepts(_ type: UInt8) -> Bool {
        switch self {
        case .clientToServer:
            return type == SoupBinTCPPacketType.loginRequest || type == SoupBinTCPPacketType.unsequencedData
                || type == SoupBinTCPPacketType.clientHeartbeat || type == SoupBinTCPPacketType.logoutRequest
                || type == SoupBinTCPPacketType.debug
        case .serverToClient:
            return type == SoupBinTCPPacketType.sequencedData || type == SoupBinTCPPacketType.serverHeartbeat
                || type == SoupBinTCPPacketType.unsequencedData || type == SoupBinTCPPacketType.loginAccepted
                || type == SoupBinTCPPacketType.loginRejected || type == SoupBinTCPPacketType.endOfSession
                || type == SoupBinTCPPacketType.debug
        }
    }
}
