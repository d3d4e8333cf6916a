#if canImport(Glibc)
import Glibc
#endif

/// A value that one thread at a time may use, handed from one to the next explicitly
/// (after SwiftNIO's `NIOLoopBound`): start-up builds the sessions, stores and the FIX
/// order table on the starting thread, then hands each to the stage thread that owns it
/// from then on.
///
/// ``handOver()`` and ``take()`` check, in debug builds, that they are called on the
/// thread that holds the value. ``handOver()`` lets go of it; the next thread to touch
/// it claims it. What makes the hand-over safe is a happens-before edge between the two threads (the stage
/// thread's start, which follows `handOver()`), hence `@unchecked Sendable`: the checks
/// catch a wiring mistake, the edge is the design.
final class ThreadConfined<Value>: @unchecked Sendable {
    private var stored: Value?
    /// The thread that holds the value; nil between ``handOver()`` and the next access.
    private var holder: pthread_t?

    init(_ value: Value) {
        stored = value
        holder = pthread_self()
    }

    /// The holder lets go: the next thread to use the value claims it.
    func handOver() {
        claim()
        holder = nil
    }

    /// Takes the value out, for an owner that keeps it from now on (so that this holder
    /// keeps no reference, and the value goes when its owner drops it). Once only.
    func take() -> Value {
        claim()
        guard let value = stored else { preconditionFailure("\(Value.self) was taken already") }
        stored = nil
        return value
    }

    private func claim() {
        if holder == nil { holder = pthread_self() }
        assert(pthread_equal(holder!, pthread_self()) != 0, "\(Value.self) used on a thread that does not hold it")
    }
}
