import Atomics

// The consumer side. Every method here is called only by the ring's single
// consumer (one thread of one process). Orderings, once:
//  - our own `head`: `.relaxed` load (only the consumer writes it; a consumer
//    that attached after a restart read it with acquire at attach);
//  - the producer's `tail`: `.acquiring` load, pairing with the producer's
//    releasing store (Python's aligned 8-byte store, a release on x86), so
//    every slot below it is fully written;
//  - freeing slots: `.releasing` store of `head`, so our reads of the slot are
//    finished before a producer that loads the new `head` overwrites it.
//
// The producer is another process and is not trusted: a `tail` that moves
// backwards is never obeyed (the cached tail keeps its higher value, so nothing
// already read becomes "unpublished" under the consumer's feet) and is recorded
// in `producerMovedTailBackwards` for the owner to cut the producer off.
extension SharedMemoryRing {
    /// Loads the producer's `tail` into the consumer's cache and returns the
    /// cached value; a `tail` below the cached one is recorded, not taken.
    @inlinable
    func refreshCachedTail() -> UInt64 {
        // Acquiring: every slot below the producer's tail is written.
        let tail = tailIndex.load(ordering: .acquiring)
        if tail < cachedTail.pointee {
            if backwardsTail.pointee == .max { backwardsTail.pointee = tail }
            return cachedTail.pointee
        }
        cachedTail.pointee = tail
        return tail
    }

    /// The producer broke the ring's protocol by moving `tail` backwards: the
    /// value it wrote (the first time), with the consumer's cached tail at that
    /// moment being at least `consumerIndex`. Nil while it never has. Consumer only.
    public var producerMovedTailBackwards: UInt64? {
        backwardsTail.pointee == .max ? nil : backwardsTail.pointee
    }

    /// The next record, in place, without consuming it; `nil` when nothing is
    /// published past `head`, or when the next slot's bytes 0–7 are not
    /// `head + 1`.
    ///
    /// The sequence check is what keeps a half-written slot from being
    /// interpreted: a producer that advanced `tail` over a slot it never
    /// finished (or that wrote past a full ring) leaves a slot whose number is
    /// wrong, and the consumer stops there and retries on a later call (specs:
    /// "Publishing and consuming", consumer step 2). A caller that sees `nil`
    /// while `producerIndex > consumerIndex` for long is looking at such a
    /// slot.
    ///
    /// The buffer is the record's 64 bytes and stays valid and unchanged until
    /// `consume()` (the producer cannot reuse the slot before `head` moves).
    /// Peeking again without consuming returns the same record.
    ///
    /// Consumer only.
    @inlinable
    public func peek() -> UnsafeRawBufferPointer? {
        // Relaxed: only the consumer stores head.
        let head = headIndex.load(ordering: .relaxed)
        if head >= cachedTail.pointee {
            if head >= refreshCachedTail() {
                peeked.pointee = false
                return nil
            }
        }
        let recordSize = SharedMemoryRingLayout.recordSize
        let slot = UnsafeRawPointer(slots + Int(truncatingIfNeeded: head & mask) &* recordSize)
        // A plain load, ordered after the acquiring tail load above.
        let sequence = UInt64(littleEndian: slot.load(fromByteOffset: SharedMemoryRingLayout.sequenceOffset, as: UInt64.self))
        guard sequence == head &+ 1 else {
            peeked.pointee = false
            return nil
        }
        peeked.pointee = true
        return UnsafeRawBufferPointer(start: slot, count: recordSize)
    }

    /// Consumes the record the last `peek()` returned: one releasing store of
    /// `head + 1`, after which the producer may reuse its slot. Call it only
    /// once the record has been handled (for the signals ring: once the engine
    /// has answered the command it became, so a crash before this re-reads it).
    ///
    /// Consumer only. Traps when the last `peek()` returned no record, or the
    /// record was already consumed: advancing past a record that was never
    /// checked would hand the producer a slot nobody read.
    @inlinable
    public func consume() {
        precondition(peeked.pointee, "SharedMemoryRing.consume() without a record from peek() (\(path))")
        peeked.pointee = false
        // Relaxed: only the consumer stores head.
        let head = headIndex.load(ordering: .relaxed)
        // Releasing: the caller's reads of the slot are finished before the
        // producer may reuse it.
        headIndex.store(head &+ 1, ordering: .releasing)
    }

    /// Moves the consumer forward to `index` (records `head..<index` count as
    /// consumed without being read) and returns how many were skipped.
    ///
    /// For a restart: the signals ring's `head` is stored only after the
    /// engine has answered a record, so a crash can lose the store of a record
    /// that is already in the journal. Journal replay reports the highest
    /// signals sequence applied, `s`; records are numbered from 1, so
    /// `skip(to: s)` resumes at the first record not yet applied. An `index`
    /// at or below `head` changes nothing (those records are already
    /// consumed; the consumer never moves back).
    ///
    /// - Throws: `.skipBeyondProducer` when `index` is past the producer's
    ///   `tail`: the journal applied records this ring never published (the
    ///   file was recreated), and guessing would either re-apply or lose them.
    ///
    /// Consumer only.
    @discardableResult
    public func skip(to index: UInt64) throws(SharedMemoryRingError) -> UInt64 {
        // Relaxed: only the consumer stores head.
        let head = headIndex.load(ordering: .relaxed)
        guard index > head else { return 0 }
        // A fresh tail, also refreshing the consumer's cache.
        let tail = refreshCachedTail()
        guard index <= tail else {
            throw .skipBeyondProducer(path: path, requested: index, producerIndex: tail)
        }
        peeked.pointee = false
        // Releasing: the skipped slots go back to the producer.
        headIndex.store(index, ordering: .releasing)
        return index &- head
    }
}

extension SharedMemoryRing {
    /// The record `ahead` places past `head` (0 is what `peek()` returns), checked the
    /// same way, without consuming anything: lets a consumer work on several records
    /// before it frees their slots with ``release(through:)``. Consumer only.
    @inlinable
    public func peek(ahead: UInt64) -> UnsafeRawBufferPointer? {
        // Relaxed: only the consumer stores head.
        let index = headIndex.load(ordering: .relaxed) &+ ahead
        if index >= cachedTail.pointee {
            if index >= refreshCachedTail() { return nil }
        }
        let recordSize = SharedMemoryRingLayout.recordSize
        let slot = UnsafeRawPointer(slots + Int(truncatingIfNeeded: index & mask) &* recordSize)
        let sequence = UInt64(littleEndian: slot.load(fromByteOffset: SharedMemoryRingLayout.sequenceOffset, as: UInt64.self))
        guard sequence == index &+ 1 else { return nil }
        return UnsafeRawBufferPointer(start: slot, count: recordSize)
    }

    /// Frees every slot up to and including record `sequence` (a sequence number, from
    /// 1), which the consumer has read with `peek(ahead:)` and handled: one releasing
    /// store of `head`. A sequence at or below `head` changes nothing. Consumer only;
    /// traps past the last record seen published, which only a consumer bug can
    /// cause: the cached tail never moves back, whatever the producer writes.
    @inlinable
    public func release(through sequence: UInt64) {
        // Relaxed: only the consumer stores head.
        let head = headIndex.load(ordering: .relaxed)
        guard sequence > head else { return }
        precondition(sequence <= cachedTail.pointee, "SharedMemoryRing.release past the producer (\(path))")
        peeked.pointee = false
        // Releasing: our reads of those slots are finished before the producer reuses them.
        headIndex.store(sequence, ordering: .releasing)
    }
}
