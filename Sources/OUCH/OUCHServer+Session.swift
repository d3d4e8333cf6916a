import GatewayCore
import SoupBinTCP

// SoupBinTCP session rules that need no IO: login decisions and connection bookkeeping.
extension OUCHServer {
    /// Decides a Login Request (specs/soupbintcp.md, "Login"). Checks, in order: the
    /// packet's form, the credentials (unknown user or wrong password → `A`), the
    /// client certificate when the user is bound to one (`A`), the requested session
    /// (`S`), and that the user is not logged in already (`A`). `certificateSubject` is
    /// the connection's verified client certificate subject (nil: none, or plain TCP).
    /// With a ``loginThrottle``, a user or `peerAddress` locked out by earlier failures
    /// is refused before its password is checked.
    @usableFromInline
    func decideLogin(
        _ payload: UnsafeRawBufferPointer, certificateSubject: String? = nil, peerAddress: UInt32 = 0, now: Timestamp = .zero
    ) -> OUCHLoginDecision {
        let request: SoupBinTCPLoginRequest
        do throws(SoupBinTCPPacketError) {
            request = try SoupBinTCPLoginRequest(payload: payload)
        } catch {
            return .malformed(reason: error.description)
        }
        let username = request.username.uppercased()
        guard let user = users.firstIndex(where: { $0.username == username }) else {
            return .reject(
                code: SoupBinTCPLoginRejectReason.notAuthorized, reason: "login rejected: unknown user '\(request.username)'",
                failedCredentials: true)
        }
        let identity = users[user].username
        if let lockout = loginThrottle?.lockout(identity: identity, address: peerAddress, now: now.rawValue) {
            // Refused before the password is looked at: a guesser learns nothing.
            return .reject(
                code: SoupBinTCPLoginRejectReason.notAuthorized,
                reason: "login rejected for user '\(identity)': \(lockout)")
        }
        guard users[user].password == request.password.uppercased() else {
            return .reject(
                code: SoupBinTCPLoginRejectReason.notAuthorized,
                reason: "login rejected: wrong password for user '\(users[user].username)'",
                failedCredentials: true, username: identity)
        }
        if let required = users[user].certificateSubject, certificateSubject != required {
            return .reject(
                code: SoupBinTCPLoginRejectReason.notAuthorized,
                reason: "login rejected: certificate does not match user '\(users[user].username)' "
                    + "(\(certificateSubject ?? "no client certificate"))",
                failedCredentials: true, username: identity)
        }
        guard !sessionEnded, request.requestedSession.isEmpty || request.requestedSession == sessionName else {
            return .reject(
                code: SoupBinTCPLoginRejectReason.sessionNotAvailable,
                reason: sessionEnded
                    ? "login rejected: session '\(sessionName)' has ended"
                    : "login rejected: session '\(request.requestedSession)' is not available (current: '\(sessionName)')")
        }
        if let existing = users[user].connection {
            return .reject(
                code: SoupBinTCPLoginRejectReason.notAuthorized,
                reason: "login rejected: user '\(users[user].username)' is already logged in (connection \(existing))")
        }
        let next = users[user].store.messageCount + 1
        let requested = request.requestedSequenceNumber
        let start = requested == 0 || requested > UInt64(next) ? next : Int(requested)
        let timeout: Int64
        if let milliseconds = request.heartbeatTimeoutMilliseconds, milliseconds > 0 {
            timeout = max(Int64(milliseconds) * 1_000_000, minimumHeartbeatTimeout)
        } else {
            timeout = defaultHeartbeatTimeout
        }
        return .accept(user: user, nextSequence: start, heartbeatTimeout: timeout)
    }

    /// The connection is now logged in as `user`.
    @usableFromInline
    func bind(_ slot: Int, user: Int, nextSequence: Int, heartbeatTimeout: Int64, now: Timestamp) {
        connections[slot].session.loggedIn(heartbeatTimeout: heartbeatTimeout, now: now.rawValue)
        connections[slot].user = user
        connections[slot].nextSequence = nextSequence
        users[user].connection = connections[slot].id
    }

    /// Frees a connection's slot. Returns the `sessionDisconnected` command to submit
    /// when a logged-in user with cancel-on-disconnect lost its connection.
    @usableFromInline
    @discardableResult
    func forget(_ slot: Int, now: Timestamp = .zero) -> Command? {
        let id = connections[slot].id
        var command: Command?
        if connections[slot].phase == .loggedIn {
            let user = connections[slot].user
            users[user].connection = nil
            if users[user].cancelOnDisconnect {
                command = Command(
                    kind: .sessionDisconnected, keyKind: .userReference, account: users[user].account,
                    origin: OrderOrigin(source: source, session: users[user].session, connection: id),
                    timestamp: now)
            }
        }
        if connections[slot].paused {
            pausedConnections.removeAll { $0 == id }
        }
        connections[slot].isOpen = false
        connections[slot].user = -1
        connections[slot].paused = false
        connections[slot].buffer.removeAll(keepingCapacity: true)
        connectionSlots[id] = nil
        freeSlots.append(slot)
        return command
    }
}
