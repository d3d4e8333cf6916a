import GatewayCore

/// Which resting orders a sweep cancels.
@usableFromInline
enum SweepScope {
    /// Every order of an account (mass cancel).
    case account(AccountIndex)
    /// Every order entered by a session (cancel on disconnect).
    case session(UInt16)
    /// Every Day order (end of day).
    case dayOrders

    @inlinable
    func contains(_ order: OrderRecord) -> Bool {
        switch self {
        case .account(let account): return order.account == account
        case .session(let session): return order.origin.session == session
        case .dayOrders: return order.timeInForce == .day
        }
    }
}

extension MatchingEngine.Core {
    /// Mass cancel of an account's orders, in one symbol or (symbol none) in all.
    /// Ends with `massCancelDone` carrying the count.
    @inlinable
    mutating func massCancel<Sink: EventSink>(_ command: Command, _ stamp: EventStamp, _ sink: inout Sink) {
        guard isKnown(command.account) else {
            sink.emit(MatchingEngine.Core.rejection(command, .unknownAccount, stamp))
            return
        }
        let symbols: Range<Int>
        if command.symbol == .none {
            symbols = 0..<symbolCount
        } else {
            guard isKnown(command.symbol) else {
                sink.emit(MatchingEngine.Core.rejection(command, .unknownSymbol, stamp))
                return
            }
            let position = MatchingEngine.Core.position(command.symbol)
            symbols = position..<position + 1
        }
        let count = sweep(.account(command.account), symbols: symbols, .userRequested, stamp, &sink)
        var done = MatchingEngine.Core.commandEvent(.massCancelDone, command, stamp)
        done.quantity = count
        sink.emit(done)
    }

    /// Cancel on disconnect: every order entered by `origin.session`, in every symbol
    /// and account. Ends with `massCancelDone` carrying the count.
    @inlinable
    mutating func cancelSessionOrders<Sink: EventSink>(
        _ command: Command, _ stamp: EventStamp, _ sink: inout Sink
    ) {
        let count = sweep(.session(command.origin.session), symbols: 0..<symbolCount, .disconnected, stamp, &sink)
        var done = MatchingEngine.Core.commandEvent(.massCancelDone, command, stamp)
        done.quantity = count
        sink.emit(done)
    }

    /// Cancels every resting order in `scope` within `symbols` (positions), in book
    /// order: symbol by symbol, bids then asks, best price first, oldest first. Returns
    /// how many it canceled.
    ///
    /// Costs a walk over every resting order of those symbols; mass cancels, disconnects
    /// and end of day are rare enough for that, and the walk gives a deterministic order
    /// without per-account or per-session lists to maintain on every order.
    @inlinable
    mutating func sweep<Sink: EventSink>(
        _ scope: SweepScope, symbols: Range<Int>, _ reason: CancelReason, _ stamp: EventStamp,
        _ sink: inout Sink
    ) -> UInt32 {
        var count: UInt32 = 0
        for symbolPosition in symbols {
            for sideOffset in 0..<2 {
                let sideIndex = symbolPosition &* 2 &+ sideOffset
                // Best (last) to worst. Removing the level at `position` shifts only
                // the better levels, already visited, so lower positions stay valid.
                var position = book.levels.bestPosition(sideIndex)
                while position >= 0 {
                    var slot = book.levels[sideIndex, position].head
                    while slot >= 0 {
                        let next = book.pool[slot].next
                        if scope.contains(book.pool[slot]) {
                            cancelResting(slot, sideIndex: sideIndex, position: position, reason, stamp, &sink)
                            count &+= 1
                        }
                        slot = next
                    }
                    position &-= 1
                }
            }
        }
        return count
    }
}
