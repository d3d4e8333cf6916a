import GatewayCore

/// The books of every symbol: one pool of order slots, the price levels of every book
/// side, and the map from client keys to slots. Mechanics only: it keeps the three
/// structures consistent; the venue's rules (what may trade, what is reported) are the
/// engine's (MatchingEngine*.swift).
///
/// Consistency kept here and checked by OrderBook+Invariants.swift: an order is
/// `resting` exactly when it is linked into the level of its price and filed in the key
/// map under its current key; a level's `quantity` is the sum of its orders' open
/// quantities; a side holds no empty level.
@usableFromInline
struct OrderBook {
    @usableFromInline var pool: OrderPool
    @usableFromInline let levels: PriceLevels
    @usableFromInline var keys: OrderKeyMap
    @usableFromInline let symbolCount: Int

    @usableFromInline
    init(symbolCount: Int, maxOrders: Int, maxPriceLevelsPerSide: Int, hashSeed: UInt64) {
        pool = OrderPool(capacity: maxOrders)
        levels = PriceLevels(symbolCount: symbolCount, capacityPerSide: maxPriceLevelsPerSide)
        keys = OrderKeyMap(maximumCount: maxOrders, seed: hashSeed)
        self.symbolCount = symbolCount
    }

    @usableFromInline
    func deallocate() {
        pool.deallocate()
        levels.deallocate()
        keys.deallocate()
    }

    /// The resting order named by `key`, or -1.
    @inlinable
    func find(_ key: OrderKey) -> Int32 { keys.find(key, in: pool) }

    /// True when an order at `price` could rest on this side: its level exists or
    /// there is room for a new one.
    @inlinable
    func hasRoom(symbol: SymbolIndex, side: Side, price: Int64) -> Bool {
        let sideIndex = PriceLevels.sideIndex(symbol: symbol, side: side)
        return !levels.isFull(sideIndex) || levels.search(sideIndex, price: price).found
    }

    /// True when an order of `side` limited at `price` would trade against the best
    /// opposite level on arrival.
    @inlinable
    func crosses(symbol: SymbolIndex, side: Side, price: Int64) -> Bool {
        let opposite = PriceLevels.sideIndex(symbol: symbol, side: side.opposite)
        let best = levels.bestPosition(opposite)
        if best < 0 { return false }
        let oppositeSide = side.opposite
        return PriceLevels.key(levels[opposite, best].price, oppositeSide)
            >= PriceLevels.key(price, oppositeSide)
    }

    /// Position of the level of a resting order (binary search on its price).
    @inlinable
    func levelPosition(of slot: Int32) -> (sideIndex: Int, position: Int) {
        let sideIndex = PriceLevels.sideIndex(symbol: pool[slot].symbol, side: pool[slot].side)
        let (position, found) = levels.search(sideIndex, price: pool[slot].price)
        precondition(found, "resting order without its price level")
        return (sideIndex, position)
    }

    /// True when the resting order in `slot` is alone on its level (removing it frees
    /// the level).
    @inlinable
    func isAloneOnLevel(_ slot: Int32) -> Bool {
        pool[slot].previous < 0 && pool[slot].next < 0
    }

    /// Puts the order in `slot` at the back of the queue of its price, creating the
    /// level if needed, and files it under its key. Room was checked by the caller.
    @inlinable
    mutating func rest(_ slot: Int32) {
        assert(pool[slot].state == .inFlight && pool[slot].openQuantity > 0)
        let sideIndex = PriceLevels.sideIndex(symbol: pool[slot].symbol, side: pool[slot].side)
        let price = pool[slot].price
        let (position, found) = levels.search(sideIndex, price: price)
        if !found { levels.insert(sideIndex, at: position, price: price) }
        let tail = levels[sideIndex, position].tail
        pool[slot].previous = tail
        pool[slot].next = -1
        if tail >= 0 {
            pool[tail].next = slot
        } else {
            levels[sideIndex, position].head = slot
        }
        levels[sideIndex, position].tail = slot
        levels[sideIndex, position].count &+= 1
        levels[sideIndex, position].quantity &+= UInt64(pool[slot].openQuantity)
        pool[slot].state = .resting
        keys.insert(slot, in: pool)
    }

    /// Takes a resting order off its level (dropping the level if it empties) and out
    /// of the key map. The slot stays allocated, `inFlight`, for the caller to re-rest
    /// or release.
    @inlinable
    mutating func unlink(_ slot: Int32) {
        let (sideIndex, position) = levelPosition(of: slot)
        unlink(slot, sideIndex: sideIndex, position: position)
    }

    /// ``unlink(_:)`` when the caller already knows the level.
    @inlinable
    mutating func unlink(_ slot: Int32, sideIndex: Int, position: Int) {
        assert(pool[slot].state == .resting)
        assert(levels[sideIndex, position].price == pool[slot].price)
        keys.remove(slot, in: pool)
        let previous = pool[slot].previous
        let next = pool[slot].next
        if previous >= 0 {
            pool[previous].next = next
        } else {
            levels[sideIndex, position].head = next
        }
        if next >= 0 {
            pool[next].previous = previous
        } else {
            levels[sideIndex, position].tail = previous
        }
        levels[sideIndex, position].count &-= 1
        levels[sideIndex, position].quantity &-= UInt64(pool[slot].openQuantity)
        pool[slot].previous = -1
        pool[slot].next = -1
        pool[slot].state = .inFlight
        if levels[sideIndex, position].count == 0 {
            levels.remove(sideIndex, at: position)
        }
    }

    /// Takes a resting order off the book and frees its slot.
    @inlinable
    mutating func delete(_ slot: Int32) {
        unlink(slot)
        pool.release(slot)
    }

    /// Lowers the open quantity of a resting order by `decrement` (less than its open
    /// quantity), keeping its place in the queue.
    @inlinable
    func reduce(_ slot: Int32, by decrement: UInt32) {
        assert(decrement < pool[slot].openQuantity)
        let (sideIndex, position) = levelPosition(of: slot)
        pool[slot].openQuantity &-= decrement
        levels[sideIndex, position].quantity &-= UInt64(decrement)
    }

    /// Files a resting order under new identifiers, keeping its place in the queue.
    @inlinable
    mutating func rekey(_ slot: Int32, userReference: UInt32, clientOrderID: ClientOrderID) {
        keys.remove(slot, in: pool)
        pool[slot].userReference = userReference
        pool[slot].clientOrderID = clientOrderID
        keys.insert(slot, in: pool)
    }
}
