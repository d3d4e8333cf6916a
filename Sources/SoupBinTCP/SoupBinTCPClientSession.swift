/// The SoupBinTCP 4.1 rules of one connection on the client side (specs/soupbintcp.md):
/// log in, then number the Sequenced Data packets from the sequence number Login
/// Accepted gave, and keep the connection alive both ways. Pure: the client that owns it
/// sends the packets it is told to and makes of the data what its protocol says (OUCH
/// messages, a snapshot's ITCH messages).
///
/// Times are the owner's clock in nanoseconds (injected: tests drive it by hand).
public struct SoupBinTCPClientSession: Sendable {
    public enum Phase: Sendable, Equatable {
        /// The Login Request is sent; Login Accepted or Login Rejected comes next.
        case loggingIn
        /// Logged in: Sequenced and Unsequenced Data, Server Heartbeats, Debug.
        case loggedIn
        /// End of Session, Login Rejected or a protocol violation: nothing more.
        case ended
    }

    /// What a packet from the server means.
    public enum Event {
        /// Login Accepted: the session, and the number the first Sequenced Data has.
        case loggedIn(session: String, sequenceNumber: UInt64)
        /// Login Rejected, with its reason code (``SoupBinTCPLoginRejectReason``).
        case loginRejected(UInt8)
        /// Sequenced Data: the higher-level message and its number in the session.
        case sequenced(UnsafeRawBufferPointer, sequenceNumber: UInt64)
        /// Unsequenced Data: the higher-level message.
        case unsequenced(UnsafeRawBufferPointer)
        /// A Server Heartbeat or a Debug packet.
        case nothing
        /// End of Session: the server closes the connection next.
        case endOfSession
        /// A packet the protocol does not allow here, or one that does not parse.
        case violation(String)
    }

    /// What the connection is due at a timer check.
    public enum Due: Sendable, Equatable {
        case nothing
        /// Nothing was sent for a heartbeat interval: send a Client Heartbeat (and call
        /// ``sent(now:)``).
        case clientHeartbeat
        /// The server was silent too long: close, for this reason.
        case close(String)
    }

    public private(set) var phase = Phase.loggingIn
    /// From Login Accepted.
    public private(set) var session: String?
    /// The number the next Sequenced Data packet has.
    public private(set) var nextSequenceNumber: UInt64 = 0
    public private(set) var lastReceived: Int64
    public private(set) var lastSent: Int64

    /// The Login Request was just sent, at `now`.
    public init(loginSentAt now: Int64) {
        lastReceived = now
        lastSent = now
    }

    /// What `frame` (a packet the server sent) means; notes the receive.
    public mutating func received(_ frame: SoupBinTCPFrame, now: Int64) -> Event {
        lastReceived = now
        let packet: SoupBinTCPServerPacket
        do throws(SoupBinTCPPacketError) {
            packet = try SoupBinTCPServerPacket(frame)
        } catch {
            return end("\(error)")
        }
        switch (phase, packet) {
        case (.ended, _):
            return end("\(SoupBinTCPPacketType.name(frame.type, .serverToClient)) after the session ended")
        case (_, .debug), (_, .serverHeartbeat):
            return .nothing
        case (.loggingIn, .loginAccepted(let accepted)):
            phase = .loggedIn
            session = accepted.session
            nextSequenceNumber = accepted.sequenceNumber
            return .loggedIn(session: accepted.session, sequenceNumber: accepted.sequenceNumber)
        case (.loggingIn, .loginRejected(let reason)):
            phase = .ended
            return .loginRejected(reason)
        case (.loggingIn, _):
            return end("\(SoupBinTCPPacketType.name(frame.type, .serverToClient)) before Login Accepted")
        case (.loggedIn, .sequencedData(let payload)):
            let number = nextSequenceNumber
            nextSequenceNumber += 1
            return .sequenced(payload, sequenceNumber: number)
        case (.loggedIn, .unsequencedData(let payload)):
            return .unsequenced(payload)
        case (.loggedIn, .endOfSession):
            phase = .ended
            return .endOfSession
        case (.loggedIn, .loginAccepted), (.loggedIn, .loginRejected):
            return end("a second login answer (\(SoupBinTCPPacketType.name(frame.type, .serverToClient)))")
        }
    }

    /// The client sent the server something.
    public mutating func sent(now: Int64) { lastSent = now }

    /// What the connection is due at `now`: a Client Heartbeat after `heartbeatInterval`
    /// without sending, a close after `serverTimeout` without hearing from the server.
    public func due(now: Int64, heartbeatInterval: Int64, serverTimeout: Int64) -> Due {
        guard phase != .ended else { return .nothing }
        if now &- lastReceived >= serverTimeout {
            return .close("server silent for \(serverTimeout / 1_000_000) ms")
        }
        if phase == .loggedIn && now &- lastSent >= heartbeatInterval { return .clientHeartbeat }
        return .nothing
    }

    private mutating func end(_ reason: String) -> Event {
        phase = .ended
        return .violation(reason)
    }
}
