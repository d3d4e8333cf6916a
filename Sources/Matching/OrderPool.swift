import GatewayCore

/// Where a pool slot is in its life. Kept in the record so the invariant checker can
/// tell a resting order from a free slot without trusting the lists it is checking.
@usableFromInline
enum OrderSlotState: UInt8 {
    /// On the free list.
    case free = 0
    /// Taken by the command being processed (an incoming or replaced order that has
    /// not rested yet). No slot is in this state between commands.
    case inFlight = 1
    /// On a price level and in the key map.
    case resting = 2
}

/// One order: everything the engine needs to match it, report on it and find it again.
///
/// A plain value of integers (about 80 bytes). `previous`/`next` link the order into
/// its price level's FIFO queue; `next` also links free slots into the free list.
@usableFromInline
struct OrderRecord {
    /// Limit price in raw units (4 implied decimals); 0 for a market order.
    @usableFromInline var price: Int64 = 0
    /// The venue's order reference number (ITCH order reference, OUCH
    /// OrderReferenceNumber, FIX OrderID).
    @usableFromInline var reference: OrderReference = 0
    @usableFromInline var clientOrderID: ClientOrderID = .empty
    /// Where events about this order go.
    @usableFromInline var origin: OrderOrigin = .venue
    @usableFromInline var userReference: UInt32 = 0
    /// Quantity still open on the book (leaves).
    @usableFromInline var openQuantity: UInt32 = 0
    /// Quantity executed over the whole replace chain (cumulative).
    @usableFromInline var executedQuantity: UInt32 = 0
    /// Previous order in the level's FIFO (towards the head), or -1.
    @usableFromInline var previous: Int32 = -1
    /// Next order in the level's FIFO (towards the tail) or in the free list, or -1.
    @usableFromInline var next: Int32 = -1
    @usableFromInline var symbol: SymbolIndex = .none
    @usableFromInline var account: AccountIndex = .none
    @usableFromInline var side: Side = .buy
    @usableFromInline var orderType: OrderType = .limit
    @usableFromInline var timeInForce: TimeInForce = .day
    @usableFromInline var flags: OrderFlags = []
    @usableFromInline var keyKind: OrderKeyKind = .userReference
    @usableFromInline var state: OrderSlotState = .free

    @inlinable init() {}
}

/// A fixed number of order slots addressed by `Int32`, with a free list threaded
/// through the records' `next` field.
///
/// Slots `0..<capacity` hold resting orders. One extra slot, ``scratch``, holds an
/// incoming order that can never rest (IOC, FOK, market) while it matches, so such an
/// order needs no capacity and is never rejected for lack of it.
///
/// The free list is LIFO: the slot freed last is reused first, which keeps the
/// working set small and the slot numbers deterministic for a given command sequence.
@usableFromInline
struct OrderPool {
    @usableFromInline let records: FixedBuffer<OrderRecord>
    /// Number of slots for resting orders (the scratch slot excluded).
    @usableFromInline let capacity: Int32
    @usableFromInline var freeHead: Int32
    @usableFromInline var freeCount: Int32

    @usableFromInline
    init(capacity: Int) {
        precondition(capacity > 0 && capacity < Int(Int32.max), "order pool capacity out of range")
        records = FixedBuffer(count: capacity + 1, repeating: OrderRecord())
        self.capacity = Int32(capacity)
        for slot in 0..<capacity {
            records[slot].next = slot + 1 < capacity ? Int32(slot + 1) : -1
        }
        freeHead = 0
        freeCount = Int32(capacity)
    }

    /// The slot an incoming order that cannot rest uses while it matches.
    @inlinable var scratch: Int32 { capacity }

    @inlinable
    subscript(slot: Int32) -> OrderRecord {
        unsafeAddress {
            assert(slot >= 0 && slot <= capacity, "order slot out of range")
            return UnsafePointer(records.base + Int(slot))
        }
        nonmutating unsafeMutableAddress {
            assert(slot >= 0 && slot <= capacity, "order slot out of range")
            return records.base + Int(slot)
        }
    }

    /// Number of slots in use by resting (or in-flight) orders.
    @inlinable var usedCount: Int { Int(capacity - freeCount) }

    /// Takes a free slot. The caller has checked `freeCount > 0` (capacity is reserved
    /// before an order is accepted, so this cannot fail after an acceptance).
    @inlinable
    mutating func allocate() -> Int32 {
        precondition(freeCount > 0, "order pool exhausted: capacity must be checked before accepting")
        let slot = freeHead
        freeHead = self[slot].next
        freeCount -= 1
        self[slot].state = .inFlight
        self[slot].next = -1
        self[slot].previous = -1
        return slot
    }

    /// Returns a slot to the free list (or marks the scratch slot unused).
    @inlinable
    mutating func release(_ slot: Int32) {
        assert(self[slot].state != .free, "slot released twice")
        self[slot].state = .free
        self[slot].previous = -1
        if slot == scratch {
            self[slot].next = -1
            return
        }
        self[slot].next = freeHead
        freeHead = slot
        freeCount += 1
    }

    @usableFromInline
    func deallocate() { records.deallocate() }
}
