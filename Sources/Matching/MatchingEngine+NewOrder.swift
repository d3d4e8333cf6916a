import GatewayCore

extension MatchingEngine.Core {
    /// New order: validate, accept, match, then rest (Day, GTC) or cancel the rest
    /// (IOC, FOK, market).
    @inlinable
    mutating func enterOrder<Sink: EventSink>(_ command: Command, _ stamp: EventStamp, _ sink: inout Sink) {
        if let reason = refusal(ofNewOrder: command) {
            sink.emit(MatchingEngine.Core.rejection(command, reason, stamp))
            return
        }
        let canRest = MatchingEngine.Core.canRest(command.orderType, command.timeInForce)
        // Capacity was checked in refusal(ofNewOrder:) for an order that can rest; one
        // that cannot matches in the scratch slot and needs none.
        let slot = canRest ? book.pool.allocate() : book.pool.scratch
        book.pool[slot] = OrderRecord()
        book.pool[slot].state = .inFlight
        book.pool[slot].price = command.orderType == .market ? 0 : command.price.raw
        book.pool[slot].reference = nextOrderReference
        book.pool[slot].clientOrderID = command.clientOrderID
        book.pool[slot].origin = command.origin
        book.pool[slot].userReference = command.userReference
        book.pool[slot].openQuantity = command.quantity
        book.pool[slot].symbol = command.symbol
        book.pool[slot].account = command.account
        book.pool[slot].side = command.side
        book.pool[slot].orderType = command.orderType
        book.pool[slot].timeInForce = command.timeInForce
        book.pool[slot].flags = command.flags
        book.pool[slot].keyKind = command.keyKind
        nextOrderReference &+= 1

        sink.emit(orderEvent(.accepted, slot, stamp))

        if command.timeInForce == .fillOrKill && !canFillCompletely(slot) {
            sink.emit(cancellation(slot, .fillOrKill, stamp))
            book.pool[slot].openQuantity = 0
            book.pool.release(slot)
            return
        }
        match(slot, stamp, &sink)
        finishIncoming(slot, canRest: canRest, stamp, &sink)
    }

    /// Whether an order of this type and time in force rests when it does not fill.
    @inlinable
    static func canRest(_ orderType: OrderType, _ timeInForce: TimeInForce) -> Bool {
        orderType == .limit && (timeInForce == .day || timeInForce == .goodTillCancel)
    }

    /// Why a new order is refused, in the order the checks are made, or nil.
    @inlinable
    func refusal(ofNewOrder command: Command) -> RejectReason? {
        guard isKnown(command.symbol) else { return .unknownSymbol }
        guard isKnown(command.account) else { return .unknownAccount }
        let isMarket = command.orderType == .market
        if command.flags.contains(.postOnly) {
            // Post-only must be able to rest: a limit Day or GTC order.
            if isMarket { return .invalidOrderType }
            if command.timeInForce == .immediateOrCancel || command.timeInForce == .fillOrKill {
                return .invalidTimeInForce
            }
        }
        guard command.quantity > 0, isWholeLots(command.quantity, command.symbol) else { return .invalidQuantity }
        if !isMarket {
            guard isOnTick(command.price.raw, command.symbol) else { return .invalidPrice }
        }
        guard isMarketOpen else { return .marketClosed }
        guard tradingStates[MatchingEngine.Core.position(command.symbol)] == .trading else { return .symbolHalted }
        if let reason = risk.refusal(
            account: command.account, symbol: command.symbol, side: command.side, quantity: Int64(command.quantity),
            addedShares: Int64(command.quantity), price: isMarket ? 0 : command.price.raw, countsAsNewOrder: true)
        {
            return reason
        }
        let key = OrderKey(
            account: command.account, kind: command.keyKind,
            userReference: command.userReference, clientOrderID: command.clientOrderID)
        guard book.find(key) < 0 else { return .duplicateOrderID }
        if MatchingEngine.Core.canRest(command.orderType, command.timeInForce) {
            // Reserve room before accepting, so that an accepted order is never refused
            // afterwards. Conservative: an order that would fill completely is refused
            // too when it could not have rested.
            guard book.pool.freeCount > 0,
                book.hasRoom(symbol: command.symbol, side: command.side, price: command.price.raw)
            else { return .capacityExceeded }
        }
        if command.flags.contains(.postOnly)
            && book.crosses(symbol: command.symbol, side: command.side, price: command.price.raw)
        {
            return .postOnlyWouldTrade
        }
        return nil
    }

    /// After matching: free a filled (or self-trade-canceled) order's slot, rest what
    /// is left of a Day/GTC order, cancel what is left of an IOC or market order.
    @inlinable
    mutating func finishIncoming<Sink: EventSink>(
        _ slot: Int32, canRest: Bool, _ stamp: EventStamp, _ sink: inout Sink
    ) {
        if book.pool[slot].openQuantity == 0 {
            book.pool.release(slot)
        } else if canRest {
            book.rest(slot)
            sink.emit(orderEvent(.booked, slot, stamp))
        } else {
            sink.emit(cancellation(slot, .immediateOrCancel, stamp))
            book.pool[slot].openQuantity = 0
            book.pool.release(slot)
        }
    }
}
