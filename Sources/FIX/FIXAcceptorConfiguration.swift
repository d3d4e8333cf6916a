import GatewayCore

/// One FIX session the acceptor accepts: the client's SenderCompID and ours.
public struct FIXSessionConfiguration: Sendable {
    /// The client's SenderCompID (our TargetCompID).
    public var clientCompID: String
    /// Our SenderCompID (the client's TargetCompID), e.g. `CIFT`.
    public var ourCompID: String
    /// Username (553) the Logon must carry; nil: 553 is not checked.
    public var username: String?
    /// Password (554) the Logon must carry; nil: 554 is not checked.
    public var password: String?
    /// Accepted HeartBtInt (108) range, in seconds.
    public var minimumHeartBtInt: Int
    public var maximumHeartBtInt: Int
    /// The client certificate subject (`CN=…,O=…`) this session must log on with (over
    /// TLS with client certificates); nil: not checked.
    public var certificateSubject: String?

    // Validation and session options, named after QuickFIX's session settings.

    /// ValidateUserDefinedFields, AllowUnknownMsgFields, ValidateFieldsOutOfOrder.
    public var validation = FIXValidationOptions()
    /// RejectInvalidMessage: a message the dictionary refuses gets a session Reject
    /// (true) or is logged and processed as if valid (false).
    public var rejectInvalidMessage = true
    /// CheckLatency: SendingTime (52) is compared with our clock (within
    /// `maximumLatencyNanoseconds`, or the acceptor's when nil).
    public var checkLatency = true
    /// MaxLatency for this session; nil: the acceptor's `maximumLatencyNanoseconds`.
    public var maximumLatencyNanoseconds: Int64?
    /// ResetOnLogon: both sequence numbers back to 1 at every Logon (our reply carries 141=Y).
    public var resetOnLogon = false
    /// ResetOnLogout: back to 1 after a Logout handshake.
    public var resetOnLogout = false
    /// ResetOnDisconnect: back to 1 whenever the logged-on connection ends.
    public var resetOnDisconnect = false
    /// RefreshOnLogon: the store is read again from its file at Logon (another process,
    /// e.g. a standby, may have written it).
    public var refreshOnLogon = false
    /// ResendRequestChunkSize: most messages one ResendRequest of ours asks for (a gap is
    /// requested chunk after chunk); 0: the whole gap at once (16=0).
    public var resendRequestChunkSize = 0

    public init(clientCompID: String, ourCompID: String, username: String? = nil, password: String?,
                minimumHeartBtInt: Int = 1, maximumHeartBtInt: Int = 120, certificateSubject: String? = nil) {
        self.certificateSubject = certificateSubject
        self.clientCompID = clientCompID
        self.ourCompID = ourCompID
        self.username = username
        self.password = password
        self.minimumHeartBtInt = minimumHeartBtInt
        self.maximumHeartBtInt = maximumHeartBtInt
    }

    /// The store file's name: `<ourCompID>-<clientCompID>`.
    public var storeName: String { ourCompID + "-" + clientCompID }
}

public struct FIXAcceptorConfiguration: Sendable {
    public var sessions: [FIXSessionConfiguration]
    /// Where each session's `FIXMessageStore` lives.
    public var storeDirectory: String
    public var synchronousStore: Bool
    /// The engine-answer baseline written into a store the acceptor creates
    /// (``FIXMessageStore/answers``): 0, every answer is the store's, unless the owner
    /// recovers from a journal first — the gateway sets ``EngineAnswerMark/unsettled``
    /// and settles it once replay has found the journal's end.
    public var newStoreBaseline: UInt64 = 0
    public var dictionary: FIXDictionary
    /// A connection that has not sent a valid Logon within this is closed.
    public var logonTimeoutNanoseconds: Int64
    /// After we send Logout, how long we wait for theirs before closing.
    public var logoutTimeoutNanoseconds: Int64
    /// TestRequest after HeartBtInt × (1 + graceFraction) of their silence; close
    /// after twice that.
    public var graceFraction: Double
    /// Most stored messages resent (or gap-filled runs) per call.
    public var resendBatchSize: Int
    /// When more than this many bytes wait for a connection, new messages are only
    /// stored, and sent from the store as the connection drains
    /// (``FIXAcceptor/paceOutput(io:)``): a burst the gateway makes itself (a mass
    /// cancel's reports, cancel-on-disconnect reports for a session that logs straight
    /// back on) must not trip the slow-consumer limit meant for a peer that does not
    /// read. 0: never paced.
    public var paceOutputBytes = 0
    public var maximumBodyLength: Int
    /// When sessions may be logged on, and when their sequence numbers start again
    /// from 1; nil: always open, sequence numbers never reset by the clock.
    public var schedule: FIXSessionSchedule?
    /// A message whose SendingTime (52) is further than this from our clock gets
    /// Reject 373=10 and Logout (a Logon: Logout); nil: not checked.
    public var maximumLatencyNanoseconds: Int64?
    /// When an application message's MsgSeqNum reaches the store (specs/fix44.md,
    /// "Message store"): it must be there before the engine can journal the command the
    /// message becomes, or a crash would leave the number behind and the peer's resend
    /// would be applied twice.
    public var inboundNumberWrite = InboundNumberWrite.beforeEachApplicationMessage

    /// See ``inboundNumberWrite``.
    public enum InboundNumberWrite: Sendable, Equatable {
        /// One `pwrite` before each application message is handed on: safe wherever the
        /// engine runs.
        case beforeEachApplicationMessage
        /// One `pwrite` per session at the end of each `received` call, after every
        /// message in the bytes: only for an engine that takes commands on the
        /// acceptor's own thread, after `received` has returned (the gateway's `shared`
        /// and `split` threading modes), which then cannot journal a command before its
        /// number is written.
        case endOfEachReceive
    }

    public init(sessions: [FIXSessionConfiguration], storeDirectory: String, dictionary: FIXDictionary,
                synchronousStore: Bool = false, schedule: FIXSessionSchedule? = nil,
                maximumLatencyNanoseconds: Int64? = nil,
                logonTimeoutNanoseconds: Int64 = 10_000_000_000, logoutTimeoutNanoseconds: Int64 = 2_000_000_000,
                graceFraction: Double = 0.2, resendBatchSize: Int = 64, maximumBodyLength: Int = 8192) {
        self.sessions = sessions
        self.storeDirectory = storeDirectory
        self.synchronousStore = synchronousStore
        self.dictionary = dictionary
        self.logonTimeoutNanoseconds = logonTimeoutNanoseconds
        self.logoutTimeoutNanoseconds = logoutTimeoutNanoseconds
        self.graceFraction = graceFraction
        self.resendBatchSize = resendBatchSize
        self.maximumBodyLength = maximumBodyLength
        self.schedule = schedule
        self.maximumLatencyNanoseconds = maximumLatencyNanoseconds
    }
}

/// What the acceptor does to the outside world. The gateway's I/O thread implements
/// it; tests record it.
public protocol FIXAcceptorIO {
    /// Write `bytes` to the connection (copy them: the buffer is reused).
    mutating func send(_ connection: UInt32, _ bytes: UnsafeRawBufferPointer)
    /// Close the connection after what was sent so far; the acceptor has already
    /// forgotten it (do not call `closed` for it).
    mutating func close(_ connection: UInt32, reason: String)
    /// A validated, in-sequence application message (not a PossDup duplicate). The
    /// message is a view of the receive buffer, valid only during the call.
    mutating func application(_ message: FIXMessage, session: Int, connection: UInt32)
    /// The session logged on (`true`) or its connection ended (`false`).
    mutating func sessionStateChanged(session: Int, loggedOn: Bool)
    /// The verified client certificate subject of the connection (TLS with client
    /// certificates), nil otherwise.
    func certificateSubject(of connection: UInt32) -> String?
    /// Something an operator should see: a session Reject, a BusinessMessageReject, a
    /// Logout and its reason, a refused Logon, a garbled message dropped. Each line names
    /// the CompID and the MsgSeqNum concerned. Never called for a message that is fine,
    /// so building the text is off the order path.
    mutating func logSessionEvent(_ text: String)
    /// Every message of session `session` in (`inbound`) and out, for a per-session
    /// message log. The bytes are valid only during the call.
    mutating func logMessage(session: Int, inbound: Bool, _ bytes: UnsafeRawBufferPointer)
    /// The connection's source IPv4 address (host byte order); 0 when unknown. Failed
    /// Logons are counted per address (``FIXAcceptor/loginThrottle``).
    func peerAddress(of connection: UInt32) -> UInt32
    /// Bytes queued for the connection and not yet taken by the kernel: output is paced
    /// from the store while they exceed ``FIXAcceptorConfiguration/paceOutputBytes``.
    func pendingOutputBytes(of connection: UInt32) -> Int
}

extension FIXAcceptorIO {
    /// Plain transports have no certificates.
    public func certificateSubject(of connection: UInt32) -> String? { nil }
    /// No address known: failed Logons count against the CompID only.
    public func peerAddress(of connection: UInt32) -> UInt32 { 0 }
    /// Output never waits: nothing is paced.
    public func pendingOutputBytes(of connection: UInt32) -> Int { 0 }
    public mutating func logSessionEvent(_ text: String) {}
    public mutating func logMessage(session: Int, inbound: Bool, _ bytes: UnsafeRawBufferPointer) {}
}
