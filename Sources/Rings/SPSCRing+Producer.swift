import Atomics

// The producer side. Every method here is called only by the ring's single
// producer thread. Orderings, once:
//  - our own `tail`: `.relaxed` load (only this thread writes it);
//  - the consumer's `head`: `.acquiring` load, pairing with the consumer's
//    releasing store, so its reads of the slots we are about to overwrite have
//    finished;
//  - publishing: `.releasing` store of `tail`, so the slot bytes written before
//    it are visible to a consumer that loads the new `tail` with acquire.
extension SPSCRing {
    /// Appends one element, or returns `false` when the ring is full (nothing
    /// is written; the caller decides what back-pressure means).
    ///
    /// Producer thread only. Must not be called between `claim(upTo:)` and
    /// `publish(_:)`.
    @inlinable
    public func tryPush(_ element: Element) -> Bool {
        assert(debugEnter(producerBusy), Self.producerReentryMessage)
        defer { assert(debugLeave(producerBusy)) }
        assert(claimedCount.pointee == 0, "SPSCRing.tryPush between claim(upTo:) and publish(_:)")

        // Relaxed: only this thread stores tail.
        let tail = tailIndex.load(ordering: .relaxed)
        if tail &- cachedHead.pointee >= capacityIndex {
            // Acquiring: the consumer has finished reading every slot below head.
            cachedHead.pointee = headIndex.load(ordering: .acquiring)
            if tail &- cachedHead.pointee >= capacityIndex {
                return false
            }
        }
        (slots + Int(truncatingIfNeeded: tail & mask)).initialize(to: element)
        // Releasing: the slot write above is visible before the new tail.
        tailIndex.store(tail &+ 1, ordering: .releasing)
        return true
    }

    /// Appends as many of `elements`, from the front, as fit, and returns how
    /// many that was (0 when the ring is full or `elements` is empty). One
    /// releasing store publishes the whole batch; the consumer's `head` is
    /// reloaded only when the cached one leaves too little room for all of
    /// `elements`.
    ///
    /// Producer thread only. Must not be called between `claim(upTo:)` and
    /// `publish(_:)`.
    @inlinable
    public func push(contentsOf elements: UnsafeBufferPointer<Element>) -> Int {
        assert(debugEnter(producerBusy), Self.producerReentryMessage)
        defer { assert(debugLeave(producerBusy)) }
        assert(claimedCount.pointee == 0, "SPSCRing.push(contentsOf:) between claim(upTo:) and publish(_:)")
        guard let source = elements.baseAddress, elements.count > 0 else { return 0 }

        // Relaxed: only this thread stores tail.
        let tail = tailIndex.load(ordering: .relaxed)
        var free = capacityIndex &- (tail &- cachedHead.pointee)
        if free < UInt64(elements.count) {
            // Acquiring: the consumer has finished reading every slot below head.
            cachedHead.pointee = headIndex.load(ordering: .acquiring)
            free = capacityIndex &- (tail &- cachedHead.pointee)
            if free == 0 {
                return 0
            }
        }
        let total = Int(truncatingIfNeeded: Swift.min(free, UInt64(elements.count)))
        let start = Int(truncatingIfNeeded: tail & mask)
        let beforeWrap = Swift.min(total, capacity - start)
        (slots + start).initialize(from: source, count: beforeWrap)
        if total > beforeWrap {
            slots.initialize(from: source + beforeWrap, count: total - beforeWrap)
        }
        // Releasing: all the slot writes above are visible before the new tail.
        tailIndex.store(tail &+ UInt64(total), ordering: .releasing)
        return total
    }

    /// Hands out up to `maxCount` free slots that are contiguous in memory, to
    /// be written in place and then made visible with `publish(_:)`. Returns
    /// fewer than `maxCount` when the ring has less room or the free space wraps
    /// around the end of the slot array (claim again after publishing to get
    /// the rest), and an empty buffer when the ring is full.
    ///
    /// The consumer cannot see the claimed slots until `publish(_:)`. A new
    /// claim replaces an unpublished one. Producer thread only.
    @inlinable
    public func claim(upTo maxCount: Int) -> UnsafeMutableBufferPointer<Element> {
        assert(debugEnter(producerBusy), Self.producerReentryMessage)
        defer { assert(debugLeave(producerBusy)) }
        precondition(maxCount >= 0, "SPSCRing.claim(upTo:) with a negative count \(maxCount)")

        // Relaxed: only this thread stores tail.
        let tail = tailIndex.load(ordering: .relaxed)
        var free = capacityIndex &- (tail &- cachedHead.pointee)
        if free < UInt64(maxCount) {
            // Acquiring: the consumer has finished reading every slot below head.
            cachedHead.pointee = headIndex.load(ordering: .acquiring)
            free = capacityIndex &- (tail &- cachedHead.pointee)
        }
        let start = Int(truncatingIfNeeded: tail & mask)
        let granted = Swift.min(Int(truncatingIfNeeded: free), maxCount, capacity - start)
        claimedCount.pointee = granted
        return UnsafeMutableBufferPointer(start: slots + start, count: granted)
    }

    /// Makes the first `count` slots of the last claim visible to the
    /// consumer, with one releasing store, and ends the claim. Every one of
    /// those slots must have been written. `publish(0)` abandons the claim.
    ///
    /// Producer thread only. Traps when `count` exceeds the claim.
    @inlinable
    public func publish(_ count: Int) {
        assert(debugEnter(producerBusy), Self.producerReentryMessage)
        defer { assert(debugLeave(producerBusy)) }
        precondition(
            count >= 0 && count <= claimedCount.pointee,
            "SPSCRing.publish(\(count)) but only \(claimedCount.pointee) slots are claimed"
        )
        claimedCount.pointee = 0
        guard count > 0 else { return }
        // Relaxed: only this thread stores tail.
        let tail = tailIndex.load(ordering: .relaxed)
        // Releasing: the caller's writes into the claimed slots are visible
        // before the new tail.
        tailIndex.store(tail &+ UInt64(count), ordering: .releasing)
    }
}
