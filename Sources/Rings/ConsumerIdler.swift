import CCiftSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The consumer thread's side of a `WaitStrategy`: what to do on a turn where
/// none of its rings had work.
///
/// ## Contract
/// Owned by one consumer thread, the only thread that calls `idle()` and
/// `reset()` (create it anywhere and hand it over with the thread's start).
/// It attaches to one `WakeSignal`, which then belongs to this consumer: a
/// second idler on the same signal traps. Producers never see the idler; they
/// get `signal`. Create the idler before the producers start, so that a
/// consumer that never parks also spares them the fence in `wake()` from the
/// first message (before it exists they pay it; nothing is ever lost).
///
/// ## The loop it expects
/// ```
/// let idler = ConsumerIdler(strategy: configured, signal: engineSignal)
/// while !stopping.load(ordering: .acquiring) {
///     var work = 0
///     for ring in inboundRings { work += ring.drain(maxCount: 64, handle) }
///     if work > 0 { idler.reset() } else { idler.idle() }
/// }
/// ```
/// One `idle()` per full turn over *every* ring the consumer reads: with
/// spin-then-park, the turn after the idler announces parking is the re-check
/// that makes parking race-free (see `WakeSignal`), so it must cover all the
/// rings whose producers ring this signal.
public final class ConsumerIdler: @unchecked Sendable {
    /// The consumer's strategy.
    public let strategy: WaitStrategy
    /// The signal this consumer parks on; give it to every producer.
    public let signal: WakeSignal

    @usableFromInline let spins: Int
    /// How long a park lasts at most (spin-then-park); consumer thread only.
    @usableFromInline var timeoutNanoseconds: Int64

    // Consumer thread only.
    /// Consecutive empty turns, up to `spins`.
    @usableFromInline var idleTurns = 0
    /// Whether the last `idle()` announced parking (the next one sleeps).
    @usableFromInline var announced = false

    /// An idler for one consumer thread that waits with `strategy` and parks
    /// (if it does) on `signal`.
    ///
    /// Traps when `signal` already has an idler, or when `strategy` has a
    /// negative spin count or a park timeout that is not positive (the
    /// configuration parser refuses those with an error).
    public init(strategy: WaitStrategy, signal: WakeSignal = WakeSignal()) {
        switch strategy {
        case .busySpin:
            self.spins = 0
            self.timeoutNanoseconds = 0
        case .spinThenYield(let spins):
            precondition(spins >= 0, "WaitStrategy.spinThenYield: spins must be >= 0, got \(spins)")
            self.spins = spins
            self.timeoutNanoseconds = 0
        case .spinThenPark(let spins, let parkTimeout):
            precondition(spins >= 0, "WaitStrategy.spinThenPark: spins must be >= 0, got \(spins)")
            precondition(parkTimeout > .zero, "WaitStrategy.spinThenPark: the park timeout must be positive, got \(parkTimeout)")
            self.spins = spins
            let (seconds, attoseconds) = parkTimeout.components
            let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
            self.timeoutNanoseconds = overflow ? Int64.max : Swift.max(1, scaled &+ attoseconds / 1_000_000_000)
        }
        self.strategy = strategy
        self.signal = signal
        signal.attach(strategy: strategy)
    }

    /// Call after a turn in which no ring had work. Spins (a CPU pause hint),
    /// yields, announces parking, or parks, by the strategy and the number of
    /// consecutive empty turns. Returns when the consumer should poll again.
    /// Consumer thread only.
    public func idle() {
        switch strategy {
        case .busySpin:
            cift_cpu_relax()
        case .spinThenYield:
            if idleTurns < spins {
                idleTurns += 1
                cift_cpu_relax()
            } else {
                sched_yield()
            }
        case .spinThenPark:
            if idleTurns < spins {
                idleTurns += 1
                cift_cpu_relax()
            } else if !announced {
                // Announce, then let the caller poll every ring once more
                // before the next idle() sleeps.
                signal.announceParking()
                announced = true
            } else {
                signal.park(timeoutNanoseconds: timeoutNanoseconds)
                announced = false
            }
        }
    }

    /// Changes how long a park lasts at most (spin-then-park only; ignored otherwise): a
    /// consumer that polls something nobody can wake it for (the shared-memory bridge)
    /// sleeps longer while that stays quiet. Consumer thread only.
    public func setParkTimeout(nanoseconds: Int64) {
        guard case .spinThenPark = strategy else { return }
        precondition(nanoseconds > 0, "ConsumerIdler.setParkTimeout: the park timeout must be positive")
        timeoutNanoseconds = nanoseconds
    }

    /// Call after a turn in which some ring had work: the next empty turn
    /// starts spinning from the beginning, and an announced park is called
    /// off. Consumer thread only.
    @inlinable
    public func reset() {
        idleTurns = 0
        if announced {
            signal.cancelParking()
            announced = false
        }
    }
}
