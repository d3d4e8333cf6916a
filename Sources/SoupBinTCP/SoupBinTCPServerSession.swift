/// The SoupBinTCP 4.1 rules of one connection on the server side (specs/soupbintcp.md,
/// "Session"): which packets the client may send in each phase, and the timers (the
/// login timeout, the client's heartbeat timeout, the server's own heartbeats). Pure
/// and per connection: the server that owns it decides what a login means (users,
/// passwords, sessions) and what the data is (OUCH orders, a snapshot request); the
/// session says what the client asked and when the connection is due something.
///
/// Times are the owner's clock in nanoseconds (injected: tests drive it by hand).
public struct SoupBinTCPServerSession: Sendable {
    public enum Phase: Sendable, Equatable {
        /// Connected: the first packet must be a Login Request, within the login timeout.
        case awaitingLogin
        /// Logged in: Unsequenced Data, Client Heartbeats, Debug, Logout Request.
        case loggedIn
    }

    /// What a packet from the client asks of the server.
    public enum Request {
        /// A Login Request: its payload, for the server to decide (``loggedIn(heartbeatTimeout:now:)``
        /// when it accepts).
        case login(UnsafeRawBufferPointer)
        /// Unsequenced Data: the higher-level protocol's message.
        case data(UnsafeRawBufferPointer)
        /// A Client Heartbeat or a Debug packet: nothing to do.
        case nothing
        /// A Logout Request: close the connection.
        case logout
        /// A packet the protocol does not allow here: close the connection, for this reason.
        case violation(String)
    }

    /// What the connection is due at a timer check.
    public enum Due: Sendable, Equatable {
        case nothing
        /// Nothing was sent for a heartbeat interval: send a Server Heartbeat (and call
        /// ``sent(now:)``).
        case serverHeartbeat
        /// A timeout passed: close the connection, for this reason.
        case close(String)
    }

    public private(set) var phase = Phase.awaitingLogin
    public let openedAt: Int64
    /// When the client last sent anything.
    public var lastReceived: Int64 { received }
    /// When the server last sent anything.
    public var lastSent: Int64 { sent }
    // Stored apart from the public getters so that the per-packet updates below inline
    // into the server's loop.
    @usableFromInline var received: Int64
    @usableFromInline var sent: Int64
    /// How long the client may stay silent once logged in (its Login Request's, or the
    /// server's default).
    public private(set) var heartbeatTimeout: Int64

    public init(openedAt now: Int64, heartbeatTimeout: Int64) {
        openedAt = now
        received = now
        sent = now
        self.heartbeatTimeout = heartbeatTimeout
    }

    /// What `frame` (a packet the client sent) asks.
    @inlinable
    public func request(_ frame: SoupBinTCPFrame) -> Request {
        if phase == .awaitingLogin {
            guard frame.type == SoupBinTCPPacketType.loginRequest else {
                return .violation(
                    "protocol violation: the first packet must be a Login Request ('L'), got "
                        + SoupBinTCPPacketType.name(frame.type, .clientToServer))
            }
            return .login(frame.payload)
        }
        switch frame.type {
        case SoupBinTCPPacketType.unsequencedData:
            return .data(frame.payload)
        case SoupBinTCPPacketType.clientHeartbeat, SoupBinTCPPacketType.logoutRequest:
            guard frame.payload.count == 0 else {
                return .violation(
                    "malformed \(SoupBinTCPPacketType.name(frame.type, .clientToServer)): "
                        + "\(frame.payload.count) payload bytes, expected 0")
            }
            return frame.type == SoupBinTCPPacketType.logoutRequest ? .logout : .nothing
        case SoupBinTCPPacketType.debug:
            return .nothing
        default:
            // The frame decoder lets only the client's types through: a second `L`.
            return .violation("protocol violation: Login Request ('L') on a connection already logged in")
        }
    }

    /// The server accepted the login: the client must now send something every
    /// `heartbeatTimeout`.
    public mutating func loggedIn(heartbeatTimeout: Int64, now: Int64) {
        phase = .loggedIn
        self.heartbeatTimeout = heartbeatTimeout
        sent = now
    }

    /// The client sent bytes (or the server resumes reading a connection it had paused:
    /// the client's heartbeats were waiting in the socket meanwhile).
    @inlinable
    public mutating func received(now: Int64) { received = now }

    /// The server sent the client something.
    @inlinable
    public mutating func sent(now: Int64) { sent = now }

    /// What the connection is due at `now`: `readingPaused` when the server has stopped
    /// reading it (the client's silence is then the server's doing).
    public func due(now: Int64, loginTimeout: Int64, heartbeatInterval: Int64, readingPaused: Bool) -> Due {
        switch phase {
        case .awaitingLogin:
            return now &- openedAt >= loginTimeout ? .close("no Login Request within \(loginTimeout / 1_000_000) ms") : .nothing
        case .loggedIn:
            if !readingPaused && now &- lastReceived >= heartbeatTimeout {
                return .close("heartbeat timeout: nothing received for \(heartbeatTimeout / 1_000_000) ms")
            }
            return now &- lastSent >= heartbeatInterval ? .serverHeartbeat : .nothing
        }
    }
}
