import GatewayCore

/// The sink every event of a command goes through first: the risk book learns of it,
/// then the caller's sink (held here, by value, for one `process` call) gets it.
@usableFromInline
struct RiskTrackingSink<Base: EventSink>: EventSink {
    @usableFromInline let risk: RiskBook
    @usableFromInline var base: Base

    @inlinable
    init(risk: RiskBook, base: consuming Base) {
        self.risk = risk
        self.base = base
    }

    @inlinable
    mutating func emit(_ event: Event) {
        risk.observe(event)
        base.emit(event)
    }
}

extension MatchingEngine.Core {
    /// A risk update: one limit of one account, or a symbol restricted or allowed.
    /// Answered with `riskUpdated` (the command echoed) or `rejected invalidRiskUpdate`.
    @inlinable
    mutating func updateRisk<Sink: EventSink>(_ command: Command, _ stamp: EventStamp, _ sink: inout Sink) {
        guard isKnown(command.account) else {
            sink.emit(MatchingEngine.Core.rejection(command, .unknownAccount, stamp))
            return
        }
        guard let limit = RiskLimit(rawValue: command.code) else {
            sink.emit(MatchingEngine.Core.rejection(command, .invalidRiskUpdate, stamp))
            return
        }
        let value = command.price.raw
        if limit == .restrictedSymbol {
            guard isKnown(command.symbol) else {
                sink.emit(MatchingEngine.Core.rejection(command, .unknownSymbol, stamp))
                return
            }
            guard value == 0 || value == 1 else {
                sink.emit(MatchingEngine.Core.rejection(command, .invalidRiskUpdate, stamp))
                return
            }
            risk.restricted[risk.cell(command.account, command.symbol)] = value == 1
        } else {
            var limits = risk.limits[Int(command.account.rawValue) &- 1]
            guard limits.set(limit, value) else {
                sink.emit(MatchingEngine.Core.rejection(command, .invalidRiskUpdate, stamp))
                return
            }
            risk.limits[Int(command.account.rawValue) &- 1] = limits
        }
        sink.emit(MatchingEngine.Core.commandEvent(.riskUpdated, command, stamp))
    }

    /// Kill switch: engaged (`code` 1) cancels every open order of the account
    /// (`canceled supervisory`, in book order) and refuses its new orders and replaces
    /// until released (`code` 0). Answered with `riskUpdated`.
    @inlinable
    mutating func setKillSwitch<Sink: EventSink>(_ command: Command, _ stamp: EventStamp, _ sink: inout Sink) {
        guard isKnown(command.account) else {
            sink.emit(MatchingEngine.Core.rejection(command, .unknownAccount, stamp))
            return
        }
        guard command.code <= 1 else {
            sink.emit(MatchingEngine.Core.rejection(command, .invalidRiskUpdate, stamp))
            return
        }
        risk.killSwitch[Int(command.account.rawValue) &- 1] = command.code == 1
        var done = MatchingEngine.Core.commandEvent(.riskUpdated, command, stamp)
        if command.code == 1 {
            done.quantity = sweep(.account(command.account), symbols: 0..<symbolCount, .supervisory, stamp, &sink)
        }
        sink.emit(done)
    }

    /// A symbol's reference price for the collar (until it trades). Answered with
    /// `riskUpdated`.
    @inlinable
    mutating func setReferencePrice<Sink: EventSink>(_ command: Command, _ stamp: EventStamp, _ sink: inout Sink) {
        guard isKnown(command.symbol) else {
            sink.emit(MatchingEngine.Core.rejection(command, .unknownSymbol, stamp))
            return
        }
        guard command.price.raw > 0 else {
            sink.emit(MatchingEngine.Core.rejection(command, .invalidPrice, stamp))
            return
        }
        risk.referencePrice[MatchingEngine.Core.position(command.symbol)] = command.price.raw
        sink.emit(MatchingEngine.Core.commandEvent(.riskUpdated, command, stamp))
    }

    /// A signal becomes a limit order of the signal's account (specs/engine-records.md,
    /// "Signals"): a quantity target trades that quantity; a position target trades the
    /// difference between the target and the position the account would hold if its
    /// open orders in the symbol filled, rounded down to whole lots. The order (keyed by
    /// the command's ClOrdID, Day or IOC as the command says) then goes through the
    /// same checks, risk gates and book as any new order; nothing to trade is
    /// `rejected signalNoChange`.
    @inlinable
    mutating func enterSignal<Sink: EventSink>(_ command: Command, _ stamp: EventStamp, _ sink: inout Sink) {
        guard isKnown(command.symbol) else {
            sink.emit(MatchingEngine.Core.rejection(command, .unknownSymbol, stamp))
            return
        }
        guard isKnown(command.account) else {
            sink.emit(MatchingEngine.Core.rejection(command, .unknownAccount, stamp))
            return
        }
        guard let target = SignalTarget(rawValue: command.code) else {
            sink.emit(MatchingEngine.Core.rejection(command, .invalidOrderType, stamp))
            return
        }
        var side = command.side
        var quantity = Int64(command.quantity)
        if target == .position {
            let c = risk.cell(command.account, command.symbol)
            let wanted = command.side == .sell ? -quantity : quantity
            let reach = risk.position[c] &+ risk.openBuy[c] &- risk.openSell[c]
            let difference = wanted &- reach
            side = difference >= 0 ? .buy : .sell
            quantity = abs(difference)
        }
        let lot = Int64(lotSizes[MatchingEngine.Core.position(command.symbol)])
        quantity = min(quantity - quantity % lot, Int64(UInt32.max) - Int64(UInt32.max) % lot)
        guard quantity > 0 else {
            sink.emit(MatchingEngine.Core.rejection(command, .signalNoChange, stamp))
            return
        }
        var order = command
        order.kind = .newOrder
        order.code = 0
        order.side = side
        order.orderType = .limit
        // Keyed by the command's ClOrdID (the bridge makes it unique and marks it), so a
        // signal's order never collides with an OUCH UserRefNum of the same account.
        order.keyKind = .clientOrderID
        order.quantity = UInt32(quantity)
        order.flags = []
        if order.timeInForce != .immediateOrCancel { order.timeInForce = .day }
        enterOrder(order, stamp, &sink)
    }
}
