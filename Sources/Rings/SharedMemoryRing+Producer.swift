import Atomics

// The producer side. Every method here is called only by the ring's single
// producer (one thread of one process). Orderings, once:
//  - our own `tail`: `.relaxed` load (only the producer writes it; a producer
//    that attached after a restart read it with acquire at attach);
//  - the consumer's `head`: `.acquiring` load, pairing with the consumer's
//    releasing store, so its reads of the slot we are about to overwrite have
//    finished;
//  - publishing: `.releasing` store of `tail`, so the slot bytes, sequence
//    included, are visible to a consumer (in any process) that loads the new
//    `tail` with acquire.
extension SharedMemoryRing {
    /// Publishes one record, or returns `false` when the ring is full (nothing
    /// is written: the slot may still be unread by the consumer).
    ///
    /// `fill` gets the record's 64-byte slot, already zeroed, so a field it does
    /// not write is 0 rather than a byte of the record that used the slot one
    /// lap earlier. It must not keep the buffer. Bytes 0–7 are the ring's:
    /// after `fill` returns the ring writes the sequence number (index + 1,
    /// little-endian) there, over anything `fill` put, and then publishes with
    /// one releasing store of `tail`.
    ///
    /// Producer only. `fill` must not call back into the producer methods.
    @inlinable
    public func tryPublish(_ fill: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        // Relaxed: only the producer stores tail.
        let tail = tailIndex.load(ordering: .relaxed)
        if tail &- cachedHead.pointee >= capacityIndex {
            // Acquiring: the consumer has finished with every slot below head.
            cachedHead.pointee = headIndex.load(ordering: .acquiring)
            if tail &- cachedHead.pointee >= capacityIndex {
                return false
            }
        }
        let recordSize = SharedMemoryRingLayout.recordSize
        let slot = slots + Int(truncatingIfNeeded: tail & mask) &* recordSize
        for word in 0..<(recordSize / 8) {
            slot.storeBytes(of: 0, toByteOffset: word &* 8, as: UInt64.self)
        }
        fill(UnsafeMutableRawBufferPointer(start: slot, count: recordSize))
        slot.storeBytes(of: (tail &+ 1).littleEndian, toByteOffset: SharedMemoryRingLayout.sequenceOffset, as: UInt64.self)
        // Releasing: the slot's bytes, sequence included, are visible before
        // the new tail.
        tailIndex.store(tail &+ 1, ordering: .releasing)
        return true
    }

    /// Publishes `bytes` (at most 64; the rest of the slot is zero) as one
    /// record, or returns `false` when the ring is full. Bytes 0–7 of the
    /// record are the sequence number whatever `bytes` holds there.
    ///
    /// Producer only.
    @inlinable
    public func tryPublish(bytes: UnsafeRawBufferPointer) -> Bool {
        precondition(
            bytes.count <= SharedMemoryRingLayout.recordSize,
            "SharedMemoryRing.tryPublish(bytes:) with \(bytes.count) bytes; a record is \(SharedMemoryRingLayout.recordSize)")
        return tryPublish { slot in
            slot.copyMemory(from: bytes)
        }
    }

    /// Adds one to the header's overflow count (offset 32): a record the
    /// producer dropped because the ring and its own backlog were full. The
    /// consumer (Python's `FillReader`) reports it, so a reader that fell
    /// behind knows it missed records.
    ///
    /// Producer only (the spec gives the count to the producer; the add is
    /// atomic so a monitoring reader never sees a torn value).
    @inlinable
    public func incrementOverflowCount() {
        // Relaxed: a statistic; it publishes no other memory.
        overflowCounter.wrappingIncrement(ordering: .relaxed)
    }

    /// The number of records that can be published now without waiting:
    /// `capacity − (tail − head)` with `head` loaded fresh. Exact on the
    /// producer; the consumer can only make it grow.
    ///
    /// Producer only (it reads `tail` as its owner).
    @inlinable
    public var freeSlots: Int {
        // Relaxed: only the producer stores tail.
        let tail = tailIndex.load(ordering: .relaxed)
        // Acquiring: slots below head are finished with, so they count as free.
        let head = headIndex.load(ordering: .acquiring)
        cachedHead.pointee = head
        return Int(truncatingIfNeeded: capacityIndex &- (tail &- head))
    }
}
