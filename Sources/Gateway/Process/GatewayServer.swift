import FIX
import Foundation
import GatewayCore
import Journal
import MarketData
import Matching
import Network
import OUCH
import Rings
import TLS

/// A running gateway: recovered engine and journal, and the stages (order entry, engine,
/// journal writer, market data, shared-memory bridge) on the threads `threading.mode`
/// chooses. `GatewayProcess` runs one until a signal; tests run one in-process.
public final class GatewayServer: @unchecked Sendable {
    public let configuration: GatewayConfiguration
    public let recovery: JournalReplay.Result
    /// The threading mode that runs, and why (printed at start-up).
    public let threading: ThreadingMode.Choice
    let dataDirectory: DataDirectory
    let runtime: EngineRuntime
    let orderEntry: OrderEntryAgent
    let marketData: MarketDataAgent
    /// The shared-memory bridge (nil when `shared_memory.enabled` is false).
    let signalBridge: SignalBridgeAgent?
    /// The snapshot thread (nil when `journal.snapshot_every_commands` is 0).
    let snapshotter: Snapshotter?
    /// The journal record the start-up's snapshot covered (nil: the whole journal was replayed).
    public let loadedSnapshot: JournalPosition?
    /// The threads this server started for its stages (the runtime's own, in `dedicated`
    /// mode, are the runtime's).
    private var runners: [AgentRunner] = []
    private var stopped = false

    /// The OUCH port actually listened on (the configured one, or the kernel's pick for 0).
    public var ouchPort: UInt16 { orderEntry.ouchPort }
    /// The FIX port actually listened on.
    public var fixPort: UInt16 { orderEntry.fixPort }
    /// The retransmission server's UDP port and the snapshot service's TCP port.
    public var marketDataRetransmissionPort: UInt16 { marketData.retransmissionPort }
    public var marketDataSnapshotPort: UInt16 { marketData.snapshotPort }
    /// Snapshots served to late joiners and snapshots encoded for them (readers asking
    /// while the book is unchanged share one). The market-data thread owns the counts:
    /// read them after ``stop()``.
    public var snapshotCounts: (served: UInt64, built: UInt64) {
        (marketData.snapshots.snapshotsServed, marketData.snapshots.snapshotsBuilt)
    }
    /// The TLS listeners' ports (nil: TLS off).
    public var fixTLSPort: UInt16? { orderEntry.fixTLSPort }
    public var ouchTLSPort: UInt16? { orderEntry.ouchTLSPort }
    /// For the ready line: where TLS listens, or how to turn it on.
    public var tlsDescription: String {
        guard let fix = fixTLSPort, let ouch = ouchTLSPort else {
            return "TLS off (set [tls] certificate and private_key; see the README)"
        }
        return "FIX over TLS on \(configuration.tls.fixListen.host):\(fix), OUCH over TLS on \(configuration.tls.ouchListen.host):\(ouch)"
            + (configuration.tls.clientCA.isEmpty ? "" : " (client certificates required)")
            // Without the gateway's memory functions OpenSSL mallocs per record.
            + (TLSMemory.isInstalled ? "" : "; OpenSSL's per-record memory comes from malloc (its memory functions could not be replaced)")
    }

    /// Reads the TLS certificate, key and client CA again and gives them to the TLS
    /// listeners for new connections (SIGHUP). A file that cannot be used is an error and
    /// the old certificates stay.
    public func reloadCertificates() throws {
        guard configuration.tls.isEnabled else { return }
        orderEntry.tlsReload.post(try TLSContext(server: TLSConfiguration(gateway: configuration)))
    }

    /// `io_uring` or `epoll`, with the reason when io_uring could not be used.
    public var networkBackend: String { orderEntry.backendDescription }

    /// Recovers the journal into a new engine (before any connection is accepted), then
    /// starts the journal, engine and I/O threads and listens.
    public init(configuration: GatewayConfiguration, truncateCorruptJournal: Bool = false) throws {
        self.configuration = configuration
        try configuration.checkForRun()
        dataDirectory = try DataDirectory(path: configuration.dataDirectory)
        let engineConfiguration = try EngineConfiguration(gateway: configuration)
        // The FIX order table (CumQty, AvgPx, OrderStatusRequest) is rebuilt from the
        // replay; the I/O thread's port is engine source 1.
        let fixAccounts = try configuration.fix.sessions.enumerated().map { i, s in
            try configuration.account(named: s.account, key: "fix.sessions[\(i)].account")
        }
        let fixSymbols = Dictionary(uniqueKeysWithValues: configuration.symbolDirectory.map { ($1.name, $0) })
        // Account (1) must name the session's account, or one of its allowed_accounts.
        let fixAllowedAccounts = try configuration.fix.sessions.enumerated().map { i, s in
            try s.allowedAccounts.enumerated().map { j, name in
                (name: name, account: try configuration.account(named: name, key: "fix.sessions[\(i)].allowed_accounts[\(j)]"))
            }
        }
        // What replay rebuilds (engine, FIX order table, signals applied, UserRefNum marks),
        // new; or loaded from the newest usable snapshot, which the journal after it then
        // brings up to date (specs/snapshots.md).
        let bridgeSource = EngineRuntime.source(ofPort: 2)
        let makeState = {
            ReplayedState(
                engine: MatchingEngine(configuration: engineConfiguration),
                fixOrderEntry: try FIXOrderEntry(
                    accounts: fixAccounts, symbols: fixSymbols, source: EngineRuntime.source(ofPort: 0),
                    maxMessagesPerSecond: configuration.fix.maxMessagesPerSecond,
                    accountNames: configuration.fix.sessions.map(\.account),
                    allowedAccounts: fixAllowedAccounts),
                bridgeSource: bridgeSource)
        }
        let fingerprint = ReplayFingerprint.of(
            engine: engineConfiguration, fixAccounts: fixAccounts,
            fixAllowedAccounts: fixAllowedAccounts.map { $0.map(\.account) }, fixOrdersPerSession: 4096)
        let snapshotDirectory = SnapshotDirectory(dataDirectory: dataDirectory.path)
        let loaded = try SnapshotLoader.newestUsable(
            in: snapshotDirectory, journalDirectory: dataDirectory.journalPath, fingerprint: fingerprint, makeState: makeState)
        loadedSnapshot = loaded?.position
        let state = HandedOver(try loaded?.state ?? makeState())
        let engine = state.value.engine
        let fixOrderEntry = HandedOver(state.value.fixOrderEntry)
        // The feed continues today's store; what it had not published before a restart
        // comes from the replay (catchUp), a new day starts from the replayed book.
        let startTime = SystemClock().now()
        let publisher = HandedOver(try MarketDataFeed.openPublisher(
            configuration, dataDirectory: dataDirectory.path, now: startTime, completeThrough: loaded?.position.sequence ?? 0))
        // The session streams (OUCH per user, FIX per session) are opened before the
        // replay, which hands them every replayed event: each keeps the answers it lacks
        // — those a crash kept out of it although their commands are in the journal —
        // and the clients get them on their next login (specs/recovery.md).
        let orderEntrySource = EngineRuntime.source(ofPort: 0)
        var ouchConfiguration = try OUCHServerConfiguration(
            gateway: configuration, source: orderEntrySource, dataDirectory: dataDirectory.path)
        ouchConfiguration.newStreamBaseline = EngineAnswerMark.unsettled
        try FileManager.default.createDirectory(atPath: dataDirectory.path + "/fix", withIntermediateDirectories: true)
        var fixConfiguration = try FIXAcceptorConfiguration(gateway: configuration, storeDirectory: dataDirectory.path + "/fix")
        fixConfiguration.newStoreBaseline = EngineAnswerMark.unsettled
        let threading = ThreadingMode.choose(configured: configuration.threading.mode)
        // Where the engine takes commands on order entry's own thread (`shared`, `split`),
        // it cannot journal one before order entry's turn ends: the inbound numbers of the
        // FIX messages one read brought go to the store in one write at its end.
        fixConfiguration.inboundNumberWrite = threading.mode.engineSharesOrderEntryThread ? .endOfEachReceive : .beforeEachApplicationMessage
        let ouchServer = HandedOverOnce(try OUCHServer(configuration: ouchConfiguration))
        let fixAcceptor = HandedOverOnce(try FIXAcceptor(configuration: fixConfiguration))
        ouchServer.object.beginRecovery()
        fixAcceptor.object.beginRecovery()
        var fixRecoveryIO = FIXRecoveryIO(acceptor: fixAcceptor.object, now: startTime)
        recovery = try JournalReplay.replay(
            directory: dataDirectory.journalPath, into: engine, truncateCorruption: truncateCorruptJournal,
            resumingAfter: loaded?.position,
            observeCommand: { state.value.note($0) },
            observeEvent: { event in
                if event.kind == .systemEvent {
                    if event.code == SystemEventCode.endOfDay.rawValue {
                        ouchServer.object.systemEvent(.endOfDay, now: event.timestamp, answering: event.sequence)
                    }
                } else if event.destination.source == orderEntrySource {
                    if event.destination.session >= GatewayConfiguration.ouchSessionBase {
                        ouchServer.object.handle(event)
                    } else {
                        fixOrderEntry.value.recover(event: event, io: &fixRecoveryIO)
                    }
                }
                publisher.value.catchUp(event)
            })
        if let failure = fixRecoveryIO.failure { throw failure }
        let journalEnd = recovery.nextSequence - 1
        let ouchAppended = try ouchServer.object.finishRecovery(journalEnd: journalEnd)
        try fixAcceptor.object.finishRecovery(journalEnd: journalEnd)
        if ouchAppended > 0 || fixRecoveryIO.appended > 0 {
            Log.info("recovery: \(ouchAppended) OUCH and \(fixRecoveryIO.appended) FIX answer(s) to journaled commands were missing from the session streams and are appended")
        }
        if publisher.value.resumeEngineSequence == nil {
            try MarketDataFeed.beginSessionDay(publisher.value, engine: engine, baseline: recovery.nextSequence - 1, now: startTime)
        }
        Log.info(recovery.summary)
        let writer = try JournalWriter.open(
            directory: dataDirectory.journalPath, configuration: configuration, nextSequence: recovery.nextSequence)
        self.threading = threading
        // One signal per thread: every producer of a stage rings the signal of the thread
        // that runs it, so stages that share a thread share its signal.
        let signals = ThreadSignals(threading.mode)
        // Port 0: order entry. Port 1: the venue's own commands (end of day), from
        // whichever thread asks, under `adminLock`; nobody waits for its events. Port 2:
        // the shared-memory bridge.
        runtime = try EngineRuntime(
            configuration: configuration, engine: engine, journal: writer,
            nextSequence: recovery.nextSequence, portSignals: [signals.orderEntry, WakeSignal(), signals.bridge],
            broadcastPorts: 1, marketDataSignal: signals.marketData,
            engineSignal: signals.engine, journalSignal: signals.journal)
        signalBridge = configuration.sharedMemory.enabled
            ? try SharedMemoryBridgeSetup.make(
                configuration, port: runtime.ports[2], engine: engine, appliedThrough: state.value.appliedSignals.highest)
            : nil
        marketData = try MarketDataAgent(
            settings: configuration.marketData, publisher: publisher.value, port: runtime.marketData!,
            maxSendBufferBytes: configuration.network.maxSendBufferBytes)
        let port = runtime.ports[0]
        precondition(port.source == orderEntrySource, "order entry is engine port 0")
        let fixCancelOnDisconnect = configuration.fix.sessions.map(\.cancelOnDisconnect)
        let fixMessageLog = FIXMessageLogSettings(gateway: configuration, dataDirectory: dataDirectory.path)
        let source = port.source
        let tls = try configuration.tls.isEnabled
            ? TLSListenerSettings(
                fix: configuration.tls.fixListen, ouch: configuration.tls.ouchListen,
                context: TLSContext(server: TLSConfiguration(gateway: configuration)))
            : nil
        var orderEntrySettings = OrderEntryAgent.Settings(
            network: try NetworkConfiguration(gateway: configuration),
            ouchListen: configuration.ouch.listen, fixListen: configuration.fix.listen, tls: tls,
            makeOUCH: { [highestUserReference = state.value.highestUserReference] in
                let server = ouchServer.take()
                for (account, reference) in highestUserReference {
                    server.raiseHighWater(account: account, to: reference)
                }
                return server
            },
            makeFIX: {
                FIXFrontEnd(
                    acceptor: fixAcceptor.take(),
                    orderEntry: fixOrderEntry.value,
                    cancelOnDisconnect: fixCancelOnDisconnect, source: source,
                    messageLog: fixMessageLog.map { FIXMessageLog(settings: $0) })
            }, port: port)
        orderEntrySettings.maxPendingLogins = configuration.network.maxPendingLogins
        orderEntrySettings.maxPendingLoginsPerAddress = configuration.network.maxPendingLoginsPerAddress
        orderEntrySettings.loginThrottle = LoginThrottle.Policy(
            failuresBeforeLockout: configuration.network.loginFailuresBeforeLockout,
            longestLockoutNanoseconds: Int64(configuration.network.loginLockoutMaxSeconds) * 1_000_000_000)
        if configuration.journal.snapshotEveryCommands > 0 {
            // How far the stores hold every answer: a snapshot may cover no more than that.
            // (Without snapshots nobody asks, and the stages do not track it.)
            let watermarks = AnswerWatermarks(released: runtime.releasedThrough, stored: loaded?.position.sequence ?? 0)
            orderEntrySettings.watermarks = watermarks
            marketData.watermarks = watermarks
            // The replica starts where the start-up did: from the same snapshot, or empty.
            let replica = try makeState()
            if let loaded { try loaded.body.withUnsafeBytes { try replica.readBody($0) } }
            snapshotter = try Snapshotter(
                replica: replica, position: loaded?.position, journalDirectory: dataDirectory.journalPath,
                directory: snapshotDirectory, fingerprint: fingerprint, watermarks: watermarks,
                settings: Snapshotter.Settings(everyCommands: configuration.journal.snapshotEveryCommands,
                                               keep: configuration.journal.snapshotsKept,
                                               sync: configuration.journal.durability == .fsync))
        } else {
            snapshotter = nil
        }
        orderEntry = OrderEntryAgent(wakeSignal: signals.orderEntry, settings: orderEntrySettings)
        do {
            try startStages(signals: signals)
            snapshotter?.start()
        } catch {
            // Whatever started is stopped again, in the usual order; nothing was accepted.
            stopStartedStages()
            stopped = true
            throw error
        }
    }

    /// Composes the stages onto threads for the chosen mode and starts them. Stages that
    /// share a thread run in one duty cycle in this order: engine, journal writer, order
    /// entry, market data, bridge (an order read in one cycle is matched, written,
    /// acknowledged and published in the next, with no wake-up between).
    private func startStages(signals: ThreadSignals) throws {
        let c = configuration
        let core = c.engine.core
        if let core { try ThreadPinning.validate(core: core) }
        let orderEntry = self.orderEntry
        let bridgeWait = signalBridge?.waitStrategy
        let marketData = self.marketData
        let marketDataNetwork = try self.marketDataNetwork()
        /// The waiter of a thread without order entry: when it runs market data, that
        /// stage's own network loop (its sockets and the thread's signal in one sleep), the
        /// futex otherwise.
        func waiter(for agents: [any Agent], signal: WakeSignal) -> (any Agent) throws -> any AgentWaiter {
            if agents.contains(where: { $0 === marketData }) {
                marketData.use(.own(marketDataNetwork, signal: signal))
                return { _ in marketData }
            }
            let strategy = bridgeWait ?? .default
            return { _ in SignalWaiter(strategy: strategy, signal: signal) }
        }
        func composite(_ agents: [any Agent]) -> any Agent {
            guard agents.count > 1 else { return agents[0] }
            let composite = CompositeAgent(agents)
            if agents.contains(where: { $0 === runtime.agents[0] }) { runtime.shareThread(with: composite) }
            return composite
        }
        let bridge: [any Agent] = signalBridge.map { [$0] } ?? []
        switch threading.mode {
        case .dedicated:
            runners.append(AgentRunner(name: "cift-marketdata", core: nil, agent: marketData,
                                       waiter: waiter(for: [marketData], signal: signals.marketData)))
            if let signalBridge {
                runners.append(AgentRunner(name: "cift-shm-bridge", core: nil, agent: signalBridge,
                                           waiter: waiter(for: bridge, signal: signals.bridge)))
            }
            // Market data and the bridge, then the engine and journal (the runtime's own
            // threads), and order entry last: nothing is accepted before the engine runs.
            for runner in runners { try runner.start() }
            try runtime.start()
            let network = AgentRunner(name: "cift-io-0", core: nil, agent: orderEntry) { _ in orderEntry }
            runners.append(network)
            try network.start()
        case .split:
            let own = runtime.agents
            let engineSide: [any Agent] = [own[0], orderEntry]
            let rest: [any Agent] = Array(own.dropFirst()) + [marketData] + bridge
            runners.append(AgentRunner(name: "cift-stages", core: nil, agent: composite(rest),
                                       waiter: waiter(for: rest, signal: signals.journal)))
            runners.append(AgentRunner(name: "cift-engine-io", core: core, agent: composite(engineSide)) { _ in orderEntry })
            for runner in runners { try runner.start() }
        case .shared:
            // Market data's sockets join order entry's loop, which runs before it in the cycle.
            marketData.use(.orderEntry(orderEntry))
            let all: [any Agent] = runtime.agents + [orderEntry, marketData] + bridge
            runners.append(AgentRunner(name: "cift-gateway", core: core, agent: composite(all)) { _ in orderEntry })
            try runners[0].start()
        }
    }

    /// The network loop of a thread that runs market data without order entry: the
    /// gateway's settings, sized for the snapshot service's connections (32 served, as
    /// many again accepted to be told there is no room).
    private func marketDataNetwork() throws -> NetworkConfiguration {
        var network = try NetworkConfiguration(gateway: configuration)
        network.maxConnections = 2 * SnapshotService.maximumConnections
        network.maxListeners = 1
        network.receiveBufferCount = 64
        network.receiveBufferSize = 4_096
        // The snapshot service has no timers in the loop's turn (the stage's own deadline
        // covers its connections and the feed's heartbeat): an idle feed wakes ten times a
        // second at most.
        network.maxIdleWaitMilliseconds = 100
        try network.validate()
        return network
    }

    /// After a failed start: the stages whose threads run are stopped in the usual order;
    /// the others never ran (their sockets and files are closed all the same).
    private func stopStartedStages() {
        snapshotter?.stop()
        runtime.abandonPort(0)
        _ = runtime.stop(engineRunning: isRunning(runtime.agents[0]), journalRunning: runtime.agents.count < 2 || isRunning(runtime.agents[1]))
        if let signalBridge, isRunning(signalBridge) {
            signalBridge.requestStop()
            EngineRuntime.waitUntil(signalBridge.finished)
        }
        if isRunning(marketData) {
            marketData.requestStop()
            EngineRuntime.waitUntil(marketData.finished)
        } else {
            marketData.onClose()
        }
        for runner in runners where runner.didStart { runner.join() }
        dataDirectory.unlock()
    }

    /// Whether a started thread runs `agent` (alone or in a composite).
    private func isRunning(_ agent: any Agent) -> Bool {
        if agent === runtime.agents[0] && runtime.runsOwnThreads { return true }
        if runtime.agents.count > 1 && agent === runtime.agents[1] && runtime.runsOwnThreads { return true }
        return runners.contains { runner in
            runner.didStart && (runner.agent === agent || (runner.agent as? CompositeAgent)?.members.contains { $0 === agent } == true)
        }
    }

    /// Which thread runs which stages, for the start-up banner: `cift-gateway (core 1):
    /// engine+journal+order-entry+market-data+shm-bridge`.
    public var threadMap: String {
        var threads = runners.map { ($0.name, $0.core, $0.agent.roleName) }
        if runtime.runsOwnThreads {
            threads += runtime.agents.map { ($0 === runtime.agents[0] ? "cift-engine" : "cift-journal", $0 === runtime.agents[0] ? runtime.engineCore : nil, $0.roleName) }
        }
        var map = threads.map { "\($0.0) (\($0.1.map { "core \($0)" } ?? "any core")): \($0.2)" }.joined(separator: ", ")
        if snapshotter != nil { map += ", cift-snapshot (idle priority): snapshots" }
        return map
    }

    private let adminLock = NSLock()

    /// Ends the trading day: the engine cancels every Day order and closes the market; each
    /// SoupBinTCP session gets its cancels, a System Event `E` and End of Session.
    /// Returns false if the engine's ring had no room (try again).
    @discardableResult
    public func endTradingDay() -> Bool {
        adminLock.withLock {
            let admin = runtime.ports[1]
            // The engine's answers to the venue's own commands, if any, are not needed.
            _ = admin.pollEvents(maxCount: Int.max) { _ in }
            let command = Command(
                kind: .systemEvent, code: SystemEventCode.endOfDay.rawValue,
                origin: OrderOrigin(source: admin.source, session: 0, connection: 0), timestamp: SystemClock().now())
            return admin.submit(command)
        }
    }

    /// True when a thread has failed (journal or store write, network loop): stop.
    public var hasFailed: Bool { runtime.journalFailed || orderEntry.hasExited }

    /// Stops without losing anything acknowledged: input stops, the engine finishes what
    /// is queued, every released event is sent, stores and journal are written and closed.
    /// Each stage stops by its own flag, in this order, whichever thread runs it; the
    /// threads end once all their stages have. Returns the first error any stage hit.
    @discardableResult
    public func stop() -> Error? {
        guard !stopped else { return nil }
        stopped = true
        // The snapshot thread only reads the journal: it goes first, whatever it was doing.
        snapshotter?.stop()
        orderEntry.beginDraining()
        // A failed order-entry stage drains nothing: the engine must not wait for it.
        if orderEntry.hasExited { runtime.abandonPort(0) }
        let engineError = runtime.stop()
        orderEntry.stop()
        // After the engine: everything it released reaches the fills ring and the feed.
        if let signalBridge {
            signalBridge.requestStop()
            EngineRuntime.waitUntil(signalBridge.finished)
        }
        marketData.requestStop()
        EngineRuntime.waitUntil(marketData.finished)
        for runner in runners { runner.join() }
        runners = []
        dataDirectory.unlock()
        return engineError ?? orderEntry.failure
    }

    /// The sequence number the next command would have had (after `stop`).
    public var nextSequence: UInt64 { runtime.nextSequence }

    /// The engine's `snapshotDigest()` (after `stop`: the engine thread owns it while it runs).
    public var engineDigestAfterStop: UInt64 { runtime.engineLoop.engine.snapshotDigest() }

    /// Snapshots the snapshot thread has written since the start, and the command the last
    /// one covers (any thread).
    public var snapshotsWritten: (count: UInt64, lastSequence: UInt64?) {
        guard let snapshotter else { return (0, nil) }
        return (snapshotter.written.load(ordering: .acquiring), snapshotter.lastSequence.load(ordering: .acquiring))
    }

    deinit { stop() }
}

extension NetworkConfiguration {
    init(gateway c: GatewayConfiguration) throws {
        self.init(
            backend: c.network.backend, maxConnections: c.network.maxConnections,
            maxSendBufferBytes: c.network.maxSendBufferBytes,
            maxIdleWaitMilliseconds: c.network.maxIdleWaitMilliseconds, spinTurns: c.network.spinTurns)
        tlsHandshakeTimeoutMilliseconds = c.tls.handshakeTimeoutMilliseconds
        try validate()
    }
}

extension OUCHServerConfiguration {
    /// The OUCH server's view of the gateway configuration: users bound to accounts, the
    /// symbol directory, today's session. OUCH user k (0-based) is engine session
    /// `ouchSessionBase + k`, so that FIX sessions (numbered from 1) never share a number
    /// with an OUCH user: cancel-on-disconnect is by session number.
    init(gateway c: GatewayConfiguration, source: UInt8, dataDirectory: String) throws {
        let users = try c.ouch.users.enumerated().map { i, u in
            OUCHUser(
                username: u.username, password: u.password, account: try c.account(named: u.account, key: "ouch.users[\(i)].account"),
                session: GatewayConfiguration.ouchSessionBase + UInt16(i),
                cancelOnDisconnect: u.cancelOnDisconnect, certificateSubject: u.certificateSubject)
        }
        let symbols = c.symbolDirectory.map { OUCHSymbolEntry(name: $1.name, index: $0, tick: $1.tick) }
        // One SoupBinTCP session per UTC day, its stores in <data>/ouch/<YYYYMMDD>: a restart
        // within the day continues the session and its sequenced streams.
        let day = OUCHSessionDay(SystemClock().now())
        self.init(
            users: users, symbols: symbols, sessionName: day.sessionName,
            dataDirectory: day.directory(under: dataDirectory), source: source)
        loginTimeout = .milliseconds(c.ouch.loginTimeoutMilliseconds)
        // Paced well before the slow-consumer limit (see FIXAcceptorConfiguration's).
        paceOutputBytes = max(c.network.maxSendBufferBytes / 4, 4096)
        maxMessagesPerSecond = c.ouch.maxMessagesPerSecond
        // The server's own rules, named as the gateway's file names them (`ouch.users[0]`).
        do {
            try validate()
        } catch {
            var named = error
            if named.key.hasPrefix("users[") { named.key = "ouch." + named.key }
            throw named
        }
    }
}

extension FIXAcceptorConfiguration {
    /// `fix.dictionary` as given when it exists there; a relative path that does not (the
    /// default `fix-dictionaries/FIX44.xml`, with the gateway started from elsewhere) is
    /// looked for in the folders above the running executable, where a checkout's build
    /// puts it, so the binary works from any directory.
    static func locate(dictionary path: String) -> String {
        guard !path.hasPrefix("/"), !FileManager.default.fileExists(atPath: path) else { return path }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.resolvingSymlinksInPath().deletingLastPathComponent()
        if let executable = Bundle.main.executablePath {
            folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        }
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent(path).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return path
    }

    /// The FIX acceptor's view of the gateway configuration: each session's client CompID,
    /// which is also the Username (553) its Logon must carry, with its Password (554); the
    /// venue's dictionary; stores under `storeDirectory`.
    init(gateway c: GatewayConfiguration, storeDirectory: String) throws {
        let dictionary: FIXDictionary
        do {
            dictionary = try FIXDictionaryLoader.load(contentsOf: URL(fileURLWithPath: Self.locate(dictionary: c.fix.dictionary)))
        } catch {
            throw ConfigurationError(
                key: "fix.dictionary", value: c.fix.dictionary, expected: "a readable FIX 4.4 dictionary in QuickFIX XML (\(error))")
        }
        self.init(
            sessions: c.fix.sessions.map {
                var session = FIXSessionConfiguration(
                    clientCompID: $0.senderCompID, ourCompID: c.fix.compID, username: $0.senderCompID,
                    password: $0.password, certificateSubject: $0.certificateSubject)
                let o = $0.options
                session.validation = FIXValidationOptions(
                    validateUserDefinedFields: o.validateUserDefinedFields,
                    allowUnknownMessageFields: o.allowUnknownMessageFields,
                    validateFieldsOutOfOrder: o.validateFieldsOutOfOrder)
                session.rejectInvalidMessage = o.rejectInvalidMessage
                // max_latency_seconds 0 (either level) turns the check off, as before.
                session.checkLatency = o.checkLatency && o.maxLatencySeconds != 0
                session.maximumLatencyNanoseconds = o.maxLatencySeconds.map { Int64($0) * 1_000_000_000 }
                session.resetOnLogon = o.resetOnLogon
                session.resetOnLogout = o.resetOnLogout
                session.resetOnDisconnect = o.resetOnDisconnect
                session.refreshOnLogon = o.refreshOnLogon
                session.resendRequestChunkSize = o.resendRequestChunkSize
                return session
            },
            storeDirectory: storeDirectory, dictionary: dictionary,
            schedule: c.fix.sessionStartSecondsUTC.flatMap { start in
                c.fix.sessionEndSecondsUTC.map { FIXSessionSchedule(start: start, end: $0) }
            },
            maximumLatencyNanoseconds: c.fix.maxLatencySeconds == 0 ? nil : Int64(c.fix.maxLatencySeconds) * 1_000_000_000)
        // Paced from the store well before the slow-consumer limit: that limit is for a
        // peer that does not read, not for a burst the gateway makes itself.
        paceOutputBytes = max(c.network.maxSendBufferBytes / 4, 4096)
        logonTimeoutNanoseconds = Int64(c.fix.logonTimeoutMilliseconds) * 1_000_000
    }
}

/// Something built on the starting thread (journal replay rebuilds it) and handed,
/// before the thread that owns it starts and never touched here again, to that thread:
/// the FIX order layer (I/O thread), the feed's publisher (market-data thread).
private final class HandedOver<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// One object built on the starting thread and handed, once, to the thread that owns it
/// from then on: after `take` the holder keeps no reference, so the object (and the files
/// it holds open and locked) goes when its owner drops it at stop.
private final class HandedOverOnce<Value: AnyObject>: @unchecked Sendable {
    private var value: Value?
    init(_ value: Value) { self.value = value }
    /// The object, for use before it is handed over (start-up, on the starting thread).
    var object: Value { value! }
    func take() -> Value {
        defer { value = nil }
        return value!
    }
}

extension TLSConfiguration {
    /// The TLS listeners' configuration from the gateway's `[tls]`.
    init(gateway c: GatewayConfiguration) {
        self.init(
            certificatePath: c.tls.certificate, privateKeyPath: c.tls.privateKey,
            clientCAPath: c.tls.clientCA.isEmpty ? nil : c.tls.clientCA,
            cipherList: c.tls.ciphers, cipherSuites: c.tls.cipherSuites)
    }
}
