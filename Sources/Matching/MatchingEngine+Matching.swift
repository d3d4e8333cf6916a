import GatewayCore

extension MatchingEngine.Core {
    /// Matches the in-flight order in `slot` against the opposite side, best price
    /// first and oldest first within a price, while it crosses and has quantity left.
    ///
    /// Each match emits `executed` for the resting order (liquidity added), `executed`
    /// for the incoming one (liquidity removed), then `trade`; the price is the resting
    /// order's. Meeting a resting order of the same account applies the account's
    /// self-trade prevention; canceling the incoming order sets its open quantity to 0
    /// (the caller frees the slot).
    @inlinable
    mutating func match<Sink: EventSink>(_ incoming: Int32, _ stamp: EventStamp, _ sink: inout Sink) {
        let side = book.pool[incoming].side
        let oppositeSide = side.opposite
        let account = book.pool[incoming].account
        let opposite = PriceLevels.sideIndex(symbol: book.pool[incoming].symbol, side: oppositeSide)
        // A level is reachable while its key is at least the incoming limit's key on the
        // opposite side; a market order reaches every level.
        let limitKey =
            book.pool[incoming].orderType == .market
            ? Int64.min : PriceLevels.key(book.pool[incoming].price, oppositeSide)
        let mode = selfTradePrevention[Int(account.rawValue) &- 1]

        while book.pool[incoming].openQuantity > 0 {
            let position = book.levels.bestPosition(opposite)
            if position < 0 { return }
            if PriceLevels.key(book.levels[opposite, position].price, oppositeSide) < limitKey { return }
            let resting = book.levels[opposite, position].head
            if book.pool[resting].account == account {
                switch mode {
                case .cancelNewest:
                    cancelIncoming(incoming, .selfTradePrevention, stamp, &sink)
                    return
                case .cancelOldest:
                    cancelResting(resting, sideIndex: opposite, position: position, .selfTradePrevention, stamp, &sink)
                case .cancelBoth:
                    cancelResting(resting, sideIndex: opposite, position: position, .selfTradePrevention, stamp, &sink)
                    cancelIncoming(incoming, .selfTradePrevention, stamp, &sink)
                    return
                }
                continue
            }
            execute(resting: resting, incoming: incoming, sideIndex: opposite, position: position, stamp, &sink)
        }
    }

    /// One match between the head of the best opposite level and the incoming order.
    @inlinable
    mutating func execute<Sink: EventSink>(
        resting: Int32, incoming: Int32, sideIndex: Int, position: Int, _ stamp: EventStamp, _ sink: inout Sink
    ) {
        let quantity = Swift.min(book.pool[resting].openQuantity, book.pool[incoming].openQuantity)
        let price = Price(raw: book.levels[sideIndex, position].price)
        let matchNumber = nextMatchNumber
        nextMatchNumber &+= 1

        book.pool[resting].openQuantity &-= quantity
        book.pool[resting].executedQuantity &+= quantity
        book.levels[sideIndex, position].quantity &-= UInt64(quantity)
        book.pool[incoming].openQuantity &-= quantity
        book.pool[incoming].executedQuantity &+= quantity

        var passive = orderEvent(.executed, resting, stamp)
        passive.price = price
        passive.quantity = quantity
        passive.liquidity = .added
        passive.matchNumber = matchNumber
        sink.emit(passive)

        var aggressive = orderEvent(.executed, incoming, stamp)
        aggressive.price = price
        aggressive.quantity = quantity
        aggressive.liquidity = .removed
        aggressive.matchNumber = matchNumber
        sink.emit(aggressive)

        var trade = Event(kind: .trade)
        trade.sequence = stamp.sequence
        trade.timestamp = stamp.timestamp
        trade.symbol = book.pool[incoming].symbol
        trade.side = book.pool[incoming].side
        trade.price = price
        trade.quantity = quantity
        trade.matchNumber = matchNumber
        trade.orderReference = book.pool[incoming].reference
        trade.previousOrderReference = book.pool[resting].reference
        sink.emit(trade)

        if book.pool[resting].openQuantity == 0 {
            book.unlink(resting, sideIndex: sideIndex, position: position)
            book.pool.release(resting)
        }
    }

    /// Cancels the remaining quantity of the in-flight order (self-trade prevention).
    @inlinable
    mutating func cancelIncoming<Sink: EventSink>(
        _ slot: Int32, _ reason: CancelReason, _ stamp: EventStamp, _ sink: inout Sink
    ) {
        sink.emit(cancellation(slot, reason, stamp))
        book.pool[slot].openQuantity = 0
    }

    /// Cancels a resting order whose level is known, and frees its slot.
    @inlinable
    mutating func cancelResting<Sink: EventSink>(
        _ slot: Int32, sideIndex: Int, position: Int, _ reason: CancelReason, _ stamp: EventStamp,
        _ sink: inout Sink
    ) {
        sink.emit(cancellation(slot, reason, stamp))
        book.unlink(slot, sideIndex: sideIndex, position: position)
        book.pool[slot].openQuantity = 0
        book.pool.release(slot)
    }

    /// Fill-or-kill check, made before anything trades: can the whole quantity of the
    /// in-flight order in `slot` execute on arrival?
    ///
    /// Walks the opposite side as matching would. Quantity of the order's own account
    /// never counts: under cancelOldest it would be canceled and skipped, under
    /// cancelNewest or cancelBoth matching would stop there, so the count stops there too.
    @inlinable
    func canFillCompletely(_ slot: Int32) -> Bool {
        let needed = UInt64(book.pool[slot].openQuantity)
        let account = book.pool[slot].account
        let oppositeSide = book.pool[slot].side.opposite
        let opposite = PriceLevels.sideIndex(symbol: book.pool[slot].symbol, side: oppositeSide)
        let limitKey =
            book.pool[slot].orderType == .market ? Int64.min : PriceLevels.key(book.pool[slot].price, oppositeSide)
        let skipsOwnOrders = selfTradePrevention[Int(account.rawValue) &- 1] == .cancelOldest
        var available: UInt64 = 0
        var position = book.levels.bestPosition(opposite)
        while position >= 0 {
            if PriceLevels.key(book.levels[opposite, position].price, oppositeSide) < limitKey { return false }
            var resting = book.levels[opposite, position].head
            while resting >= 0 {
                if book.pool[resting].account == account {
                    if !skipsOwnOrders { return false }
                } else {
                    available &+= UInt64(book.pool[resting].openQuantity)
                    if available >= needed { return true }
                }
                resting = book.pool[resting].next
            }
            position &-= 1
        }
        return false
    }
}
