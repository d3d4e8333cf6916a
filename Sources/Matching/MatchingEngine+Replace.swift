import GatewayCore

extension MatchingEngine.Core {
    /// Replace: a new identifier, price and quantity for a resting order.
    ///
    /// `quantity` is the total liable for the chain, executions included, so the new
    /// open quantity is `quantity − executed`. The same price with an open quantity that
    /// does not grow keeps the order's place (and reference) unless the command carries
    /// `OrderFlags.replaceLosesPriority`; a new price or a larger
    /// open quantity takes the order off the book, gives it a new reference and enters
    /// it again like a new order: it may trade on arrival, then rests.
    ///
    /// Checks, in order (specs/engine-records.md, "Replace"): the original must be
    /// live (else cancelRejected unknownOrder), the market open (marketClosed), the
    /// symbol trading (symbolHalted), a FIX-keyed replace must keep the side
    /// (invalidModification), the new identifier must not be live (duplicateOrderID).
    /// Past those the original is live and the replace acts on it: invalid new details
    /// cancel it (invalidReplace), a quantity not above what has executed cancels it
    /// (userRequested), a post-only order moved to a crossing price is canceled
    /// (postOnlyWouldTrade); a new price level the side has no room for refuses the
    /// replace and leaves the order as it was (cancelRejected capacityExceeded).
    @inlinable
    mutating func replaceOrder<Sink: EventSink>(_ command: Command, _ stamp: EventStamp, _ sink: inout Sink) {
        let originalKey = OrderKey(
            account: command.account, kind: command.keyKind,
            userReference: command.originalUserReference, clientOrderID: command.originalClientOrderID)
        let slot = book.find(originalKey)
        guard slot >= 0 else {
            sink.emit(cancelRejection(command, .unknownOrder, slot: -1, stamp))
            return
        }
        let symbol = book.pool[slot].symbol
        let side = book.pool[slot].side
        guard isMarketOpen else {
            sink.emit(cancelRejection(command, .marketClosed, slot: slot, stamp))
            return
        }
        guard tradingStates[MatchingEngine.Core.position(symbol)] == .trading else {
            sink.emit(cancelRejection(command, .symbolHalted, slot: slot, stamp))
            return
        }
        // FIX OrderCancelReplaceRequest carries Side (tag 54), which must match; an
        // OUCH Replace Order carries none, so its side field is not read.
        if command.keyKind == .clientOrderID && command.side != side {
            sink.emit(cancelRejection(command, .invalidModification, slot: slot, stamp))
            return
        }
        let newKey = OrderKey(
            account: command.account, kind: command.keyKind,
            userReference: command.userReference, clientOrderID: command.clientOrderID)
        // The original's own identifier counts as live: a replace must name a new one.
        guard book.find(newKey) < 0 else {
            sink.emit(cancelRejection(command, .duplicateOrderID, slot: slot, stamp))
            return
        }
        guard command.quantity > 0, isWholeLots(command.quantity, symbol), isOnTick(command.price.raw, symbol) else {
            cancelOnRequest(slot, command, .invalidReplace, stamp, &sink)
            return
        }
        let executed = book.pool[slot].executedQuantity
        guard command.quantity > executed else {
            cancelOnRequest(slot, command, .userRequested, stamp, &sink)
            return
        }
        let newOpen = command.quantity &- executed
        let open = book.pool[slot].openQuantity
        let newPrice = command.price.raw
        if risk.refusal(
            account: command.account, symbol: symbol, side: side, quantity: Int64(newOpen),
            addedShares: Int64(newOpen) &- Int64(open), price: newPrice, countsAsNewOrder: false) != nil
        {
            sink.emit(cancelRejection(command, .riskLimit, slot: slot, stamp))
            return
        }
        let priceChanges = newPrice != book.pool[slot].price
        let previousUserReference = book.pool[slot].userReference
        let previousClientOrderID = book.pool[slot].clientOrderID
        let previousReference = book.pool[slot].reference

        if !priceChanges && newOpen <= open && !command.flags.contains(.replaceLosesPriority) {
            // Keeps its place: same price, open quantity not larger, and the protocol's
            // rules allow it (OUCH asks for every replace to lose priority).
            if newOpen < open { book.reduce(slot, by: open &- newOpen) }
            book.rekey(slot, userReference: command.userReference, clientOrderID: command.clientOrderID)
            book.pool[slot].origin = command.origin
            var event = orderEvent(.replaced, slot, stamp)
            event.previousOrderReference = previousReference
            event.previousLeavesQuantity = open
            MatchingEngine.Core.answer(
                &event, to: command,
                previousUserReference: previousUserReference, previousClientOrderID: previousClientOrderID)
            sink.emit(event)
            return
        }

        if priceChanges && book.pool[slot].flags.contains(.postOnly)
            && book.crosses(symbol: symbol, side: side, price: newPrice)
        {
            cancelOnRequest(slot, command, .postOnlyWouldTrade, stamp, &sink)
            return
        }
        // Room for the new price: its level exists, the side has room, or the order
        // leaving its old level frees that level.
        if priceChanges && !book.hasRoom(symbol: symbol, side: side, price: newPrice)
            && !book.isAloneOnLevel(slot)
        {
            sink.emit(cancelRejection(command, .capacityExceeded, slot: slot, stamp))
            return
        }

        // Loses priority: off the book, new details and reference, in again.
        book.unlink(slot)
        book.pool[slot].price = newPrice
        book.pool[slot].openQuantity = newOpen
        book.pool[slot].userReference = command.userReference
        book.pool[slot].clientOrderID = command.clientOrderID
        book.pool[slot].origin = command.origin
        book.pool[slot].reference = nextOrderReference
        nextOrderReference &+= 1
        var event = orderEvent(.replaced, slot, stamp)
        event.previousOrderReference = previousReference
        event.previousLeavesQuantity = open
        MatchingEngine.Core.answer(
            &event, to: command,
            previousUserReference: previousUserReference, previousClientOrderID: previousClientOrderID)
        sink.emit(event)

        match(slot, stamp, &sink)
        finishIncoming(slot, canRest: true, stamp, &sink)
    }
}
