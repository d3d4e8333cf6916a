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

    /// Watches `descriptor` for readability from now on; `ready` is called on the
    /// runner's thread (from inside `idle`) when it fires. Called before the first
    /// cycle, from `AgentRunner`'s start on the runner's thread.
    func watch(_ descriptor: Int32, ready: @escaping () -> Void) throws
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

    public func watch(_ descriptor: Int32, ready: @escaping () -> Void) throws {
        throw AgentRunnerError.cannotWatchDescriptors(waiter: "futex")
    }
}

/// The waiter of a thread that must also sleep on sockets but has no network loop (the
/// market-data agent on a thread of its own): the thread's signal in eventfd mode and
/// the watched descriptors in one `poll(2)`, after `spins` empty cycles, for at most
/// the time to the earliest deadline (and at most `maximumWaitNanoseconds`).
public final class DescriptorWaiter: AgentWaiter {
    private let parking: WakeSignal.EventFDConsumer
    private let spins: Int
    private let maximumWaitNanoseconds: Int64
    private var emptyCycles = 0
    private var pollSet: [pollfd] = []
    private var callbacks: [() -> Void] = []

    public init(signal: WakeSignal, spins: Int, maximumWaitNanoseconds: Int64 = 100_000_000) throws {
        parking = try signal.attachEventFDConsumer()
        self.spins = spins
        self.maximumWaitNanoseconds = maximumWaitNanoseconds
        pollSet.append(pollfd(fd: parking.fileDescriptor, events: Int16(POLLIN), revents: 0))
    }

    public func watch(_ descriptor: Int32, ready: @escaping () -> Void) throws {
        pollSet.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0))
        callbacks.append(ready)
    }

    public func reset() { emptyCycles = 0 }

    public func idle(nowNanoseconds: Int64, deadline: Int64?, hasPendingWork: () -> Bool) {
        if emptyCycles < spins {
            emptyCycles += 1
            return
        }
        parking.announceParking()
        if hasPendingWork() {
            parking.cancelParking()
            return
        }
        let wait = min(maximumWaitNanoseconds, max(0, (deadline ?? Int64.max) &- nowNanoseconds))
        // Round up: waking a little late for a timer is fine, spinning on a 0 ms poll is not.
        let milliseconds = Int32(min((wait + 999_999) / 1_000_000, Int64(Int32.max)))
        for i in pollSet.indices { pollSet[i].revents = 0 }
        let ready = poll(&pollSet, nfds_t(pollSet.count), milliseconds)
        let woken = parking.consumeWakeUps()
        var socketReady = false
        if ready > 0 {
            for i in 1..<pollSet.count where pollSet[i].revents != 0 {
                callbacks[i - 1]()
                socketReady = true
            }
        }
        parking.endPark(woken ? .woken : (socketReady ? .interrupted : .timedOut))
        // No spinning again until a cycle has work (`reset`): a timer's wake-up that finds
        // nothing to do goes straight back to sleep.
    }
}
