import Atomics
import GatewayCore
import Matching
import Rings

#if canImport(Glibc)
import Glibc
#endif

/// The engine stage as an agent: take commands from the inbound rings, give each the
/// next sequence number, hand it to the journal (the journal agent's ring, or its own
/// journal buffer), match it, and hold its events until the command is durable; then
/// route them to the outbound rings (specs/threading.md, "The durability gate").
///
/// Threading: whichever thread runs the agent (a runner of its own, pinned, or a
/// composite with other stages); everything here except ``signal`` (rung by producers)
/// and the atomics is touched by that thread alone. Nothing allocates, locks or makes a
/// system call per command: rings and the pending queue are preallocated, and the only
/// system calls are wake-ups of a parked consumer on another thread, at most one per
/// ring per cycle, and, when the engine writes the journal itself, one `pwrite` per cycle.
final class EngineLoop: Agent, @unchecked Sendable {
    let engine: MatchingEngine
    let inbound: [SPSCRing<Command>]
    let outbound: [SPSCRing<Event>]
    let outboundSignals: [WakeSignal]
    /// Whether port i hears of venue-wide events (the admin port does not).
    let receivesBroadcasts: [Bool]
    /// The market-data stage's ring and signal (nil: no feed).
    let marketData: SPSCRing<Event>?
    let marketDataSignal: WakeSignal?
    let journalRing: SPSCRing<JournalEntry>
    let journalSignal: WakeSignal
    /// Set when the engine writes the journal itself (`journal.writer =
    /// "engine-thread"`): then the journal ring and agent are unused.
    let ownJournal: EngineThreadJournal?
    /// The signal of the thread that runs this agent: producers and the journal ring it.
    let signal: WakeSignal
    let shared: RuntimeShared
    let pending: PendingEvents
    let batchSize: Int
    /// The sequence number the next command gets.
    private(set) var nextSequence: UInt64
    /// Set (releasing) once the agent has finished: stopped with nothing left, or the
    /// journal failed. The runtime's stop waits for it.
    let finished = ManagedAtomic(false)
    /// Runs the other stages of this thread once, when they share it (set by the
    /// composer): a full pending queue in the middle of a command waits for consumers
    /// that may be on this very thread.
    var runOtherStagesOfThisThread: (() -> Int)?

    let roleName = "engine"
    /// Debug builds: the engine is single-threaded; every cycle checks it runs on the
    /// thread that ran the first (whichever the threading mode chose).
    private var engineThread = OwningThreadCheck()

    init(
        engine: MatchingEngine, inbound: [SPSCRing<Command>], outbound: [SPSCRing<Event>],
        outboundSignals: [WakeSignal], receivesBroadcasts: [Bool],
        marketData: SPSCRing<Event>? = nil, marketDataSignal: WakeSignal? = nil,
        journalRing: SPSCRing<JournalEntry>, journalSignal: WakeSignal, ownJournal: EngineThreadJournal? = nil,
        signal: WakeSignal, shared: RuntimeShared,
        pendingCapacity: Int, batchSize: Int, nextSequence: UInt64
    ) {
        self.engine = engine
        self.inbound = inbound
        self.outbound = outbound
        self.outboundSignals = outboundSignals
        self.receivesBroadcasts = receivesBroadcasts
        self.marketData = marketData
        self.marketDataSignal = marketDataSignal
        self.journalRing = journalRing
        self.journalSignal = journalSignal
        self.ownJournal = ownJournal
        self.signal = signal
        self.shared = shared
        self.pending = PendingEvents(capacity: pendingCapacity)
        self.batchSize = batchSize
        self.nextSequence = nextSequence
        releasedThrough = nextSequence &- 1
    }

    // Engine thread only: whether this agent has finished (`finished` is its published copy).
    private var done = false
    // Engine thread only: the last value stored in `shared.releasedThrough`.
    private var releasedThrough: UInt64 = 0

    var isFinished: Bool { done }

    /// One cycle: durable events out, new commands in (matched, and written when the
    /// engine writes its own journal), and what that write made durable out at once.
    func doWork(nowNanoseconds: Int64) -> Int {
        engineThread.check("the engine")
        guard !done else { return 0 }
        var work = releaseDurableEvents() ? 1 : 0
        // Acquiring: pairs with the journal writer's releasing store of the failure flag.
        let journalFailed = shared.journalFailed.load(ordering: .acquiring)
        if !journalFailed && takeCommands() {
            work += 1
            // Written on this thread just now: the acknowledgements can leave in this cycle.
            if ownJournal != nil { _ = releaseDurableEvents() }
        }
        if work > 0 { return work }
        if journalFailed {
            // What was durable has gone out above; the rest was never written and must
            // never be acknowledged. Nothing more will be taken: finish.
            pending.removeAll()
            finish()
        } else if shared.stopEngine.load(ordering: .acquiring) && pending.isEmpty && inbound.allSatisfy(\.isEmpty) {
            // Only once producers have stopped (the runtime stops them first), every
            // inbound command is taken and every event has left: nothing acknowledged is lost.
            finish()
        }
        return 0
    }

    private func finish() {
        done = true
        // Releasing: everything the engine wrote (books, sequence) is visible to the
        // runtime's stop once it sees the flag.
        finished.store(true, ordering: .releasing)
    }

    func hasPendingWork() -> Bool {
        if done { return false }
        if inbound.contains(where: { !$0.isEmpty }) { return true }
        // Acquiring: as in releaseDurableEvents.
        if let first = pending.first, first.pointee.sequence < shared.durableSequence.load(ordering: .acquiring) { return true }
        // A stop or a journal failure with nothing left: the next cycle finishes.
        return (shared.stopEngine.load(ordering: .acquiring) && pending.isEmpty)
            || shared.journalFailed.load(ordering: .acquiring)
    }

    /// Takes up to `batchSize` commands from each inbound ring, as long as the journal ring
    /// has room for them. Returns whether it took any.
    private func takeCommands() -> Bool {
        var took = 0
        var sink = PendingSink(loop: self, pending: pending)
        // The loop holds every object it uses for its whole life: `_withUnsafeGuaranteedRef`
        // calls them without the retain and release per command an ordinary access costs.
        let journal = Unmanaged.passUnretained(journalRing)
        let engine = Unmanaged.passUnretained(self.engine)
        let own = ownJournal.map { Unmanaged.passUnretained($0) }
        var sequence = nextSequence
        defer { nextSequence = sequence }
        for index in inbound.indices {
            // The engine is the journal ring's producer, so capacity − count never
            // overstates the room (the consumer only ever makes more). Writing the journal
            // itself, the engine has no ring to fill: a batch per port.
            let room = own != nil ? batchSize : journal._withUnsafeGuaranteedRef { min(batchSize, $0.capacity - $0.count) }
            if room == 0 { break }
            // Each entry is pushed (published) on its own rather than claimed and published
            // once per batch: waitForPendingRoom, in the middle of a command, needs the
            // journal thread to see that command already.
            took += Unmanaged.passUnretained(inbound[index])._withUnsafeGuaranteedRef { ring in
                ring.drain(maxCount: room) { command in
                    assert(Int(command.origin.source) == index + 1, "a command carries its port's source")
                    let current = sequence
                    sequence &+= 1
                    if let own {
                        own._withUnsafeGuaranteedRef { $0.append(command, sequence: current) }
                    } else {
                        let queued = journal._withUnsafeGuaranteedRef {
                            $0.tryPush(JournalEntry(sequence: current, command: command))
                        }
                        precondition(queued, "journal ring room was checked before draining")
                    }
                    engine._withUnsafeGuaranteedRef { $0.process(command, sequence: current, into: &sink) }
                }
            }
        }
        if took > 0 {
            // One write for the turn's records, on this thread; or the journal thread's.
            if let ownJournal { ownJournal.commit() } else { journalSignal.wake() }
        }
        return took > 0
    }

    /// Moves every event whose command is durable to its destination's outbound ring, in
    /// order. Stops at the first event whose ring is full (order must be kept); the
    /// consumer drains it and this resumes next turn.
    @discardableResult
    func releaseDurableEvents() -> Bool {
        // Acquiring: pairs with the journal thread's releasing store after its write, so
        // "durable" is never seen before the bytes are in the file.
        let durable = shared.durableSequence.load(ordering: .acquiring)
        var touched: UInt64 = 0
        var released = false
        var marketDataTouched = false
        // As in takeCommands: the loop holds these for its life; no retain per event.
        let pending = Unmanaged.passUnretained(self.pending)
        let feed = marketData.map { Unmanaged.passUnretained($0) }
        while let event = pending._withUnsafeGuaranteedRef({ $0.first }), event.pointee.sequence < durable {
            // The feed's copy is checked for room first and pushed last, so an event
            // reaches the order-entry side and the feed both, or neither yet.
            let toMarketData = feed != nil && Self.isMarketData(event.pointee)
            if toMarketData && feed!._withUnsafeGuaranteedRef({ $0.count >= $0.capacity }) { break }
            let source = Int(event.pointee.destination.source)
            if Self.isBroadcast(event.pointee.kind) {
                // Venue-wide news (end of day, halts) goes to every live port that takes
                // broadcasts, all or none, so no port sees it out of order with its own events.
                var room = true
                for i in outbound.indices where receivesBroadcasts[i] && !shared.isAbandoned(i) {
                    room = room && outbound[i].count < outbound[i].capacity
                }
                if !room { break }
                for i in outbound.indices where receivesBroadcasts[i] && !shared.isAbandoned(i) {
                    _ = outbound[i].tryPush(event.pointee)
                    touched |= 1 << UInt64(i & 63)
                }
            } else if source >= 1 && source <= outbound.count && !shared.isAbandoned(source - 1) {
                // An abandoned port's owner has gone: its events are dropped, not waited for.
                let pushed = Unmanaged.passUnretained(outbound[source - 1])._withUnsafeGuaranteedRef { $0.tryPush(event.pointee) }
                if !pushed { break }
                touched |= 1 << UInt64((source - 1) & 63)
            }
            if toMarketData {
                _ = feed!._withUnsafeGuaranteedRef { $0.tryPush(event.pointee) }
                marketDataTouched = true
            }
            pending._withUnsafeGuaranteedRef { $0.removeFirst() }
            released = true
        }
        // Everything before the first waiting event (or, with none waiting, before the
        // first command not yet durable) has reached its rings. Stored only when it moves:
        // one store per cycle at most, read by the stages that store answers.
        let through = min(durable, pending._withUnsafeGuaranteedRef { $0.first?.pointee.sequence } ?? durable) &- 1
        if through != releasedThrough {
            releasedThrough = through
            // Releasing: the ring pushes above happen-before a reader that sees the number.
            shared.releasedThrough.store(through, ordering: .releasing)
        }
        if marketDataTouched { marketDataSignal?.wake() }
        if touched != 0 {
            for i in outbound.indices where touched & (1 << UInt64(i & 63)) != 0 {
                outboundSignals[i].wake()
            }
        }
        return released
    }

    /// Events that change what the feed shows: book changes, halts, the trading day.
    /// (An incoming order's execution is left out: the resting side's tells the book.)
    @inline(__always)
    static func isMarketData(_ event: Event) -> Bool {
        switch event.kind {
        case .booked, .canceled, .replaced, .modified, .tradingStateChanged, .systemEvent: true
        case .executed: event.liquidity == .added
        default: false
        }
    }

    /// Events addressed to the venue that every port must hear of.
    @inline(__always)
    static func isBroadcast(_ kind: EventKind) -> Bool {
        kind == .systemEvent || kind == .tradingStateChanged
    }

    /// Called when the pending queue is full in the middle of a command (a mass cancel of
    /// many orders): the command is already in the journal ring (or the engine's own
    /// journal buffer, written here first), so waiting for the journal and the consumers
    /// always makes room. Consumers that share this thread are run from here; others are
    /// given the core for a moment.
    func waitForPendingRoom() {
        ownJournal?.commit()
        // Acquiring: pairs with the journal writer's releasing store of the failure flag.
        while pending.isFull && !shared.journalFailed.load(ordering: .acquiring) {
            if ownJournal == nil { journalSignal.wake() }
            if releaseDurableEvents() { continue }
            if let runOthers = runOtherStagesOfThisThread, runOthers() > 0 { continue }
            sched_yield()
        }
    }
}

/// The engine's event sink during a turn: events queue in order until durable.
///
/// `unowned(unsafe)`: the sink lives only inside `takeCommands`, while the loop is
/// certainly alive, and a checked reference would cost reference counting per event.
struct PendingSink: EventSink {
    unowned(unsafe) let loop: EngineLoop
    /// The loop's queue, held the same way (reached through `loop` it would be retained
    /// and released per event).
    unowned(unsafe) let pending: PendingEvents

    @inline(__always)
    mutating func emit(_ event: Event) {
        if !pending.append(event) {
            loop.waitForPendingRoom()
            // Still full only when the journal has failed: the event's command was never
            // written, so the event must never leave; dropping it is the honest outcome.
            _ = pending.append(event)
        }
    }
}
