import Foundation
import SoupBinTCP
import TestSupport

/// SoupBinTCP 4.1 packets as specs/soupbintcp.md lays them out. The data payloads are
/// an OUCH Cancel Order and an OUCH Order Canceled taken as opaque bytes: the framing
/// does not look inside them.
enum Golden {
    static let cancelOrderHex = "58 00000008 00000000"
    static let orderCanceledHex = "43 00002f79c2751000 00000008 000000c8 55"

    /// OUCH01 / demo, session 20251120, from message 12, heartbeat timeout 5000 ms.
    static let loginRequest = SoupBinTCPLoginRequest(
        username: "OUCH01", password: "demo", requestedSession: "20251120", requestedSequenceNumber: 12,
        heartbeatTimeoutMilliseconds: 5000)
    static let loginRequestHex =
        "0034 4c 4f5543483031 64656d6f202020202020 20203230323531313230"
        + " 2020202020202020202020202020202020203132 2035303030"

    /// The current session, from the next message, the server's default timeout.
    static let loginRequestBlank = SoupBinTCPLoginRequest(username: "OUCH01", password: "demo")
    static let loginRequestBlankHex =
        "0034 4c 4f5543483031 64656d6f202020202020 20202020202020202020"
        + " 2020202020202020202020202020202020202030 2020202030"

    static let loginAccepted = SoupBinTCPLoginAccepted(session: "20251120", sequenceNumber: 13)
    static let loginAcceptedHex = "001f 41 20203230323531313230 2020202020202020202020202020202020203133"

    static let loginRejectedHex = "0002 4a 41"
    static let sequencedCanceledHex = "0013 53 43 00002f79c2751000 00000008 000000c8 55"
    static let unsequencedCancelHex = "000a 55 580000000800000000"
    static let serverHeartbeatHex = "0001 48"
    static let endOfSessionHex = "0001 5a"
    static let clientHeartbeatHex = "0001 52"
    static let logoutRequestHex = "0001 4f"
    static let debugHex = "0003 2b 6869"
}

