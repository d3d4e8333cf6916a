import GatewayCore

/// A resting order as the queries report it (tests, recovery checks, market-data
/// snapshots). A copy: it does not change when the engine does.
public struct BookOrder: Equatable, Sendable, CustomStringConvertible {
    public var reference: OrderReference
    public var symbol: SymbolIndex
    public var account: AccountIndex
    public var side: Side
    public var price: Price
    public var openQuantity: UInt32
    /// Executed over the whole replace chain.
    public var executedQuantity: UInt32
    public var orderType: OrderType
    public var timeInForce: TimeInForce
    public var flags: OrderFlags
    public var keyKind: OrderKeyKind
    public var userReference: UInt32
    public var clientOrderID: ClientOrderID
    public var origin: OrderOrigin

    public init(
        reference: OrderReference, symbol: SymbolIndex, account: AccountIndex, side: Side, price: Price,
        openQuantity: UInt32, executedQuantity: UInt32 = 0, orderType: OrderType = .limit,
        timeInForce: TimeInForce = .day, flags: OrderFlags = [], keyKind: OrderKeyKind = .userReference,
        userReference: UInt32 = 0, clientOrderID: ClientOrderID = .empty, origin: OrderOrigin = .venue
    ) {
        self.reference = reference
        self.symbol = symbol
        self.account = account
        self.side = side
        self.price = price
        self.openQuantity = openQuantity
        self.executedQuantity = executedQuantity
        self.orderType = orderType
        self.timeInForce = timeInForce
        self.flags = flags
        self.keyKind = keyKind
        self.userReference = userReference
        self.clientOrderID = clientOrderID
        self.origin = origin
    }

    @usableFromInline
    init(_ record: OrderRecord) {
        self.init(
            reference: record.reference, symbol: record.symbol, account: record.account, side: record.side,
            price: Price(raw: record.price), openQuantity: record.openQuantity,
            executedQuantity: record.executedQuantity, orderType: record.orderType,
            timeInForce: record.timeInForce, flags: record.flags, keyKind: record.keyKind,
            userReference: record.userReference, clientOrderID: record.clientOrderID, origin: record.origin)
    }

    public var description: String {
        let key = keyKind == .userReference ? "ref \(userReference)" : "clOrdID \(clientOrderID)"
        return "#\(reference) \(account) \(side) \(openQuantity)@\(price) (\(key), executed \(executedQuantity), "
            + "\(timeInForce)\(flags.contains(.postOnly) ? ", post-only" : ""))"
    }
}

/// One price level as the queries report it.
public struct BookLevel: Equatable, Sendable {
    public var price: Price
    /// Sum of the open quantities at this price.
    public var quantity: UInt64
    public var orderCount: Int

    public init(price: Price, quantity: UInt64, orderCount: Int) {
        self.price = price
        self.quantity = quantity
        self.orderCount = orderCount
    }
}

/// Everything that determines the engine's future behaviour, as a comparable value:
/// two engines with equal dumps answer every future command identically. The
/// crash-recovery check compares the dump (or ``MatchingEngine/snapshotDigest()``) of a
/// replayed engine with the original's.
public struct EngineStateDump: Equatable, Sendable {
    public var nextOrderReference: OrderReference
    public var nextMatchNumber: UInt64
    public var isMarketOpen: Bool
    /// Per symbol, in directory order.
    public var tradingStates: [TradingState]
    /// Per symbol, in directory order.
    public var books: [SymbolBook]

    /// One symbol's book: each side best price first, oldest first within a price.
    public struct SymbolBook: Equatable, Sendable {
        public var bids: [BookOrder]
        public var asks: [BookOrder]
    }
}

// Queries. Engine thread only, like `process`; they read the state without changing
// it. The closures must not call back into the engine.
extension MatchingEngine {
    /// Visits the levels of one side of a symbol's book, best price first.
    public func forEachLevel(symbol: SymbolIndex, side: Side, _ body: (BookLevel) throws -> Void) rethrows {
        let book = core.book
        let sideIndex = sideIndex(symbol, side)
        var position = book.levels.bestPosition(sideIndex)
        while position >= 0 {
            let level = book.levels[sideIndex, position]
            try body(BookLevel(price: Price(raw: level.price), quantity: level.quantity, orderCount: Int(level.count)))
            position -= 1
        }
    }

    /// Visits the orders of one side of a symbol's book in priority order: best price
    /// first, and within a price, oldest first.
    public func forEachOrder(symbol: SymbolIndex, side: Side, _ body: (BookOrder) throws -> Void) rethrows {
        let book = core.book
        let sideIndex = sideIndex(symbol, side)
        var position = book.levels.bestPosition(sideIndex)
        while position >= 0 {
            var slot = book.levels[sideIndex, position].head
            while slot >= 0 {
                try body(BookOrder(book.pool[slot]))
                slot = book.pool[slot].next
            }
            position -= 1
        }
    }

    /// The levels of one side, best first.
    public func levels(symbol: SymbolIndex, side: Side) -> [BookLevel] {
        var result: [BookLevel] = []
        forEachLevel(symbol: symbol, side: side) { result.append($0) }
        return result
    }

    /// The orders of one side in priority order.
    public func orders(symbol: SymbolIndex, side: Side) -> [BookOrder] {
        var result: [BookOrder] = []
        forEachOrder(symbol: symbol, side: side) { result.append($0) }
        return result
    }

    /// The best price of one side, nil when it is empty.
    public func bestPrice(symbol: SymbolIndex, side: Side) -> Price? {
        let book = core.book
        let sideIndex = sideIndex(symbol, side)
        let position = book.levels.bestPosition(sideIndex)
        return position < 0 ? nil : Price(raw: book.levels[sideIndex, position].price)
    }

    /// Number of price levels on one side.
    public func levelCount(symbol: SymbolIndex, side: Side) -> Int {
        core.book.levels.count(sideIndex(symbol, side))
    }

    /// The resting OUCH-keyed order of `account` with this UserRefNum.
    public func order(account: AccountIndex, userReference: UInt32) -> BookOrder? {
        order(OrderKey(account: account, kind: .userReference, userReference: userReference, clientOrderID: .empty))
    }

    /// The resting FIX-keyed order of `account` with this ClOrdID.
    public func order(account: AccountIndex, clientOrderID: ClientOrderID) -> BookOrder? {
        order(OrderKey(account: account, kind: .clientOrderID, userReference: 0, clientOrderID: clientOrderID))
    }

    func order(_ key: OrderKey) -> BookOrder? {
        let slot = core.book.find(key)
        return slot < 0 ? nil : BookOrder(core.book.pool[slot])
    }

    /// Resting orders across every book.
    public var openOrderCount: Int { core.book.pool.usedCount }

    /// How many more orders can rest before ``RejectReason/capacityExceeded``.
    public var availableOrderCapacity: Int { Int(core.book.pool.freeCount) }

    public func tradingState(of symbol: SymbolIndex) -> TradingState {
        precondition(core.isKnown(symbol), "\(symbol) is not in the directory")
        return core.tradingStates[MatchingEngine.Core.position(symbol)]
    }

    /// False between an end of day and the next start of day.
    public var isMarketOpen: Bool { core.isMarketOpen }

    /// The reference the next accepted order will get.
    public var nextOrderReference: OrderReference { core.nextOrderReference }

    /// The number the next match will get.
    public var nextMatchNumber: UInt64 { core.nextMatchNumber }

    /// The whole state as a comparable value (allocates; for tests and recovery checks).
    public func stateDump() -> EngineStateDump {
        let symbols = (1...core.symbolCount).map { SymbolIndex(rawValue: UInt16($0)) }
        return EngineStateDump(
            nextOrderReference: core.nextOrderReference,
            nextMatchNumber: core.nextMatchNumber,
            isMarketOpen: core.isMarketOpen,
            tradingStates: symbols.map { tradingState(of: $0) },
            books: symbols.map {
                EngineStateDump.SymbolBook(bids: orders(symbol: $0, side: .buy), asks: orders(symbol: $0, side: .sell))
            })
    }

    /// A 64-bit FNV-1a digest of everything ``stateDump()`` holds, in the same order.
    /// Equal engines have equal digests; it does not depend on pool slots or the hash
    /// seed, only on the book as clients see it.
    public func snapshotDigest() -> UInt64 {
        var digest = FNV1a()
        digest.add(core.nextOrderReference)
        digest.add(core.nextMatchNumber)
        digest.add(core.isMarketOpen ? 1 : 0)
        for position in 0..<core.symbolCount {
            digest.add(UInt64(core.tradingStates[position].rawValue))
            for side in Side.allCases {
                let symbol = SymbolIndex(rawValue: UInt16(position + 1))
                digest.add(UInt64(levelCount(symbol: symbol, side: side)))
                forEachOrder(symbol: symbol, side: side) { order in
                    digest.add(order.reference)
                    digest.add(UInt64(order.symbol.rawValue) << 48 | UInt64(order.account.rawValue) << 32
                        | UInt64(order.side.rawValue) << 24 | UInt64(order.orderType.rawValue) << 16
                        | UInt64(order.timeInForce.rawValue) << 8 | UInt64(order.flags.rawValue))
                    digest.add(UInt64(bitPattern: order.price.raw))
                    digest.add(UInt64(order.openQuantity) << 32 | UInt64(order.executedQuantity))
                    digest.add(UInt64(order.keyKind.rawValue) << 32 | UInt64(order.userReference))
                    let words = order.clientOrderID.words
                    digest.add(words.0)
                    digest.add(words.1)
                    digest.add(words.2)
                    digest.add(UInt64(order.origin.source) << 48 | UInt64(order.origin.session) << 32
                        | UInt64(order.origin.connection))
                }
            }
        }
        // The risk state: replay must rebuild positions, open shares, limits and switches.
        let risk = core.risk
        for a in 0..<risk.accountCount {
            let l = risk.limits[a]
            for value in [l.maxOrderQuantity, l.maxOrderNotional, l.priceCollarBasisPoints, l.maxOpenOrders,
                          l.maxGrossPosition, l.maxNetPosition, l.maxTotalExposure, risk.openOrders[a]] {
                digest.add(UInt64(bitPattern: value))
            }
            digest.add(risk.killSwitch[a] ? 1 : 0)
        }
        for c in 0..<(risk.accountCount * risk.symbolCount) {
            digest.add(UInt64(bitPattern: risk.position[c]))
            digest.add(UInt64(bitPattern: risk.openBuy[c]))
            digest.add(UInt64(bitPattern: risk.openSell[c]))
            digest.add(risk.restricted[c] ? 1 : 0)
        }
        for s in 0..<risk.symbolCount {
            digest.add(UInt64(bitPattern: risk.referencePrice[s]))
            digest.add(UInt64(bitPattern: risk.lastTradePrice[s]))
        }
        return digest.value
    }

    private func sideIndex(_ symbol: SymbolIndex, _ side: Side) -> Int {
        precondition(core.isKnown(symbol), "\(symbol) is not in the directory")
        return PriceLevels.sideIndex(symbol: symbol, side: side)
    }
}
