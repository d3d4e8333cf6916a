import GatewayCore

/// The fields of one ExecutionReport (35=8), gathered before encoding.
struct FIXExecutionReport {
    var clOrdID: ClientOrderID = .empty
    /// ClOrdID as received, when it could not be taken (too long): edge rejects only.
    var rawClOrdID: FIXValue? = nil
    var origClOrdID: ClientOrderID = .empty
    /// Account (1) echoed; `.none`: the session's own.
    var account: AccountIndex = .none
    /// Header DeliverToCompID (128) / OnBehalfOfCompID (115) for reports the engine's
    /// events cause (answers given while the message is handled get them from the
    /// session layer); empty: none.
    var deliverTo: ClientOrderID = .empty
    var onBehalfOf: ClientOrderID = .empty
    /// OrderID (37); 0 is sent as `NONE`.
    var orderReference: OrderReference = 0
    var execType: UInt8
    var ordStatus: UInt8
    var symbol: SymbolIndex = .none
    /// Symbol as received, for edge rejects of a symbol the directory lacks.
    var rawSymbol: FIXValue? = nil
    var fixSide: UInt8
    var orderQuantity: UInt32
    var orderType: OrderType? = nil
    var price: Price = .zero
    var timeInForce: TimeInForce? = nil
    var lastQuantity: UInt32 = 0
    var lastPrice: Price = .zero
    var leaves: UInt32 = 0
    var cumulative: UInt32 = 0
    var averagePrice: Price = .zero
    var ordRejReason: Int? = nil
    var text: String? = nil
    var transactTime: Timestamp
}

extension FIXOrderEntry {
    /// Sends `report` on `session`: 37 11 41 17 150 39 103 1 55 54 38 40 44 59 32 31 151 14 6 60 58.
    func send<IO: FIXOrderEntryIO>(_ report: FIXExecutionReport, execID: [UInt8], session: Int, io: inout IO) {
        let symbolName = symbolName(report.symbol)
        let accountName = accountName(report.account, session: session)
        io.reply(session: session, msgType: "8") { e in
            // Header fields, so first (the session layer has written 35 49 56 34 52).
            if !report.deliverTo.isEmpty { e.append(FIXTag.deliverToCompID, clientOrderID: report.deliverTo) }
            if !report.onBehalfOf.isEmpty { e.append(FIXTag.onBehalfOfCompID, clientOrderID: report.onBehalfOf) }
            if report.orderReference == 0 {
                e.append(FIXTag.orderID, ascii: "NONE")
            } else {
                e.append(FIXTag.orderID, int: Int(truncatingIfNeeded: report.orderReference))
            }
            if let raw = report.rawClOrdID {
                e.append(FIXTag.clOrdID, value: raw)
            } else if !report.clOrdID.isEmpty {
                e.append(FIXTag.clOrdID, clientOrderID: report.clOrdID)
            }
            if !report.origClOrdID.isEmpty { e.append(FIXOrderEntryTag.origClOrdID, clientOrderID: report.origClOrdID) }
            e.append(FIXTag.execID, bytes: execID)
            e.append(FIXTag.execType, char: report.execType)
            e.append(FIXTag.ordStatus, char: report.ordStatus)
            if let reason = report.ordRejReason { e.append(FIXOrderEntryTag.ordRejReason, int: reason) }
            if let accountName, !accountName.isEmpty { e.append(FIXOrderEntryTag.account, bytes: accountName) }
            if let raw = report.rawSymbol {
                e.append(FIXTag.symbol, value: raw)
            } else if let symbolName {
                e.append(FIXTag.symbol, bytes: symbolName)
            } else {
                e.append(FIXTag.symbol, ascii: "UNKNOWN")
            }
            e.append(FIXTag.side, char: report.fixSide)
            e.append(FIXTag.orderQty, int: Int(report.orderQuantity))
            if let type = report.orderType {
                e.append(FIXTag.ordType, char: 0x30 + type.rawValue)
                if type == .limit && report.price.raw > 0 { e.append(FIXTag.price, price: report.price) }
            }
            if let tif = report.timeInForce { e.append(FIXTag.timeInForce, char: 0x30 + tif.rawValue) }
            if report.lastQuantity > 0 {
                e.append(FIXOrderEntryTag.lastQty, int: Int(report.lastQuantity))
                e.append(FIXOrderEntryTag.lastPx, price: report.lastPrice)
            }
            e.append(FIXTag.leavesQty, int: Int(report.leaves))
            e.append(FIXTag.cumQty, int: Int(report.cumulative))
            e.append(FIXTag.avgPx, price: report.averagePrice)
            e.append(FIXTag.transactTime, timestamp: report.transactTime)
            if let text = report.text { e.append(FIXTag.text, bytes: text.utf8) }
        }
    }

    /// Sends an OrderCancelReject (35=9).
    func sendCancelReject<IO: FIXOrderEntryIO>(
        session: Int, clOrdID: FIXValue?, clientOrderID: ClientOrderID, origClOrdID: FIXValue?,
        originalClientOrderID: ClientOrderID, orderReference: OrderReference, ordStatus: UInt8,
        responseTo: UInt8, reason: Int, text: String, now: Timestamp,
        deliverTo: ClientOrderID = .empty, onBehalfOf: ClientOrderID = .empty, io: inout IO
    ) {
        io.reply(session: session, msgType: "9") { e in
            // An engine's answer about an order sent for a third party goes back to it.
            if !deliverTo.isEmpty { e.append(FIXTag.deliverToCompID, clientOrderID: deliverTo) }
            if !onBehalfOf.isEmpty { e.append(FIXTag.onBehalfOfCompID, clientOrderID: onBehalfOf) }
            if orderReference == 0 {
                e.append(FIXTag.orderID, ascii: "NONE")
            } else {
                e.append(FIXTag.orderID, int: Int(truncatingIfNeeded: orderReference))
            }
            if let clOrdID { e.append(FIXTag.clOrdID, value: clOrdID) } else if !clientOrderID.isEmpty {
                e.append(FIXTag.clOrdID, clientOrderID: clientOrderID)
            } else {
                e.append(FIXTag.clOrdID, ascii: "NONE")
            }
            if let origClOrdID { e.append(FIXOrderEntryTag.origClOrdID, value: origClOrdID) } else if !originalClientOrderID.isEmpty {
                e.append(FIXOrderEntryTag.origClOrdID, clientOrderID: originalClientOrderID)
            } else {
                e.append(FIXOrderEntryTag.origClOrdID, ascii: "NONE")
            }
            e.append(FIXTag.ordStatus, char: ordStatus)
            e.append(FIXTag.transactTime, timestamp: now)
            e.append(FIXOrderEntryTag.cxlRejResponseTo, char: responseTo)
            e.append(FIXOrderEntryTag.cxlRejReason, int: reason)
            e.append(FIXTag.text, bytes: text.utf8)
        }
    }

    /// Sends an OrderMassCancelReport (35=r).
    func sendMassCancelReport<IO: FIXOrderEntryIO>(
        session: Int, clOrdID: FIXValue?, clientOrderID: ClientOrderID, orderID: [UInt8], requestType: UInt8,
        response: UInt8, rejectReason: UInt8? /* 0 or 1 */, affected: Int?, symbol: SymbolIndex, rawSymbol: FIXValue?,
        text: String?, now: Timestamp, io: inout IO
    ) {
        let name = symbolName(symbol)
        io.reply(session: session, msgType: "r") { e in
            if let clOrdID { e.append(FIXTag.clOrdID, value: clOrdID) } else if !clientOrderID.isEmpty {
                e.append(FIXTag.clOrdID, clientOrderID: clientOrderID)
            }
            e.append(FIXTag.orderID, bytes: orderID)
            e.append(FIXOrderEntryTag.massCancelRequestType, char: requestType)
            e.append(FIXOrderEntryTag.massCancelResponse, char: response)
            if let rejectReason { e.append(FIXOrderEntryTag.massCancelRejectReason, char: 0x30 + rejectReason) }
            if let affected { e.append(FIXOrderEntryTag.totalAffectedOrders, int: affected) }
            if let rawSymbol { e.append(FIXTag.symbol, value: rawSymbol) } else if let name { e.append(FIXTag.symbol, bytes: name) }
            e.append(FIXTag.transactTime, timestamp: now)
            if let text { e.append(FIXTag.text, bytes: text.utf8) }
        }
    }

    // MARK: Identifiers

    /// `E<sequence>-<kind><number><suffix>`: an engine-derived ExecID, the same after a
    /// restart that replays the journal.
    func engineExecID(sequence: UInt64, kind: UInt8, number: UInt64?, suffix: UInt8? = nil) -> [UInt8] {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(UInt8(ascii: "E"))
        appendDecimal(sequence)
        scratch.append(UInt8(ascii: "-"))
        scratch.append(kind)
        if let number { appendDecimal(number) }
        if let suffix { scratch.append(suffix) }
        return scratch
    }

    /// `<prefix><now ns>-<counter>`: an ExecID or OrderID for a message the gateway
    /// answers itself (edge rejects, status reports, gateway-side mass-cancel reports).
    func localID(_ prefix: UInt8, now: Timestamp) -> [UInt8] {
        localExecutionCounter &+= 1
        scratch.removeAll(keepingCapacity: true)
        scratch.append(prefix)
        appendDecimal(UInt64(bitPattern: now.rawValue))
        scratch.append(UInt8(ascii: "-"))
        appendDecimal(localExecutionCounter)
        return scratch
    }

    func appendDecimal(_ value: UInt64) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
            UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var v = value
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[count] = UInt8(48 + v % 10)
                v /= 10
                count += 1
            } while v > 0
            while count > 0 {
                count -= 1
                scratch.append(d[count])
            }
        }
    }
}

/// FIX 4.4 tags the order-entry layer names (the session layer's are in ``FIXTag``).
public enum FIXOrderEntryTag {
    public static let account = 1
    public static let execInst = 18
    public static let lastPx = 31
    public static let lastQty = 32
    public static let origClOrdID = 41
    public static let cxlRejReason = 102
    public static let ordRejReason = 103
    public static let businessRejectRefID = 379
    public static let businessRejectReason = 380
    public static let cxlRejResponseTo = 434
    public static let massCancelRequestType = 530
    public static let massCancelResponse = 531
    public static let massCancelRejectReason = 532
    public static let totalAffectedOrders = 533
}
