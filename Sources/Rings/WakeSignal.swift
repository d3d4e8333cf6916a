import Atomics
import CCiftSystem

/// The doorbell of one consumer thread: the consumer parks on it (through its
/// `ConsumerIdler`), and every producer that feeds that consumer, through any
/// number of rings, rings it with `wake()` after publishing.
///
/// The signal belongs to the consumer, not to a ring: the engine polls several
/// inbound rings and sleeps on one signal. Rings do not call `wake()`
/// themselves; the producer calls it once per batch it published, which keeps
/// the ring's push path free of the fence below and lets a batch share one.
///
/// ## Two ways to sleep
/// - **futex** (the default): the consumer's `ConsumerIdler` sleeps in
///   `futex_wait` on `state`; a producer wakes it with `futex_wake`.
/// - **eventfd** (`attachEventFDConsumer()`, in `WakeSignal+EventFD.swift`):
///   for a consumer that must also sleep on sockets (an I/O thread blocked in
///   io_uring or epoll). The signal then owns an eventfd that the consumer
///   watches along with its sockets; a producer that finds the consumer
///   parked writes the eventfd instead of calling `futex_wake`. The protocol
///   below is the same in both modes; only the system calls differ.
///
/// A signal has exactly one consumer, attached once, in one mode.
///
/// ## Who touches what
/// - `state` (a 32-bit futex word, alone in its cache block): the consumer
///   stores `parked`/`running`; producers load it and exchange it to
///   `running` when they wake the consumer.
/// - `wakeNeeded`, `attached` and `eventFileDescriptor` (one read-mostly
///   block): the consumer sets them once when it attaches; producers load
///   `wakeNeeded` in every `wake()`, and `eventFileDescriptor` only when they
///   are about to wake a parked consumer.
/// - consumer statistics block: the consumer only.
/// - producer statistics block: producers, one atomic increment per wake-up
///   system call.
///
/// ## Why no wake-up is lost
/// Consumer (`ConsumerIdler` with `spinThenPark`), after `spins` empty turns:
///  1. `state = parked` (`announceParking`), then a sequentially consistent
///     fence;
///  2. polls every one of its rings again (a full turn, acquire loads of each
///     `tail`); if any has work it calls `reset()`, which sets
///     `state = running`, and carries on;
///  3. otherwise `futex_wait(&state, parked, timeout)` (eventfd mode: blocks
///     in its poller, which watches the eventfd, for at most a timeout).
///
/// Producer: publishes (a releasing store of the ring's `tail`), then in
/// `wake()` a sequentially consistent fence, then loads `state`; if it is
/// `parked`, exchanges it to `running` and, if it got `parked` back, calls
/// `futex_wake` (eventfd mode: writes the eventfd).
///
/// The two fences are ordered in the single total order of sequentially
/// consistent operations. If the consumer's fence comes first, the producer's
/// load of `state` after its own fence sees `parked` (or a later value, which
/// only an awake consumer writes, and which it follows with a new announcement
/// and poll before it sleeps again), so it wakes the consumer; if the
/// producer's fence comes first, the consumer's poll in step 2 sees the new
/// `tail` and does not sleep. Release/acquire
/// alone would not do: the pattern is store-then-load on two different
/// locations on each side (Dekker), which needs the StoreLoad barrier the
/// fences provide. The producer's exchange to `running` happens before its
/// `futex_wake`; a consumer that reaches `futex_wait` after the exchange finds
/// the word no longer `parked` and returns at once (EAGAIN), and one already
/// asleep is woken. So every publish either is seen by the consumer's poll or
/// makes the consumer return from `futex_wait`. In eventfd mode the write
/// leaves the eventfd readable until the consumer reads it, so a consumer that
/// blocks after the write returns at once, and one already blocked is woken;
/// a write the consumer no longer needed (it found the work in step 2) only
/// makes its next block return early. The park timeout is a bound on
/// lateness for flags set without a `wake()` (shutdown), not a correctness
/// crutch.
public final class WakeSignal: @unchecked Sendable {
    static let running: UInt32 = 0
    static let parked: UInt32 = 1

    private static let blockSize = 128
    private static let stateOffset = 0
    private static let wakeNeededOffset = 128
    private static let eventFileDescriptorOffset = 132
    private static let consumerStatisticsOffset = 256
    private static let producerStatisticsOffset = 384
    private static let totalSize = 512

    private let memory: UnsafeMutableRawPointer
    /// The futex word: `running` or `parked`.
    private let state: UnsafeAtomic<UInt32>
    /// The same word as the address futex(2) takes.
    private let stateAddress: UnsafeMutablePointer<UInt32>
    /// Whether `wake()` must do its fence and check. Starts true; the idler
    /// clears it once when its strategy never parks. Alone in its block,
    /// read-mostly.
    @usableFromInline let wakeNeeded: UnsafeAtomic<Bool>
    /// Set when an idler attaches: a signal has exactly one consumer.
    private let attached: UnsafeAtomic<Bool>
    /// The eventfd producers write to wake a parked consumer, or -1 in futex
    /// mode. Written once, by an eventfd consumer before it first announces
    /// parking; closed by `deinit`, so a producer holding the signal can never
    /// write to a descriptor number that was closed and reused.
    let eventFileDescriptor: UnsafeAtomic<Int32>

    // Consumer statistics; written by the consumer only.
    private let parkCount: UnsafeAtomic<UInt64>
    private let wokenCount: UnsafeAtomic<UInt64>
    private let valueChangedCount: UnsafeAtomic<UInt64>
    private let timedOutCount: UnsafeAtomic<UInt64>
    private let interruptedCount: UnsafeAtomic<UInt64>
    // Producer statistics; incremented by any producer.
    private let wakeSystemCallCount: UnsafeAtomic<UInt64>

    /// Creates the signal of one consumer. The consumer's `ConsumerIdler`
    /// attaches to it and brings the wait strategy.
    public init() {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: Self.totalSize, alignment: Self.blockSize)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: Self.totalSize)
        self.memory = memory

        precondition(MemoryLayout<UnsafeAtomic<UInt32>.Storage>.size == MemoryLayout<UInt32>.size)
        let stateStorage = (memory + Self.stateOffset).bindMemory(to: UnsafeAtomic<UInt32>.Storage.self, capacity: 1)
        stateStorage.initialize(to: UnsafeAtomic<UInt32>.Storage(Self.running))
        self.state = UnsafeAtomic(at: stateStorage)
        self.stateAddress = UnsafeMutableRawPointer(stateStorage).assumingMemoryBound(to: UInt32.self)

        let flags = (memory + Self.wakeNeededOffset).bindMemory(to: UnsafeAtomic<Bool>.Storage.self, capacity: 2)
        flags.initialize(to: UnsafeAtomic<Bool>.Storage(true))
        (flags + 1).initialize(to: UnsafeAtomic<Bool>.Storage(false))
        self.wakeNeeded = UnsafeAtomic(at: flags)
        self.attached = UnsafeAtomic(at: flags + 1)
        let descriptorStorage = (memory + Self.eventFileDescriptorOffset).bindMemory(to: UnsafeAtomic<Int32>.Storage.self, capacity: 1)
        descriptorStorage.initialize(to: UnsafeAtomic<Int32>.Storage(-1))
        self.eventFileDescriptor = UnsafeAtomic(at: descriptorStorage)

        let counters = (memory + Self.consumerStatisticsOffset).bindMemory(to: UnsafeAtomic<UInt64>.Storage.self, capacity: 5)
        for index in 0..<5 {
            (counters + index).initialize(to: UnsafeAtomic<UInt64>.Storage(0))
        }
        self.parkCount = UnsafeAtomic(at: counters)
        self.wokenCount = UnsafeAtomic(at: counters + 1)
        self.valueChangedCount = UnsafeAtomic(at: counters + 2)
        self.timedOutCount = UnsafeAtomic(at: counters + 3)
        self.interruptedCount = UnsafeAtomic(at: counters + 4)

        let producerCounter = (memory + Self.producerStatisticsOffset).bindMemory(to: UnsafeAtomic<UInt64>.Storage.self, capacity: 1)
        producerCounter.initialize(to: UnsafeAtomic<UInt64>.Storage(0))
        self.wakeSystemCallCount = UnsafeAtomic(at: producerCounter)
    }

    deinit {
        // Relaxed: no producer can hold the signal any more.
        let descriptor = eventFileDescriptor.load(ordering: .relaxed)
        if descriptor >= 0 {
            EventFD.closeDescriptor(descriptor)
        }
        memory.deallocate()
    }

    /// Tells the consumer that new work may be waiting. Call it after
    /// publishing, once per batch, on any producer thread; also after setting a
    /// flag the consumer should notice at once (shutdown).
    ///
    /// Costs nothing when the strategy never parks, a fence and a load when
    /// the consumer is running, and a `futex_wake` system call only when the
    /// consumer has announced that it is parking.
    @inlinable
    public func wake() {
        // Relaxed: a hint that only ever goes from true to false, once, when a
        // consumer that never parks attaches; a stale `true` costs a fence,
        // never a lost wake-up.
        if wakeNeeded.load(ordering: .relaxed) {
            wakeIfParked()
        }
    }

    @usableFromInline
    func wakeIfParked() {
        // Sequentially consistent: orders the caller's publish (a store)
        // before the load of `state` below. Pairs with the fence in
        // announceParking; see the type's documentation.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        // Relaxed: the fence above provides the ordering; the word carries
        // no data (ring contents travel through the rings' own release/acquire).
        guard state.load(ordering: .relaxed) == Self.parked else { return }
        // Acquiring: pairs with the releasing store of `parked` in
        // announceParking, so an eventfd consumer's `eventFileDescriptor`,
        // stored before its first announcement, is visible below. Only the
        // producer that takes the word from `parked` makes the system call;
        // the others see `running`.
        guard state.exchange(Self.running, ordering: .acquiring) == Self.parked else { return }
        // Relaxed: a statistic.
        wakeSystemCallCount.wrappingIncrement(ordering: .relaxed)
        // Relaxed: ordered by the exchange above.
        let descriptor = eventFileDescriptor.load(ordering: .relaxed)
        if descriptor >= 0 {
            EventFD.signal(descriptor)
        } else {
            Futex.wake(stateAddress, count: 1)
        }
    }

    /// Whether the consumer has announced that it is parking (it may be
    /// asleep, or about to re-poll before sleeping). Any thread; for tests and
    /// monitoring.
    public var isConsumerParked: Bool {
        // Relaxed: an instantaneous observation, no data depends on it.
        state.load(ordering: .relaxed) == Self.parked
    }

    // MARK: Consumer side (called by ConsumerIdler on the consumer thread)

    /// Binds the signal to its one consumer. Traps on a second consumer.
    func attach(strategy: WaitStrategy) {
        claimConsumer()
        if !strategy.parks {
            // Relaxed: see wake(). This consumer never sleeps, so producers may
            // skip the fence.
            wakeNeeded.store(false, ordering: .relaxed)
        }
    }

    /// Marks the signal as having its one consumer (an idler, or an eventfd
    /// consumer). Traps on a second one.
    func claimConsumer() {
        // Relaxed: only detects a second attachment; orders nothing.
        let wasAttached = attached.exchange(true, ordering: .relaxed)
        precondition(!wasAttached, "WakeSignal: a second consumer attached; a signal belongs to exactly one consumer thread")
    }

    /// Step 1 of parking: announce it. The caller must then poll every one of
    /// its rings before calling `park`.
    @usableFromInline
    func announceParking() {
        // Releasing: publishes `eventFileDescriptor` (eventfd mode) to the
        // producer whose acquiring exchange takes this `parked`; the fence
        // below orders the store before the consumer's next polls.
        state.store(Self.parked, ordering: .releasing)
        // Sequentially consistent: the announcement is ordered before the
        // loads of the rings' tails in the re-poll (StoreLoad). Pairs with the
        // fence in wakeIfParked.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
    }

    /// The consumer found work after announcing: producers need not wake it.
    @usableFromInline
    func cancelParking() {
        // Relaxed: only saves producers a system call; a producer that still
        // sees `parked` makes a harmless extra wake-up.
        state.store(Self.running, ordering: .relaxed)
    }

    /// Step 3 of parking: sleep unless a producer has woken us since the
    /// announcement, for at most `timeoutNanoseconds`. Leaves the state
    /// `running`; the next park must be announced again.
    @usableFromInline
    func park(timeoutNanoseconds: Int64) {
        // Relaxed: statistics, written by this thread only. Counted before
        // the wait, so an observer that sees it knows the consumer is (about
        // to be) asleep.
        parkCount.wrappingIncrement(ordering: .relaxed)
        let outcome = Futex.wait(stateAddress, expected: Self.parked, timeoutNanoseconds: timeoutNanoseconds)
        endPark(outcome)
    }

    /// Counts one eventfd-mode park (after its wait) and how it ended, and
    /// leaves the state `running`. Consumer thread only.
    func endEventFDPark(_ outcome: Futex.WaitOutcome) {
        // Relaxed: a statistic, written by this thread only.
        parkCount.wrappingIncrement(ordering: .relaxed)
        endPark(outcome)
    }

    /// Counts how a park ended and leaves the state `running`. Consumer
    /// thread only.
    func endPark(_ outcome: Futex.WaitOutcome) {
        // Relaxed: statistics, written by this thread only.
        switch outcome {
        case .woken: wokenCount.wrappingIncrement(ordering: .relaxed)
        case .valueChanged: valueChangedCount.wrappingIncrement(ordering: .relaxed)
        case .timedOut: timedOutCount.wrappingIncrement(ordering: .relaxed)
        case .interrupted: interruptedCount.wrappingIncrement(ordering: .relaxed)
        }
        // Relaxed: as in cancelParking.
        state.store(Self.running, ordering: .relaxed)
    }

    // MARK: Statistics

    /// Counters of how parking went, for tests and monitoring.
    /// In eventfd mode, `parks` counts the consumer's blocking waits, `woken`
    /// those that ended with the eventfd written, `timedOut` those that ended
    /// with nothing to do, `interrupted` those that ended for the consumer's
    /// other events (socket I/O) or a signal handler, and `wakeSystemCalls`
    /// the producers' eventfd writes; `valueChanged` stays 0 (an eventfd
    /// written before the consumer blocked counts as `woken`).
    public struct Statistics: Sendable, Equatable {
        /// `futex_wait` calls made by the consumer.
        public var parks: UInt64
        /// ... that returned because of a wake-up (or spuriously).
        public var woken: UInt64
        /// ... that returned at once because a producer had already woken it.
        public var valueChanged: UInt64
        /// ... that returned because the park timeout passed.
        public var timedOut: UInt64
        /// ... that a signal handler interrupted.
        public var interrupted: UInt64
        /// `futex_wake` (eventfd mode: eventfd write) calls made by producers.
        public var wakeSystemCalls: UInt64
    }

    /// A snapshot of the counters; each is exact, the set is not atomic.
    /// Any thread.
    public var statistics: Statistics {
        // Relaxed: monitoring counters.
        Statistics(
            parks: parkCount.load(ordering: .relaxed),
            woken: wokenCount.load(ordering: .relaxed),
            valueChanged: valueChangedCount.load(ordering: .relaxed),
            timedOut: timedOutCount.load(ordering: .relaxed),
            interrupted: interruptedCount.load(ordering: .relaxed),
            wakeSystemCalls: wakeSystemCallCount.load(ordering: .relaxed)
        )
    }
}
