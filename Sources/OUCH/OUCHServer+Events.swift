import GatewayCore

// Engine events → OUCH outbound messages, appended to the user's sequenced stream
// (specs/ouch.md, "Outbound messages"). Sending happens at the next flush.
extension OUCHServer {
    /// Turns an engine event about one of this server's users into its OUCH message
    /// (if OUCH has one) and appends it to that user's stream. Events that go to
    /// another source or session, and kinds OUCH does not report (booked, trade,
    /// massCancelDone, venue events), are left alone. Returns true when a message was
    /// appended.
    @discardableResult
    public func handle(_ event: Event) -> Bool {
        guard event.destination.source == source else { return false }
        let session = Int(event.destination.session)
        guard session < userBySession.count, userBySession[session] >= 0 else { return false }
        let user = Int(userBySession[session])
        let accountSlot = users[user].accountSlot
        // Replayed events only about the user's own account: a restart whose configuration
        // renumbered the users must not replay one firm's answers into another's stream.
        if recovering && event.account != accounts[accountSlot].index { return false }
        let store = users[user].store
        let timestamp = UInt64(event.timestamp.nanosecondsSinceMidnight)

        switch event.kind {
        case .accepted:
            let a = accounts[accountSlot].orders[event.userReference] ?? OUCHOrderAttributes(derivedFrom: event)
            store.append(OUCHOrderAccepted(
                timestamp: timestamp, userRefNum: event.userReference, side: a.side, quantity: event.quantity,
                symbol: symbolName(event.symbol), price: outboundPrice(event), timeInForce: a.timeInForce,
                display: a.display, orderReferenceNumber: event.orderReference, capacity: a.capacity,
                intermarketSweep: a.intermarketSweep, crossType: a.crossType, orderState: OUCHOrderState.live,
                clOrdID: OUCHClOrdID(event.clientOrderID), appendage: appendage(event, a)), answering: event.sequence)
            answered(event.userReference, accountSlot)
            return true

        case .executed:
            store.append(OUCHOrderExecuted(
                timestamp: timestamp, userRefNum: event.userReference, quantity: event.quantity,
                price: UInt64(clamping: event.price.raw),
                liquidityFlag: event.liquidity == .added ? OUCHLiquidityFlag.added : OUCHLiquidityFlag.removed,
                matchNumber: event.matchNumber), answering: event.sequence)
            if event.leavesQuantity == 0 { accounts[accountSlot].orders[event.userReference] = nil }
            return true

        case .canceled:
            store.append(OUCHOrderCanceled(
                timestamp: timestamp, userRefNum: event.userReference, quantity: event.quantity,
                reason: OUCHProfile.cancelReason(event.cancelReason)), answering: event.sequence)
            if event.leavesQuantity == 0 { accounts[accountSlot].orders[event.userReference] = nil }
            return true

        case .replaced:
            let a = accounts[accountSlot].orders[event.userReference]
                ?? accounts[accountSlot].orders[event.originalUserReference]
                ?? OUCHOrderAttributes(derivedFrom: event)
            store.append(OUCHOrderReplaced(
                timestamp: timestamp, originalUserRefNum: event.originalUserReference, userRefNum: event.userReference,
                side: a.side, quantity: event.quantity, symbol: symbolName(event.symbol), price: outboundPrice(event),
                timeInForce: a.timeInForce, display: a.display, orderReferenceNumber: event.orderReference,
                capacity: a.capacity, intermarketSweep: a.intermarketSweep, crossType: a.crossType,
                orderState: OUCHOrderState.live, clOrdID: OUCHClOrdID(event.clientOrderID),
                appendage: appendage(event, a)), answering: event.sequence)
            if event.originalUserReference != event.userReference {
                accounts[accountSlot].orders[event.originalUserReference] = nil
            }
            accounts[accountSlot].orders[event.userReference] = a
            answered(event.userReference, accountSlot)
            return true

        case .modified:
            // The modify's requested side letter comes back as the answer's one-byte
            // clientOrderID (see `modifyOrder`); otherwise say what the engine knows.
            let echoed = event.clientOrderID[0]
            let side: UInt8
            if event.clientOrderID[1] == 0, let echoedSide = OUCHProfile.side(echoed), echoedSide == event.side {
                side = echoed
            } else {
                side = accounts[accountSlot].orders[event.userReference]?.side
                    ?? (event.side == .buy ? OUCHSide.buy : OUCHSide.sell)
            }
            store.append(OUCHOrderModified(
                timestamp: timestamp, userRefNum: event.userReference, side: side, quantity: event.quantity), answering: event.sequence)
            accounts[accountSlot].orders[event.userReference]?.side = side
            return true

        case .rejected:
            store.append(OUCHRejected(
                timestamp: timestamp, userRefNum: event.userReference,
                reason: OUCHProfile.rejectReason(event.rejectReason), clOrdID: OUCHClOrdID(event.clientOrderID)), answering: event.sequence)
            accounts[accountSlot].orders[event.userReference] = nil
            answered(event.userReference, accountSlot)
            return true

        case .cancelRejected:
            // OUCH has no cancel reject: a refused cancel or modify changes nothing and
            // is not answered. A refused replace (originalUserReference set: only a
            // replace carries one) is answered with a Rejected for its new UserRefNum
            // when the refusal is not one OUCH ignores.
            guard event.originalUserReference != 0 else { return false }
            if event.cancelRejectReason != .duplicateOrderID {
                accounts[accountSlot].orders[event.userReference] = nil
            }
            guard let reason = OUCHProfile.replaceRejectReason(event.cancelRejectReason) else { return false }
            store.append(OUCHRejected(
                timestamp: timestamp, userRefNum: event.userReference, reason: reason,
                clOrdID: OUCHClOrdID(event.clientOrderID)), answering: event.sequence)
            answered(event.userReference, accountSlot)
            return true

        case .booked, .trade, .massCancelDone, .tradingStateChanged, .systemEvent, .riskUpdated:
            return false
        }
    }

    /// A message naming `userRefNum` joined the account's streams.
    func answered(_ userRefNum: UInt32, _ accountSlot: Int) {
        if userRefNum > accounts[accountSlot].answeredHighWater { accounts[accountSlot].answeredHighWater = userRefNum }
    }

    /// The OUCH Symbol of an engine symbol index.
    func symbolName(_ symbol: SymbolIndex) -> OUCHSymbol {
        Int(symbol.rawValue) < symbolNames.count ? symbolNames[Int(symbol.rawValue)] : OUCHSymbol("?")!
    }

    /// The order's price as OUCH reports it: the market sentinel for a market order.
    func outboundPrice(_ event: Event) -> UInt64 {
        event.orderType == .market ? OUCHPrice.market : UInt64(clamping: event.price.raw)
    }

    /// The appendage echoed on Order Accepted and Order Replaced: the Firm the client
    /// gave, MinQty for a fill-or-kill (its whole quantity), PostOnly `P`.
    func appendage(_ event: Event, _ attributes: OUCHOrderAttributes) -> OUCHAppendage {
        OUCHAppendage(
            firm: attributes.firm,
            minimumQuantity: event.timeInForce == .fillOrKill ? event.quantity : nil,
            postOnly: event.flags.contains(.postOnly) ? OUCHPostOnly.postOnly : nil)
    }
}
