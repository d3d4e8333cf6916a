import FIX
import GatewayCore
import XCTest

final class FIXOrderEntryEventTests: XCTestCase {
    let ord1 = ClientOrderID("ORD1")!

    /// Enters ORD1 (buy 100 AAPL at 150.25, Day) and has the engine accept it as reference 5.
    func enteredOrder() throws -> (FIXOrderEntry, RecordingOrderEntryIO) {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("D", newOrderBody), io: &io)
        XCTAssertTrue(oe.handle(accepted(), now: orderEntryNow, io: &io))
        return (oe, io)
    }

    func accepted() -> Event {
        fixEvent(.accepted) {
            $0.clientOrderID = self.ord1
            $0.orderReference = 5
            $0.quantity = 100
            $0.leavesQuantity = 100
            $0.sequence = 40
        }
    }

    func execution(_ quantity: UInt32, at raw: Int64, cum: UInt32, match: UInt64, liquidity: LiquidityFlag = .removed) -> Event {
        fixEvent(.executed) {
            $0.clientOrderID = self.ord1
            $0.orderReference = 5
            $0.quantity = quantity
            $0.price = Price(raw: raw)
            $0.cumulativeQuantity = cum
            $0.leavesQuantity = 100 - cum
            $0.matchNumber = match
            $0.liquidity = liquidity
            $0.sequence = 50 + match
        }
    }

    func testAcceptedReportsNew() throws {
        let (_, io) = try enteredOrder()
        XCTAssertEqual(io.replies.count, 1)
        let r = try decodeReply(io.replies[0].bytes)
        XCTAssertEqual(r.msgType, "8")
        XCTAssertEqual(r[150], "0")
        XCTAssertEqual(r[39], "0")
        XCTAssertEqual(r[11], "ORD1")
        XCTAssertNil(r[41])
        XCTAssertEqual(r[37], "5")
        XCTAssertEqual(r[17], "E40-A5")
        XCTAssertEqual(r[55], "AAPL")
        XCTAssertEqual(r[54], "1")
        XCTAssertEqual(r[38], "100")
        XCTAssertEqual(r[40], "2")
        XCTAssertEqual(r[44], "150.25")
        XCTAssertEqual(r[59], "0")
        XCTAssertEqual(r[151], "100")
        XCTAssertEqual(r[14], "0")
        XCTAssertEqual(r[6], "0")
        XCTAssertEqual(r[60], "20251120-00:53:21.000")
        XCTAssertEqual(io.replies[0].session, 0)
    }

    func testExecutionsReportFillsWithAveragePrice() throws {
        var (oe, io) = try enteredOrder()
        XCTAssertTrue(oe.handle(execution(40, at: 1_500_000, cum: 40, match: 7), now: orderEntryNow, io: &io))
        XCTAssertTrue(oe.handle(execution(60, at: 1_502_500, cum: 100, match: 8, liquidity: .added), now: orderEntryNow, io: &io))
        let partial = try decodeReply(io.replies[1].bytes)
        XCTAssertEqual(partial[150], "F")
        XCTAssertEqual(partial[39], "1")
        XCTAssertEqual(partial[32], "40")
        XCTAssertEqual(partial[31], "150")
        XCTAssertEqual(partial[14], "40")
        XCTAssertEqual(partial[151], "60")
        XCTAssertEqual(partial[6], "150")
        XCTAssertEqual(partial[17], "E57-X7R")
        XCTAssertEqual(partial[37], "5")
        XCTAssertEqual(partial[38], "100")
        XCTAssertEqual(partial[11], "ORD1")
        let full = try decodeReply(io.replies[2].bytes)
        XCTAssertEqual(full[150], "F")
        XCTAssertEqual(full[39], "2")
        XCTAssertEqual(full[32], "60")
        XCTAssertEqual(full[31], "150.25")
        XCTAssertEqual(full[14], "100")
        XCTAssertEqual(full[151], "0")
        // (40 × 150 + 60 × 150.25) / 100 = 150.15
        XCTAssertEqual(full[6], "150.15")
        XCTAssertEqual(full[17], "E58-X8A")
        XCTAssertEqual(oe.rememberedOrderCount(session: 0), 0)
    }

    func testExecIDIsStableForTheSameEvent() throws {
        let a = try makeOrderEntry()
        let b = try makeOrderEntry()
        var ioA = RecordingOrderEntryIO()
        var ioB = RecordingOrderEntryIO()
        let e = execution(10, at: 1_500_000, cum: 10, match: 3)
        a.handle(e, now: orderEntryNow, io: &ioA)
        b.handle(e, now: Timestamp(rawValue: 5), io: &ioB)
        XCTAssertEqual(try decodeReply(ioA.replies[0].bytes)[17], try decodeReply(ioB.replies[0].bytes)[17])
        // Unknown to the table (e.g. after a restart): AvgPx falls back to LastPx.
        XCTAssertEqual(try decodeReply(ioA.replies[0].bytes)[6], "150")
    }

    func testCancelReportsCanceledWithOrigClOrdID() throws {
        var (oe, io) = try enteredOrder()
        try oe.receive(clientMessage("F", "41=ORD1|11=CXL1|55=AAPL|54=1|60=20251120-00:53:20|"), io: &io)
        let canceled = fixEvent(.canceled) {
            $0.clientOrderID = ClientOrderID("CXL1")!
            $0.originalClientOrderID = self.ord1
            $0.orderReference = 5
            $0.quantity = 100
            $0.leavesQuantity = 0
            $0.cancelReason = .userRequested
            $0.sequence = 60
        }
        XCTAssertTrue(oe.handle(canceled, now: orderEntryNow, io: &io))
        let r = try decodeReply(io.replies[1].bytes)
        XCTAssertEqual(r[150], "4")
        XCTAssertEqual(r[39], "4")
        XCTAssertEqual(r[11], "CXL1")
        XCTAssertEqual(r[41], "ORD1")
        XCTAssertEqual(r[37], "5")
        XCTAssertEqual(r[17], "E60-C5")
        XCTAssertEqual(r[38], "100")
        XCTAssertEqual(r[151], "0")
        XCTAssertEqual(r[14], "0")
        XCTAssertEqual(oe.rememberedOrderCount(session: 0), 0)
    }

    func testImmediateOrCancelRemainderReportsExpired() throws {
        var (oe, io) = try enteredOrder()
        oe.handle(execution(30, at: 1_500_000, cum: 30, match: 1), now: orderEntryNow, io: &io)
        let canceled = fixEvent(.canceled) {
            $0.clientOrderID = self.ord1
            $0.orderReference = 5
            $0.quantity = 70
            $0.cumulativeQuantity = 30
            $0.leavesQuantity = 0
            $0.cancelReason = .immediateOrCancel
            $0.timeInForce = .immediateOrCancel
        }
        oe.handle(canceled, now: orderEntryNow, io: &io)
        let r = try decodeReply(io.replies[2].bytes)
        XCTAssertEqual(r[150], "C")
        XCTAssertEqual(r[39], "C")
        XCTAssertEqual(r[11], "ORD1")
        XCTAssertNil(r[41])
        XCTAssertEqual(r[14], "30")
        XCTAssertEqual(r[151], "0")
        XCTAssertEqual(r[6], "150")
        XCTAssertEqual(r[59], "3")
        XCTAssertEqual(r[58], "immediate or cancel")
    }

    func testReplaceReportsReplacedAndRekeysTheOrder() throws {
        var (oe, io) = try enteredOrder()
        oe.handle(execution(20, at: 1_500_000, cum: 20, match: 1), now: orderEntryNow, io: &io)
        try oe.receive(clientMessage("G", "41=ORD1|11=RPL1|55=AAPL|54=5|60=20251120-00:53:20|38=90|40=2|44=151|"), io: &io)
        let replaced = fixEvent(.replaced) {
            $0.clientOrderID = ClientOrderID("RPL1")!
            $0.originalClientOrderID = self.ord1
            $0.orderReference = 9
            $0.previousOrderReference = 5
            $0.price = Price(raw: 1_510_000)
            $0.quantity = 70
            $0.leavesQuantity = 70
            $0.cumulativeQuantity = 20
            $0.side = .sell
            $0.sequence = 70
        }
        XCTAssertTrue(oe.handle(replaced, now: orderEntryNow, io: &io))
        let r = try decodeReply(io.replies[2].bytes)
        XCTAssertEqual(r[150], "5")
        XCTAssertEqual(r[39], "1")
        XCTAssertEqual(r[11], "RPL1")
        XCTAssertEqual(r[41], "ORD1")
        XCTAssertEqual(r[37], "9")
        XCTAssertEqual(r[17], "E70-R9")
        XCTAssertEqual(r[38], "90")
        XCTAssertEqual(r[44], "151")
        XCTAssertEqual(r[54], "5")
        XCTAssertEqual(r[151], "70")
        XCTAssertEqual(r[14], "20")
        XCTAssertEqual(r[6], "150")
        try oe.receive(clientMessage("H", "11=RPL1|55=AAPL|54=5|"), io: &io)
        let status = try decodeReply(io.replies[3].bytes)
        XCTAssertEqual(status[150], "I")
        XCTAssertEqual(status[39], "1")
        XCTAssertEqual(status[37], "9")
        XCTAssertEqual(status[151], "70")
        XCTAssertEqual(status[14], "20")
        XCTAssertEqual(status[6], "150")
        XCTAssertEqual(status[44], "151")
        XCTAssertEqual(status[17]?.first, "S")
        try oe.receive(clientMessage("H", "11=ORD1|55=AAPL|54=1|"), io: &io)
        XCTAssertEqual(try decodeReply(io.replies[4].bytes)[39], "8")
    }

    func testModifiedReportsReplaced() throws {
        var (oe, io) = try enteredOrder()
        let modified = fixEvent(.modified) {
            $0.clientOrderID = ClientOrderID("MOD1")!
            $0.originalClientOrderID = self.ord1
            $0.orderReference = 5
            $0.quantity = 60
            $0.leavesQuantity = 60
            $0.sequence = 80
        }
        oe.handle(modified, now: orderEntryNow, io: &io)
        let r = try decodeReply(io.replies[1].bytes)
        XCTAssertEqual(r[150], "5")
        XCTAssertEqual(r[39], "0")
        XCTAssertEqual(r[11], "MOD1")
        XCTAssertEqual(r[41], "ORD1")
        XCTAssertEqual(r[38], "60")
        XCTAssertEqual(r[151], "60")
        XCTAssertEqual(r[17], "E80-M5")
    }

    func testEngineRejectReportsRejectedWithReason() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("D", "11=S1|55=AAPL|54=6|60=20251120-00:53:20|38=100|40=2|44=150.25|"), io: &io)
        let rejected = fixEvent(.rejected) {
            $0.clientOrderID = ClientOrderID("S1")!
            $0.quantity = 100
            $0.side = .sell
            $0.rejectReason = .symbolHalted
            $0.sequence = 90
        }
        oe.handle(rejected, now: orderEntryNow, io: &io)
        let r = try decodeReply(io.replies[0].bytes)
        XCTAssertEqual(r[150], "8")
        XCTAssertEqual(r[39], "8")
        XCTAssertEqual(r[103], "0")
        XCTAssertEqual(r[58], "symbol halted")
        XCTAssertEqual(r[37], "NONE")
        XCTAssertEqual(r[17], "E90-J")
        XCTAssertEqual(r[54], "6")
        XCTAssertEqual(r[38], "100")
        XCTAssertEqual(r[151], "0")
        XCTAssertEqual(oe.rememberedOrderCount(session: 0), 0)
    }

    func testRejectReasonMapping() throws {
        let expected: [RejectReason: String] = [
            .unknownSymbol: "1", .unknownAccount: "99", .invalidQuantity: "13", .invalidPrice: "99",
            .invalidSide: "99", .invalidOrderType: "11", .invalidTimeInForce: "11", .symbolHalted: "0",
            .duplicateOrderID: "6", .postOnlyWouldTrade: "0", .capacityExceeded: "3", .marketClosed: "2",
            .unknownCommand: "99",
            .riskOrderQuantity: "3", .riskOrderNotional: "3", .riskPriceCollar: "3", .riskOpenOrders: "3",
            .riskGrossPosition: "3", .riskNetPosition: "3", .riskExposure: "3", .restrictedSymbol: "3",
            .killSwitch: "3", .rateLimited: "3", .invalidRiskUpdate: "99", .signalNoChange: "99",
        ]
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        for reason in RejectReason.allCases {
            oe.handle(fixEvent(.rejected) { $0.clientOrderID = ClientOrderID("R")!; $0.quantity = 1; $0.rejectReason = reason }, now: orderEntryNow, io: &io)
            let r = try decodeReply(io.replies.last!.bytes)
            XCTAssertEqual(r[103], expected[reason], "\(reason)")
            XCTAssertEqual(r[58], reason.text)
        }
    }

    func testCancelRejectAnswersCancelAndReplaceRequests() throws {
        var (oe, io) = try enteredOrder()
        try oe.receive(clientMessage("F", "41=ORD1|11=CXL1|55=AAPL|54=1|60=20251120-00:53:20|"), io: &io)
        oe.handle(fixEvent(.cancelRejected) {
            $0.clientOrderID = ClientOrderID("CXL1")!
            $0.originalClientOrderID = self.ord1
            $0.orderReference = 5
            $0.leavesQuantity = 100
            $0.cancelRejectReason = .marketClosed
        }, now: orderEntryNow, io: &io)
        let f = try decodeReply(io.replies[1].bytes)
        XCTAssertEqual(f.msgType, "9")
        XCTAssertEqual(f[434], "1")
        XCTAssertEqual(f[102], "99")
        XCTAssertEqual(f[58], "market closed")
        XCTAssertEqual(f[11], "CXL1")
        XCTAssertEqual(f[41], "ORD1")
        XCTAssertEqual(f[37], "5")
        XCTAssertEqual(f[39], "0")
        // The pending flag is cleared: a replace may follow.
        try oe.receive(clientMessage("G", "41=ORD1|11=RPL1|55=AAPL|54=1|60=20251120-00:53:20|38=80|40=2|44=150|"), io: &io)
        XCTAssertEqual(io.commands.count, 3)
        oe.handle(fixEvent(.cancelRejected) {
            $0.clientOrderID = ClientOrderID("RPL1")!
            $0.originalClientOrderID = self.ord1
            $0.cancelRejectReason = .unknownOrder
        }, now: orderEntryNow, io: &io)
        let g = try decodeReply(io.replies[2].bytes)
        XCTAssertEqual(g[434], "2")
        XCTAssertEqual(g[102], "1")
        XCTAssertEqual(g[58], "unknown order")
        XCTAssertEqual(g[37], "NONE")
        XCTAssertEqual(g[39], "0")
    }

    func testCancelRejectOfUnknownOrder() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("F", "41=GONE|11=CXL9|55=AAPL|54=1|60=20251120-00:53:20|"), io: &io)
        oe.handle(fixEvent(.cancelRejected) {
            $0.clientOrderID = ClientOrderID("CXL9")!
            $0.originalClientOrderID = ClientOrderID("GONE")!
            $0.cancelRejectReason = .unknownOrder
        }, now: orderEntryNow, io: &io)
        let r = try decodeReply(io.replies[0].bytes)
        XCTAssertEqual(r[39], "8")
        XCTAssertEqual(r[102], "1")
        XCTAssertEqual(r[434], "1")
        XCTAssertEqual(r[41], "GONE")
    }

    func testMassCancelDoneReportsMassCancelReport() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("q", "11=MC1|530=1|55=MSFT|60=20251120-00:53:20|"), io: &io)
        oe.handle(fixEvent(.massCancelDone) {
            $0.clientOrderID = ClientOrderID("MC1")!
            $0.symbol = 2
            $0.quantity = 3
            $0.sequence = 99
        }, now: orderEntryNow, io: &io)
        let r = try decodeReply(io.replies[0].bytes)
        XCTAssertEqual(r.msgType, "r")
        XCTAssertEqual(r[11], "MC1")
        XCTAssertEqual(r[37], "E99-M")
        XCTAssertEqual(r[530], "1")
        XCTAssertEqual(r[531], "1")
        XCTAssertEqual(r[533], "3")
        XCTAssertEqual(r[55], "MSFT")
        try oe.receive(clientMessage("q", "11=MC2|530=7|60=20251120-00:53:20|"), io: &io)
        oe.handle(fixEvent(.massCancelDone) { $0.clientOrderID = ClientOrderID("MC2")!; $0.symbol = .none; $0.quantity = 0 }, now: orderEntryNow, io: &io)
        let all = try decodeReply(io.replies[1].bytes)
        XCTAssertEqual(all[530], "7")
        XCTAssertEqual(all[531], "7")
        XCTAssertEqual(all[533], "0")
        XCTAssertNil(all[55])
    }

    func testMassCancelRejectedByEngine() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        try oe.receive(clientMessage("q", "11=MC1|530=7|60=20251120-00:53:20|"), io: &io)
        oe.handle(fixEvent(.rejected) { $0.clientOrderID = ClientOrderID("MC1")!; $0.symbol = .none; $0.rejectReason = .unknownAccount }, now: orderEntryNow, io: &io)
        let r = try decodeReply(io.replies[0].bytes)
        XCTAssertEqual(r.msgType, "r")
        XCTAssertEqual(r[531], "0")
        XCTAssertEqual(r[530], "7")
        XCTAssertEqual(r[58], "unknown account")
    }

    func testSilentAndForeignEvents() throws {
        let oe = try makeOrderEntry()
        var io = RecordingOrderEntryIO()
        XCTAssertTrue(oe.handle(fixEvent(.booked) { $0.clientOrderID = self.ord1 }, now: orderEntryNow, io: &io))
        XCTAssertTrue(oe.handle(fixEvent(.massCancelDone) { $0.clientOrderID = .empty }, now: orderEntryNow, io: &io))
        XCTAssertFalse(oe.handle(fixEvent(.trade) { $0.destination = .venue }, now: orderEntryNow, io: &io))
        XCTAssertFalse(oe.handle(fixEvent(.accepted) { $0.destination.source = 3 }, now: orderEntryNow, io: &io))
        XCTAssertFalse(oe.handle(fixEvent(.accepted) { $0.destination.session = 3 }, now: orderEntryNow, io: &io))
        XCTAssertTrue(io.replies.isEmpty)
        // Session 2 of the engine is index 1.
        XCTAssertTrue(oe.handle(fixEvent(.accepted) { $0.destination.session = 2; $0.clientOrderID = self.ord1; $0.quantity = 1; $0.leavesQuantity = 1 }, now: orderEntryNow, io: &io))
        XCTAssertEqual(io.replies[0].session, 1)
    }
}
