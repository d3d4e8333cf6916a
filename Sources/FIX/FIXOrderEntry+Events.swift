import GatewayCore

extension FIXOrderEntry {
    /// The FIX session index an event is addressed to, or nil when it is not for one
    /// of this port's sessions.
    public func sessionIndex(of event: Event) -> Int? {
        let d = event.destination
        guard d.source == source, d.session >= 1, Int(d.session) <= sessions.count else { return nil }
        return Int(d.session) - 1
    }

    /// Whether session `session` trades for `account` (its own, or one of its allowed
    /// accounts).
    public func mayTrade(_ account: AccountIndex, session: Int) -> Bool {
        if session < accounts.count && accounts[session] == account { return true }
        return session < sessionAccounts.count && sessionAccounts[session].contains { $0.account == account }
    }

    /// Reports engine event `event` to its FIX session. Returns false (and does nothing)
    /// when its destination is not one of this port's FIX sessions. `booked`, `trade`
    /// and venue events send nothing.
    @discardableResult
    public func handle<IO: FIXOrderEntryIO>(_ event: Event, now: Timestamp, io: inout IO) -> Bool {
        guard let session = sessionIndex(of: event) else { return false }
        switch event.kind {
        case .accepted: accepted(event, session: session, io: &io)
        case .executed: executed(event, session: session, io: &io)
        case .canceled: canceled(event, session: session, io: &io)
        case .replaced, .modified: replaced(event, session: session, io: &io)
        case .rejected: rejected(event, session: session, io: &io)
        case .cancelRejected: cancelRejected(event, session: session, io: &io)
        case .massCancelDone: massCancelDone(event, session: session, io: &io)
        case .booked, .trade, .tradingStateChanged, .systemEvent, .riskUpdated: break
        }
        return true
    }

    static func fixSide(_ side: Side) -> UInt8 { 0x30 + side.rawValue }

    /// The report skeleton for an event about `order` (or about the event's own fields
    /// when the table does not know the order).
    func report(_ event: Event, _ order: FIXOrderEntryOrder?, execType: UInt8, ordStatus: UInt8) -> FIXExecutionReport {
        var r = FIXExecutionReport(
            clOrdID: event.clientOrderID, orderReference: event.orderReference, execType: execType,
            ordStatus: ordStatus, symbol: event.symbol, fixSide: order?.fixSide ?? Self.fixSide(event.side),
            orderQuantity: order?.orderQuantity ?? (event.cumulativeQuantity &+ event.leavesQuantity),
            transactTime: event.timestamp)
        if event.originalClientOrderID != event.clientOrderID { r.origClOrdID = event.originalClientOrderID }
        r.account = order?.account ?? event.account
        // Reports caused by the engine come after the order's own message was handled:
        // the session layer no longer knows its third party, the table does.
        r.deliverTo = order?.onBehalfOf ?? .empty
        r.onBehalfOf = order?.deliverTo ?? .empty
        r.orderType = event.orderType
        r.price = event.orderType == .limit ? event.price : .zero
        r.timeInForce = event.timeInForce
        r.leaves = event.leavesQuantity
        r.cumulative = event.cumulativeQuantity
        r.averagePrice = order?.averagePrice ?? .zero
        return r
    }

    func accepted<IO: FIXOrderEntryIO>(_ event: Event, session: Int, io: inout IO) {
        var order = sessions[session].orders[event.clientOrderID]
            ?? FIXOrderEntryOrder(
                symbol: event.symbol, fixSide: Self.fixSide(event.side), orderType: event.orderType,
                timeInForce: event.timeInForce, price: event.price, orderQuantity: event.quantity)
        order.accepted = true
        order.orderReference = event.orderReference
        order.orderQuantity = event.quantity
        order.leaves = event.leavesQuantity
        order.cumulative = event.cumulativeQuantity
        sessions[session].remember(event.clientOrderID, order)
        let r = report(event, order, execType: UInt8(ascii: "0"), ordStatus: UInt8(ascii: "0"))
        send(r, execID: engineExecID(sequence: event.sequence, kind: UInt8(ascii: "A"), number: event.orderReference), session: session, io: &io)
    }

    func executed<IO: FIXOrderEntryIO>(_ event: Event, session: Int, io: inout IO) {
        let key = event.clientOrderID
        var order = sessions[session].orders[key]
        if order != nil {
            order!.notional += Int128(event.price.raw) * Int128(event.quantity)
            order!.cumulative = event.cumulativeQuantity
            order!.leaves = event.leavesQuantity
            order!.orderReference = event.orderReference
        }
        let filled = event.leavesQuantity == 0
        var r = report(event, order, execType: UInt8(ascii: "F"), ordStatus: filled ? UInt8(ascii: "2") : UInt8(ascii: "1"))
        r.price = order?.orderType == .limit ? order!.price : .zero
        r.lastQuantity = event.quantity
        r.lastPrice = event.price
        r.averagePrice = order?.averagePrice ?? event.price
        if filled {
            sessions[session].orders[key] = nil
        } else if let order {
            sessions[session].orders[key] = order
        }
        let suffix = event.liquidity == .added ? UInt8(ascii: "A") : UInt8(ascii: "R")
        send(r, execID: engineExecID(sequence: event.sequence, kind: UInt8(ascii: "X"), number: event.matchNumber, suffix: suffix),
            session: session, io: &io)
    }

    func canceled<IO: FIXOrderEntryIO>(_ event: Event, session: Int, io: inout IO) {
        let key = event.originalClientOrderID.isEmpty ? event.clientOrderID : event.originalClientOrderID
        var order = sessions[session].orders[key]
        let expired = event.cancelReason == .immediateOrCancel || event.cancelReason == .fillOrKill
        let execType = expired ? UInt8(ascii: "C") : UInt8(ascii: "4")
        let gone = event.leavesQuantity == 0
        let ordStatus = gone ? execType : (event.cumulativeQuantity > 0 ? UInt8(ascii: "1") : UInt8(ascii: "0"))
        if order != nil {
            order!.leaves = event.leavesQuantity
            order!.cumulative = event.cumulativeQuantity
            order!.pendingRequest = .empty
            if !gone { order!.orderQuantity = event.leavesQuantity &+ event.cumulativeQuantity }
        }
        var r = report(event, order, execType: execType, ordStatus: ordStatus)
        if let order { r.orderQuantity = order.orderQuantity }
        if gone { sessions[session].orders[key] = nil } else if let order { sessions[session].orders[key] = order }
        if !event.originalClientOrderID.isEmpty { sessions[session].requests[event.clientOrderID] = nil }
        if event.cancelReason != .userRequested { r.text = Self.cancelText(event.cancelReason) }
        send(r, execID: engineExecID(sequence: event.sequence, kind: UInt8(ascii: "C"), number: event.orderReference),
            session: session, io: &io)
    }

    /// `replaced` and `modified`: both ExecType 5 (Replaced).
    func replaced<IO: FIXOrderEntryIO>(_ event: Event, session: Int, io: inout IO) {
        let old = event.originalClientOrderID.isEmpty ? event.clientOrderID : event.originalClientOrderID
        let request = sessions[session].requests.removeValue(forKey: event.clientOrderID)
        var order = sessions[session].orders.removeValue(forKey: old)
            ?? FIXOrderEntryOrder(
                symbol: event.symbol, fixSide: Self.fixSide(event.side), orderType: event.orderType,
                timeInForce: event.timeInForce, price: event.price, orderQuantity: 0)
        order.accepted = true
        order.orderReference = event.orderReference
        order.price = event.price
        order.leaves = event.leavesQuantity
        order.cumulative = event.cumulativeQuantity
        order.orderQuantity = event.leavesQuantity &+ event.cumulativeQuantity
        order.pendingRequest = .empty
        if let request, request.kind == .replace { order.fixSide = request.fixSide }
        sessions[session].remember(event.clientOrderID, order)
        let status = event.cumulativeQuantity > 0 ? UInt8(ascii: "1") : UInt8(ascii: "0")
        let r = report(event, order, execType: UInt8(ascii: "5"), ordStatus: status)
        let kind = event.kind == .replaced ? UInt8(ascii: "R") : UInt8(ascii: "M")
        send(r, execID: engineExecID(sequence: event.sequence, kind: kind, number: event.orderReference), session: session, io: &io)
    }

    func rejected<IO: FIXOrderEntryIO>(_ event: Event, session: Int, io: inout IO) {
        if let request = sessions[session].requests[event.clientOrderID], request.kind == .massCancel {
            sessions[session].requests[event.clientOrderID] = nil
            sendMassCancelReport(
                session: session, clOrdID: nil, clientOrderID: event.clientOrderID,
                orderID: engineExecID(sequence: event.sequence, kind: UInt8(ascii: "M"), number: nil),
                requestType: request.massCancelType, response: UInt8(ascii: "0"),
                rejectReason: event.rejectReason == .unknownSymbol ? 1 : nil, affected: 0, symbol: event.symbol,
                rawSymbol: nil, text: event.rejectReason.text, now: event.timestamp, io: &io)
            return
        }
        var order: FIXOrderEntryOrder? = nil
        if let known = sessions[session].orders[event.clientOrderID], !known.accepted {
            order = known
            sessions[session].orders[event.clientOrderID] = nil
        }
        var r = report(event, order, execType: UInt8(ascii: "8"), ordStatus: UInt8(ascii: "8"))
        r.orderQuantity = event.quantity
        r.leaves = 0
        r.cumulative = 0
        r.ordRejReason = Self.ordRejReason(event.rejectReason)
        r.text = event.rejectReason.text
        send(r, execID: engineExecID(sequence: event.sequence, kind: UInt8(ascii: "J"), number: nil), session: session, io: &io)
    }

    func cancelRejected<IO: FIXOrderEntryIO>(_ event: Event, session: Int, io: inout IO) {
        let request = sessions[session].requests.removeValue(forKey: event.clientOrderID)
        let responseTo = request?.kind == .replace ? UInt8(ascii: "2") : UInt8(ascii: "1")
        let original = event.originalClientOrderID
        let order = sessions[session].orders[original]
        if order != nil { sessions[session].orders[original]!.pendingRequest = .empty }
        let status: UInt8
        if let order, order.accepted {
            status = Self.ordStatus(order)
        } else if event.orderReference != 0 && event.leavesQuantity > 0 {
            status = event.cumulativeQuantity > 0 ? UInt8(ascii: "1") : UInt8(ascii: "0")
        } else {
            status = UInt8(ascii: "8")
        }
        sendCancelReject(
            session: session, clOrdID: nil, clientOrderID: event.clientOrderID, origClOrdID: nil,
            originalClientOrderID: original, orderReference: event.orderReference, ordStatus: status,
            responseTo: responseTo, reason: Self.cxlRejReason(event.cancelRejectReason),
            text: Self.cancelRejectText(event.cancelRejectReason), now: event.timestamp,
            deliverTo: order?.onBehalfOf ?? .empty, onBehalfOf: order?.deliverTo ?? .empty, io: &io)
    }

    func massCancelDone<IO: FIXOrderEntryIO>(_ event: Event, session: Int, io: inout IO) {
        // A cancel-on-disconnect summary has no ClOrdID and no FIX request to answer.
        guard !event.clientOrderID.isEmpty else { return }
        let request = sessions[session].requests.removeValue(forKey: event.clientOrderID)
        let type = request?.massCancelType ?? (event.symbol == .none ? UInt8(ascii: "7") : UInt8(ascii: "1"))
        sendMassCancelReport(
            session: session, clOrdID: nil, clientOrderID: event.clientOrderID,
            orderID: engineExecID(sequence: event.sequence, kind: UInt8(ascii: "M"), number: nil),
            requestType: type, response: type, rejectReason: nil, affected: Int(event.quantity),
            symbol: event.symbol, rawSymbol: nil, text: nil, now: event.timestamp, io: &io)
    }

    // MARK: Reason mapping (specs/fix44.md, "Order entry")

    static func ordRejReason(_ reason: RejectReason) -> Int {
        switch reason {
        case .unknownSymbol: 1
        case .marketClosed: 2
        case .capacityExceeded: 3
        case .duplicateOrderID: 6
        case .invalidOrderType, .invalidTimeInForce: 11
        case .invalidQuantity: 13
        case .symbolHalted, .postOnlyWouldTrade: 0
        case .unknownAccount, .invalidPrice, .invalidSide, .unknownCommand: 99
        // Pre-trade risk: "order exceeds limit", Text says which.
        case .riskOrderQuantity, .riskOrderNotional, .riskPriceCollar, .riskOpenOrders, .riskGrossPosition,
             .riskNetPosition, .riskExposure, .restrictedSymbol, .killSwitch, .rateLimited: 3
        case .invalidRiskUpdate, .signalNoChange: 99
        }
    }

    static func cxlRejReason(_ reason: CancelRejectReason) -> Int {
        switch reason {
        case .unknownOrder: 1
        case .duplicateOrderID: 6
        case .invalidModification, .symbolHalted, .marketClosed, .capacityExceeded, .riskLimit: 99
        }
    }

    static func cancelRejectText(_ reason: CancelRejectReason) -> String {
        switch reason {
        case .unknownOrder: "unknown order"
        case .duplicateOrderID: "duplicate order identifier"
        case .invalidModification: "invalid modification"
        case .symbolHalted: "symbol halted"
        case .marketClosed: "market closed"
        case .capacityExceeded: "capacity exceeded"
        case .riskLimit: "risk limit"
        }
    }

    static func cancelText(_ reason: CancelReason) -> String {
        switch reason {
        case .userRequested: "canceled"
        case .immediateOrCancel: "immediate or cancel"
        case .fillOrKill: "fill or kill"
        case .selfTradePrevention: "self-trade prevention"
        case .disconnected: "cancel on disconnect"
        case .endOfDay: "end of day"
        case .invalidReplace: "invalid replace"
        case .postOnlyWouldTrade: "post-only order would trade"
        case .supervisory: "supervisory cancel"
        }
    }
}
