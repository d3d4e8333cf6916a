import Atomics
import GatewayCore
import Journal
import Matching
import Rings

#if canImport(Glibc)
import Glibc
#endif

/// The running engine: the engine and journal agents, and the rings that connect them to
/// the order-entry ports (specs/threading.md). Built after recovery, with the engine
/// already holding the replayed books and the journal writer positioned after the last
/// good record.
///
/// Who runs the agents is the caller's choice: ``start()`` gives them runners of their
/// own (the engine pinned to `engine.core`; both on one runner when the engine and the
/// journal were given the same signal), or a threading layout composes ``agents`` with
/// other stages and never calls ``start()``.
public final class EngineRuntime: @unchecked Sendable {
    public let ports: [OrderEntryPort]
    let engineLoop: EngineLoop
    let journalLoop: JournalLoop
    let shared: RuntimeShared
    let engineCore: Int?
    let engineWait: WaitStrategy
    let journalWait: WaitStrategy
    /// `journal.writer = "engine-thread"`: no journal agent; the engine writes.
    let writesOwnJournal: Bool
    private var runners: [AgentRunner] = []
    /// Whether ``start()`` gave the agents runners of their own.
    var runsOwnThreads: Bool { runners.contains(where: \.didStart) }
    /// The engine's market-data ring (nil when built without one): every durable event the
    /// feed needs, in engine order, for the market-data stage.
    public let marketData: MarketDataPort?

    /// The agents to run: the engine, then the journal writer unless the engine writes
    /// the journal itself. In this order in a composite: the journal write follows the
    /// engine's cycle at once.
    public var agents: [any Agent] { writesOwnJournal ? [engineLoop] : [engineLoop, journalLoop] }

    /// The engine agent, for a composer that must let it run its thread's other stages
    /// while it waits for room (see `EngineLoop.waitForPendingRoom`).
    func shareThread(with composite: CompositeAgent) {
        // Weak: the composite belongs to the runner that runs it, which may go first at stop.
        engineLoop.runOtherStagesOfThisThread = { [weak composite, unowned engineLoop] in
            composite?.doWork(except: engineLoop, nowNanoseconds: AgentClock.nanoseconds()) ?? 0
        }
    }

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

    /// - Parameter portSignals: one per port: the signal of the thread that owns the port
    ///   (an I/O loop's eventfd-backed signal, say), which the engine wakes when it pushes
    ///   events for that port.
    /// - Parameter receivesBroadcasts: per port, whether it hears of venue-wide events
    ///   (end of day, halts); an admin port does not. All do by default.
    /// - Parameter engineSignal, journalSignal: the signals of the threads that will run
    ///   the engine and the journal agents (new ones when nil; the same object when one
    ///   thread runs both).
    public init(
        configuration: GatewayConfiguration, engine: MatchingEngine, journal: JournalWriter,
        nextSequence: UInt64, portSignals: [WakeSignal], receivesBroadcasts: [Bool]? = nil,
        marketDataSignal: WakeSignal? = nil, engineSignal: WakeSignal? = nil, journalSignal: WakeSignal? = nil
    ) throws {
        let portCount = portSignals.count
        precondition(portCount < 64, "at most 63 order-entry ports")
        precondition(receivesBroadcasts.map { $0.count == portCount } ?? true, "one broadcast flag per port")
        engineWait = try WaitStrategy(configuration.engine.waitStrategy, spins: configuration.engine.spinCount)
        journalWait = try WaitStrategy(configuration.journal.waitStrategy, spins: configuration.journal.spinCount)
        shared = RuntimeShared(durableSequence: nextSequence, portCount: portCount)
        let engineSignal = engineSignal ?? WakeSignal()
        let journalSignal = journalSignal ?? WakeSignal()
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
        let writesOwnJournal = configuration.journal.writer == .engineThread
        let journalRing = try SPSCRing<JournalEntry>(capacity: writesOwnJournal ? 2 : configuration.journal.ringCapacity)
        self.ports = ports
        let marketDataRing = try marketDataSignal.map { _ in
            try SPSCRing<Event>(capacity: configuration.engine.outboundRingCapacity)
        }
        marketData = marketDataRing.map { MarketDataPort(ring: $0, signal: marketDataSignal!) }
        self.writesOwnJournal = writesOwnJournal
        engineLoop = EngineLoop(
            engine: engine, inbound: inbound, outbound: outbound, outboundSignals: signals,
            receivesBroadcasts: receivesBroadcasts ?? Array(repeating: true, count: portCount),
            marketData: marketDataRing, marketDataSignal: marketDataSignal,
            journalRing: journalRing, journalSignal: journalSignal,
            ownJournal: writesOwnJournal ? EngineThreadJournal(writer: journal, shared: shared) : nil,
            signal: engineSignal, shared: shared, pendingCapacity: configuration.engine.pendingEventCapacity,
            batchSize: configuration.engine.batchSize, nextSequence: nextSequence)
        journalLoop = JournalLoop(
            ring: journalRing, writer: journal, shared: shared, signal: journalSignal, engineSignal: engineSignal)
        engineCore = configuration.engine.core
    }

    private var stopped = false

    /// The `OrderOrigin.source` of port `index` (source 0 is the venue itself).
    public static func source(ofPort index: Int) -> UInt8 { UInt8(index + 1) }

    /// Gives the agents runners of their own and starts them: the journal writer's
    /// (unless the engine writes the journal itself), then the engine's, pinned to its
    /// configured core. When the engine and the journal share one signal, one runner
    /// (pinned) runs both in one duty cycle. A core that does not exist is an error naming it.
    public func start() throws {
        if let core = engineCore {
            try ThreadPinning.validate(core: core)
        }
        let engineWait = self.engineWait
        if writesOwnJournal || engineLoop.signal === journalLoop.signal {
            // The engine alone, or the engine and the journal writer in one duty cycle.
            let agent: any Agent
            if writesOwnJournal {
                agent = engineLoop
            } else {
                let composite = CompositeAgent(agents)
                shareThread(with: composite)
                agent = composite
            }
            let signal = engineLoop.signal
            runners = [AgentRunner(name: "cift-engine", core: engineCore, agent: agent) { _ in
                SignalWaiter(strategy: engineWait, signal: signal)
            }]
        } else {
            let journalWait = self.journalWait
            let journalSignal = journalLoop.signal
            let engineSignal = engineLoop.signal
            runners = [
                AgentRunner(name: "cift-journal", core: nil, agent: journalLoop) { _ in
                    SignalWaiter(strategy: journalWait, signal: journalSignal)
                },
                AgentRunner(name: "cift-engine", core: engineCore, agent: engineLoop) { _ in
                    SignalWaiter(strategy: engineWait, signal: engineSignal)
                },
            ]
        }
        for runner in runners { try runner.start() }
    }

    /// Stops in the order that loses nothing: the caller has stopped its producers (no more
    /// `submit`) but keeps draining every port's events until this returns; the engine takes
    /// every queued command and lets every event go once durable; then the journal writes
    /// what is left and closes. Returns the journal's error if a write failed. Whoever runs
    /// the agents keeps running them meanwhile (this waits for their finished flags).
    ///
    /// `engineRunning` / `journalRunning` false: that agent's thread never started (a
    /// failed start); it is not waited for.
    public func stop(engineRunning: Bool = true, journalRunning: Bool = true) -> Error? {
        guard !stopped else { return nil }
        stopped = true
        shared.stopEngine.store(true, ordering: .releasing)
        engineLoop.signal.wake()
        if engineRunning { Self.waitUntil(engineLoop.finished) }
        if !writesOwnJournal {
            shared.stopJournal.store(true, ordering: .releasing)
            journalLoop.signal.wake()
            if journalRunning { Self.waitUntil(journalLoop.finished) }
        }
        for runner in runners { runner.join() }
        runners = []
        if shared.journalFailed.load(ordering: .acquiring) { return shared.journalError }
        do {
            try journalLoop.writer.close()
        } catch {
            return error
        }
        return nil
    }

    /// Waits for an agent's finished flag (stop only: a short sleep between looks).
    static func waitUntil(_ flag: ManagedAtomic<Bool>) {
        // Acquiring: pairs with the agent's releasing store; its writes are visible after.
        while !flag.load(ordering: .acquiring) { usleep(100) }
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

    /// The engine's "every event up to here is on its ring" (see `RuntimeShared`), for
    /// the stages that report what they have stored.
    var releasedThrough: ManagedAtomic<UInt64> { shared.releasedThrough }
}
