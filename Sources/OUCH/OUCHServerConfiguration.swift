import GatewayCore
import SoupBinTCP

/// A SoupBinTCP user: the login, the engine account its orders belong to, and the
/// session number the engine knows it by.
public struct OUCHUser: Sendable, Equatable {
    /// 1–6 letters, digits, `_` or `-`; matched case-insensitively (SoupBinTCP).
    public var username: String
    /// 1–10 printable ASCII characters; matched case-insensitively (SoupBinTCP).
    public var password: String
    /// The engine account of every order this user enters.
    public var account: AccountIndex
    /// `OrderOrigin.session` of this user's commands. The engine's cancel-on-disconnect
    /// (`sessionDisconnected`) matches orders by this number alone, so it must be unique
    /// across the whole venue: FIX sessions and OUCH users together.
    public var session: UInt16
    /// Cancel every open order the user entered when its connection goes away.
    public var cancelOnDisconnect: Bool
    /// The Firm (4 characters) the user trades for. When set, an Enter Order whose
    /// Firm appendage names another firm is rejected (firm not authorized).
    public var firm: String?
    /// Over TLS with client certificates: the subject (`CN=…,O=…`) the user's connection
    /// must present; a login from any other certificate (or none) is rejected.
    public var certificateSubject: String?

    public init(
        username: String, password: String, account: AccountIndex, session: UInt16,
        cancelOnDisconnect: Bool = true, firm: String? = nil, certificateSubject: String? = nil
    ) {
        self.username = username
        self.password = password
        self.account = account
        self.session = session
        self.cancelOnDisconnect = cancelOnDisconnect
        self.firm = firm
        self.certificateSubject = certificateSubject
    }
}

/// One symbol of the venue's directory, as OUCH names it.
public struct OUCHSymbolEntry: Sendable, Equatable {
    /// 1–8 printable ASCII characters (the OUCH Symbol field without its padding).
    public var name: String
    /// The engine's index (the ITCH stock locate).
    public var index: SymbolIndex
    /// The tick size: a limit price must be a multiple of it.
    public var tick: Price

    public init(name: String, index: SymbolIndex, tick: Price) {
        self.name = name
        self.index = index
        self.tick = tick
    }
}

/// Everything an ``OUCHServer`` needs. Defaults are the venue profile's
/// (specs/soupbintcp.md, "Timers").
public struct OUCHServerConfiguration: Sendable {
    public var users: [OUCHUser]
    public var symbols: [OUCHSymbolEntry]
    /// The current SoupBinTCP session: 1–10 printable ASCII characters, sent
    /// left-padded in Login Accepted. ``OUCHSessionDay/sessionName`` makes one from
    /// the trading day.
    public var sessionName: String
    /// Where the users' stores live: `<directory>/<USER>.seq`, one directory per
    /// session day (``OUCHSessionDay/directory(under:)``). Created if missing.
    public var dataDirectory: String
    /// `OrderOrigin.source` of this server's commands: its I/O thread's port (1…n).
    public var source: UInt8
    /// Order-entry messages (Enter, Replace, Cancel, Modify) one user may send per
    /// second, with a second's worth as burst; 0: no limit. Past it, an Enter or Replace
    /// is Rejected with reason 0x0029 (port message rate) and a Cancel or Modify is
    /// ignored (OUCH has no reject for them) and counted.
    public var maxMessagesPerSecond = 0
    /// A Server Heartbeat goes out after this long without sending (SoupBinTCP: 1 s).
    public var heartbeatInterval: Duration = .seconds(1)
    /// A client that has not completed its login after this long is disconnected.
    public var loginTimeout: Duration = .seconds(10)
    /// The client heartbeat timeout when the Login Request gives none (0, or a
    /// SoupBinTCP 3.0 request).
    public var defaultHeartbeatTimeout: Duration = .seconds(15)
    /// The least client heartbeat timeout honoured; a smaller request is raised to it.
    public var minimumHeartbeatTimeout: Duration = .seconds(1)
    /// The longest inbound OUCH message accepted (the SoupBinTCP Length field may be
    /// one more, for the packet type). Longer packets are a framing error.
    public var maximumMessageLength = 512
    /// At most this many bytes of old messages are read from a store and sent to one
    /// connection per ``OUCHServer/flush(now:io:)`` while it replays.
    public var replayBytesPerFlush = 64 * 1024
    /// `fdatasync` the stores at every flush that writes (survives power loss, costs a
    /// disk round trip per loop turn). Off: written to the file (survives a killed
    /// process), like the journal's default.
    public var synchronousStores = false
    /// The engine-answer baseline of a stream the server creates
    /// (``OUCHSessionStore/answers``): 0, every answer is the stream's, unless the owner
    /// recovers from a journal first — the gateway sets ``EngineAnswerMark/unsettled``
    /// and settles it once replay has found the journal's end.
    public var newStreamBaseline: UInt64 = 0
    /// A stream is sent to a connection only while fewer bytes than this wait for it; the
    /// rest stays in the store until the connection drains, so that a burst the gateway
    /// makes itself (cancel-on-disconnect, a kill switch) cannot trip the slow-consumer
    /// limit meant for a peer that does not read. 0: not paced.
    public var paceOutputBytes = 0

    public init(
        users: [OUCHUser], symbols: [OUCHSymbolEntry], sessionName: String, dataDirectory: String, source: UInt8
    ) {
        self.users = users
        self.symbols = symbols
        self.sessionName = sessionName
        self.dataDirectory = dataDirectory
        self.source = source
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (s, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds > 0 ? .max : .min }
        return s &+ attoseconds / 1_000_000_000
    }
}

extension OUCHServerConfiguration {
    static func isPrintableASCII(_ s: String) -> Bool { s.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E } }

    /// Checks every field; throws the first problem found.
    public func validate() throws(ConfigurationError) {
        let session = sessionName.trimmingSpaces
        guard !session.isEmpty, sessionName.utf8.count <= 10, Self.isPrintableASCII(sessionName) else {
            throw ConfigurationError(
                key: "sessionName", value: "'\(sessionName)'", expected: "1 to 10 printable ASCII characters")
        }
        guard source >= 1 else {
            throw ConfigurationError(key: "source", value: "0", expected: "1 or more (0 is the venue itself)")
        }
        guard !dataDirectory.isEmpty else {
            throw ConfigurationError(key: "dataDirectory", value: "''", expected: "a directory path")
        }
        for (name, value) in [
            ("heartbeatInterval", heartbeatInterval), ("loginTimeout", loginTimeout),
            ("defaultHeartbeatTimeout", defaultHeartbeatTimeout), ("minimumHeartbeatTimeout", minimumHeartbeatTimeout),
        ] where value <= .zero {
            throw ConfigurationError(key: name, value: "\(value)", expected: "a positive duration")
        }
        guard maximumMessageLength >= SoupBinTCPLoginRequest.payloadLength, maximumMessageLength <= 65_534 else {
            throw ConfigurationError(
                key: "maximumMessageLength", value: "\(maximumMessageLength)",
                expected: "\(SoupBinTCPLoginRequest.payloadLength) to 65534 (a Login Request must fit)")
        }
        guard replayBytesPerFlush >= 1024 else {
            throw ConfigurationError(
                key: "replayBytesPerFlush", value: "\(replayBytesPerFlush)", expected: "1024 or more")
        }
        var usernames = Set<String>()
        var sessions = Set<UInt16>()
        for (i, user) in users.enumerated() {
            let allowed = user.username.utf8.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
                    || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
            }
            guard !user.username.isEmpty, user.username.utf8.count <= 6, allowed else {
                throw ConfigurationError(
                    key: "users[\(i)].username", value: "'\(user.username)'",
                    expected: "1 to 6 letters, digits, '_' or '-' (SoupBinTCP Username)")
            }
            guard usernames.insert(user.username.uppercased()).inserted else {
                throw ConfigurationError(
                    key: "users[\(i)].username", value: "'\(user.username)'",
                    expected: "a name no other user has (case-insensitive)")
            }
            guard !user.password.isEmpty, user.password.utf8.count <= 10, Self.isPrintableASCII(user.password),
                user.password.trimmingSpaces == user.password
            else {
                throw ConfigurationError(
                    key: "users[\(i)].password", value: "(hidden)",
                    expected: "1 to 10 printable ASCII characters without surrounding spaces (SoupBinTCP Password)")
            }
            guard user.account != .none else {
                throw ConfigurationError(key: "users[\(i)].account", value: "0", expected: "an account index 1 or more")
            }
            guard user.session != 0, sessions.insert(user.session).inserted else {
                throw ConfigurationError(
                    key: "users[\(i)].session", value: "\(user.session)",
                    expected: "a session number 1 or more that no other user has")
            }
            if let firm = user.firm, OUCHFirm(firm) == nil {
                throw ConfigurationError(
                    key: "users[\(i)].firm", value: "'\(firm)'", expected: "1 to 4 printable ASCII characters")
            }
        }
        var names = Set<UInt64>()
        var indices = Set<UInt16>()
        for (i, symbol) in symbols.enumerated() {
            guard let name = OUCHSymbol(symbol.name), symbol.name.trimmingSpaces == symbol.name else {
                throw ConfigurationError(
                    key: "symbols[\(i)].name", value: "'\(symbol.name)'",
                    expected: "1 to 8 printable ASCII characters without surrounding spaces")
            }
            guard names.insert(name.rawValue).inserted else {
                throw ConfigurationError(key: "symbols[\(i)].name", value: "'\(symbol.name)'", expected: "a unique name")
            }
            guard symbol.index != .none, indices.insert(symbol.index.rawValue).inserted else {
                throw ConfigurationError(
                    key: "symbols[\(i)].index", value: "\(symbol.index.rawValue)", expected: "a unique index 1 or more")
            }
            guard symbol.tick.raw > 0 else {
                throw ConfigurationError(key: "symbols[\(i)].tick", value: "\(symbol.tick)", expected: "a positive tick")
            }
        }
    }
}
