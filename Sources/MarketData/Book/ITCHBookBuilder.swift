import GatewayCore

/// A subscriber's full-depth book, rebuilt from decoded ITCH messages.
///
/// Keeps, per stock locate, the symbol (Stock Directory), the trading state (Stock
/// Trading Action), every resting order by reference, and the price levels of each
/// side in queue order, so that a test can compare it with the engine's book level by
/// level and order by order. Pure: messages in, state out; no I/O, no clock.
///
/// Book effects: `A`/`F` add at the back of the level; `E`/`C` reduce and remove at
/// zero; `X` reduces (keeping queue position); `D` removes; `U` removes the original
/// and adds the new reference at the back of its (possibly new) level, same side and
/// symbol; `P`, `S` and `G` leave the book alone. A message that cannot be applied
/// throws ``ITCHBookError`` and changes nothing.
///
/// Each level is a doubly linked list through the order table (FIFO, O(1) removal);
/// each side keeps its prices sorted (binary search), so the best price is at an end.
public struct ITCHBookBuilder: Sendable {
    @usableFromInline
    struct Node: Sendable {
        var order: ITCHBookOrder
        var previous: OrderReference?
        var next: OrderReference?
    }

    @usableFromInline
    struct Level: Sendable {
        var quantity: UInt64
        var count: Int
        var head: OrderReference
        var tail: OrderReference
    }

    @usableFromInline
    struct SideBook: Sendable {
        var levels: [Int64: Level] = [:]
        /// Ascending. The best bid is the last, the best offer the first.
        var prices: [Int64] = []

        func index(of price: Int64) -> (found: Bool, index: Int) {
            var low = 0
            var high = prices.count
            while low < high {
                let mid = (low + high) / 2
                if prices[mid] < price { low = mid + 1 } else { high = mid }
            }
            return (low < prices.count && prices[low] == price, low)
        }
    }

    @usableFromInline
    struct SymbolState: Sendable {
        var stock: ITCHStock?
        var roundLotSize: UInt32 = 0
        var tradingState: UInt8?
        var bids = SideBook()
        var asks = SideBook()

        subscript(side: Side) -> SideBook { side == .buy ? bids : asks }
    }

    var orderTable: [OrderReference: Node] = [:]
    var symbols: [SymbolIndex: SymbolState] = [:]

    /// The last System Event code received, nil before the first.
    public private(set) var systemEventCode: UInt8?
    /// From the last Snapshot Complete: the feed sequence number the book is as of.
    public private(set) var snapshotLastSequenceNumber: UInt64?

    public init() {}

    /// Room for `orders` resting orders and `levelsPerSide` prices on each side of each of
    /// `stockLocates`, taken now, so that a publisher's book does not grow (allocate)
    /// while the feed runs.
    public mutating func reserveCapacity(orders: Int, levelsPerSide: Int, stockLocates: [SymbolIndex]) {
        orderTable.reserveCapacity(orders)
        symbols.reserveCapacity(stockLocates.count)
        for locate in stockLocates {
            var state = symbols[locate] ?? SymbolState()
            state.bids.levels.reserveCapacity(levelsPerSide)
            state.bids.prices.reserveCapacity(levelsPerSide)
            state.asks.levels.reserveCapacity(levelsPerSide)
            state.asks.prices.reserveCapacity(levelsPerSide)
            symbols[locate] = state
        }
    }

    // MARK: Applying messages

    /// Applies one message. On error the book is unchanged.
    public mutating func apply(_ message: ITCHMessage) throws(ITCHBookError) {
        switch message {
        case .systemEvent(let m):
            systemEventCode = m.eventCode
        case .stockDirectory(let m):
            symbols[m.header.stockLocate, default: SymbolState()].stock = m.stock
            symbols[m.header.stockLocate]!.roundLotSize = m.roundLotSize
        case .stockTradingAction(let m):
            symbols[m.header.stockLocate, default: SymbolState()].tradingState = m.tradingState
        case .addOrder(let m):
            try add(ITCHBookOrder(reference: m.orderReference, stockLocate: m.header.stockLocate, side: m.side,
                                  price: m.price, shares: m.shares), type: ITCHAddOrder.type)
        case .addOrderWithMPID(let m):
            try add(ITCHBookOrder(reference: m.orderReference, stockLocate: m.header.stockLocate, side: m.side,
                                  price: m.price, shares: m.shares), type: ITCHAddOrderWithMPID.type)
        case .orderExecuted(let m):
            try reduce(m.orderReference, by: m.executedShares, type: ITCHOrderExecuted.type)
        case .orderExecutedWithPrice(let m):
            try reduce(m.orderReference, by: m.executedShares, type: ITCHOrderExecutedWithPrice.type)
        case .orderCancel(let m):
            try reduce(m.orderReference, by: m.canceledShares, type: ITCHOrderCancel.type)
        case .orderDelete(let m):
            guard orderTable[m.orderReference] != nil else {
                throw .unknownOrderReference(m.orderReference, messageType: ITCHOrderDelete.type)
            }
            remove(m.orderReference)
        case .orderReplace(let m):
            try replace(m)
        case .trade:
            break
        case .snapshotComplete(let m):
            snapshotLastSequenceNumber = m.lastSequenceNumber
        }
    }

    mutating func add(_ order: ITCHBookOrder, type: UInt8) throws(ITCHBookError) {
        guard orderTable[order.reference] == nil else {
            throw .duplicateOrderReference(order.reference, messageType: type)
        }
        guard order.shares > 0 else { throw .zeroShares(order.reference, messageType: type) }
        insert(order)
    }

    mutating func reduce(_ reference: OrderReference, by shares: UInt32, type: UInt8) throws(ITCHBookError) {
        guard let node = orderTable[reference] else { throw .unknownOrderReference(reference, messageType: type) }
        guard shares > 0 else { throw .zeroShares(reference, messageType: type) }
        guard shares <= node.order.shares else {
            throw .sharesExceedOpen(reference, messageType: type, requested: shares, open: node.order.shares)
        }
        if shares == node.order.shares {
            remove(reference)
            return
        }
        orderTable[reference]!.order.shares -= shares
        let price = node.order.price.raw
        withSide(node.order.stockLocate, node.order.side) { $0.levels[price]!.quantity -= UInt64(shares) }
    }

    mutating func replace(_ m: ITCHOrderReplace) throws(ITCHBookError) {
        let type = ITCHOrderReplace.type
        guard let old = orderTable[m.originalOrderReference]?.order else {
            throw .unknownOrderReference(m.originalOrderReference, messageType: type)
        }
        // The new reference may not be on the book, except as the original itself
        // (never sent by this venue, but harmless: it is removed first).
        guard m.newOrderReference == m.originalOrderReference || orderTable[m.newOrderReference] == nil else {
            throw .duplicateOrderReference(m.newOrderReference, messageType: type)
        }
        guard m.shares > 0 else { throw .zeroShares(m.newOrderReference, messageType: type) }
        remove(m.originalOrderReference)
        insert(ITCHBookOrder(reference: m.newOrderReference, stockLocate: old.stockLocate, side: old.side,
                             price: m.price, shares: m.shares))
    }

    /// Gives `body` in-place access to one side of a symbol's book (created if
    /// needed), so that no level table is copied on write.
    mutating func withSide<R>(_ stockLocate: SymbolIndex, _ side: Side, _ body: (inout SideBook) -> R) -> R {
        side == .buy
            ? body(&symbols[stockLocate, default: SymbolState()].bids)
            : body(&symbols[stockLocate, default: SymbolState()].asks)
    }

    /// Links `order` at the back of its level, creating the level if needed.
    mutating func insert(_ order: ITCHBookOrder) {
        let price = order.price.raw
        let reference = order.reference
        let shares = UInt64(order.shares)
        let previousTail: OrderReference? = withSide(order.stockLocate, order.side) { side in
            if let tail = side.levels[price]?.tail {
                side.levels[price]!.tail = reference
                side.levels[price]!.quantity += shares
                side.levels[price]!.count += 1
                return tail
            }
            side.levels[price] = Level(quantity: shares, count: 1, head: reference, tail: reference)
            side.prices.insert(price, at: side.index(of: price).index)
            return nil
        }
        if let previousTail { orderTable[previousTail]!.next = reference }
        orderTable[reference] = Node(order: order, previous: previousTail, next: nil)
    }

    /// Unlinks a known order, dropping its level when it was the last one there.
    mutating func remove(_ reference: OrderReference) {
        let node = orderTable.removeValue(forKey: reference)!
        let order = node.order
        let price = order.price.raw
        if let previous = node.previous { orderTable[previous]!.next = node.next }
        if let next = node.next { orderTable[next]!.previous = node.previous }
        withSide(order.stockLocate, order.side) { side in
            side.levels[price]!.count -= 1
            if side.levels[price]!.count == 0 {
                side.levels[price] = nil
                side.prices.remove(at: side.index(of: price).index)
                return
            }
            side.levels[price]!.quantity -= UInt64(order.shares)
            if side.levels[price]!.head == reference { side.levels[price]!.head = node.next! }
            if side.levels[price]!.tail == reference { side.levels[price]!.tail = node.previous! }
        }
    }

    // MARK: Queries

    /// The stock locates the book knows (from a directory entry, a trading action or
    /// an order), ascending.
    public var stockLocates: [SymbolIndex] { symbols.keys.sorted() }

    /// The symbol a Stock Directory message named for `stockLocate`.
    public func stock(_ stockLocate: SymbolIndex) -> ITCHStock? { symbols[stockLocate]?.stock }

    /// The round lot a Stock Directory message gave `stockLocate`; nil without one.
    public func roundLotSize(_ stockLocate: SymbolIndex) -> UInt32? {
        guard let state = symbols[stockLocate], state.stock != nil else { return nil }
        return state.roundLotSize
    }

    /// The stock locate of a symbol named by a Stock Directory message.
    public func stockLocate(of stock: ITCHStock) -> SymbolIndex? {
        symbols.first { $0.value.stock == stock }?.key
    }

    /// The last TradingState byte (`H`, `P`, `Q`, `T`) for `stockLocate`.
    public func tradingState(_ stockLocate: SymbolIndex) -> UInt8? { symbols[stockLocate]?.tradingState }

    /// The resting order with this reference.
    public func order(_ reference: OrderReference) -> ITCHBookOrder? { orderTable[reference]?.order }

    /// Resting orders over every symbol.
    public var orderCount: Int { orderTable.count }

    /// Visits one side's orders in priority order: best price first (bids high to
    /// low, offers low to high), oldest first within a price.
    public func forEachOrder(_ stockLocate: SymbolIndex, side: Side, _ body: (ITCHBookOrder) throws -> Void) rethrows {
        guard let book = symbols[stockLocate]?[side] else { return }
        for price in side == .buy ? AnySequence(book.prices.reversed()) : AnySequence(book.prices) {
            var reference: OrderReference? = book.levels[price]!.head
            while let r = reference {
                let node = orderTable[r]!
                try body(node.order)
                reference = node.next
            }
        }
    }

    /// One side's orders in priority order.
    public func orders(_ stockLocate: SymbolIndex, side: Side) -> [ITCHBookOrder] {
        var result: [ITCHBookOrder] = []
        forEachOrder(stockLocate, side: side) { result.append($0) }
        return result
    }

    /// One side's levels, best first.
    public func levels(_ stockLocate: SymbolIndex, side: Side) -> [ITCHBookLevel] {
        guard let book = symbols[stockLocate]?[side] else { return [] }
        let prices = side == .buy ? Array(book.prices.reversed()) : book.prices
        return prices.map { price in
            let level = book.levels[price]!
            return ITCHBookLevel(price: Price(raw: price), quantity: level.quantity, orderCount: level.count)
        }
    }

    /// The best level of one side; nil when it is empty.
    public func best(_ stockLocate: SymbolIndex, side: Side) -> ITCHBookLevel? {
        guard let book = symbols[stockLocate]?[side],
              let price = side == .buy ? book.prices.last : book.prices.first
        else { return nil }
        let level = book.levels[price]!
        return ITCHBookLevel(price: Price(raw: price), quantity: level.quantity, orderCount: level.count)
    }

    /// Best bid and best offer.
    public func bestBidOffer(_ stockLocate: SymbolIndex) -> ITCHBestBidOffer {
        ITCHBestBidOffer(bid: best(stockLocate, side: .buy), offer: best(stockLocate, side: .sell))
    }
}
