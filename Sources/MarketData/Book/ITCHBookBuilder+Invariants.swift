import GatewayCore

// The book's internal consistency, checked by tests after every step (as the
// engine's OrderBook+Invariants does for its book): problems as readable lines.
extension ITCHBookBuilder {
    /// Every broken invariant, one line each; empty when the book is consistent:
    /// prices sorted and unique per side, each level's count and quantity equal to
    /// the orders linked in it, the links agreeing in both directions, every order
    /// in exactly one level, and no side crossed with the other.
    public func invariantViolations() -> [String] {
        var problems: [String] = []
        var linked = 0
        for (locate, state) in symbols {
            for side in [Side.buy, Side.sell] {
                let book = state[side]
                if book.prices != book.prices.sorted() || Set(book.prices).count != book.prices.count {
                    problems.append("\(locate) \(side): prices not sorted and unique: \(book.prices)")
                }
                if Set(book.prices) != Set(book.levels.keys) {
                    problems.append("\(locate) \(side): price list \(book.prices) does not match levels")
                }
                for (price, level) in book.levels {
                    var count = 0
                    var quantity: UInt64 = 0
                    var previous: OrderReference?
                    var reference: OrderReference? = level.head
                    while let r = reference, count <= orderTable.count {
                        guard let node = orderTable[r] else {
                            problems.append("\(locate) \(side) \(price): links to missing order \(r)")
                            break
                        }
                        if node.previous != previous { problems.append("order \(r): back link \(String(describing: node.previous)), expected \(String(describing: previous))") }
                        if node.order.stockLocate != locate || node.order.side != side || node.order.price.raw != price {
                            problems.append("order \(r) is linked in \(locate) \(side) \(price) but is \(node.order)")
                        }
                        if node.order.shares == 0 { problems.append("order \(r) rests with 0 shares") }
                        count += 1
                        quantity += UInt64(node.order.shares)
                        previous = r
                        reference = node.next
                    }
                    if previous != level.tail { problems.append("\(locate) \(side) \(price): tail \(level.tail), last linked \(String(describing: previous))") }
                    if count != level.count { problems.append("\(locate) \(side) \(price): count \(level.count), linked \(count)") }
                    if quantity != level.quantity { problems.append("\(locate) \(side) \(price): quantity \(level.quantity), linked \(quantity)") }
                    linked += count
                }
            }
            if let bid = state.bids.prices.last, let ask = state.asks.prices.first, bid >= ask {
                problems.append("\(locate): crossed, bid \(Price(raw: bid)) ≥ offer \(Price(raw: ask))")
            }
        }
        if linked != orderTable.count { problems.append("\(orderTable.count) orders, \(linked) linked in levels") }
        return problems
    }
}
