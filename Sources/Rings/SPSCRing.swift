import Atomics

/// A lock-free single-producer/single-consumer ring of fixed-size records.
///
/// ## Contract
/// Exactly one thread at a time is *the producer* and may call the producer
/// methods (`tryPush(_:)`, `push(contentsOf:)`, `claim(upTo:)`, `publish(_:)`);
/// exactly one thread at a time is *the consumer* and may call the consumer
/// methods (`tryPop()`, `drain(maxCount:_:)`, `peek(upTo:)`, `consume(_:)`).
/// They may be the same thread. `capacity`, `count` and `isEmpty` may be read
/// from any thread. A role may move to another thread only across a
/// happens-before edge (thread start, `join()`, a lock, a release/acquire
/// pair). Debug builds trap when two threads are inside the methods of one
/// role at once, or when a `drain` body calls back into the consumer.
///
/// ## What the ring guarantees
/// Every element the consumer takes was published by the producer, in the
/// order it was published, exactly once, with all of its bytes (the producer
/// writes a slot before its releasing store of `tail`; the consumer reads
/// `tail` with an acquiring load before it reads the slot). A full ring is a
/// return value (`false`, or fewer elements than offered), never a drop or a
/// wait; an empty ring is `nil` or `0`. Nothing allocates, locks or makes a
/// system call after `init`.
///
/// ## Indices
/// `tail` counts elements ever published and `head` elements ever consumed:
/// 64-bit counters that only grow (with wrapping arithmetic, which 2^64
/// messages at 10^9 per second would need 584 years to reach). The slot of
/// index `i` is `i & (capacity - 1)`, so all `capacity` slots are usable and a
/// capacity of 1 is allowed. Each side caches the other side's index in its own
/// private cache block and reloads it only when the cached value says the ring
/// is full (producer) or empty (consumer), or, for a batch, has too little
/// room or too few elements for the whole batch; so in steady state neither
/// side reads the other's cache line on every operation.
///
/// Elements cross threads as bytes. `BitwiseCopyable` does not imply
/// `Sendable`: a record holding a pointer hands the pointee to the other thread
/// too, which the ring does nothing to make safe. The gateway's records are
/// plain integers and fixed byte tuples.
///
/// Layout: see `RingLayout`. The ring does not wake a sleeping consumer; a
/// producer whose consumer may park calls `WakeSignal.wake()` after publishing
/// (see specs/threading.md).
public final class SPSCRing<Element: BitwiseCopyable>: @unchecked Sendable {
    /// The number of slots: a power of two.
    public let capacity: Int

    /// Rings larger than this are refused: 2^32 slots.
    public static var maximumCapacity: Int { 1 << 32 }

    @usableFromInline let capacityIndex: UInt64
    @usableFromInline let mask: UInt64
    @usableFromInline let memory: UnsafeMutableRawPointer

    // Shared, each alone in its block (see RingLayout).
    /// Written by the producer, read by the consumer.
    @usableFromInline let tailIndex: UnsafeAtomic<UInt64>
    /// Written by the consumer, read by the producer.
    @usableFromInline let headIndex: UnsafeAtomic<UInt64>

    // Producer-private block: only the producer thread touches these.
    @usableFromInline let cachedHead: UnsafeMutablePointer<UInt64>
    @usableFromInline let claimedCount: UnsafeMutablePointer<Int>
    @usableFromInline let producerBusy: UnsafeAtomic<Bool>

    // Consumer-private block: only the consumer thread touches these.
    @usableFromInline let cachedTail: UnsafeMutablePointer<UInt64>
    @usableFromInline let peekedCount: UnsafeMutablePointer<Int>
    @usableFromInline let consumerBusy: UnsafeAtomic<Bool>

    /// `capacity` slots; written by the producer, read by the consumer.
    @usableFromInline let slots: UnsafeMutablePointer<Element>

    /// Creates an empty ring.
    ///
    /// - Parameter capacity: the number of slots, a power of two from 1 to
    ///   `maximumCapacity`.
    /// - Throws: `RingCapacityError` naming the value and the nearest valid
    ///   capacities.
    public convenience init(capacity: Int) throws(RingCapacityError) {
        try self.init(capacity: capacity, initialIndex: 0)
    }

    /// Creates an empty ring whose `head` and `tail` start at `initialIndex`
    /// instead of 0. Only tests use it, to cross the 2^64 wrap of the indices.
    init(capacity: Int, initialIndex: UInt64) throws(RingCapacityError) {
        guard capacity >= 1, capacity <= Self.maximumCapacity, capacity & (capacity - 1) == 0 else {
            throw RingCapacityError(requestedCapacity: capacity)
        }
        precondition(
            MemoryLayout<Element>.alignment <= RingLayout.cacheBlockSize,
            "SPSCRing: \(Element.self) needs \(MemoryLayout<Element>.alignment)-byte alignment; at most \(RingLayout.cacheBlockSize) is supported"
        )
        let (slotBytes, overflow) = MemoryLayout<Element>.stride.multipliedReportingOverflow(by: capacity)
        precondition(!overflow, "SPSCRing: \(capacity) slots of \(Element.self) do not fit in memory")
        let totalBytes = RingLayout.slotsOffset + slotBytes + RingLayout.trailingPadSize

        self.capacity = capacity
        self.capacityIndex = UInt64(capacity)
        self.mask = UInt64(capacity - 1)
        let memory = UnsafeMutableRawPointer.allocate(byteCount: totalBytes, alignment: RingLayout.cacheBlockSize)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: RingLayout.slotsOffset)
        self.memory = memory

        func atomicIndex(at offset: Int) -> UnsafeAtomic<UInt64> {
            let storage = (memory + offset).bindMemory(to: UnsafeAtomic<UInt64>.Storage.self, capacity: 1)
            storage.initialize(to: UnsafeAtomic<UInt64>.Storage(initialIndex))
            return UnsafeAtomic(at: storage)
        }
        func atomicFlag(at offset: Int) -> UnsafeAtomic<Bool> {
            let storage = (memory + offset).bindMemory(to: UnsafeAtomic<Bool>.Storage.self, capacity: 1)
            storage.initialize(to: UnsafeAtomic<Bool>.Storage(false))
            return UnsafeAtomic(at: storage)
        }
        self.tailIndex = atomicIndex(at: RingLayout.producerIndexOffset)
        self.headIndex = atomicIndex(at: RingLayout.consumerIndexOffset)

        self.cachedHead = (memory + RingLayout.cachedHeadOffset).bindMemory(to: UInt64.self, capacity: 1)
        self.cachedHead.initialize(to: initialIndex)
        self.claimedCount = (memory + RingLayout.claimedCountOffset).bindMemory(to: Int.self, capacity: 1)
        self.claimedCount.initialize(to: 0)
        self.producerBusy = atomicFlag(at: RingLayout.producerBusyOffset)

        self.cachedTail = (memory + RingLayout.cachedTailOffset).bindMemory(to: UInt64.self, capacity: 1)
        self.cachedTail.initialize(to: initialIndex)
        self.peekedCount = (memory + RingLayout.peekedCountOffset).bindMemory(to: Int.self, capacity: 1)
        self.peekedCount.initialize(to: 0)
        self.consumerBusy = atomicFlag(at: RingLayout.consumerBusyOffset)

        // Elements are BitwiseCopyable: a slot needs no initialization before
        // it is first written and no deinitialization afterwards.
        self.slots = (memory + RingLayout.slotsOffset).bindMemory(to: Element.self, capacity: capacity)
    }

    deinit {
        // Every field is trivial (integers, flags, BitwiseCopyable slots).
        memory.deallocate()
    }

    /// The number of elements published and not yet consumed: exact on the
    /// consumer when the producer is idle, otherwise a snapshot that may be
    /// stale by the time it is used. Any thread; for monitoring.
    public var count: Int {
        // Acquiring: synchronises with the consumer's releasing store, so the
        // tail loaded next is at least as new as the tail that consumer had
        // seen, and `tail - head` cannot go negative.
        let head = headIndex.load(ordering: .acquiring)
        // Acquiring: only for a fresh snapshot; no slot is read.
        let tail = tailIndex.load(ordering: .acquiring)
        return Int(truncatingIfNeeded: Swift.min(tail &- head, capacityIndex))
    }

    /// Whether nothing is waiting to be consumed. Any thread. On the consumer,
    /// `false` means the next `tryPop()` returns an element.
    public var isEmpty: Bool {
        count == 0
    }
}

/// A ring capacity that is not a power of two between 1 and
/// `SPSCRing.maximumCapacity`.
public struct RingCapacityError: Error, Equatable, CustomStringConvertible {
    /// The value that was refused.
    public let requestedCapacity: Int

    public init(requestedCapacity: Int) {
        self.requestedCapacity = requestedCapacity
    }

    public var description: String {
        let maximum = 1 << 32
        var text = "ring capacity must be a power of two from 1 to \(maximum), got \(requestedCapacity)"
        if requestedCapacity > 1 && requestedCapacity < maximum {
            let below = 1 << (Int.bitWidth - 1 - requestedCapacity.leadingZeroBitCount)
            text += " (nearest: \(below) or \(below << 1))"
        } else if requestedCapacity > maximum {
            text += " (largest: \(maximum))"
        }
        return text
    }
}
