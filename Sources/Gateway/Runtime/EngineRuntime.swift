import Atomics
import GatewayCore
import Journal
import Matching
import Rings

/// The running engine: the pinned engine thread, the journal thread, and the rings that
/// connect them to the order-entry ports (specs/threading.md). Built after recovery, with
/// the engine already holding the replayed books and the journal writer positioned after
/// the last good record.
public final class EngineRuntime: @unchecked Sendable {
    public let ports: [OrderEntryPort]
    let engineLoop: EngineLoop
    let journalLoop: JournalLoop
    let shared: RuntimeShared
    let engineCore: Int?
    /// `journal.writer = "engine-thread"`: no journal thread; the engine writes.
    let writesOwnJournal: Bool
    private var engineThread: PinnedThread?
    private var journalThread: PinnedThread?
    /// The engine's market-data ring (nil when built without one): every durable event the
    /// feed needs, in engine order, for the market-data thread.
    public let marketData: MarketDataPort?

    /// - Parameters:
    ///   - portCount: how many producers (I/O threads, drills) will submit commands; port i
    ///     has `OrderOrigin.source == i + 1` (source 0 is the venue itself).
    ///   - nextSequence: the sequence number of the first new command (one past the journal's last).
    public convenience init(
        configuration: GatewayConfiguration, engine: MatchingEngine, journal: JournalWriter,
        nextSequence: UInt64, portCount: Int
    ) throws {
        try self.init(
            configuration: configuration, engine: engine, journal: journal, nextSequence: nextSequence,
            portSignals: (0..<portCount).map { _ in WakeSignal() })
    }

    private var stopped = false

    /// The `OrderOrigin.source` of port `index` (source 0 is the venue itself).
    public static func source(ofPort index: Int) -> UInt8 { UInt8(index + 1) }

    /// - Parameter portSignals: one per port: the signal of the thread that owns the port
    ///   (an I/O loop's eventfd-backed signal, say), which the engine wakes when it pushes
    ///   events for that port.
    /// - Parameter broadcastPorts: how many of the first ports hear of venue-wide events
    ///   (end of day, halts); the rest (an admin port) do not. All by default.
    public init(
        configuration: GatewayConfiguration, engine: MatchingEngine, journal: JournalWriter,
        nextSequence: UInt64, portSignals: [WakeSignal], broadcastPorts: Int? = nil,
        marketDataSignal: WakeSignal? = nil
    ) throws {
        let portCount = portSignals.count
        precondition(portCount < 64, "at most 63 order-entry ports")
        let engineWait = try WaitStrategy(configuration: configuration.engine.waitStrategy, spins: configuration.engine.spinCount)
        let journalWait = try WaitStrategy(configuration: configuration.journal.waitStrategy, spins: configuration.journal.spinCount)
        shared = RuntimeShared(durableSequence: nextSequence, portCount: portCount)
        let engineSignal = WakeSignal()
        let journalSignal = WakeSignal()
        var inbound: [SPSCRing<Command>] = []
        var outbound: [SPSCRing<Event>] = []
        var signals: [WakeSignal] = []
        var ports: [OrderEntryPort] = []
        for i in 0..<portCount {
            let inRing = try SPSCRing<Command>(capacity: configuration.engine.inboundRingCapacity)
            let outRing = try SPSCRing<Event>(capacity: configuration.engine.outboundRingCapacity)
            let signal = portSignals[i]
            inbound.append(inRing)
            outbound.append(outRing)
            signals.append(signal)
            ports.append(OrderEntryPort(source: Self.source(ofPort: i), inbound: inRing, outbound: outRing, engineSignal: engineSignal, signal: signal))
        }
        // The engine writing the journal itself never uses the ring: keep it token-sized.
        let writesOwnJournal = configuration.journal.writer == "engine-thread"
        let journalRing = try SPSCRing<JournalEntry>(capacity: writesOwnJournal ? 2 : configuration.journal.ringCapacity)
        self.ports = ports
        let marketDataRing = try marketDataSignal.map { _ in
            try SPSCRing<Event>(capacity: configuration.engine.outboundRingCapacity)
        }
        marketData = marketDataRing.map { MarketDataPort(ring: $0, signal: marketDataSignal!) }
        self.writesOwnJournal = writesOwnJournal
        engineLoop = EngineLoop(
            engine: engine, inbound: inbound, outbound: outbound, outboundSignals: signals,
            receivesBroadcasts: (0..<portCount).map { $0 < (broadcastPorts ?? portCount) },
            marketData: marketDataRing, marketDataSignal: marketDataSignal,
            journalRing: journalRing, journalSignal: journalSignal,
            ownJournal: writesOwnJournal ? EngineThreadJournal(writer: journal, shared: shared) : nil,
            signal: engineSignal,
            waitStrategy: engineWait, shared: shared, pendingCapacity: configuration.engine.pendingEventCapacity,
            batchSize: configuration.engine.batchSize, nextSequence: nextSequence)
        journalLoop = JournalLoop(
            ring: journalRing, writer: journal, shared: shared, signal: journalSignal,
            engineSignal: engineSignal, waitStrategy: journalWait)
        engineCore = configuration.engine.core
    }

    /// Starts the journal thread (unless the engine writes the journal itself), then the
    /// engine thread pinned to its configured core.
    /// A core that does not exist is an error naming it.
    public func start() throws {
        if let core = engineCore {
            try ThreadPinning.validate(core: core)
        }
        if !writesOwnJournal {
            let journalLoop = self.journalLoop
            journalThread = try PinnedThread.start(name: "cift-journal", core: nil) { journalLoop.run() }
        }
        let engineLoop = self.engineLoop
        engineThread = try PinnedThread.start(name: "cift-engine", core: engineCore) { engineLoop.run() }
    }

    /// Stops in the order that loses nothing: the caller has stopped its producers (no more
    /// `submit`) but keeps draining every port's events until this returns; the engine takes
    /// every queued command and lets every event go once durable; then the journal writes
    /// what is left and closes. Returns the journal's error if a write failed.
    public func stop() -> Error? {
        guard !stopped else { return nil }
        stopped = true
        shared.stopEngine.store(true, ordering: .releasing)
        engineLoop.signal.wake()
        engineThread?.join()
        engineThread = nil
        shared.stopJournal.store(true, ordering: .releasing)
        journalLoop.signal.wake()
        journalThread?.join()
        journalThread = nil
        if shared.journalFailed.load(ordering: .acquiring) { return shared.journalError }
        do {
            try journalLoop.writer.close()
        } catch {
            return error
        }
        return nil
    }

    /// The owner of port `index` has gone for good (its thread failed): the engine drops
    /// that port's events rather than wait for it to drain them. Any thread.
    public func abandonPort(_ index: Int) {
        shared.abandoned[index].store(true, ordering: .releasing)
        engineLoop.signal.wake()
    }

    /// True once a journal write has failed; the process should stop.
    public var journalFailed: Bool { shared.journalFailed.load(ordering: .acquiring) }

    /// The sequence number the next command would get (engine thread's view; read after stop).
    public var nextSequence: UInt64 { engineLoop.nextSequence }
}
