import GatewayCore

/// One price on one side of a book: a FIFO queue of resting orders, linked through the
/// order records (`head` is the oldest, which trades first).
@usableFromInline
struct PriceLevel {
    @usableFromInline var price: Int64
    /// Sum of the open quantities of the orders in the queue.
    @usableFromInline var quantity: UInt64
    @usableFromInline var head: Int32
    @usableFromInline var tail: Int32
    @usableFromInline var count: Int32

    @inlinable
    init(price: Int64) {
        self.price = price
        quantity = 0
        head = -1
        tail = -1
        count = 0
    }
}

/// The price levels of every book side, each side a sorted array of fixed capacity.
///
/// Side `s` (see ``sideIndex(symbol:side:)``) owns positions
/// `s * capacityPerSide ..< s * capacityPerSide + counts[s]`. Levels are sorted from
/// the worst price to the best, so the best level is the last one: matching takes
/// from and removes at the end (no shifting), and new orders, which mostly arrive near
/// the top of the book, shift only the few levels above them. A price is found by
/// binary search. With the default of a few thousand levels per side a shift is a
/// short `memmove` of 32-byte entries, cheaper than chasing a tree's pointers.
///
/// Ordering uses a key that grows with quality: the price for bids, minus the price
/// for asks (prices are positive, so negation cannot overflow).
@usableFromInline
struct PriceLevels {
    @usableFromInline let levels: FixedBuffer<PriceLevel>
    @usableFromInline let counts: FixedBuffer<Int32>
    @usableFromInline let capacityPerSide: Int

    @usableFromInline
    init(symbolCount: Int, capacityPerSide: Int) {
        let sides = symbolCount * 2
        levels = FixedBuffer(count: sides * capacityPerSide, repeating: PriceLevel(price: 0))
        counts = FixedBuffer(count: sides, repeating: 0)
        self.capacityPerSide = capacityPerSide
    }

    /// Index of one side of one symbol's book: 0 = bids of symbol 1, 1 = asks of symbol 1, …
    @inlinable
    static func sideIndex(symbol: SymbolIndex, side: Side) -> Int {
        (Int(symbol.rawValue) &- 1) &* 2 &+ (side == .buy ? 0 : 1)
    }

    /// Sort key of a price on a side: larger is better.
    @inlinable
    static func key(_ price: Int64, _ side: Side) -> Int64 { side == .buy ? price : -price }

    @inlinable
    static func side(ofSideIndex sideIndex: Int) -> Side { sideIndex & 1 == 0 ? .buy : .sell }

    @inlinable
    func count(_ sideIndex: Int) -> Int { Int(counts[sideIndex]) }

    @inlinable
    func isFull(_ sideIndex: Int) -> Bool { Int(counts[sideIndex]) >= capacityPerSide }

    /// The level at `position` (0 = worst) of a side.
    @inlinable
    subscript(sideIndex: Int, position: Int) -> PriceLevel {
        unsafeAddress {
            assert(position >= 0 && position < Int(counts[sideIndex]), "level position out of range")
            return UnsafePointer(levels.base + (sideIndex &* capacityPerSide &+ position))
        }
        nonmutating unsafeMutableAddress {
            assert(position >= 0 && position < Int(counts[sideIndex]), "level position out of range")
            return levels.base + (sideIndex &* capacityPerSide &+ position)
        }
    }

    /// Position of the best level, or -1 when the side is empty.
    @inlinable
    func bestPosition(_ sideIndex: Int) -> Int { Int(counts[sideIndex]) - 1 }

    /// Binary search: the position of `price` on the side if a level exists there
    /// (`found`), otherwise the position a new level for it would take.
    @inlinable
    func search(_ sideIndex: Int, price: Int64) -> (position: Int, found: Bool) {
        let side = PriceLevels.side(ofSideIndex: sideIndex)
        let target = PriceLevels.key(price, side)
        let base = sideIndex &* capacityPerSide
        var low = 0
        var high = Int(counts[sideIndex])
        // First position whose key is >= target (keys ascend with the position).
        while low < high {
            let middle = (low &+ high) >> 1
            if PriceLevels.key(levels[base &+ middle].price, side) < target {
                low = middle &+ 1
            } else {
                high = middle
            }
        }
        let found = low < Int(counts[sideIndex]) && levels[base &+ low].price == price
        return (low, found)
    }

    /// Inserts an empty level for `price` at `position` (from ``search(_:price:)``),
    /// shifting the better levels up by one. The side must not be full.
    @inlinable
    func insert(_ sideIndex: Int, at position: Int, price: Int64) {
        let count = Int(counts[sideIndex])
        precondition(count < capacityPerSide, "price levels full: capacity must be checked before accepting")
        let base = sideIndex &* capacityPerSide
        levels.move(from: base &+ position, to: base &+ position &+ 1, count: count &- position)
        levels[base &+ position] = PriceLevel(price: price)
        counts[sideIndex] = Int32(count &+ 1)
    }

    /// Removes the (empty) level at `position`, shifting the better levels down by one.
    @inlinable
    func remove(_ sideIndex: Int, at position: Int) {
        let count = Int(counts[sideIndex])
        assert(self[sideIndex, position].count == 0, "removing a level that still holds orders")
        let base = sideIndex &* capacityPerSide
        levels.move(from: base &+ position &+ 1, to: base &+ position, count: count &- position &- 1)
        counts[sideIndex] = Int32(count &- 1)
    }

    @usableFromInline
    func deallocate() {
        levels.deallocate()
        counts.deallocate()
    }
}
