import GatewayCore

/// The fields of an inbound order-entry message, read in one pass (public so that the
/// codec benchmarks in perf/ measure this very code).
public struct FIXOrderEntryFields {
    public var clOrdID: FIXValue?
    public var origClOrdID: FIXValue?
    public var symbol: FIXValue?
    public var side: FIXValue?
    public var orderQty: FIXValue?
    public var ordType: FIXValue?
    public var price: FIXValue?
    public var timeInForce: FIXValue?
    public var execInst: FIXValue?
    public var massCancelRequestType: FIXValue?
    public var msgSeqNum: FIXValue?
    public var account: FIXValue?
    public var onBehalfOfCompID: FIXValue?
    public var deliverToCompID: FIXValue?

    public init(_ message: FIXMessage) {
        var it = message.fields
        while let field = try? it.next() {
            switch field.tag {
            case FIXTag.clOrdID: clOrdID = field.value
            case FIXOrderEntryTag.origClOrdID: origClOrdID = field.value
            case FIXTag.symbol: symbol = field.value
            case FIXTag.side: side = field.value
            case FIXTag.orderQty: orderQty = field.value
            case FIXTag.ordType: ordType = field.value
            case FIXTag.price: price = field.value
            case FIXTag.timeInForce: timeInForce = field.value
            case FIXOrderEntryTag.execInst: execInst = field.value
            case FIXOrderEntryTag.massCancelRequestType: massCancelRequestType = field.value
            case FIXTag.msgSeqNum: msgSeqNum = field.value
            case FIXOrderEntryTag.account: account = field.value
            case FIXTag.onBehalfOfCompID: onBehalfOfCompID = field.value
            case FIXTag.deliverToCompID: deliverToCompID = field.value
            default: break
            }
        }
    }
}

/// An order the edge refuses before the engine sees it.
struct FIXEdgeReject: Error {
    var reason: Int
    var text: String
}

extension FIXOrderEntry {
    /// Handles one validated application message of FIX session `session` (index):
    /// submits the command it maps to, or answers it directly (status, rejects).
    /// `connection` is the acceptor's connection id, carried in the command's origin.
    public func received<IO: FIXOrderEntryIO>(
        _ message: FIXMessage, session: Int, connection: UInt32 = 0, now: Timestamp, io: inout IO
    ) {
        guard session >= 0, session < sessions.count, let msgType = message.msgType else { return }
        let fields = FIXOrderEntryFields(message)
        let origin = OrderOrigin(source: source, session: UInt16(truncatingIfNeeded: session + 1), connection: connection)
        let isOrderEntry = msgType.equals("D") || msgType.equals("F") || msgType.equals("G") || msgType.equals("q")
        if isOrderEntry && !sessions[session].limiter.allow(now: now) {
            refuseForRate(fields, msgType: msgType, session: session, now: now, io: &io)
            return
        }
        let isAnswered = isOrderEntry || msgType.equals("H")
        guard isAnswered else {
            businessReject(fields, msgType: msgType, session: session, reason: 3, text: "unsupported message type", io: &io)
            return
        }
        guard let account = account(fields.account, session: session) else {
            // Another session's account: refused as a whole, never booked to this one.
            let named = String(decoding: fields.account?.bytes ?? UnsafeRawBufferPointer(start: nil, count: 0), as: UTF8.self)
            let own = String(decoding: accountName(.none, session: session) ?? [], as: UTF8.self)
            businessReject(fields, msgType: msgType, session: session, reason: 6,
                           text: "Account \(named) is not allowed on this session (its account is \(own))", io: &io)
            return
        }
        if msgType.equals("D") {
            newOrderSingle(fields, session: session, account: account, origin: origin, now: now, io: &io)
        } else if msgType.equals("F") {
            cancelOrReplace(fields, replace: false, session: session, origin: origin, now: now, io: &io)
        } else if msgType.equals("G") {
            cancelOrReplace(fields, replace: true, session: session, origin: origin, now: now, io: &io)
        } else if msgType.equals("q") {
            massCancel(fields, session: session, account: account, origin: origin, now: now, io: &io)
        } else {
            orderStatus(fields, session: session, now: now, io: &io)
        }
    }

    /// BusinessMessageReject (35=j): 45 the message's MsgSeqNum, 372 its MsgType, 379 its
    /// ClOrdID when it has one, 380 `reason`, 58 `text`.
    func businessReject<IO: FIXOrderEntryIO>(
        _ fields: FIXOrderEntryFields, msgType: FIXValue, session: Int, reason: Int, text: String, io: inout IO
    ) {
        let seqNum = fields.msgSeqNum?.int
        io.reply(session: session, msgType: "j") { e in
            if let seqNum { e.append(FIXTag.refSeqNum, int: seqNum) }
            e.append(FIXTag.refMsgType, value: msgType)
            if let id = fields.clOrdID { e.append(FIXOrderEntryTag.businessRejectRefID, value: id) }
            e.append(FIXOrderEntryTag.businessRejectReason, int: reason)
            e.append(FIXTag.text, bytes: text.utf8)
        }
    }

    // MARK: NewOrderSingle

    func newOrderSingle<IO: FIXOrderEntryIO>(
        _ f: FIXOrderEntryFields, session: Int, account: AccountIndex, origin: OrderOrigin, now: Timestamp, io: inout IO
    ) {
        var fixSide = f.side?.char ?? UInt8(ascii: "1")
        var command = Command(kind: .newOrder, keyKind: .clientOrderID, account: account, origin: origin, timestamp: now)
        do throws(FIXEdgeReject) {
            let id = try Self.clientOrderID(f.clOrdID)
            command.clientOrderID = id
            guard let s = f.symbol, let symbol = symbolIndex(s.bytes) else { throw FIXEdgeReject(reason: 1, text: "unknown symbol") }
            command.symbol = symbol
            let side = try Self.side(f.side)
            command.side = side
            fixSide = f.side!.char!
            command.quantity = try Self.quantity(f.orderQty)
            switch f.ordType?.char {
            case UInt8(ascii: "1"): command.orderType = .market
            case UInt8(ascii: "2"): command.orderType = .limit
            default: throw FIXEdgeReject(reason: 11, text: "unsupported order type")
            }
            if command.orderType == .limit {
                guard let p = f.price?.price, p.raw > 0 else { throw FIXEdgeReject(reason: 99, text: "invalid price") }
                command.price = p
            }
            command.timeInForce = try Self.timeInForce(f.timeInForce)
            if let inst = f.execInst, Self.containsToken(inst, UInt8(ascii: "6")) { command.flags.insert(.postOnly) }
            if sessions[session].orders[id] != nil {
                throw FIXEdgeReject(reason: 6, text: "duplicate order identifier")
            }
        } catch {
            let reject = error
            rejectNewOrder(f, command: command, fixSide: fixSide, reason: reject.reason, text: reject.text, session: session, now: now, io: &io)
            return
        }
        guard io.submit(command) else {
            rejectNewOrder(f, command: command, fixSide: fixSide, reason: 99, text: "gateway busy", session: session, now: now, io: &io)
            return
        }
        var order = FIXOrderEntryOrder(
            symbol: command.symbol, fixSide: fixSide, orderType: command.orderType,
            timeInForce: command.timeInForce, price: command.price, orderQuantity: command.quantity,
            account: command.account)
        if let value = f.onBehalfOfCompID, let id = ClientOrderID(bytes: value.bytes) { order.onBehalfOf = id }
        if let value = f.deliverToCompID, let id = ClientOrderID(bytes: value.bytes) { order.deliverTo = id }
        sessions[session].remember(command.clientOrderID, order)
    }

    func rejectNewOrder<IO: FIXOrderEntryIO>(
        _ f: FIXOrderEntryFields, command: Command, fixSide: UInt8, reason: Int, text: String,
        session: Int, now: Timestamp, io: inout IO
    ) {
        let validSide = fixSide == 0x31 || fixSide == 0x32 || fixSide == 0x35 || fixSide == 0x36
        var report = FIXExecutionReport(
            execType: UInt8(ascii: "8"), ordStatus: UInt8(ascii: "8"), fixSide: validSide ? fixSide : 0x31,
            orderQuantity: command.quantity, transactTime: now)
        report.rawClOrdID = f.clOrdID
        if f.clOrdID == nil { report.clOrdID = ClientOrderID("NONE")! }
        report.rawSymbol = f.symbol
        report.account = command.account
        report.ordRejReason = reason
        report.text = text
        send(report, execID: localID(UInt8(ascii: "G"), now: now), session: session, io: &io)
    }

    // MARK: Cancel / replace

    func cancelOrReplace<IO: FIXOrderEntryIO>(
        _ f: FIXOrderEntryFields, replace: Bool, session: Int, origin: OrderOrigin, now: Timestamp, io: inout IO
    ) {
        let responseTo = replace ? UInt8(ascii: "2") : UInt8(ascii: "1")
        var command = Command(
            kind: replace ? .replace : .cancel, keyKind: .clientOrderID, account: accounts[session], origin: origin,
            timestamp: now)
        var fixSide = UInt8(ascii: "1")
        var original: FIXOrderEntryOrder?
        do throws(FIXEdgeReject) {
            command.clientOrderID = try Self.clientOrderID(f.clOrdID)
            command.originalClientOrderID = try Self.clientOrderID(f.origClOrdID)
            original = sessions[session].orders[command.originalClientOrderID]
            // The request acts on the order's account (an allowed one Account named at entry).
            if let original, original.account != .none { command.account = original.account }
            if let original, !original.pendingRequest.isEmpty {
                throw FIXEdgeReject(reason: 3, text: "request already pending")
            }
            if replace {
                command.side = try Self.side(f.side)
                fixSide = f.side!.char!
                command.quantity = try Self.quantity(f.orderQty)
                if original?.orderType == .market {
                    throw FIXEdgeReject(reason: 99, text: "market orders cannot be replaced")
                }
                guard let p = f.price?.price, p.raw > 0 else { throw FIXEdgeReject(reason: 99, text: "invalid price") }
                command.price = p
                if let symbol = f.symbol, let original, symbolIndex(symbol.bytes) != original.symbol {
                    throw FIXEdgeReject(reason: 99, text: "symbol cannot be changed")
                }
            }
        } catch {
            let reject = error
            sendCancelReject(
                session: session, clOrdID: f.clOrdID, clientOrderID: .empty, origClOrdID: f.origClOrdID,
                originalClientOrderID: .empty, orderReference: original?.orderReference ?? 0,
                ordStatus: original.map(Self.ordStatus) ?? UInt8(ascii: "8"), responseTo: responseTo,
                // 3 (already pending) passes through; every other edge problem is 99 (other).
                reason: reject.reason == 3 ? 3 : 99, text: reject.text, now: now, io: &io)
            return
        }
        if let original { command.symbol = original.symbol }
        guard io.submit(command) else {
            sendCancelReject(
                session: session, clOrdID: f.clOrdID, clientOrderID: .empty, origClOrdID: f.origClOrdID,
                originalClientOrderID: .empty, orderReference: original?.orderReference ?? 0,
                ordStatus: original.map(Self.ordStatus) ?? UInt8(ascii: "8"), responseTo: responseTo,
                reason: 99, text: "gateway busy", now: now, io: &io)
            return
        }
        sessions[session].orders[command.originalClientOrderID]?.pendingRequest = command.clientOrderID
        sessions[session].rememberRequest(
            command.clientOrderID,
            FIXOrderEntryRequest(
                kind: replace ? .replace : .cancel, original: command.originalClientOrderID, fixSide: fixSide,
                massCancelType: 0))
    }

    // MARK: Mass cancel

    func massCancel<IO: FIXOrderEntryIO>(
        _ f: FIXOrderEntryFields, session: Int, account: AccountIndex, origin: OrderOrigin, now: Timestamp, io: inout IO
    ) {
        let type = f.massCancelRequestType?.char ?? 0
        var command = Command(kind: .massCancel, keyKind: .clientOrderID, account: account, origin: origin, timestamp: now)
        func refuse(_ reason: UInt8?, _ text: String, _ io: inout IO) {
            sendMassCancelReport(
                session: session, clOrdID: f.clOrdID, clientOrderID: .empty,
                orderID: localID(UInt8(ascii: "M"), now: now), requestType: type == UInt8(ascii: "1") ? type : UInt8(ascii: "7"),
                response: UInt8(ascii: "0"), rejectReason: reason, affected: 0, symbol: .none,
                rawSymbol: f.symbol, text: text, now: now, io: &io)
        }
        guard let id = try? Self.clientOrderID(f.clOrdID) else {
            refuse(nil, "invalid ClOrdID", &io)
            return
        }
        command.clientOrderID = id
        switch type {
        case UInt8(ascii: "1"):
            guard let s = f.symbol, let symbol = symbolIndex(s.bytes) else {
                refuse(1, "unknown symbol", &io)
                return
            }
            command.symbol = symbol
        case UInt8(ascii: "7"):
            command.symbol = .none
        default:
            refuse(0, "unsupported mass cancel type", &io)
            return
        }
        guard io.submit(command) else {
            refuse(nil, "gateway busy", &io)
            return
        }
        sessions[session].rememberRequest(
            id, FIXOrderEntryRequest(kind: .massCancel, original: .empty, fixSide: 0, massCancelType: type))
    }

    // MARK: Order status

    func orderStatus<IO: FIXOrderEntryIO>(_ f: FIXOrderEntryFields, session: Int, now: Timestamp, io: inout IO) {
        let execID = localID(UInt8(ascii: "S"), now: now)
        let side = f.side?.char ?? UInt8(ascii: "1")
        if let id = try? Self.clientOrderID(f.clOrdID), let order = sessions[session].orders[id], order.accepted {
            var report = FIXExecutionReport(
                clOrdID: id, orderReference: order.orderReference, execType: UInt8(ascii: "I"),
                ordStatus: Self.ordStatus(order), symbol: order.symbol, fixSide: order.fixSide,
                orderQuantity: order.orderQuantity, transactTime: now)
            report.orderType = order.orderType
            report.price = order.price
            report.timeInForce = order.timeInForce
            report.leaves = order.leaves
            report.cumulative = order.cumulative
            report.averagePrice = order.averagePrice
            report.account = order.account
            send(report, execID: execID, session: session, io: &io)
        } else {
            var report = FIXExecutionReport(
                execType: UInt8(ascii: "I"), ordStatus: UInt8(ascii: "8"), fixSide: side, orderQuantity: 0,
                transactTime: now)
            report.rawClOrdID = f.clOrdID
            report.rawSymbol = f.symbol
            report.ordRejReason = 5
            report.text = "unknown order"
            send(report, execID: execID, session: session, io: &io)
        }
    }

    // MARK: Field readers

    static func clientOrderID(_ value: FIXValue?) throws(FIXEdgeReject) -> ClientOrderID {
        guard let value, let id = ClientOrderID(bytes: value.bytes), !id.isEmpty else {
            throw FIXEdgeReject(reason: 99, text: "invalid ClOrdID")
        }
        return id
    }

    static func side(_ value: FIXValue?) throws(FIXEdgeReject) -> Side {
        switch value?.char {
        case UInt8(ascii: "1"): return .buy
        case UInt8(ascii: "2"), UInt8(ascii: "5"), UInt8(ascii: "6"): return .sell
        default: throw FIXEdgeReject(reason: 99, text: "invalid side")
        }
    }

    /// OrderQty: a positive whole number of shares that fits 32 bits ("100", "100.0").
    static func quantity(_ value: FIXValue?) throws(FIXEdgeReject) -> UInt32 {
        guard let p = value?.price, p.raw > 0, p.raw % Price.scale == 0, p.raw / Price.scale <= Int64(UInt32.max) else {
            throw FIXEdgeReject(reason: 13, text: "invalid quantity")
        }
        return UInt32(p.raw / Price.scale)
    }

    static func timeInForce(_ value: FIXValue?) throws(FIXEdgeReject) -> TimeInForce {
        guard let value else { return .day }
        switch value.char {
        case UInt8(ascii: "0"): return .day
        case UInt8(ascii: "1"): return .goodTillCancel
        case UInt8(ascii: "3"): return .immediateOrCancel
        case UInt8(ascii: "4"): return .fillOrKill
        default: throw FIXEdgeReject(reason: 11, text: "unsupported time in force")
        }
    }

    /// True when the space-separated MultipleValueString `value` has the one-byte token `token`.
    static func containsToken(_ value: FIXValue, _ token: UInt8) -> Bool {
        var start = 0
        for i in 0...value.count {
            if i == value.count || value[i] == UInt8(ascii: " ") {
                if i - start == 1 && value[start] == token { return true }
                start = i + 1
            }
        }
        return false
    }

    static func ordStatus(_ order: FIXOrderEntryOrder) -> UInt8 {
        if order.leaves == 0 && order.accepted { return order.cumulative > 0 ? UInt8(ascii: "2") : UInt8(ascii: "4") }
        return order.cumulative > 0 ? UInt8(ascii: "1") : UInt8(ascii: "0")
    }

    // MARK: Message rate

    /// The answer to an order-entry message over the session's rate, without going to
    /// the engine: the reject each message type has, with 58 saying why.
    func refuseForRate<IO: FIXOrderEntryIO>(
        _ f: FIXOrderEntryFields, msgType: FIXValue, session: Int, now: Timestamp, io: inout IO
    ) {
        rateLimitedMessages &+= 1
        let text = RejectReason.rateLimited.text
        if msgType.equals("D") {
            var command = Command(kind: .newOrder, account: accounts[session], timestamp: now)
            command.quantity = (try? Self.quantity(f.orderQty)) ?? 0
            rejectNewOrder(f, command: command, fixSide: f.side?.char ?? UInt8(ascii: "1"), reason: 3, text: text,
                           session: session, now: now, io: &io)
        } else if msgType.equals("q") {
            let type = f.massCancelRequestType?.char ?? UInt8(ascii: "7")
            sendMassCancelReport(
                session: session, clOrdID: f.clOrdID, clientOrderID: .empty,
                orderID: localID(UInt8(ascii: "M"), now: now), requestType: type == UInt8(ascii: "1") ? type : UInt8(ascii: "7"),
                response: UInt8(ascii: "0"), rejectReason: 99, affected: 0, symbol: .none,
                rawSymbol: f.symbol, text: text, now: now, io: &io)
        } else {
            let original = (try? Self.clientOrderID(f.origClOrdID)).flatMap { sessions[session].orders[$0] }
            sendCancelReject(
                session: session, clOrdID: f.clOrdID, clientOrderID: .empty, origClOrdID: f.origClOrdID,
                originalClientOrderID: .empty, orderReference: original?.orderReference ?? 0,
                ordStatus: original.map(Self.ordStatus) ?? UInt8(ascii: "8"),
                responseTo: msgType.equals("G") ? UInt8(ascii: "2") : UInt8(ascii: "1"),
                reason: 99, text: text, now: now, io: &io)
        }
    }
}
