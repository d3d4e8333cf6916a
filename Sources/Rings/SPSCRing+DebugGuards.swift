import Atomics

// Debug-build checks of the single-producer/single-consumer contract. Each
// call site is `assert(debugEnter(flag))`, so in release builds the flag is
// never touched and nothing here runs.
extension SPSCRing {
    @usableFromInline
    static var producerReentryMessage: String {
        "SPSCRing<\(Element.self)>: two threads in producer methods at once; the ring has exactly one producer"
    }

    @usableFromInline
    static var consumerReentryMessage: String {
        "SPSCRing<\(Element.self)>: two threads in consumer methods at once, or a drain body called back into the ring; the ring has exactly one consumer"
    }

    /// Marks a role's method as running; false when it already was (a second
    /// thread in the same role, or re-entry from a `drain` body).
    @inlinable
    func debugEnter(_ busy: UnsafeAtomic<Bool>) -> Bool {
        // Acquiring: a role handed to another thread sees the previous
        // holder's private fields (debug builds only).
        !busy.exchange(true, ordering: .acquiring)
    }

    /// Marks a role's method as finished. Always true.
    @inlinable
    func debugLeave(_ busy: UnsafeAtomic<Bool>) -> Bool {
        // Releasing: pairs with the acquiring exchange in debugEnter.
        busy.store(false, ordering: .releasing)
        return true
    }
}
