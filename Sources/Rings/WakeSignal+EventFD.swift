import CCiftSystem
import POSIX

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A `WakeSignal` whose consumer sleeps in its own poller.
///
/// An I/O thread blocks in io_uring or epoll, waiting for sockets, and must
/// also wake when the engine pushes events to its outbound ring; a futex
/// cannot be waited on together with sockets. So the signal can own an
/// eventfd instead: the consumer watches it with its sockets (an armed
/// io_uring read, or an epoll registration), and a producer that finds the
/// consumer parked writes it.
///
/// ## The consumer's loop
/// ```
/// let parking = try signal.attachEventFDConsumer()
/// // watch parking.fileDescriptor in the poller (read armed / EPOLLIN)
/// while running {
///     work = pollRingsAndSocketsWithoutBlocking()
///     if work { continue }                   // (and spin a while, if wanted)
///     parking.announceParking()               // 1. announce (+ seq-cst fence)
///     if ringsHaveWork() { parking.cancelParking(); continue }   // 2. re-check
///     blockInPoller(timeout)                  // 3. eventfd, sockets or timeout
///     parking.endPark(outcome)                // state back to running
/// }
/// ```
/// Steps 1–3 are the same as the futex mode's (see `WakeSignal`), and so is
/// the argument that no wake-up is lost: a producer publishes, fences, and
/// writes the eventfd only if it takes the state from `parked` to `running`.
/// An eventfd stays readable until it is read, so a write that lands between
/// the re-check and the block makes the block return at once.
///
/// `wake()` on a consumer that is not parked is a fence and a load, no system
/// call, exactly as in futex mode.
extension WakeSignal {
    /// Attaches this signal's one consumer as a thread that sleeps in its own
    /// poller, and creates the eventfd it watches (non-blocking,
    /// close-on-exec). The signal owns the descriptor and closes it in
    /// `deinit`, so a producer can never write to a descriptor that was closed
    /// and reused; the consumer must not close it.
    ///
    /// Call it on the consumer thread before the consumer first parks. Traps
    /// when the signal already has a consumer (an idler or another eventfd
    /// consumer). Throws when the eventfd cannot be created.
    public func attachEventFDConsumer() throws(SystemCallError) -> EventFDConsumer {
        let descriptor = try EventFD.create()
        claimConsumer()
        // Relaxed: published to producers by the releasing store of `parked`
        // in announceParking, which they take with an acquiring exchange.
        eventFileDescriptor.store(descriptor, ordering: .relaxed)
        return EventFDConsumer(signal: self, fileDescriptor: descriptor)
    }

    /// Whether this signal wakes its consumer through an eventfd. Any thread.
    public var usesEventFD: Bool {
        // Relaxed: an observation; set once, before the consumer parks.
        eventFileDescriptor.load(ordering: .relaxed) >= 0
    }

    /// How one blocking wait of an eventfd consumer ended.
    public enum EventFDParkOutcome: Sendable, Equatable {
        /// The eventfd had been written (before or during the wait).
        case woken
        /// The wait's timeout passed with nothing to do.
        case timedOut
        /// The consumer's other events (socket I/O), or a signal handler,
        /// ended the wait.
        case interrupted
    }

    /// The consumer thread's handle on an eventfd-mode signal. Hand it to
    /// the consumer thread (it is Sendable for that) and use it there only.
    public struct EventFDConsumer: Sendable {
        /// The signal; give it to every producer.
        public let signal: WakeSignal
        /// The eventfd to watch for readability (an io_uring read of 8 bytes,
        /// or EPOLLIN). Owned by `signal`: do not close it.
        public let fileDescriptor: Int32

        /// Step 1: announce parking (a store and a sequentially consistent
        /// fence). Then re-check every source of work before blocking.
        @inlinable
        public func announceParking() {
            signal.announceParking()
        }

        /// The re-check found work: producers need not write the eventfd.
        @inlinable
        public func cancelParking() {
            signal.cancelParking()
        }

        /// Step 3 is over: count how the wait ended and mark the consumer
        /// running. The next park must be announced again.
        public func endPark(_ outcome: EventFDParkOutcome) {
            switch outcome {
            case .woken: signal.endEventFDPark(.woken)
            case .timedOut: signal.endEventFDPark(.timedOut)
            case .interrupted: signal.endEventFDPark(.interrupted)
            }
        }

        /// Reads and resets the eventfd's counter without blocking; true when
        /// a producer had written it. For pollers that only report
        /// readability (epoll); an io_uring read of the descriptor consumes
        /// the counter itself.
        public func consumeWakeUps() -> Bool {
            EventFD.drain(fileDescriptor)
        }
    }
}

/// The door to eventfd(2) for this module, through `cift_eventfd.c` (which returns
/// -errno) and POSIX's ``SystemCall``: EINTR is retried; EAGAIN is an outcome; a failure
/// on a descriptor the signal owns is our bug, so it traps with the call and errno named.
enum EventFD {
    static func create() throws(SystemCallError) -> Int32 {
        // Never nil: no errno is answered with nil here.
        try SystemCall.negatedErrno("eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)") { cift_eventfd_create() }!
    }

    /// Adds 1 to the counter. EAGAIN (counter at its maximum) leaves it
    /// readable, which is all a wake-up needs.
    /// Corresponds to write(fd, &1, 8).
    static func signal(_ descriptor: Int32) {
        do {
            _ = try SystemCall.negatedErrno("write", on: "eventfd \(descriptor)", nilFor: .wouldBlock) {
                cift_eventfd_signal(descriptor)
            }
        } catch {
            fatalError("\(error)")
        }
    }

    /// Reads and resets the counter; true when it was non-zero.
    /// Corresponds to read(fd, &counter, 8).
    static func drain(_ descriptor: Int32) -> Bool {
        do {
            return try SystemCall.negatedErrno("read", on: "eventfd \(descriptor)") { cift_eventfd_drain(descriptor) } == 1
        } catch {
            fatalError("\(error)")
        }
    }

    /// Closes the descriptor (EINTR still closes it on Linux, so it is not retried).
    static func closeDescriptor(_ descriptor: Int32) {
        SystemCall.release(descriptor)
    }
}
