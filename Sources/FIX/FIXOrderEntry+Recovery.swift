import GatewayCore

extension FIXOrderEntry {
    /// Rebuilds the order table after a restart: journal replay hands every replayed
    /// command and event here, in engine order, before the I/O thread starts. A FIX
    /// command is remembered as `received` would have remembered it, and its events go
    /// through the same bookkeeping as live ones with their reports discarded (they were
    /// sent before the stop). So CumQty, AvgPx, OrderStatusRequest and pending
    /// cancel/replace chains carry on across a restart (specs/fix44.md, "Order table").
    ///
    /// One difference from the live path: Side 5/6 (sell short) is not in the command,
    /// so a restored short sale reports 54=2.
    public func restore(command: Command) {
        guard command.keyKind == .clientOrderID, command.origin.source == source,
              command.origin.session >= 1, Int(command.origin.session) <= sessions.count
        else { return }
        let session = Int(command.origin.session) - 1
        switch command.kind {
        case .newOrder:
            sessions[session].remember(
                command.clientOrderID,
                FIXOrderEntryOrder(
                    symbol: command.symbol, fixSide: Self.fixSide(command.side), orderType: command.orderType,
                    timeInForce: command.timeInForce, price: command.price, orderQuantity: command.quantity,
                    account: command.account))
        case .cancel, .replace:
            sessions[session].orders[command.originalClientOrderID]?.pendingRequest = command.clientOrderID
            sessions[session].rememberRequest(
                command.clientOrderID,
                FIXOrderEntryRequest(
                    kind: command.kind == .replace ? .replace : .cancel, original: command.originalClientOrderID,
                    fixSide: Self.fixSide(command.side), massCancelType: 0))
        case .massCancel:
            sessions[session].rememberRequest(
                command.clientOrderID,
                FIXOrderEntryRequest(
                    kind: .massCancel, original: .empty, fixSide: 0,
                    massCancelType: command.symbol == .none ? UInt8(ascii: "7") : UInt8(ascii: "1")))
        default:
            break
        }
    }

    /// A replayed engine event: the live bookkeeping, no output.
    public func restore(event: Event) {
        var io = FIXOrderEntryDiscardingIO()
        handle(event, now: event.timestamp, io: &io)
    }
}

/// Swallows what the replayed events would have sent.
struct FIXOrderEntryDiscardingIO: FIXOrderEntryIO {
    mutating func submit(_ command: Command) -> Bool { false }
    mutating func reply(session: Int, msgType: StaticString, encode: (inout FIXEncoder) -> Void) {}
}
