import Atomics

// The consumer side. Every method here is called only by the ring's single
// consumer thread. Orderings, once:
//  - our own `head`: `.relaxed` load (only this thread writes it);
//  - the producer's `tail`: `.acquiring` load, pairing with the producer's
//    releasing store, so the bytes of every slot below it are visible;
//  - freeing slots: `.releasing` store of `head`, so our reads of those slots
//    are finished before a producer that loads the new `head` overwrites them.
extension SPSCRing {
    /// Takes the oldest element, or returns `nil` when the ring is empty.
    ///
    /// Consumer thread only. Must not be called between `peek(upTo:)` and
    /// `consume(_:)`, nor from inside a `drain` body.
    @inlinable
    public func tryPop() -> Element? {
        assert(debugEnter(consumerBusy), Self.consumerReentryMessage)
        defer { assert(debugLeave(consumerBusy)) }
        assert(peekedCount.pointee == 0, "SPSCRing.tryPop between peek(upTo:) and consume(_:)")

        // Relaxed: only this thread stores head.
        let head = headIndex.load(ordering: .relaxed)
        if head == cachedTail.pointee {
            // Acquiring: the producer's slot writes below tail are visible.
            cachedTail.pointee = tailIndex.load(ordering: .acquiring)
            if head == cachedTail.pointee {
                return nil
            }
        }
        let element = slots[Int(truncatingIfNeeded: head & mask)]
        // Releasing: our read of the slot is finished before the producer may
        // reuse it.
        headIndex.store(head &+ 1, ordering: .releasing)
        return element
    }

    /// Takes up to `maxCount` elements, oldest first, hands each to `body`,
    /// and returns how many it took (0 when the ring is empty). One releasing
    /// store of `head` at the end frees all their slots; the producer's `tail`
    /// is reloaded only when the cached one shows fewer than `maxCount`.
    ///
    /// Consumer thread only. `body` must not call back into this ring's
    /// consumer methods (the batch is not yet consumed while it runs).
    @inlinable
    public func drain(maxCount: Int, _ body: (Element) -> Void) -> Int {
        assert(debugEnter(consumerBusy), Self.consumerReentryMessage)
        defer { assert(debugLeave(consumerBusy)) }
        assert(peekedCount.pointee == 0, "SPSCRing.drain between peek(upTo:) and consume(_:)")
        precondition(maxCount >= 0, "SPSCRing.drain(maxCount:) with a negative count \(maxCount)")

        // Relaxed: only this thread stores head.
        let head = headIndex.load(ordering: .relaxed)
        var available = cachedTail.pointee &- head
        if available < UInt64(maxCount) {
            // Acquiring: the producer's slot writes below tail are visible.
            cachedTail.pointee = tailIndex.load(ordering: .acquiring)
            available = cachedTail.pointee &- head
        }
        let total = Int(truncatingIfNeeded: Swift.min(available, UInt64(maxCount)))
        guard total > 0 else { return 0 }
        var index = head
        for _ in 0..<total {
            body(slots[Int(truncatingIfNeeded: index & mask)])
            index &+= 1
        }
        // Releasing: every read of the batch's slots is finished before the
        // producer may reuse them.
        headIndex.store(index, ordering: .releasing)
        return total
    }

    /// Lends up to `maxCount` of the oldest elements in place, as slots that
    /// are contiguous in memory, without consuming them. Returns fewer than
    /// `maxCount` when fewer are published or they wrap around the end of the
    /// slot array (consume, then peek again for the rest), and an empty buffer
    /// when the ring is empty. The buffer stays valid, and its contents
    /// unchanged, until `consume(_:)`.
    ///
    /// A new peek replaces an unconsumed one. Consumer thread only.
    @inlinable
    public func peek(upTo maxCount: Int) -> UnsafeBufferPointer<Element> {
        assert(debugEnter(consumerBusy), Self.consumerReentryMessage)
        defer { assert(debugLeave(consumerBusy)) }
        precondition(maxCount >= 0, "SPSCRing.peek(upTo:) with a negative count \(maxCount)")

        // Relaxed: only this thread stores head.
        let head = headIndex.load(ordering: .relaxed)
        var available = cachedTail.pointee &- head
        if available < UInt64(maxCount) {
            // Acquiring: the producer's slot writes below tail are visible.
            cachedTail.pointee = tailIndex.load(ordering: .acquiring)
            available = cachedTail.pointee &- head
        }
        let start = Int(truncatingIfNeeded: head & mask)
        let granted = Swift.min(Int(truncatingIfNeeded: available), maxCount, capacity - start)
        peekedCount.pointee = granted
        return UnsafeBufferPointer(start: slots + start, count: granted)
    }

    /// Consumes the first `count` elements of the last peek, freeing their
    /// slots with one releasing store, and ends the peek. `consume(0)` ends it
    /// without consuming.
    ///
    /// Consumer thread only. Traps when `count` exceeds the peek.
    @inlinable
    public func consume(_ count: Int) {
        assert(debugEnter(consumerBusy), Self.consumerReentryMessage)
        defer { assert(debugLeave(consumerBusy)) }
        precondition(
            count >= 0 && count <= peekedCount.pointee,
            "SPSCRing.consume(\(count)) but only \(peekedCount.pointee) elements are peeked"
        )
        peekedCount.pointee = 0
        guard count > 0 else { return }
        // Relaxed: only this thread stores head.
        let head = headIndex.load(ordering: .relaxed)
        // Releasing: the caller's reads of the peeked slots are finished before
        // the producer may reuse them.
        headIndex.store(head &+ UInt64(count), ordering: .releasing)
    }
}
