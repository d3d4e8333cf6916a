import GatewayCore
import Journal
import Network
import Rings
import TLS

/// Everything the gateway is told at start-up. Every key has a default (the embedded
/// default configuration of shared/design.md); a TOML file overrides any of them.
public struct GatewayConfiguration: Sendable, Equatable {
    /// Every file the gateway writes lives here: journal, stores, session logs.
    public var dataDirectory = "./var"
    public var engine = EngineSettings()
    public var threading = ThreadingSettings()
    public var network = NetworkSettings()
    public var session = SessionSettings()
    public var journal = JournalSettings()
    public var fix = FIXSettings()
    public var ouch = OUCHSettings()
    public var marketData = MarketDataSettings()
    public var sharedMemory = SharedMemorySettings()
    public var tls = TLSSettings()
    public var symbols: [SymbolSettings] = SymbolSettings.demo
    public var accounts: [AccountSettings] = AccountSettings.demo

    public init() {}

    /// The embedded default: what `make run` starts.
    public static let embeddedDefault = GatewayConfiguration()

    public struct EngineSettings: Sendable, Equatable {
        /// The core the engine thread is pinned to; nil leaves it to the scheduler.
        public var core: Int? = 1
        /// How the engine waits when its inbound rings are empty: busy-spin, spin-yield or spin-park.
        public var waitStrategy = WaitStrategy.Kind.spinPark
        /// Empty turns spent spinning before yielding or parking. 0 by default: on the
        /// 2-core machines the venue runs on, a spinning engine holds the core the network
        /// thread needs next (perf/RESULTS.md, "Wait strategies"); raise it on dedicated cores.
        public var spinCount = 0
        /// Live orders the engine can hold; beyond it new orders are rejected. The order
        /// key map is sized from it, and a map far larger than the live book costs a cache
        /// miss per lookup (perf/README.md): size it to the venue, not to the maximum.
        public var maxOrders = 1 << 18
        /// Price levels per side of one symbol; beyond it new prices are rejected.
        public var maxPriceLevelsPerSide = 4_096
        /// Slots in each producer's inbound ring (power of two).
        public var inboundRingCapacity = 1 << 16
        /// Slots in each consumer's outbound event ring (power of two).
        public var outboundRingCapacity = 1 << 16
        /// Events held back until their command is in the journal (power of two).
        public var pendingEventCapacity = 1 << 18
        /// Commands taken from the inbound rings per engine turn.
        public var batchSize = 256
        public init() {}
    }

    public struct ThreadingSettings: Sendable, Equatable {
        /// How the stages are put on threads (specs/threading.md, "Threading modes"):
        /// `dedicated` (a thread per stage, the engine pinned), `split` (network and engine
        /// on one pinned thread, journal, market data and bridge on another), `shared`
        /// (every stage in one duty cycle on one thread pinned to `engine.core`), or `auto`:
        /// chosen from the CPUs the process may use, and printed with the reason at start
        /// (nil here).
        public var mode: ThreadingMode? = nil
        public init() {}
    }

    public struct SessionSettings: Sendable, Equatable {
        /// When the trading day ends, as minutes after UTC midnight; nil: only on request.
        /// At that time the engine cancels Day orders and closes the market, and every
        /// SoupBinTCP session gets End of Session.
        public var endOfDayMinutesUTC: Int?
        public init() {}
    }

    public struct NetworkSettings: Sendable, Equatable {
        /// `auto` (io_uring, falling back to epoll with a logged reason), `io_uring` or `epoll`.
        public var backend = NetworkConfiguration.Backend.automatic
        /// Connections one I/O thread serves; more are accepted and closed at once.
        public var maxConnections = 256
        /// Of those, how many may be waiting to log in at once (FIX and OUCH together); a
        /// connection beyond it is closed at once, so connections that never log in
        /// cannot take the places of sessions.
        public var maxPendingLogins = 64
        /// Of those, how many may come from one source address: one host cannot hold
        /// every place.
        public var maxPendingLoginsPerAddress = 16
        /// Failed logins (FIX or OUCH) in a row before a CompID, username or address is
        /// locked out; each further failure doubles the lock-out, from 1 s.
        public var loginFailuresBeforeLockout = 5
        /// The longest lock-out, in seconds.
        public var loginLockoutMaxSeconds = 60
        /// Output a connection may have pending before it is disconnected as a slow consumer.
        public var maxSendBufferBytes = 1 << 20
        /// Turns an idle I/O thread polls before it sleeps (0: sleep at once).
        public var spinTurns = 50
        /// Longest an idle I/O thread sleeps before it runs its timers.
        public var maxIdleWaitMilliseconds = 20
        public init() {}
    }

    public struct JournalSettings: Sendable, Equatable {
        /// `write` (in the file before the acknowledgement leaves) or `fsync` (group commit).
        public var durability = JournalDurability.write
        /// A journal file is rolled when the next record would pass this size.
        public var maxFileBytes = 256 << 20
        /// Slots in the ring from the engine to the journal thread (power of two).
        public var ringCapacity = 1 << 16
        /// The journal thread's wait strategy.
        public var waitStrategy = WaitStrategy.Kind.spinPark
        /// The journal thread's empty turns spent spinning before yielding or parking (0,
        /// as the engine's, for the same reason).
        public var spinCount = 0
        /// Which thread writes the journal: "journal-thread" (the engine hands each command
        /// to it through a ring and carries on matching) or "engine-thread" (the engine
        /// writes each turn's records itself before releasing the turn's events: two
        /// thread hand-offs fewer per acknowledgement; `durability = "write"` only).
        public var writer = JournalWriterPlacement.journalThread
        /// A snapshot of the replayed state every this many commands, written by a
        /// low-priority thread that follows the journal; a restart replays only the
        /// journal after the newest (specs/snapshots.md). 0: none written.
        public var snapshotEveryCommands = 1_000_000
        /// Snapshot files kept in `<data>/snapshots` (the newest).
        public var snapshotsKept = 2
        public init() {}
    }

    public struct FIXSettings: Sendable, Equatable {
        public var listen = ListenAddress(host: "127.0.0.1", port: 9878)
        /// The gateway's own CompID (the client's TargetCompID).
        public var compID = "CIFT"
        /// The venue's FIX 4.4 dictionary (QuickFIX XML), against which every inbound
        /// message is validated; relative paths are from the working directory.
        public var dictionary = "fix-dictionaries/FIX44.xml"
        public var sessions: [FIXSessionSettings] = FIXSessionSettings.demo
        /// Session hours as seconds after UTC midnight (`session_start`/`session_end`,
        /// both or neither); nil: sessions are always open and their sequence numbers
        /// never reset by the clock.
        public var sessionStartSecondsUTC: Int64?
        public var sessionEndSecondsUTC: Int64?
        /// Largest accepted difference between a message's SendingTime and our clock,
        /// in seconds; 0 turns the check off.
        public var maxLatencySeconds = 120
        /// A connection that has not sent a valid Logon by then is closed: short, so that
        /// idle connections cannot hold the places of connections waiting to log in.
        public var logonTimeoutMilliseconds = 3_000
        /// D, F, G and q one session may send per second; 0: no limit.
        public var maxMessagesPerSecond = 0
        /// Validation and session options every session gets unless its
        /// `[[fix.sessions]]` entry sets its own (QuickFIX's names, snake_case).
        public var sessionDefaults = FIXSessionOptions()
        /// Where per-session message logs go (`<CompID>-<YYYYMMDD>.log`, one file per
        /// session per UTC day) for sessions with `message_log = true`; relative paths are
        /// from the working directory; empty: `<data directory>/fix-messages`.
        public var messageLogDirectory = ""
        public init() {}
    }

    /// Per-session FIX validation and session options (QuickFIX names in snake_case),
    /// read from `[fix]` as defaults and from each `[[fix.sessions]]` entry.
    public struct FIXSessionOptions: Sendable, Equatable {
        /// ValidateUserDefinedFields: tags 5000 and up must be in the dictionary.
        public var validateUserDefinedFields = true
        /// AllowUnknownMsgFields: unknown tags (below 5000) and tags not defined for the
        /// message type are accepted and ignored.
        public var allowUnknownMessageFields = false
        /// ValidateFieldsOutOfOrder: a header field after a body field is refused (373=14).
        public var validateFieldsOutOfOrder = true
        /// RejectInvalidMessage: a message the dictionary refuses gets a session Reject;
        /// false: it is logged and processed.
        public var rejectInvalidMessage = true
        /// CheckLatency: SendingTime is compared with our clock.
        public var checkLatency = true
        /// MaxLatency in seconds for this session; nil: `fix.max_latency_seconds`.
        public var maxLatencySeconds: Int?
        /// ResetOnLogon / ResetOnLogout / ResetOnDisconnect: sequence numbers back to 1.
        public var resetOnLogon = false
        public var resetOnLogout = false
        public var resetOnDisconnect = false
        /// RefreshOnLogon: the session's store is read again from its file at Logon.
        public var refreshOnLogon = false
        /// ResendRequestChunkSize: most messages one of our ResendRequests asks for; 0: all.
        public var resendRequestChunkSize = 0
        /// Every message in and out written to the session's message log (off by default).
        public var messageLog = false
        public init() {}
    }

    public struct FIXSessionSettings: Sendable, Equatable {
        public var senderCompID: String
        public var account: String
        public var password: String
        public var cancelOnDisconnect: Bool
        /// Over TLS with client certificates: the subject (`CN=…,O=…`) the session's
        /// certificate must have; its Logon from any other (or none) is refused.
        public var certificateSubject: String?
        /// Further accounts Account (1) may name on this session (an order naming one is
        /// booked to it); Account naming any other is refused with a BusinessMessageReject.
        public var allowedAccounts: [String] = []
        /// Validation and session options (`[fix]`'s unless the entry sets its own).
        public var options = FIXSessionOptions()

        public init(senderCompID: String, account: String, password: String, cancelOnDisconnect: Bool = true,
                    certificateSubject: String? = nil) {
            self.certificateSubject = certificateSubject
            self.senderCompID = senderCompID
            self.account = account
            self.password = password
            self.cancelOnDisconnect = cancelOnDisconnect
        }

        public static let demo = (1...4).map {
            FIXSessionSettings(senderCompID: "CLIENT\($0)", account: "ACC\($0)", password: "demo")
        }
    }

    public struct OUCHSettings: Sendable, Equatable {
        public var listen = ListenAddress(host: "127.0.0.1", port: 9879)
        /// A connection that has not logged in within this time is closed.
        public var loginTimeoutMilliseconds = 3_000
        /// Enter, Replace, Cancel and Modify one user may send per second; 0: no limit.
        public var maxMessagesPerSecond = 0
        public var users: [OUCHUserSettings] = OUCHUserSettings.demo
        public init() {}
    }

    public struct OUCHUserSettings: Sendable, Equatable {
        public var username: String
        public var account: String
        public var password: String
        public var cancelOnDisconnect: Bool
        /// Over TLS with client certificates: the subject (`CN=…,O=…`) the user's
        /// certificate must have; its login from any other (or none) is rejected.
        public var certificateSubject: String?

        public init(username: String, account: String, password: String, cancelOnDisconnect: Bool = true,
                    certificateSubject: String? = nil) {
            self.username = username
            self.account = account
            self.password = password
            self.cancelOnDisconnect = cancelOnDisconnect
            self.certificateSubject = certificateSubject
        }

        public static let demo = (1...4).map {
            OUCHUserSettings(username: "OUCH0\($0)", account: "ACC\($0)", password: "demo")
        }
    }

    public struct MarketDataSettings: Sendable, Equatable {
        /// Multicast group and port of the ITCH 5.0 / MoldUDP64 feed.
        public var group = ListenAddress(host: "239.192.0.1", port: 31001)
        /// Address of the interface the feed leaves by.
        public var interface = "127.0.0.1"
        public var ttl = 1
        /// MoldUDP64 session name (10 characters).
        /// MoldUDP64 session name: 10 characters, or "" for `CIFT` + the session day's
        /// `YYMMDD` (a new name each UTC day).
        public var session = ""
        public var retransmission = ListenAddress(host: "127.0.0.1", port: 31002)
        public var snapshot = ListenAddress(host: "127.0.0.1", port: 9880)
        /// Largest UDP payload of a feed packet, MoldUDP64 header included.
        public var maxPacketSize = 1400
        /// Longest a message waits for more to share its packet, in microseconds. 0: none;
        /// a packet carries what one market-data cycle drained (specs/moldudp64.md).
        public var flushDelayMicroseconds = 0
        /// Most messages one retransmission request is answered with.
        public var retransmissionMaxMessages = 1000
        public init() {}
    }

    /// TLS order entry: off unless a certificate and its key are configured.
    public struct TLSSettings: Sendable, Equatable {
        public var fixListen = ListenAddress(host: "127.0.0.1", port: 9443)
        public var ouchListen = ListenAddress(host: "127.0.0.1", port: 9444)
        /// PEM certificate (chain) and private key; both empty: TLS off.
        public var certificate = ""
        public var privateKey = ""
        /// PEM CA whose client certificates are required (mutual TLS); empty: none asked.
        public var clientCA = ""
        public var ciphers = TLSConfigurationDefaults.cipherList
        public var cipherSuites = TLSConfigurationDefaults.cipherSuites
        public var handshakeTimeoutMilliseconds = 5_000
        public var isEnabled: Bool { !certificate.isEmpty }
        public init() {}
    }

    public struct SharedMemorySettings: Sendable, Equatable {
        /// Off: no shared-memory rings and no bridge thread.
        public var enabled = true
        public var signalsPath = "/dev/shm/cift-signals"
        public var fillsPath = "/dev/shm/cift-fills"
        /// Slots in each ring (a power of two).
        public var capacity = 1 << 16
        /// The account signals trade for (its orders, fills and positions go to the fills
        /// ring); "" means the last of the [[accounts]] (ACC4 in the embedded default).
        public var strategyAccount = ""
        /// How the bridge thread waits between looks at the signals ring: it spins while
        /// busy, then (spin-park) sleeps at most `pollIntervalMicroseconds` (Python
        /// cannot wake it), or busy-spins for the lowest latency on a core of its own.
        public var waitStrategy = WaitStrategy.Kind.spinPark
        /// Spins after the last record before parking: back-to-back records from Python
        /// find the bridge still looking.
        public var spinCount = 2_000
        public var pollIntervalMicroseconds = 100
        /// The longest sleep once no record has come for `idleAfterMilliseconds` (a
        /// gateway with no Python attached); the first record after that waits at most
        /// this, the next ones `pollIntervalMicroseconds` again.
        public var idlePollIntervalMicroseconds = 2_000
        public var idleAfterMilliseconds = 1_000
        public init() {}
    }

    public struct SymbolSettings: Sendable, Equatable {
        public var name: String
        public var tick: Price
        public var lot: UInt32
        /// The price collar's reference until the symbol trades (nil: none).
        public var referencePrice: Price?

        public init(name: String, tick: Price, lot: UInt32, referencePrice: Price? = nil) {
            self.name = name
            self.tick = tick
            self.lot = lot
            self.referencePrice = referencePrice
        }

        /// Stock locate 1–8 in this order.
        public static let demo = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "SPY"].map {
            SymbolSettings(name: $0, tick: Price(raw: 100), lot: 100)
        }
    }

    public struct AccountSettings: Sendable, Equatable {
        public var name: String
        public var selfTradePrevention: SelfTradePrevention
        /// Pre-trade limits at start (0: none); changeable at run time through the
        /// shared-memory ring.
        public var limits: RiskLimits
        public var restrictedSymbols: [String]

        public init(name: String, selfTradePrevention: SelfTradePrevention = .cancelNewest, limits: RiskLimits = RiskLimits(),
                    restrictedSymbols: [String] = []) {
            self.name = name
            self.selfTradePrevention = selfTradePrevention
            self.limits = limits
            self.restrictedSymbols = restrictedSymbols
        }

        public static let demo = (1...4).map { AccountSettings(name: "ACC\($0)") }
    }
}

extension GatewayConfiguration {
    /// Engine session number of the first OUCH user; FIX sessions are numbered from 1.
    public static let ouchSessionBase: UInt16 = 0x8000

    /// The symbol index (stock locate) of a name, 1-based in directory order.
    public func symbolIndex(named name: String) -> SymbolIndex? {
        symbols.firstIndex { $0.name == name }.map { SymbolIndex(rawValue: UInt16($0 + 1)) }
    }

    /// The account index of a name, 1-based in configuration order.
    /// Every symbol with its stock locate (position + 1), in directory order.
    public var symbolDirectory: [(index: SymbolIndex, settings: SymbolSettings)] {
        symbols.enumerated().map { (SymbolIndex(rawValue: UInt16($0.offset + 1)), $0.element) }
    }

    /// The account a session or user names; `key` says where, for the error.
    public func account(named name: String, key: String) throws -> AccountIndex {
        guard let account = accountIndex(named: name) else {
            throw ConfigurationError(key: key, value: name, expected: "one of the [[accounts]] names")
        }
        return account
    }

    public func accountIndex(named name: String) -> AccountIndex? {
        accounts.firstIndex { $0.name == name }.map { AccountIndex(rawValue: UInt16($0 + 1)) }
    }
}

/// The TLS module's defaults, named here so that the configuration reads them in one place.
public enum TLSConfigurationDefaults {
    public static let cipherList = TLSConfiguration.defaultCipherList
    public static let cipherSuites = TLSConfiguration.defaultCipherSuites
}
