import GatewayCore

/// How a client names one of its orders: the account, how it names orders (OUCH
/// UserRefNum or FIX ClOrdID) and the identifier of that kind. Only the identifier of
/// `kind` takes part in equality; the other one is carried along unread.
///
/// The account is part of the key, so an account can only ever find its own orders.
@usableFromInline
struct OrderKey {
    @usableFromInline var account: AccountIndex
    @usableFromInline var kind: OrderKeyKind
    @usableFromInline var userReference: UInt32
    @usableFromInline var clientOrderID: ClientOrderID

    @inlinable
    init(account: AccountIndex, kind: OrderKeyKind, userReference: UInt32, clientOrderID: ClientOrderID) {
        self.account = account
        self.kind = kind
        self.userReference = userReference
        self.clientOrderID = clientOrderID
    }

    /// The key an order record is filed under.
    @inlinable
    init(of record: OrderRecord) {
        self.init(
            account: record.account, kind: record.keyKind,
            userReference: record.userReference, clientOrderID: record.clientOrderID)
    }

    @inlinable
    func matches(_ record: OrderRecord) -> Bool {
        guard record.account == account, record.keyKind == kind else { return false }
        switch kind {
        case .userReference: return record.userReference == userReference
        case .clientOrderID: return record.clientOrderID == clientOrderID
        }
    }
}

/// Open-addressing hash map from ``OrderKey`` to the pool slot of the resting order
/// it names. Linear probing, deletion by backward shift (no tombstones, so lookups
/// never slow down as orders come and go).
///
/// Each entry is one word: the key's 32-bit hash in the high half, slot + 1 in the low
/// half (0 = empty). The key itself is not stored: a hash match is confirmed against
/// the order record in the pool, which keeps the table at 8 bytes per entry.
///
/// The table has at least twice as many entries as the pool has slots, so the load
/// factor never passes one half and an insert always finds room: the map can never be
/// the reason an order is refused.
///
/// The hash is seeded per engine so that clients cannot choose identifiers that
/// collide on purpose. Nothing observable depends on the table's layout (it is never
/// iterated to produce events), so the engine stays deterministic.
@usableFromInline
struct OrderKeyMap {
    @usableFromInline let entries: FixedBuffer<UInt64>
    @usableFromInline let mask: Int
    @usableFromInline let seed: UInt64
    @usableFromInline var count: Int

    @usableFromInline
    init(maximumCount: Int, seed: UInt64) {
        var capacity = 16
        while capacity < 2 * maximumCount { capacity <<= 1 }
        precondition(capacity <= 1 << 32, "key map too large")
        entries = FixedBuffer(count: capacity, repeating: 0)
        mask = capacity - 1
        self.seed = seed
        count = 0
    }

    @inlinable var capacity: Int { mask + 1 }

    /// splitmix64's finalizer: every output bit depends on every input bit.
    @inlinable
    static func mix(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 30
        x &*= 0xbf58_476d_1ce4_e5b9
        x ^= x >> 27
        x &*= 0x94d0_49bb_1331_11eb
        x ^= x >> 31
        return x
    }

    @inlinable
    func hash(_ key: OrderKey) -> UInt32 {
        var h = OrderKeyMap.mix(seed ^ (UInt64(key.account.rawValue) << 8 | UInt64(key.kind.rawValue)))
        switch key.kind {
        case .userReference:
            h = OrderKeyMap.mix(h ^ UInt64(key.userReference))
        case .clientOrderID:
            let words = key.clientOrderID.words
            h = OrderKeyMap.mix(h ^ words.0)
            h = OrderKeyMap.mix(h ^ words.1)
            h = OrderKeyMap.mix(h ^ words.2)
        }
        return UInt32(truncatingIfNeeded: h)
    }

    @inlinable
    static func slot(of entry: UInt64) -> Int32 { Int32(truncatingIfNeeded: entry & 0xffff_ffff) - 1 }

    @inlinable
    static func hash(of entry: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: entry >> 32) }

    /// The slot of the resting order named by `key`, or -1.
    @inlinable
    func find(_ key: OrderKey, in pool: OrderPool) -> Int32 {
        let h = hash(key)
        var index = Int(h) & mask
        while true {
            let entry = entries[index]
            if entry == 0 { return -1 }
            if OrderKeyMap.hash(of: entry) == h {
                let slot = OrderKeyMap.slot(of: entry)
                if key.matches(pool[slot]) { return slot }
            }
            index = (index &+ 1) & mask
        }
    }

    /// Files the order in `slot` under its key. The key must not be present.
    @inlinable
    mutating func insert(_ slot: Int32, in pool: OrderPool) {
        assert(find(OrderKey(of: pool[slot]), in: pool) < 0, "key already in the map")
        precondition(count < capacity / 2, "key map over its load factor")
        let h = hash(OrderKey(of: pool[slot]))
        var index = Int(h) & mask
        while entries[index] != 0 { index = (index &+ 1) & mask }
        entries[index] = UInt64(h) << 32 | UInt64(UInt32(slot + 1))
        count += 1
    }

    /// Removes the entry of the order in `slot`, filed under the key its record holds now.
    @inlinable
    mutating func remove(_ slot: Int32, in pool: OrderPool) {
        let h = hash(OrderKey(of: pool[slot]))
        var hole = Int(h) & mask
        while OrderKeyMap.slot(of: entries[hole]) != slot {
            precondition(entries[hole] != 0, "removing an order that is not in the key map")
            hole = (hole &+ 1) & mask
        }
        // Backward shift: pull later entries of the probe run into the hole when their
        // home bucket allows it, so no run is ever broken by an empty entry.
        var index = (hole &+ 1) & mask
        while true {
            let entry = entries[index]
            if entry == 0 { break }
            let home = Int(OrderKeyMap.hash(of: entry)) & mask
            if (index &- home) & mask >= (index &- hole) & mask {
                entries[hole] = entry
                hole = index
            }
            index = (index &+ 1) & mask
        }
        entries[hole] = 0
        count -= 1
    }

    @usableFromInline
    func deallocate() { entries.deallocate() }
}
