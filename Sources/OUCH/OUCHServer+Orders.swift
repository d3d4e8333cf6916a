import GatewayCore

// Inbound OUCH messages → engine commands, or local answers (specs/ouch.md,
// "Inbound messages" and "Bad input"). Nothing here touches the IO: the result is an
// `OUCHTranslation` that the generic path carries out.
extension OUCHServer {
    @usableFromInline
    func translate(_ slot: Int, _ payload: UnsafeRawBufferPointer, now: Timestamp) -> OUCHTranslation {
        guard let p = payload.baseAddress, payload.count > 0 else {
            return .close("malformed Unsequenced Data ('U'): no OUCH message")
        }
        let user = connections[slot].user
        let origin = OrderOrigin(source: source, session: users[user].session, connection: connections[slot].id)
        switch Wire.u8(p, 0) {
        case OUCHMessageType.enterOrder:
            return enterOrder(user: user, origin: origin, payload, now: now)
        case OUCHMessageType.replaceOrder:
            return replaceOrder(user: user, origin: origin, payload, now: now)
        case OUCHMessageType.cancelOrder:
            return cancelOrder(user: user, origin: origin, payload, now: now)
        case OUCHMessageType.modifyOrder:
            return modifyOrder(user: user, origin: origin, payload, now: now)
        case OUCHMessageType.accountQueryRequest:
            return accountQuery(user: user, payload, now: now)
        default:
            return .close("protocol violation: " + OUCHDecodingError.unknownMessageType(Wire.u8(p, 0)).description)
        }
    }

    /// Appends a Rejected for `userRefNum` to the user's stream and consumes the
    /// UserRefNum.
    func reject(
        user: Int, userRefNum: UInt32, _ reason: OUCHRejectReason, clOrdID: OUCHClOrdID, now: Timestamp
    ) -> OUCHTranslation {
        users[user].store.append(OUCHRejected(
            timestamp: UInt64(now.nanosecondsSinceMidnight), userRefNum: userRefNum, reason: reason, clOrdID: clOrdID))
        accounts[users[user].accountSlot].highWater = userRefNum
        accounts[users[user].accountSlot].answeredHighWater = userRefNum
        return .handled
    }

    /// Enter Order → `newOrder`, or a Rejected for what the edge can judge.
    func enterOrder(user: Int, origin: OrderOrigin, _ payload: UnsafeRawBufferPointer, now: Timestamp) -> OUCHTranslation {
        let accountSlot = users[user].accountSlot
        let order: OUCHEnterOrder
        do throws(OUCHDecodingError) {
            order = try OUCHEnterOrder(decoding: payload)
        } catch {
            guard case .malformedAppendage = error, let p = payload.baseAddress else {
                return .close("protocol violation: " + error.description)
            }
            // The fixed part is whole: answer the order it names.
            let userRefNum = Wire.u32(p, OUCHEnterOrder.Offset.userRefNum)
            if userRefNum <= accounts[accountSlot].highWater { return .handled }
            return reject(
                user: user, userRefNum: userRefNum, .other, clOrdID: OUCHClOrdID(p, at: OUCHEnterOrder.Offset.clOrdID),
                now: now)
        }
        // A UserRefNum not above the last one processed is a retransmission: ignored.
        if order.userRefNum <= accounts[accountSlot].highWater { return .handled }

        func refuse(_ reason: OUCHRejectReason) -> OUCHTranslation {
            reject(user: user, userRefNum: order.userRefNum, reason, clOrdID: order.clOrdID, now: now)
        }
        guard users[user].limiter.allow(now: now) else {
            rateLimitedMessages &+= 1
            return refuse(.riskPortMessageRate)
        }
        guard let side = OUCHProfile.side(order.side) else { return refuse(.invalidSide) }
        guard order.quantity > 0 && order.quantity <= OUCHProfile.maximumQuantity else { return refuse(.invalidQuantity) }
        guard order.symbol.isPrintableASCII, let entry = symbolsByName[order.symbol.rawValue] else {
            return refuse(.invalidSymbol)
        }
        let symbol = symbolEntries[entry]
        let orderType: OrderType
        if OUCHPrice.isMarket(order.price) {
            orderType = .market
        } else {
            guard order.price > 0, order.price <= OUCHPrice.maximumLimit,
                Int64(order.price) % symbol.tick == 0
            else { return refuse(.invalidPrice) }
            orderType = .limit
        }
        guard var timeInForce = OUCHProfile.timeInForce(order.timeInForce) else { return refuse(.other) }
        guard order.display == OUCHDisplay.visible || order.display == OUCHDisplay.attributable else {
            return refuse(.other)
        }
        switch order.capacity {
        case OUCHCapacity.agency, OUCHCapacity.principal, OUCHCapacity.riskless, OUCHCapacity.other: break
        default: return refuse(.other)
        }
        guard order.intermarketSweep == UInt8(ascii: "Y") || order.intermarketSweep == UInt8(ascii: "N") else {
            return refuse(.other)
        }
        guard order.crossType == OUCHCrossType.continuous else { return refuse(.other) }
        guard let clientOrderID = order.clOrdID.clientOrderID else { return refuse(.other) }
        if let firm = order.appendage.firm, let allowed = users[user].firm, firm != allowed {
            return refuse(.firmNotAuthorized)
        }
        var flags: OrderFlags = []
        switch order.appendage.postOnly {
        case nil, OUCHPostOnly.no?: break
        case OUCHPostOnly.postOnly?: flags.insert(.postOnly)
        default: return refuse(.other)
        }
        if let minimum = order.appendage.minimumQuantity, minimum > 0 {
            // All-or-none on arrival is the one minimum the engine has: an IOC whose
            // MinQty is its whole quantity is a fill-or-kill.
            guard minimum == order.quantity, timeInForce == .immediateOrCancel else { return refuse(.other) }
            timeInForce = .fillOrKill
        }

        accounts[accountSlot].orders[order.userRefNum] = OUCHOrderAttributes(
            side: order.side, timeInForce: order.timeInForce, display: order.display, capacity: order.capacity,
            intermarketSweep: order.intermarketSweep, crossType: order.crossType, firm: order.appendage.firm)
        let command = Command(
            kind: .newOrder, side: side, orderType: orderType, timeInForce: timeInForce, flags: flags,
            keyKind: .userReference, symbol: symbol.index, account: users[user].account, origin: origin,
            quantity: order.quantity, price: orderType == .limit ? Price(raw: Int64(order.price)) : .zero,
            userReference: order.userRefNum, clientOrderID: clientOrderID, timestamp: now)
        return .submit(command, accountSlot: accountSlot, highWater: order.userRefNum)
    }

    /// Replace Order → `replace`; invalid new details cancel the original (OUCH rule).
    func replaceOrder(user: Int, origin: OrderOrigin, _ payload: UnsafeRawBufferPointer, now: Timestamp) -> OUCHTranslation {
        let accountSlot = users[user].accountSlot
        let replace: OUCHReplaceOrder
        var valid = true
        do throws(OUCHDecodingError) {
            replace = try OUCHReplaceOrder(decoding: payload)
        } catch {
            guard case .malformedAppendage = error, let p = payload.baseAddress else {
                return .close("protocol violation: " + error.description)
            }
            replace = OUCHReplaceOrder(
                originalUserRefNum: Wire.u32(p, OUCHReplaceOrder.Offset.originalUserRefNum),
                userRefNum: Wire.u32(p, OUCHReplaceOrder.Offset.userRefNum), quantity: 0, price: 0)
            valid = false
        }
        if replace.userRefNum <= accounts[accountSlot].highWater { return .handled }
        guard users[user].limiter.allow(now: now) else {
            rateLimitedMessages &+= 1
            return reject(user: user, userRefNum: replace.userRefNum, .riskPortMessageRate, clOrdID: replace.clOrdID, now: now)
        }

        let timeInForce = OUCHProfile.timeInForce(replace.timeInForce)
        valid = valid
            && replace.quantity > 0 && replace.quantity <= OUCHProfile.maximumQuantity
            && replace.price > 0 && replace.price <= OUCHPrice.maximumLimit
            // A live order at this venue is a Day order: the replace must keep it one.
            && timeInForce == .day
            && (replace.display == OUCHDisplay.visible || replace.display == OUCHDisplay.attributable)
            && (replace.intermarketSweep == UInt8(ascii: "Y") || replace.intermarketSweep == UInt8(ascii: "N"))
            && replace.clOrdID.isPrintableASCII
            && (replace.appendage.postOnly == nil || replace.appendage.postOnly == OUCHPostOnly.postOnly
                || replace.appendage.postOnly == OUCHPostOnly.no)
        guard valid, let clientOrderID = replace.clOrdID.clientOrderID else {
            let cancel = Command(
                kind: .cancel, keyKind: .userReference, account: users[user].account, origin: origin, quantity: 0,
                userReference: replace.originalUserRefNum, timestamp: now)
            return .submit(cancel, accountSlot: accountSlot, highWater: replace.userRefNum)
        }

        if let original = accounts[accountSlot].orders[replace.originalUserRefNum] {
            var attributes = original
            attributes.timeInForce = replace.timeInForce
            attributes.display = replace.display
            attributes.intermarketSweep = replace.intermarketSweep
            accounts[accountSlot].orders[replace.userRefNum] = attributes
        }
        let command = Command(
            kind: .replace, flags: OUCHProfile.replaceFlags, keyKind: .userReference, account: users[user].account,
            origin: origin, quantity: replace.quantity, price: Price(raw: Int64(replace.price)),
            userReference: replace.userRefNum, originalUserReference: replace.originalUserRefNum,
            clientOrderID: clientOrderID, timestamp: now)
        return .submit(command, accountSlot: accountSlot, highWater: replace.userRefNum)
    }

    /// Cancel Order → `cancel` (quantity: the new intended size, 0 cancels the rest).
    func cancelOrder(user: Int, origin: OrderOrigin, _ payload: UnsafeRawBufferPointer, now: Timestamp) -> OUCHTranslation {
        let cancel: OUCHCancelOrder
        do throws(OUCHDecodingError) {
            cancel = try OUCHCancelOrder(decoding: payload)
        } catch {
            return .close("protocol violation: " + error.description)
        }
        guard users[user].limiter.allow(now: now) else {
            rateLimitedMessages &+= 1
            return .handled
        }
        let command = Command(
            kind: .cancel, keyKind: .userReference, account: users[user].account, origin: origin,
            quantity: cancel.quantity, userReference: cancel.userRefNum, timestamp: now)
        return .submit(command, accountSlot: users[user].accountSlot, highWater: 0)
    }

    /// Modify Order → `modify`. The requested side letter travels as the command's
    /// one-byte `clientOrderID`, which the engine echoes in its `modified` answer, so that
    /// Order Modified reports the side asked for (`S`, `T` or `E`).
    func modifyOrder(user: Int, origin: OrderOrigin, _ payload: UnsafeRawBufferPointer, now: Timestamp) -> OUCHTranslation {
        let modify: OUCHModifyOrder
        do throws(OUCHDecodingError) {
            modify = try OUCHModifyOrder(decoding: payload)
        } catch {
            return .close("protocol violation: " + error.description)
        }
        guard users[user].limiter.allow(now: now) else {
            rateLimitedMessages &+= 1
            return .handled
        }
        // An unknown side letter cannot name a side the order has: ignored, like any
        // modify the engine refuses.
        guard let side = OUCHProfile.side(modify.side) else { return .handled }
        let command = Command(
            kind: .modify, side: side, keyKind: .userReference, account: users[user].account, origin: origin,
            quantity: modify.quantity, userReference: modify.userRefNum,
            clientOrderID: ClientOrderID(words: (UInt64(modify.side), 0, 0)), timestamp: now)
        return .submit(command, accountSlot: users[user].accountSlot, highWater: 0)
    }

    /// Account Query Request → Account Query Response, answered here.
    func accountQuery(user: Int, _ payload: UnsafeRawBufferPointer, now: Timestamp) -> OUCHTranslation {
        do throws(OUCHDecodingError) {
            _ = try OUCHAccountQueryRequest(decoding: payload)
        } catch {
            return .close("protocol violation: " + error.description)
        }
        let highWater = accounts[users[user].accountSlot].highWater
        users[user].store.append(OUCHAccountQueryResponse(
            timestamp: UInt64(now.nanosecondsSinceMidnight), nextUserRefNum: highWater == .max ? .max : highWater + 1))
        return .handled
    }
}
