import FIX
import GatewayCore
import XCTest

final class FIXOrderEntryInboundTests: XCTestCase {
    func testNewOrderSingleLimitMapsToNewOrder() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("D", newOrderBody), session: 1, connection: 77, io: &io)
        XCTAssertTrue(io.replies.isEmpty)
        XCTAssertEqual(io.commands.count, 1)
        let c = io.commands[0]
        XCTAssertEqual(c.kind, .newOrder)
        XCTAssertEqual(c.keyKind, .clientOrderID)
        XCTAssertEqual(c.clientOrderID, ClientOrderID("ORD1"))
        XCTAssertEqual(c.symbol, 1)
        XCTAssertEqual(c.side, .buy)
        XCTAssertEqual(c.quantity, 100)
        XCTAssertEqual(c.orderType, .limit)
        XCTAssertEqual(c.price, Price(raw: 1_502_500))
        XCTAssertEqual(c.timeInForce, .day)
        XCTAssertEqual(c.flags, [])
        XCTAssertEqual(c.account, 4)
        XCTAssertEqual(c.origin, OrderOrigin(source: 2, session: 2, connection: 77))
        XCTAssertEqual(c.timestamp, orderEntryNow)
        XCTAssertEqual(oe.rememberedOrderCount(session: 1), 1)
    }

    func testNewOrderSingleMarketShortSellTimeInForceAndPostOnly() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("D", "11=M1|55=MSFT|54=5|60=20251120-00:53:20|38=200|40=1|59=3|"), io: &io)
        try oe.receive(clientMessage("D", "11=P1|18=6|55=IBM|54=2|60=20251120-00:53:20|38=10.0|40=2|44=7|59=1|"), io: &io)
        try oe.receive(clientMessage("D", "11=F1|18=M 6|55=IBM|54=6|60=20251120-00:53:20|38=10|40=2|44=7.5|59=4|"), io: &io)
        try oe.receive(clientMessage("D", "11=N1|18=M|55=IBM|54=1|60=20251120-00:53:20|38=10|40=2|44=7.5|"), io: &io)
        XCTAssertTrue(io.replies.isEmpty)
        XCTAssertEqual(io.commands.count, 4)
        XCTAssertEqual(io.commands[0].orderType, .market)
        XCTAssertEqual(io.commands[0].side, .sell)
        XCTAssertEqual(io.commands[0].price, .zero)
        XCTAssertEqual(io.commands[0].timeInForce, .immediateOrCancel)
        XCTAssertEqual(io.commands[0].symbol, 2)
        XCTAssertEqual(io.commands[1].flags, .postOnly)
        XCTAssertEqual(io.commands[1].timeInForce, .goodTillCancel)
        XCTAssertEqual(io.commands[1].quantity, 10)
        XCTAssertEqual(io.commands[1].symbol, 5)
        XCTAssertEqual(io.commands[2].flags, .postOnly)
        XCTAssertEqual(io.commands[2].timeInForce, .fillOrKill)
        XCTAssertEqual(io.commands[2].side, .sell)
        XCTAssertEqual(io.commands[3].flags, [])
        XCTAssertEqual(io.commands[0].origin.session, 1)
    }

    func testCancelRequestMapsToCancelOfZero() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("F", "41=ORD1|11=CXL1|55=AAPL|54=1|60=20251120-00:53:20|"), io: &io)
        XCTAssertEqual(io.commands.count, 1)
        let c = io.commands[0]
        XCTAssertEqual(c.kind, .cancel)
        XCTAssertEqual(c.keyKind, .clientOrderID)
        XCTAssertEqual(c.quantity, 0)
        XCTAssertEqual(c.originalClientOrderID, ClientOrderID("ORD1"))
        XCTAssertEqual(c.clientOrderID, ClientOrderID("CXL1"))
        XCTAssertEqual(c.account, 3)
        XCTAssertEqual(c.origin, OrderOrigin(source: 2, session: 1, connection: 9))
    }

    func testCancelReplaceRequestMapsToReplaceKeepingPriorityRule() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("D", newOrderBody), io: &io)
        try oe.receive(clientMessage("G", "41=ORD1|11=RPL1|55=AAPL|54=1|60=20251120-00:53:20|38=80|40=2|44=150.25|"), io: &io)
        XCTAssertTrue(io.replies.isEmpty)
        XCTAssertEqual(io.commands.count, 2)
        let c = io.commands[1]
        XCTAssertEqual(c.kind, .replace)
        XCTAssertEqual(c.keyKind, .clientOrderID)
        XCTAssertEqual(c.originalClientOrderID, ClientOrderID("ORD1"))
        XCTAssertEqual(c.clientOrderID, ClientOrderID("RPL1"))
        XCTAssertEqual(c.quantity, 80)
        XCTAssertEqual(c.price, Price(raw: 1_502_500))
        XCTAssertEqual(c.side, .buy)
        XCTAssertEqual(c.symbol, 1)
        XCTAssertFalse(c.flags.contains(.replaceLosesPriority))
    }

    func testMassCancelBySymbolAndAll() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("q", "11=MC1|530=1|55=MSFT|60=20251120-00:53:20|"), io: &io)
        try oe.receive(clientMessage("q", "11=MC2|530=7|60=20251120-00:53:20|"), io: &io)
        XCTAssertTrue(io.replies.isEmpty)
        XCTAssertEqual(io.commands.map(\.kind), [.massCancel, .massCancel])
        XCTAssertEqual(io.commands[0].symbol, 2)
        XCTAssertEqual(io.commands[0].clientOrderID, ClientOrderID("MC1"))
        XCTAssertEqual(io.commands[0].account, 3)
        XCTAssertEqual(io.commands[1].symbol, .none)
    }

    func testMassCancelOfUnknownSymbolIsRefusedAtTheEdge() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("q", "11=MC1|530=1|55=ZZZZ|60=20251120-00:53:20|"), io: &io)
        XCTAssertTrue(io.commands.isEmpty)
        let r = try decodeReply(io.replies[0].bytes)
        XCTAssertEqual(r.msgType, "r")
        XCTAssertEqual(r[11], "MC1")
        XCTAssertEqual(r[530], "1")
        XCTAssertEqual(r[531], "0")
        XCTAssertEqual(r[532], "1")
        XCTAssertEqual(r[55], "ZZZZ")
    }

    func testBadNewOrdersAreRejectedAtTheEdge() throws {
        let cases: [(body: String, reason: String, text: String)] = [
            ("11=B1|55=ZZZZ|54=1|60=20251120-00:53:20|38=100|40=2|44=1|", "1", "unknown symbol"),
            ("11=B2|55=AAPL|54=1|60=20251120-00:53:20|38=100.5|40=2|44=1|", "13", "invalid quantity"),
            ("11=B3|55=AAPL|54=1|60=20251120-00:53:20|38=0|40=2|44=1|", "13", "invalid quantity"),
            ("11=B4|55=AAPL|54=1|60=20251120-00:53:20|38=5000000000|40=2|44=1|", "13", "invalid quantity"),
            ("11=B5|55=AAPL|54=1|60=20251120-00:53:20|38=100|40=2|", "99", "invalid price"),
            ("11=B6|55=AAPL|54=1|60=20251120-00:53:20|38=100|40=2|44=1.00001|", "99", "invalid price"),
            ("11=B7|55=AAPL|54=1|60=20251120-00:53:20|38=100|40=3|44=1|", "11", "unsupported order type"),
            ("11=B8|55=AAPL|54=1|60=20251120-00:53:20|38=100|40=2|44=1|59=6|", "11", "unsupported time in force"),
            ("11=B9|55=AAPL|54=8|60=20251120-00:53:20|38=100|40=2|44=1|", "99", "invalid side"),
        ]
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        for c in cases { try oe.receive(clientMessage("D", c.body), io: &io) }
        XCTAssertTrue(io.commands.isEmpty)
        XCTAssertEqual(io.replies.count, cases.count)
        var execIDs = Set<String>()
        for (i, c) in cases.enumerated() {
            let r = try decodeReply(io.replies[i].bytes)
            XCTAssertEqual(r.msgType, "8")
            XCTAssertEqual(r[11], "B\(i + 1)")
            XCTAssertEqual(r[150], "8")
            XCTAssertEqual(r[39], "8")
            XCTAssertEqual(r[103], c.reason, c.body)
            XCTAssertEqual(r[58], c.text, c.body)
            XCTAssertEqual(r[37], "NONE")
            XCTAssertEqual(r[151], "0")
            XCTAssertEqual(r[14], "0")
            XCTAssertEqual(r[6], "0")
            XCTAssertNotNil(r[60])
            XCTAssertNotNil(r[55])
            execIDs.insert(r[17] ?? "")
        }
        XCTAssertEqual(execIDs.count, cases.count)
        XCTAssertEqual(oe.rememberedOrderCount(session: 0), 0)
    }

    func testTooLongClOrdIDIsRejectedAndEchoed() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        let long = String(repeating: "X", count: 25)
        try oe.receive(clientMessage("D", "11=\(long)|55=AAPL|54=1|60=20251120-00:53:20|38=100|40=2|44=1|"), io: &io)
        XCTAssertTrue(io.commands.isEmpty)
        let r = try decodeReply(io.replies[0].bytes)
        XCTAssertEqual(r[11], long)
        XCTAssertEqual(r[150], "8")
        XCTAssertEqual(r[58], "invalid ClOrdID")
    }

    func testDuplicateOpenClOrdIDIsRejectedAtTheEdge() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("D", newOrderBody), io: &io)
        try oe.receive(clientMessage("D", newOrderBody), io: &io)
        XCTAssertEqual(io.commands.count, 1)
        let r = try decodeReply(io.replies[0].bytes)
        XCTAssertEqual(r[103], "6")
    }

    func testRingFullRejectsWithGatewayBusy() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        io.acceptCommands = false
        try oe.receive(clientMessage("D", newOrderBody), io: &io)
        try oe.receive(clientMessage("F", "41=ORD1|11=CXL1|55=AAPL|54=1|60=20251120-00:53:20|"), io: &io)
        try oe.receive(clientMessage("q", "11=MC1|530=7|60=20251120-00:53:20|"), io: &io)
        XCTAssertEqual(io.replies.count, 3)
        let d = try decodeReply(io.replies[0].bytes)
        XCTAssertEqual(d.msgType, "8")
        XCTAssertEqual(d[150], "8")
        XCTAssertEqual(d[39], "8")
        XCTAssertEqual(d[103], "99")
        XCTAssertEqual(d[58], "gateway busy")
        XCTAssertEqual(d[11], "ORD1")
        XCTAssertEqual(d[55], "AAPL")
        XCTAssertEqual(d[38], "100")
        let f = try decodeReply(io.replies[1].bytes)
        XCTAssertEqual(f.msgType, "9")
        XCTAssertEqual(f[434], "1")
        XCTAssertEqual(f[102], "99")
        XCTAssertEqual(f[58], "gateway busy")
        XCTAssertEqual(f[11], "CXL1")
        XCTAssertEqual(f[41], "ORD1")
        let q = try decodeReply(io.replies[2].bytes)
        XCTAssertEqual(q.msgType, "r")
        XCTAssertEqual(q[531], "0")
        XCTAssertEqual(q[58], "gateway busy")
        XCTAssertEqual(oe.rememberedOrderCount(session: 0), 0)
    }

    func testSecondRequestWhileOnePendsIsRejectedAlreadyPending() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("D", newOrderBody), io: &io)
        XCTAssertTrue(oe.handle(fixEvent(.accepted) { $0.clientOrderID = ClientOrderID("ORD1")!; $0.orderReference = 5; $0.quantity = 100; $0.leavesQuantity = 100 }, now: orderEntryNow, io: &io))
        try oe.receive(clientMessage("F", "41=ORD1|11=CXL1|55=AAPL|54=1|60=20251120-00:53:20|"), io: &io)
        try oe.receive(clientMessage("G", "41=ORD1|11=RPL1|55=AAPL|54=1|60=20251120-00:53:20|38=80|40=2|44=150|"), io: &io)
        XCTAssertEqual(io.commands.count, 2)
        let r = try decodeReply(io.replies[1].bytes)
        XCTAssertEqual(r.msgType, "9")
        XCTAssertEqual(r[102], "3")
        XCTAssertEqual(r[434], "2")
        XCTAssertEqual(r[37], "5")
        XCTAssertEqual(r[39], "0")
        XCTAssertEqual(r[11], "RPL1")
        XCTAssertEqual(r[41], "ORD1")
    }

    func testBadReplaceQuantityIsRejectedWithOrderCancelReject() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("G", "41=ORD1|11=RPL1|55=AAPL|54=1|60=20251120-00:53:20|38=0|40=2|44=150|"), io: &io)
        XCTAssertTrue(io.commands.isEmpty)
        let r = try decodeReply(io.replies[0].bytes)
        XCTAssertEqual(r.msgType, "9")
        XCTAssertEqual(r[434], "2")
        XCTAssertEqual(r[58], "invalid quantity")
        XCTAssertEqual(r[102], "99")
        XCTAssertEqual(r[39], "8")
        XCTAssertEqual(r[37], "NONE")
    }

    func testUnsupportedMessageTypeGetsBusinessMessageReject() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("R", "131=Q1|", seqNum: 17), io: &io)
        XCTAssertTrue(io.commands.isEmpty)
        let r = try decodeReply(io.replies[0].bytes)
        XCTAssertEqual(r.msgType, "j")
        XCTAssertEqual(r[45], "17")
        XCTAssertEqual(r[372], "R")
        XCTAssertEqual(r[380], "3")
    }

    /// Issue 13: AE, AF and d are FIX 4.4 types the venue does not answer: 35=j 380=3.
    func testDefinedButUnsupportedTypesGetBusinessMessageReject380Equals3() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        for (i, type) in ["AE", "AF", "d"].enumerated() {
            try oe.receive(clientMessage(type, "", seqNum: 5 + i), io: &io)
            let r = try decodeReply(io.replies[i].bytes)
            XCTAssertEqual(r.msgType, "j")
            XCTAssertEqual(r[45], "\(5 + i)")
            XCTAssertEqual(r[372], type)
            XCTAssertEqual(r[380], "3")
        }
        XCTAssertTrue(io.commands.isEmpty)
    }

    /// Account (1) equal to the session's: booked and echoed on every ExecutionReport.
    func testAccountOfTheSessionIsAcceptedAndEchoed() throws {
        let oe = try makeNamedOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("D", "1=ACC3|" + newOrderBody), io: &io)
        try oe.receive(clientMessage("D", "11=ORD2|55=AAPL|54=1|60=20251120-00:53:20|38=100|40=2|44=150.25|"), io: &io)
        XCTAssertEqual(io.commands.map(\.account), [3, 3])
        XCTAssertTrue(io.replies.isEmpty)
        // Engine answers and edge rejects carry 1 = the session's account.
        XCTAssertTrue(oe.handle(fixEvent(.accepted) { $0.clientOrderID = ClientOrderID("ORD1")!; $0.orderReference = 7; $0.quantity = 100; $0.leavesQuantity = 100 }, now: orderEntryNow, io: &io))
        try oe.receive(clientMessage("D", "11=ORD3|55=NOPE|54=1|60=20251120-00:53:20|38=100|40=2|44=1|"), io: &io)
        try oe.receive(clientMessage("H", "11=ORD1|55=AAPL|54=1|"), io: &io)
        XCTAssertEqual(io.replies.count, 3)
        for reply in io.replies {
            let r = try decodeReply(reply.bytes)
            XCTAssertEqual(r.msgType, "8")
            XCTAssertEqual(r[1], "ACC3")
        }
    }

    /// Issue 13: 1=ACC2 on CLIENT1's session was booked to ACC1; now a business reject.
    func testAccountOfAnotherSessionIsRefusedWithBusinessReject() throws {
        let oe = try makeNamedOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("D", "1=ACC4|" + newOrderBody, seqNum: 9), io: &io)
        try oe.receive(clientMessage("F", "1=ACC4|41=ORD1|11=CXL1|55=AAPL|54=1|60=20251120-00:53:20|", seqNum: 10), io: &io)
        XCTAssertTrue(io.commands.isEmpty)
        XCTAssertEqual(io.replies.count, 2)
        let r = try decodeReply(io.replies[0].bytes)
        XCTAssertEqual(r.msgType, "j")
        XCTAssertEqual(r[45], "9")
        XCTAssertEqual(r[372], "D")
        XCTAssertEqual(r[379], "ORD1")
        XCTAssertEqual(r[380], "6")
        XCTAssertEqual(r[58], "Account ACC4 is not allowed on this session (its account is ACC3)")
        XCTAssertEqual(try decodeReply(io.replies[1].bytes)[372], "F")
    }

    /// A session may be allowed further accounts: an order naming one is booked to it,
    /// echoed with it, and its cancel acts on that account.
    func testAllowedAccountListBooksToTheNamedAccount() throws {
        let oe = try makeNamedOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("D", "1=ACC9|" + newOrderBody), io: &io)
        try oe.receive(clientMessage("F", "41=ORD1|11=CXL1|55=AAPL|54=1|60=20251120-00:53:20|"), io: &io)
        XCTAssertEqual(io.commands.map(\.account), [9, 9])
        XCTAssertTrue(oe.handle(fixEvent(.accepted) { $0.account = 9; $0.clientOrderID = ClientOrderID("ORD1")!; $0.orderReference = 7; $0.quantity = 100; $0.leavesQuantity = 100 }, now: orderEntryNow, io: &io))
        XCTAssertEqual(try decodeReply(io.replies[0].bytes)[1], "ACC9")
        // Session 1 is not allowed ACC9.
        try oe.receive(clientMessage("D", "1=ACC9|" + newOrderBody), session: 1, io: &io)
        XCTAssertEqual(try decodeReply(io.replies[1].bytes)[380], "6")
    }

    /// Reports the engine's events cause later go back to the order's third party:
    /// 128 = its OnBehalfOfCompID, 115 = its DeliverToCompID.
    func testEventReportsOfAnOrderSentOnBehalfOfAThirdPartyGoBackToIt() throws {
        let oe = try makeNamedOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("D", "115=FUND7|128=DESK2|" + newOrderBody), io: &io)
        XCTAssertTrue(oe.handle(fixEvent(.accepted) { $0.clientOrderID = ClientOrderID("ORD1")!; $0.orderReference = 7; $0.quantity = 100; $0.leavesQuantity = 100 }, now: orderEntryNow, io: &io))
        let r = try decodeReply(io.replies[0].bytes)
        XCTAssertEqual(r[128], "FUND7")
        XCTAssertEqual(r[115], "DESK2")
        // The engine's cancel reject of that order too.
        try oe.receive(clientMessage("F", "41=ORD1|11=CXL1|55=AAPL|54=1|60=20251120-00:53:20|"), io: &io)
        XCTAssertTrue(oe.handle(fixEvent(.cancelRejected) {
            $0.clientOrderID = ClientOrderID("CXL1")!; $0.originalClientOrderID = ClientOrderID("ORD1")!; $0.orderReference = 7
        }, now: orderEntryNow, io: &io))
        let reject = try decodeReply(io.replies[1].bytes)
        XCTAssertEqual(reject.msgType, "9")
        XCTAssertEqual(reject[128], "FUND7")
        XCTAssertEqual(reject[115], "DESK2")
    }

    func testOrderStatusOfUnknownOrder() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("H", "11=NOPE|55=AAPL|54=2|"), io: &io)
        let r = try decodeReply(io.replies[0].bytes)
        XCTAssertEqual(r.msgType, "8")
        XCTAssertEqual(r[150], "I")
        XCTAssertEqual(r[39], "8")
        XCTAssertEqual(r[11], "NOPE")
        XCTAssertEqual(r[54], "2")
        XCTAssertEqual(r[58], "unknown order")
    }

    func testConfigurationErrors() {
        XCTAssertThrowsError(try FIXOrderEntry(accounts: [1], symbols: ["TOOLONGNAME": 1], source: 1))
        XCTAssertThrowsError(try FIXOrderEntry(accounts: [1], symbols: ["A": 0], source: 1))
        XCTAssertThrowsError(try FIXOrderEntry(accounts: [1], symbols: ["A": 1, "B": 1], source: 1))
    }
}
