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
    /// The wall clock every stage stamps its messages with (and the end-of-day schedule
    /// reads).
    public let clock: any Clock
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
    var runners: [AgentRunner] = []
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
    /// starts the journal, engine and I/O threads and listens. `clock`: the wall clock
    /// every stage stamps its messages with (the system's; tests give their own).
    public init(configuration: GatewayConfiguration, truncateCorruptJournal: Bool = false, clock: any Clock = SystemClock()) throws {
        self.configuration = configuration
        self.clock = clock
        try configuration.checkForRun()
        dataDirectory = try DataDirectory(path: configuration.dataDirectory)
        let startTime = clock.now()
        threading = ThreadingMode.choose(configured: configuration.threading.mode)
        // Where the engine takes commands on order entry's own thread (`shared`, `split`),
        // it cannot journal one before order entry's turn ends: the inbound numbers of the
        // FIX messages one read brought go to the store in one write at its end.
        let startup = try StartupRecovery.run(
            configuration, dataDirectory: dataDirectory, now: startTime, truncateCorruptJournal: truncateCorruptJournal,
            inboundNumberWrite: threading.mode.engineSharesOrderEntryThread ? .endOfEachReceive : .beforeEachApplicationMessage)
        recovery = startup.result
        loadedSnapshot = startup.loaded?.position
        Log.info(recovery.summary)
        let writer = try JournalWriter.open(
            directory: dataDirectory.journalPath, configuration: configuration, nextSequence: recovery.nextSequence)
        // One signal per thread: every producer of a stage rings the signal of the thread
        // that runs it, so stages that share a thread share its signal.
        let signals = ThreadSignals(threading.mode)
        runtime = try EngineRuntime(
            configuration: configuration, engine: startup.state.engine, journal: writer, nextSequence: recovery.nextSequence,
            portSignals: GatewayPort.allCases.map { signals.signal(of: $0) },
            receivesBroadcasts: GatewayPort.allCases.map(\.receivesBroadcasts), marketDataSignal: signals.marketData,
            engineSignal: signals.engine, journalSignal: signals.journal)
        guard let marketDataPort = runtime.marketData else { preconditionFailure("the runtime was given a market-data signal") }
        signalBridge = configuration.sharedMemory.enabled
            ? try SharedMemoryBridgeSetup.make(
                configuration, port: runtime.port(.bridge), engine: startup.state.engine,
                appliedThrough: startup.state.appliedSignals.highest, clock: clock)
            : nil
        marketData = try MarketDataAgent(
            settings: configuration.marketData, publisher: startup.publisher, port: marketDataPort,
            maxSendBufferBytes: configuration.network.maxSendBufferBytes, clock: clock)
        var orderEntrySettings = try OrderEntryAgent.Settings(
            gateway: configuration, dataDirectory: dataDirectory.path, startup: startup, port: runtime.port(.orderEntry),
            clock: clock)
        if configuration.journal.snapshotEveryCommands > 0 {
            // How far the stores hold every answer: a snapshot may cover no more than that.
            // (Without snapshots nobody asks, and the stages do not track it.)
            let watermarks = AnswerWatermarks(released: runtime.releasedThrough, stored: startup.loaded?.position.sequence ?? 0)
            orderEntrySettings.watermarks = watermarks
            marketData.watermarks = watermarks
            // The replica starts where the start-up did: from the same snapshot, or empty.
            let replica = try startup.makeState()
            if let loaded = startup.loaded { try loaded.body.withUnsafeBytes { try replica.readBody($0) } }
            snapshotter = try Snapshotter(
                replica: replica, position: startup.loaded?.position, journalDirectory: dataDirectory.journalPath,
                directory: startup.snapshotDirectory, fingerprint: startup.fingerprint, watermarks: watermarks,
                settings: Snapshotter.Settings(everyCommands: configuration.journal.snapshotEveryCommands,
                                               keep: configuration.journal.snapshotsKept,
                                               sync: configuration.journal.durability == .fsync))
        } else {
            snapshotter = nil
        }
        orderEntry = OrderEntryAgent(wakeSignal: signals.orderEntry, settings: orderEntrySettings)
        startup.handOver()
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

    private let adminLock = NSLock()

    /// Ends the trading day: the engine cancels every Day order and closes the market; each
    /// SoupBinTCP session gets its cancels, a System Event `E` and End of Session.
    /// Returns false if the engine's ring had no room (try again).
    @discardableResult
    public func endTradingDay() -> Bool {
        adminLock.withLock {
            let admin = runtime.port(.venue)
            // The engine's answers to the venue's own commands, if any, are not needed.
            _ = admin.pollEvents(maxCount: Int.max) { _ in }
            let command = Command(
                kind: .systemEvent, code: SystemEventCode.endOfDay.rawValue,
                origin: OrderOrigin(source: admin.source, session: 0, connection: 0), timestamp: clock.now())
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
        if orderEntry.hasExited { runtime.abandonPort(GatewayPort.orderEntry.rawValue) }
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
