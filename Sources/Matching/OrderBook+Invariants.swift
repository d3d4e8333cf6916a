import GatewayCore

/// A broken invariant of the books, found by ``MatchingEngine/checkInvariants()``.
public struct InvariantViolation: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "matching engine invariant violated: \(message)" }
}

extension MatchingEngine {
    /// Checks every structural invariant of the books and throws on the first broken
    /// one. Walks the whole pool and key map: for tests (after every command) and
    /// debugging, not for the engine thread in production. Engine thread only.
    ///
    /// - each side's levels are strictly sorted, best last, none empty, within capacity;
    ///   every price is positive and on the symbol's tick;
    /// - no book is crossed (best bid below best ask);
    /// - within a level the FIFO links are consistent both ways, every order is resting
    ///   with this level's symbol, side and price, a positive open quantity of whole lots,
    ///   and the references increase from head to tail (arrival order);
    /// - each level's quantity and count equal the sum and number of its orders;
    /// - every resting order is in the key map under its key, and every map entry names
    ///   a resting order (same counts, each key found at its slot);
    /// - the free list holds exactly the free slots, and free + resting = pool size
    ///   (no slot is left in flight between commands);
    /// - every reference is below the next reference to be assigned.
    public func checkInvariants() throws(InvariantViolation) {
        try core.book.checkInvariants(
            tickSizes: core.tickSizes, lotSizes: core.lotSizes, nextOrderReference: core.nextOrderReference)
    }
}

extension OrderBook {
    func checkInvariants(
        tickSizes: FixedBuffer<Int64>, lotSizes: FixedBuffer<UInt32>, nextOrderReference: OrderReference
    ) throws(InvariantViolation) {
        func fail(_ message: String) -> InvariantViolation { InvariantViolation(message) }
        var restingSeen = 0
        for symbolPosition in 0..<symbolCount {
            let symbol = SymbolIndex(rawValue: UInt16(symbolPosition + 1))
            var best: [Int64?] = [nil, nil]
            for side in Side.allCases {
                let sideIndex = PriceLevels.sideIndex(symbol: symbol, side: side)
                let count = levels.count(sideIndex)
                let name = "\(symbol) \(side)"
                guard count >= 0 && count <= levels.capacityPerSide else {
                    throw fail("\(name): \(count) levels, capacity \(levels.capacityPerSide)")
                }
                var previousKey = Int64.min
                for position in 0..<count {
                    let level = levels[sideIndex, position]
                    let key = PriceLevels.key(level.price, side)
                    guard position == 0 || key > previousKey else {
                        throw fail("\(name): level \(position) at \(Price(raw: level.price)) not better than the one below")
                    }
                    previousKey = key
                    guard level.price > 0, level.price % tickSizes[symbolPosition] == 0 else {
                        throw fail("\(name): level price \(Price(raw: level.price)) not positive or off tick")
                    }
                    guard level.count > 0, level.head >= 0, level.tail >= 0 else {
                        throw fail("\(name): empty level at \(Price(raw: level.price))")
                    }
                    var slot = level.head
                    var previous: Int32 = -1
                    var orders: Int32 = 0
                    var quantity: UInt64 = 0
                    var lastReference: OrderReference = 0
                    while slot >= 0 {
                        guard slot < pool.capacity else { throw fail("\(name): slot \(slot) out of the pool") }
                        let order = pool[slot]
                        let where_ = "\(name) level \(Price(raw: level.price)) slot \(slot)"
                        guard order.state == .resting else { throw fail("\(where_): state \(order.state)") }
                        guard order.previous == previous else { throw fail("\(where_): broken previous link") }
                        guard order.symbol == symbol, order.side == side, order.price == level.price else {
                            throw fail("\(where_): order of \(order.symbol) \(order.side) \(Price(raw: order.price))")
                        }
                        guard order.openQuantity > 0, order.openQuantity % lotSizes[symbolPosition] == 0 else {
                            throw fail("\(where_): open quantity \(order.openQuantity) zero or not whole lots")
                        }
                        guard order.orderType == .limit,
                            order.timeInForce == .day || order.timeInForce == .goodTillCancel
                        else {
                            throw fail("\(where_): a \(order.orderType) \(order.timeInForce) order cannot rest")
                        }
                        guard order.reference > lastReference, order.reference < nextOrderReference else {
                            throw fail("\(where_): reference \(order.reference) out of arrival order")
                        }
                        lastReference = order.reference
                        guard keys.find(OrderKey(of: order), in: pool) == slot else {
                            throw fail("\(where_): not found in the key map under its key")
                        }
                        orders += 1
                        quantity += UInt64(order.openQuantity)
                        guard orders <= pool.capacity else { throw fail("\(name): cycle in a level") }
                        previous = slot
                        slot = order.next
                    }
                    guard level.tail == previous else { throw fail("\(name): tail is not the last order") }
                    guard level.count == orders, level.quantity == quantity else {
                        throw fail(
                            "\(name) level \(Price(raw: level.price)): count \(level.count)/quantity \(level.quantity), "
                                + "orders add up to \(orders)/\(quantity)")
                    }
                    restingSeen += Int(orders)
                }
                if count > 0 { best[side == .buy ? 0 : 1] = levels[sideIndex, count - 1].price }
            }
            if let bid = best[0], let ask = best[1], bid >= ask {
                throw fail("\(symbol): crossed book, best bid \(Price(raw: bid)) ≥ best ask \(Price(raw: ask))")
            }
        }

        var free = 0
        var resting = 0
        for slot in 0..<pool.capacity {
            switch pool[slot].state {
            case .free: free += 1
            case .resting: resting += 1
            case .inFlight: throw fail("slot \(slot) left in flight")
            }
        }
        guard resting == restingSeen else {
            throw fail("\(resting) slots are resting but the books link \(restingSeen)")
        }
        guard free == Int(pool.freeCount), free + resting == Int(pool.capacity) else {
            throw fail("\(free) free + \(resting) resting slots, free count \(pool.freeCount), pool \(pool.capacity)")
        }
        var walked = 0
        var slot = pool.freeHead
        while slot >= 0 {
            guard slot < pool.capacity, pool[slot].state == .free else {
                throw fail("free list reaches slot \(slot), which is not free")
            }
            walked += 1
            guard walked <= free else { throw fail("free list longer than the free slots (a cycle?)") }
            slot = pool[slot].next
        }
        guard walked == free else { throw fail("free list has \(walked) slots, \(free) are free") }

        guard keys.count == resting else { throw fail("key map holds \(keys.count) entries, \(resting) orders rest") }
        var entries = 0
        for index in 0..<keys.capacity {
            let entry = keys.entries[index]
            if entry == 0 { continue }
            entries += 1
            let slot = OrderKeyMap.slot(of: entry)
            guard slot >= 0, slot < pool.capacity, pool[slot].state == .resting else {
                throw fail("key map entry \(index) names slot \(slot), which is not resting")
            }
            guard OrderKeyMap.hash(of: entry) == keys.hash(OrderKey(of: pool[slot])) else {
                throw fail("key map entry \(index) has a stale hash for slot \(slot)")
            }
        }
        guard entries == keys.count else { throw fail("key map has \(entries) entries, count says \(keys.count)") }
    }
}
