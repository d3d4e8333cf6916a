import GatewayCore

extension MatchingEngine.Core {
    /// Cancel (quantity 0) or reduce (quantity = the new open quantity, keeping
    /// priority). Works while the symbol is halted and after end of day.
    @inlinable
    mutating func cancelOrder<Sink: EventSink>(_ command: Command, _ stamp: EventStamp, _ sink: inout Sink) {
        let slot = book.find(MatchingEngine.Core.targetKey(of: command))
        guard slot >= 0 else {
            sink.emit(cancelRejection(command, .unknownOrder, slot: -1, stamp))
            return
        }
        if command.quantity == 0 {
            cancelOnRequest(slot, command, .userRequested, stamp, &sink)
            return
        }
        let open = book.pool[slot].openQuantity
        // A reduce must leave whole lots, and must reduce: asking for as much as is
        // open or more changes nothing and is answered as a refused modification
        // (OUCH sessions drop that answer; the order stays as it was).
        guard command.quantity < open, isWholeLots(command.quantity, book.pool[slot].symbol) else {
            sink.emit(cancelRejection(command, .invalidModification, slot: slot, stamp))
            return
        }
        let decrement = open &- command.quantity
        book.reduce(slot, by: decrement)
        var event = orderEvent(.canceled, slot, stamp)
        event.quantity = decrement
        event.cancelReason = .userRequested
        MatchingEngine.Core.answer(
            &event, to: command,
            previousUserReference: book.pool[slot].userReference,
            previousClientOrderID: book.pool[slot].clientOrderID)
        sink.emit(event)
    }

    /// Modify (OUCH): set a lower open quantity keeping priority. The side must be the
    /// order's; the quantity may not grow. 0 cancels the order; the same quantity
    /// changes nothing and is confirmed with `modified`.
    @inlinable
    mutating func modifyOrder<Sink: EventSink>(_ command: Command, _ stamp: EventStamp, _ sink: inout Sink) {
        let slot = book.find(MatchingEngine.Core.targetKey(of: command))
        guard slot >= 0 else {
            sink.emit(cancelRejection(command, .unknownOrder, slot: -1, stamp))
            return
        }
        let open = book.pool[slot].openQuantity
        guard command.side == book.pool[slot].side, command.quantity <= open,
            isWholeLots(command.quantity, book.pool[slot].symbol)
        else {
            sink.emit(cancelRejection(command, .invalidModification, slot: slot, stamp))
            return
        }
        if command.quantity == 0 {
            cancelOnRequest(slot, command, .userRequested, stamp, &sink)
            return
        }
        if command.quantity < open {
            book.reduce(slot, by: open &- command.quantity)
        }
        var event = orderEvent(.modified, slot, stamp)
        event.previousLeavesQuantity = open
        MatchingEngine.Core.answer(
            &event, to: command,
            previousUserReference: book.pool[slot].userReference,
            previousClientOrderID: book.pool[slot].clientOrderID)
        sink.emit(event)
    }

    /// Cancels a resting order in answer to `command` (a cancel, modify or replace of
    /// it) and frees its slot.
    @inlinable
    mutating func cancelOnRequest<Sink: EventSink>(
        _ slot: Int32, _ command: Command, _ reason: CancelReason, _ stamp: EventStamp, _ sink: inout Sink
    ) {
        var event = cancellation(slot, reason, stamp)
        MatchingEngine.Core.answer(
            &event, to: command,
            previousUserReference: book.pool[slot].userReference,
            previousClientOrderID: book.pool[slot].clientOrderID)
        sink.emit(event)
        book.delete(slot)
    }
}
