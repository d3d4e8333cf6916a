import GatewayCore
import SoupBinTCP

/// What the server's owner does for it: the edges of a pure state machine.
///
/// The server calls these while it runs one of its methods, on the caller's thread.
/// `send` must copy the bytes: they are valid only during the call. Sequenced Data is
/// only ever handed to `send` by ``OUCHServer/flush(now:io:)``, after the store write,
/// so a message a client has received is always in the store file.
public protocol OUCHServerIO {
    /// Queue `bytes` for the connection.
    mutating func send(_ connection: UInt32, _ bytes: UnsafeRawBufferPointer)
    /// Hand a command to the engine; false when its inbound ring is full.
    mutating func submit(_ command: Command) -> Bool
    /// Close the connection (after sending what is queued) and log `reason`. The
    /// server has already forgotten it; a later ``OUCHServer/closed(_:now:io:)`` for it
    /// is ignored.
    mutating func close(_ connection: UInt32, reason: String)
    /// The verified client certificate's subject of a TLS connection (`CN=…,O=…`); nil
    /// for plain TCP or no client certificate.
    func certificateSubject(of connection: UInt32) -> String?
    /// The connection's source IPv4 address (host byte order); 0 when unknown. Failed
    /// logins are counted per address (``OUCHServer/loginThrottle``).
    func peerAddress(of connection: UInt32) -> UInt32
    /// Bytes queued for the connection and not yet taken by the kernel: a stream is sent
    /// only while they stay under ``OUCHServerConfiguration/paceOutputBytes``.
    func pendingOutputBytes(of connection: UInt32) -> Int
}

extension OUCHServerIO {
    /// Plain TCP everywhere: no certificate.
    public func certificateSubject(of connection: UInt32) -> String? { nil }
    /// No address known: failures count against the username only.
    public func peerAddress(of connection: UInt32) -> UInt32 { 0 }
    /// Output never waits: nothing is paced.
    public func pendingOutputBytes(of connection: UInt32) -> Int { 0 }
}

/// What became of the bytes given to ``OUCHServer/received(_:bytes:now:io:)``.
public enum OUCHReceiveOutcome: Sendable, Equatable {
    /// All taken (a partial packet is kept by the server until more bytes come).
    case consumed
    /// The engine's inbound ring is full. The server keeps what it could not process;
    /// stop reading this connection's socket and call ``OUCHServer/resume(now:io:)``
    /// each turn until it returns true.
    case paused
}

/// The OUCH attributes of an order that the engine does not keep but OUCH echoes in
/// Order Accepted and Order Replaced: the letters as the client sent them.
@usableFromInline
struct OUCHOrderAttributes: Sendable, BitwiseCopyable {
    @usableFromInline var side: UInt8
    @usableFromInline var timeInForce: UInt8
    @usableFromInline var display: UInt8
    @usableFromInline var capacity: UInt8
    @usableFromInline var intermarketSweep: UInt8
    @usableFromInline var crossType: UInt8
    @usableFromInline var firm: OUCHFirm?

    @usableFromInline
    init(side: UInt8, timeInForce: UInt8, display: UInt8, capacity: UInt8, intermarketSweep: UInt8,
         crossType: UInt8, firm: OUCHFirm?) {
        self.side = side
        self.timeInForce = timeInForce
        self.display = display
        self.capacity = capacity
        self.intermarketSweep = intermarketSweep
        self.crossType = crossType
        self.firm = firm
    }

    /// What can be said of an order the server has no record of, from an engine event.
    @usableFromInline
    init(derivedFrom event: Event) {
        side = event.side == .buy ? OUCHSide.buy : OUCHSide.sell
        switch event.timeInForce {
        case .immediateOrCancel, .fillOrKill: timeInForce = OUCHTimeInForce.immediateOrCancel
        case .day, .goodTillCancel: timeInForce = OUCHTimeInForce.day
        }
        display = OUCHDisplay.visible
        capacity = OUCHCapacity.agency
        intermarketSweep = UInt8(ascii: "N")
        crossType = OUCHCrossType.continuous
        firm = nil
    }
}

/// One configured user.
@usableFromInline
struct OUCHServerUser {
    @usableFromInline let username: String
    @usableFromInline let password: String
    @usableFromInline let accountSlot: Int
    @usableFromInline let account: AccountIndex
    @usableFromInline let session: UInt16
    @usableFromInline let cancelOnDisconnect: Bool
    @usableFromInline let firm: OUCHFirm?
    /// The client certificate subject the user's connection must present (nil: any).
    @usableFromInline let certificateSubject: String?
    @usableFromInline let store: OUCHSessionStore
    /// The connection logged in as this user, if any.
    @usableFromInline var connection: UInt32?
    /// The user's order-entry message rate (Enter, Replace, Cancel, Modify).
    @usableFromInline var limiter: MessageRateLimiter

    init(_ user: OUCHUser, accountSlot: Int, store: OUCHSessionStore, maxMessagesPerSecond: Int) {
        limiter = MessageRateLimiter(perSecond: maxMessagesPerSecond)
        username = user.username.uppercased()
        password = user.password.uppercased()
        self.accountSlot = accountSlot
        account = user.account
        session = user.session
        cancelOnDisconnect = user.cancelOnDisconnect
        firm = user.firm.flatMap { OUCHFirm($0) }
        certificateSubject = user.certificateSubject
        self.store = store
        connection = nil
    }
}

/// One engine account used by this server's users: the UserRefNum high-water mark
/// (per account per day, as OUCH defines it) and the OUCH attributes of its orders.
@usableFromInline
struct OUCHServerAccount {
    @usableFromInline let index: AccountIndex
    /// The last UserRefNum processed; a new one must be greater.
    @usableFromInline var highWater: UInt32 = 0
    /// The highest UserRefNum a message in the users' streams names (Order Accepted,
    /// Order Replaced, Rejected): a restart recovers at least this much from the
    /// streams, so the store header needs the mark only while it is higher.
    @usableFromInline var answeredHighWater: UInt32 = 0
    /// By UserRefNum, while the order may still be reported on. Entries are removed
    /// when an event shows the order is gone (leaves 0, rejected, replaced away).
    @usableFromInline var orders: [UInt32: OUCHOrderAttributes] = [:]

    init(index: AccountIndex) {
        self.index = index
        orders.reserveCapacity(1024)
    }
}

@usableFromInline
enum OUCHConnectionPhase: Sendable {
    case free
    case awaitingLogin
    case loggedIn
}

/// One TCP connection. Times are nanoseconds since the Unix epoch.
@usableFromInline
struct OUCHServerConnection {
    @usableFromInline var id: UInt32 = 0
    /// False: a free slot.
    @usableFromInline var isOpen = false
    /// The SoupBinTCP rules of the connection: its phase and its timers.
    @usableFromInline var session = SoupBinTCPServerSession(openedAt: 0, heartbeatTimeout: 0)
    @usableFromInline var user = -1
    /// The next sequenced message to send (1-based).
    @usableFromInline var nextSequence = 1
    /// The last pump stopped at the pace mark with messages left: they go when the
    /// connection drains (its send completion wakes the loop), not on every turn.
    @usableFromInline var paced = false
    /// Bytes received and not yet processed: a partial packet, or everything after the
    /// packet that found the engine ring full. Capacity is kept when the slot is reused.
    @usableFromInline var buffer: [UInt8] = []
    @usableFromInline var paused = false

    @usableFromInline init() {}

    @usableFromInline var phase: OUCHConnectionPhase {
        guard isOpen else { return .free }
        return session.phase == .loggedIn ? .loggedIn : .awaitingLogin
    }
}

/// Where processing a run of bytes stopped.
@usableFromInline
enum OUCHProcessStatus {
    /// Every whole packet was processed; what is left is a partial packet.
    case needMoreData
    /// A packet could not be submitted; it and everything after it are left.
    case paused
    /// The connection was closed.
    case closed
}

/// What handling one packet did.
@usableFromInline
enum OUCHPacketStatus {
    case done
    case paused
    case closed
}

/// The outcome of a Login Request, decided without touching the IO.
@usableFromInline
enum OUCHLoginDecision {
    case accept(user: Int, nextSequence: Int, heartbeatTimeout: Int64)
    /// `failedCredentials`: an unknown user, a wrong password or certificate, which
    /// count towards a lock-out (`username`: the configured user named, if any).
    case reject(code: UInt8, reason: String, failedCredentials: Bool = false, username: String? = nil)
    case malformed(reason: String)
}

/// What an inbound OUCH message turns into, decided without touching the IO.
@usableFromInline
enum OUCHTranslation {
    /// Nothing for the engine: answered locally (appended to the store) or ignored.
    case handled
    /// Submit `command`; once the engine ring took it, raise the account's
    /// high-water mark to `highWater` (0: leave it).
    case submit(Command, accountSlot: Int, highWater: UInt32)
    /// The message breaks the protocol: close the connection with this reason.
    case close(String)
}
