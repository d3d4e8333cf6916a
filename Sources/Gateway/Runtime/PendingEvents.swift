import GatewayCore

/// Events the engine has produced whose command is not yet in the journal. They wait
/// here, in order, until the journal thread reports the command durable; only then may
/// they leave for the sessions (an acknowledgement never precedes durability).
///
/// Owned by the engine thread alone, so it is a plain FIFO without atomics. Storage is
/// allocated once; a full queue is a return value the engine answers by waiting for the
/// journal (see ``EngineLoop``).
final class PendingEvents {
    private let slots: UnsafeMutablePointer<Event>
    private let mask: Int
    private var head = 0  // next to release
    private var tail = 0  // next free

    init(capacity: Int) {
        precondition(capacity > 0 && capacity & (capacity - 1) == 0, "pending event capacity must be a power of two")
        slots = .allocate(capacity: capacity)
        mask = capacity - 1
    }

    deinit { slots.deallocate() }

    var isEmpty: Bool { head == tail }
    var isFull: Bool { tail - head > mask }
    var count: Int { tail - head }

    /// Appends an event; false when full.
    @inline(__always)
    func append(_ event: Event) -> Bool {
        if tail - head > mask { return false }
        (slots + (tail & mask)).initialize(to: event)
        tail += 1
        return true
    }

    /// The oldest waiting event, if any.
    @inline(__always)
    var first: UnsafePointer<Event>? {
        head == tail ? nil : UnsafePointer(slots + (head & mask))
    }

    @inline(__always)
    func removeFirst() { head += 1 }

    /// Forgets every waiting event (their commands will never be durable).
    func removeAll() { head = tail }
}
