#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How a runner's thread waits after a duty cycle in which no agent had work (Agrona's
/// `IdleStrategy`, extended to sleep in the kernel): spin, yield, park on the thread's
/// `WakeSignal`, or block in `poll(2)` / `io_uring_enter` with the thread's sockets.
///
/// Every waiter ends a sleep at the earliest agent deadline, so timers need no thread
/// of their own, and re-checks `hasPendingWork` after announcing the sleep, so no
/// producer's wake-up is lost (the protocol of `WakeSignal`).
///
/// Used by one runner thread only.
public protocol AgentWaiter: AnyObject {
    /// After a cycle without work. `deadline` is the earliest agent deadline
    /// (monotonic nanoseconds), nil for none; `hasPendingWork` is the re-check.
    func idle(nowNanoseconds: Int64, deadline: Int64?, hasPendingWork: () -> Bool)

    /// After a cycle with work: the next idle spell starts from its beginning.
    func reset()
}

/// The waiter of a thread whose agents have no descriptors: the thread's
/// `ConsumerIdler` (busy-spin, spin-yield, or spin-park on a futex), with each park cut
/// short at the earliest deadline.
public final class SignalWaiter: AgentWaiter {
    public let idler: ConsumerIdler
    private let strategyParkNanoseconds: Int64

    public init(strategy: WaitStrategy, signal: WakeSignal) {
        idler = ConsumerIdler(strategy: strategy, signal: signal)
        strategyParkNanoseconds = idler.timeoutNanoseconds
    }

    public func idle(nowNanoseconds: Int64, deadline: Int64?, hasPendingWork: () -> Bool) {
        // The idler's own protocol makes the re-check the runner's next cycle (it
        // announces on one idle and parks on the next), so `hasPendingWork` is not
        // needed here; the deadline only shortens a park.
        // Without a deadline the strategy's park timeout bounds the sleep (as it always
        // has); with one, the sleep lasts until it (every stop flag comes with a wake).
        idler.setParkTimeout(nanoseconds: deadline.map { max(1_000, $0 &- nowNanoseconds) } ?? strategyParkNanoseconds)
        idler.idle()
    }

    public func reset() { idler.reset() }

}
