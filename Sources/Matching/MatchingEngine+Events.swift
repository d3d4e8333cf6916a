import GatewayCore

// How events are filled in. The rules (specs/engine-records.md, "Event fields"):
// - An event about an order carries that order's details as they are after the event:
//   side, type, time in force, flags, symbol, account, reference, identifiers, limit
//   price, leaves and cumulative quantities; `destination` is the order's origin.
// - An event answering a request about an existing order (cancel, reduce, modify,
//   replace) goes to the requester (`destination` = the command's origin) and carries
//   the request's `clientOrderID` with the order's previous identifiers in
//   `originalClientOrderID`/`originalUserReference` (FIX ClOrdID/OrigClOrdID, OUCH
//   UserRefNum/OrigUserRefNum).
// - An event answering a command that names no existing order (rejected,
//   cancelRejected of an unknown order, massCancelDone, venue events) echoes the
//   command's fields.
extension MatchingEngine.Core {
    /// An event about the order in `slot`, with its current details.
    @inlinable
    func orderEvent(_ kind: EventKind, _ slot: Int32, _ stamp: EventStamp) -> Event {
        var event = Event(kind: kind)
        let order = book.pool[slot]
        event.side = order.side
        event.orderType = order.orderType
        event.timeInForce = order.timeInForce
        event.flags = order.flags
        event.symbol = order.symbol
        event.account = order.account
        event.destination = order.origin
        event.sequence = stamp.sequence
        event.timestamp = stamp.timestamp
        event.orderReference = order.reference
        event.userReference = order.userReference
        event.clientOrderID = order.clientOrderID
        event.price = Price(raw: order.price)
        event.quantity = order.openQuantity
        event.leavesQuantity = order.openQuantity
        event.cumulativeQuantity = order.executedQuantity
        return event
    }

    /// Turns an order event into the answer to `command`, a request about that order
    /// whose identifiers before the request were `previousUserReference` and
    /// `previousClientOrderID`.
    @inlinable
    static func answer(
        _ event: inout Event, to command: Command,
        previousUserReference: UInt32, previousClientOrderID: ClientOrderID
    ) {
        event.destination = command.origin
        event.clientOrderID = command.clientOrderID
        event.originalClientOrderID = previousClientOrderID
        event.originalUserReference = previousUserReference
    }

    /// An event echoing the fields of `command`.
    @inlinable
    static func commandEvent(_ kind: EventKind, _ command: Command, _ stamp: EventStamp) -> Event {
        var event = Event(kind: kind)
        event.side = command.side
        event.orderType = command.orderType
        event.timeInForce = command.timeInForce
        event.flags = command.flags
        event.symbol = command.symbol
        event.account = command.account
        event.destination = command.origin
        event.sequence = stamp.sequence
        event.timestamp = stamp.timestamp
        event.userReference = command.userReference
        event.originalUserReference = command.originalUserReference
        event.clientOrderID = command.clientOrderID
        event.originalClientOrderID = command.originalClientOrderID
        event.price = command.price
        event.quantity = command.quantity
        return event
    }

    @inlinable
    static func rejection(_ command: Command, _ reason: RejectReason, _ stamp: EventStamp) -> Event {
        var event = commandEvent(.rejected, command, stamp)
        event.rejectReason = reason
        return event
    }

    /// The refusal of a cancel, modify or replace. Echoes the command; when the target
    /// order exists (`slot >= 0`) also carries its symbol, side, type, reference and
    /// quantities, which a FIX OrderCancelReject reports.
    @inlinable
    func cancelRejection(
        _ command: Command, _ reason: CancelRejectReason, slot: Int32, _ stamp: EventStamp
    ) -> Event {
        var event = MatchingEngine.Core.commandEvent(.cancelRejected, command, stamp)
        event.cancelRejectReason = reason
        if slot >= 0 {
            let order = book.pool[slot]
            event.symbol = order.symbol
            event.side = order.side
            event.orderType = order.orderType
            event.timeInForce = order.timeInForce
            event.flags = order.flags
            event.orderReference = order.reference
            event.leavesQuantity = order.openQuantity
            event.cumulativeQuantity = order.executedQuantity
        }
        return event
    }

    /// The `canceled` event for the whole open quantity of the order in `slot`.
    @inlinable
    func cancellation(_ slot: Int32, _ reason: CancelReason, _ stamp: EventStamp) -> Event {
        var event = orderEvent(.canceled, slot, stamp)
        event.quantity = book.pool[slot].openQuantity
        event.leavesQuantity = 0
        event.cancelReason = reason
        return event
    }
}
