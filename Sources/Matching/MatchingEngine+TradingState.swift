import GatewayCore

extension MatchingEngine.Core {
    /// Halt or resume one symbol. A halted symbol refuses new orders and replaces;
    /// cancels, reduces and modifies still work. Announced with `tradingStateChanged`
    /// even when the state does not change, so market data can repeat it.
    @inlinable
    mutating func setTradingState<Sink: EventSink>(_ command: Command, _ stamp: EventStamp, _ sink: inout Sink) {
        guard isKnown(command.symbol) else {
            sink.emit(MatchingEngine.Core.rejection(command, .unknownSymbol, stamp))
            return
        }
        guard let state = TradingState(rawValue: command.code) else {
            sink.emit(MatchingEngine.Core.rejection(command, .unknownCommand, stamp))
            return
        }
        tradingStates[MatchingEngine.Core.position(command.symbol)] = state
        var event = MatchingEngine.Core.commandEvent(.tradingStateChanged, command, stamp)
        event.code = state.rawValue
        sink.emit(event)
    }

    /// Start or end of the trading day. Start of day emits `systemEvent` and opens the
    /// market. End of day first cancels every Day order (reason endOfDay, book order),
    /// keeps GTC orders, then emits `systemEvent` — last, so that whoever ends a session
    /// on it has already seen every cancel — and closes the market until the next start
    /// of day: new orders are refused with marketClosed, replaces with cancelRejected
    /// marketClosed; cancels still work.
    @inlinable
    mutating func systemEvent<Sink: EventSink>(_ command: Command, _ stamp: EventStamp, _ sink: inout Sink) {
        guard let code = SystemEventCode(rawValue: command.code) else {
            sink.emit(MatchingEngine.Core.rejection(command, .unknownCommand, stamp))
            return
        }
        var event = MatchingEngine.Core.commandEvent(.systemEvent, command, stamp)
        event.code = code.rawValue
        switch code {
        case .startOfDay:
            sink.emit(event)
            isMarketOpen = true
        case .endOfDay:
            isMarketOpen = false
            _ = sweep(.dayOrders, symbols: 0..<symbolCount, .endOfDay, stamp, &sink)
            sink.emit(event)
        }
    }
}
