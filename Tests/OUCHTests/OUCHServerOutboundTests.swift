import GatewayCore
import OUCH
import XCTest
import TestSupport

/// Engine events → OUCH outbound messages on the user's sequenced stream.
final class OUCHServerOutboundTests: XCTestCase {
    var h: ServerHarness!

    override func setUpWithError() throws {
        h = try ServerHarness()
        h.login(1)
    }

    override func tearDown() { h = nil }

    /// The golden Order Accepted, produced by the server: the engine gives reference 42.
    func testOrderAcceptedBytesAreTheSpecExample() {
        h.engine.nextReference = 42
        h.receive(1, Client.data(Golden.enterOrderPlain.withPostOnly))
        h.turn()
        XCTAssertEqual(
            hex(h.io.sent[1] ?? []),
            hex([0, UInt8(Golden.orderAccepted.encodedLength + 1), UInt8(ascii: "S")] + unhex(Golden.orderAcceptedHex)))
    }

    /// Order Accepted echoes the letters the client sent, not what the engine keeps.
    func testOrderAcceptedEchoesTheOrderAsEntered() {
        h.login(2, "OUCH02", "Secret")
        var order = enter(1, side: OUCHSide.sellShortExempt, quantity: 500, symbol: "MSFT", price: 3_000_000,
                          timeInForce: OUCHTimeInForce.goodTillExtendedHours, clOrdID: "ABC",
                          appendage: OUCHAppendage(firm: OUCHFirm("FRMA")))
        order.display = OUCHDisplay.attributable
        order.capacity = OUCHCapacity.principal
        order.intermarketSweep = UInt8(ascii: "Y")
        h.send(2, order)
        XCTAssertEqual(h.messages(2), [
            .orderAccepted(OUCHOrderAccepted(
                timestamp: testStartOUCH, userRefNum: 1, side: OUCHSide.sellShortExempt, quantity: 500,
                symbol: OUCHSymbol("MSFT")!, price: 3_000_000, timeInForce: OUCHTimeInForce.goodTillExtendedHours,
                display: OUCHDisplay.attributable, orderReferenceNumber: 1, capacity: OUCHCapacity.principal,
                intermarketSweep: UInt8(ascii: "Y"), crossType: OUCHCrossType.continuous, orderState: OUCHOrderState.live,
                clOrdID: OUCHClOrdID("ABC")!, appendage: OUCHAppendage(firm: OUCHFirm("FRMA")))),
        ])
    }

    /// An IOC: accepted (live), then the unexecuted rest canceled `I`. A fill-or-kill
    /// echoes its MinQty; a market order reports the market price.
    func testImmediateOrdersAreAcceptedThenCanceled() {
        h.send(1, enter(1, quantity: 200, timeInForce: OUCHTimeInForce.immediateOrCancel))
        XCTAssertEqual(h.messages(1).map(\.summary), ["A 1 200 L", "C 1 200 I"])
        h.send(1, enter(2, quantity: 300, timeInForce: OUCHTimeInForce.immediateOrCancel,
                        appendage: OUCHAppendage(minimumQuantity: 300)))
        let fok = h.messages(1)
        XCTAssertEqual(fok.map(\.summary), ["A 2 300 L", "C 2 300 I"])
        if case .orderAccepted(let a) = fok[0] {
            XCTAssertEqual(a.appendage, OUCHAppendage(minimumQuantity: 300))
            XCTAssertEqual(a.timeInForce, OUCHTimeInForce.immediateOrCancel)
        }
        h.send(1, enter(3, price: OUCHPrice.market))
        guard case .orderAccepted(let market)? = h.messages(1).first else { return XCTFail("no Order Accepted") }
        XCTAssertEqual(market.price, OUCHPrice.market)
    }

    func testOrderExecuted() {
        h.send(1, enter(1, quantity: 300))
        _ = h.messages(1)
        for liquidity in [LiquidityFlag.added, .removed] {
            h.server.handle(h.engine.execute(
                account: 1, userReference: 1, quantity: 100, liquidity: liquidity, match: 77, at: testStart))
        }
        h.flush()
        XCTAssertEqual(h.messages(1), [
            .orderExecuted(OUCHOrderExecuted(timestamp: testStartOUCH, userRefNum: 1, quantity: 100, price: 1_502_500,
                                             liquidityFlag: OUCHLiquidityFlag.added, matchNumber: 77)),
            .orderExecuted(OUCHOrderExecuted(timestamp: testStartOUCH, userRefNum: 1, quantity: 100, price: 1_502_500,
                                             liquidityFlag: OUCHLiquidityFlag.removed, matchNumber: 77)),
        ])
    }

    /// Every engine cancel reason has its OUCH letter.
    func testOrderCanceledReasons() {
        let expected: [(CancelReason, OUCHCancelReason)] = [
            (.userRequested, .userRequested), (.immediateOrCancel, .immediateOrCancel), (.fillOrKill, .immediateOrCancel),
            (.selfTradePrevention, .selfMatchPrevention), (.disconnected, .userRequested), (.endOfDay, .timeout),
            (.invalidReplace, .userRequested), (.postOnlyWouldTrade, .system), (.supervisory, .supervisory),
        ]
        XCTAssertEqual(expected.count, CancelReason.allCases.count)
        for (i, (reason, letter)) in expected.enumerated() {
            var event = Event(kind: .canceled)
            event.destination = OrderOrigin(source: 1, session: 101, connection: 1)
            event.timestamp = testStart
            event.userReference = UInt32(i + 1)
            event.quantity = 10
            event.cancelReason = reason
            XCTAssertTrue(h.server.handle(event))
            h.flush()
            XCTAssertEqual(h.messages(1), [
                .orderCanceled(OUCHOrderCanceled(timestamp: testStartOUCH, userRefNum: UInt32(i + 1), quantity: 10, reason: letter)),
            ], "\(reason)")
        }
    }

    func testCancelAndReduce() {
        h.send(1, enter(1, quantity: 300))
        h.send(1, OUCHCancelOrder(userRefNum: 1, quantity: 100))
        h.send(1, OUCHCancelOrder(userRefNum: 1, quantity: 0))
        XCTAssertEqual(h.messages(1).map(\.summary), ["A 1 300 L", "C 1 200 U", "C 1 100 U"])
    }

    /// Order Replaced carries the original's letters with the replace's TimeInForce,
    /// Display and ISO, the new reference and the new ClOrdID.
    func testOrderReplaced() {
        var order = enter(7, side: OUCHSide.sellShort, quantity: 100, clOrdID: "ORD-1")
        order.capacity = OUCHCapacity.riskless
        h.send(1, order)
        _ = h.messages(1)
        var replace = Golden.replaceOrder
        replace.timeInForce = OUCHTimeInForce.goodTillTriple
        replace.display = OUCHDisplay.attributable
        h.send(1, replace)
        XCTAssertEqual(h.messages(1), [
            .orderReplaced(OUCHOrderReplaced(
                timestamp: testStartOUCH, originalUserRefNum: 7, userRefNum: 8, side: OUCHSide.sellShort, quantity: 200,
                symbol: OUCHSymbol("AAPL")!, price: 1_503_000, timeInForce: OUCHTimeInForce.goodTillTriple,
                display: OUCHDisplay.attributable, orderReferenceNumber: 2, capacity: OUCHCapacity.riskless,
                intermarketSweep: UInt8(ascii: "N"), crossType: OUCHCrossType.continuous, orderState: OUCHOrderState.live,
                clOrdID: OUCHClOrdID("ORD-2")!)),
        ])
        // The order is now 8: a cancel of 7 does nothing, of 8 cancels.
        h.send(1, OUCHCancelOrder(userRefNum: 7, quantity: 0))
        h.send(1, OUCHCancelOrder(userRefNum: 8, quantity: 0))
        XCTAssertEqual(h.messages(1).map(\.summary), ["C 8 200 U"])
    }

    /// A replace whose details the edge refuses cancels the original, reason `U`.
    func testAnInvalidReplaceCancelsTheOriginal() {
        h.send(1, enter(7))
        h.send(1, OUCHReplaceOrder(originalUserRefNum: 7, userRefNum: 8, quantity: 0, price: 1_503_000))
        XCTAssertEqual(h.messages(1).map(\.summary), ["A 7 100 L", "C 7 100 U"])
    }

    /// Order Modified reports the side asked for: S, T and E are all sells.
    func testOrderModifiedReportsTheRequestedSide() {
        h.send(1, enter(1, side: OUCHSide.sell, quantity: 300))
        h.send(1, OUCHModifyOrder(userRefNum: 1, side: OUCHSide.sellShort, quantity: 200))
        h.send(1, OUCHModifyOrder(userRefNum: 1, side: OUCHSide.sellShortExempt, quantity: 200))
        h.send(1, OUCHModifyOrder(userRefNum: 1, side: OUCHSide.buy, quantity: 100))  // refused: another side
        h.send(1, OUCHModifyOrder(userRefNum: 1, side: OUCHSide.sell, quantity: 250))  // refused: an increase
        h.send(1, OUCHModifyOrder(userRefNum: 1, side: OUCHSide.sell, quantity: 0))
        XCTAssertEqual(h.messages(1), [
            .orderAccepted(acceptedSell300),
            .orderModified(OUCHOrderModified(timestamp: testStartOUCH, userRefNum: 1, side: OUCHSide.sellShort, quantity: 200)),
            .orderModified(OUCHOrderModified(timestamp: testStartOUCH, userRefNum: 1, side: OUCHSide.sellShortExempt, quantity: 200)),
            .orderCanceled(OUCHOrderCanceled(timestamp: testStartOUCH, userRefNum: 1, quantity: 200, reason: .userRequested)),
        ])
    }

    var acceptedSell300: OUCHOrderAccepted {
        OUCHOrderAccepted(
            timestamp: testStartOUCH, userRefNum: 1, side: OUCHSide.sell, quantity: 300, symbol: OUCHSymbol("AAPL")!,
            price: 1_502_500, timeInForce: OUCHTimeInForce.day, display: OUCHDisplay.visible, orderReferenceNumber: 1,
            capacity: OUCHCapacity.agency, intermarketSweep: UInt8(ascii: "N"), crossType: OUCHCrossType.continuous,
            orderState: OUCHOrderState.live, clOrdID: OUCHClOrdID("ORD")!)
    }

    /// Every engine reject reason has its OUCH code; the Rejected names the UserRefNum
    /// and echoes the ClOrdID.
    func testRejectedReasons() {
        let expected: [(RejectReason, OUCHRejectReason)] = [
            (.unknownSymbol, .invalidSymbol), (.unknownAccount, .firmNotAuthorized), (.invalidQuantity, .invalidQuantity),
            (.invalidPrice, .invalidPrice), (.invalidSide, .invalidSide), (.invalidOrderType, .other),
            (.invalidTimeInForce, .other), (.symbolHalted, .halted), (.duplicateOrderID, .other),
            (.postOnlyWouldTrade, .other), (.capacityExceeded, .processingError), (.marketClosed, .other),
            (.unknownCommand, .processingError),
            (.riskOrderQuantity, .sharesExceedThreshold), (.riskOrderNotional, .exceedsMaximumNotional),
            (.riskPriceCollar, .riskFatFinger), (.riskOpenOrders, .riskAggregateExposure),
            (.riskGrossPosition, .riskAggregateExposure), (.riskNetPosition, .riskAggregateExposure),
            (.riskExposure, .riskAggregateExposure), (.restrictedSymbol, .firmNotAuthorized),
            (.killSwitch, .firmNotAuthorized), (.rateLimited, .riskPortMessageRate),
            (.invalidRiskUpdate, .other), (.signalNoChange, .other),
        ]
        XCTAssertEqual(expected.count, RejectReason.allCases.count)
        for (i, (reason, code)) in expected.enumerated() {
            h.engine.rejectNext = reason
            h.send(1, enter(UInt32(i + 1), clOrdID: "R\(i)"))
            XCTAssertEqual(h.messages(1), [
                .rejected(OUCHRejected(timestamp: testStartOUCH, userRefNum: UInt32(i + 1), reason: code,
                                       clOrdID: OUCHClOrdID("R\(i)")!)),
            ], "\(reason)")
        }
    }

    /// OUCH has no cancel reject: refused cancels and modifies are not answered, nor is a
    /// replace of an unknown order or to a live UserRefNum. A replace refused for the
    /// state of the market is answered with a Rejected for its new UserRefNum.
    func testCancelRejectsAreSilentExceptReplaceRefusalsOfTheMarket() {
        h.send(1, OUCHCancelOrder(userRefNum: 99, quantity: 0))
        h.send(1, OUCHModifyOrder(userRefNum: 99, side: OUCHSide.buy, quantity: 1))
        h.send(1, OUCHReplaceOrder(originalUserRefNum: 99, userRefNum: 100, quantity: 100, price: 1_500_000))
        h.send(1, enter(101, quantity: 300))
        h.send(1, OUCHCancelOrder(userRefNum: 101, quantity: 300))  // not a reduction
        _ = h.messages(1)
        XCTAssertEqual(h.processed.count, 5)

        h.engine.halted = [1]
        h.send(1, OUCHReplaceOrder(originalUserRefNum: 101, userRefNum: 102, quantity: 300, price: 1_500_000,
                                   clOrdID: OUCHClOrdID("NEW")!))
        XCTAssertEqual(h.messages(1), [
            .rejected(OUCHRejected(timestamp: testStartOUCH, userRefNum: 102, reason: .halted, clOrdID: OUCHClOrdID("NEW")!)),
        ])

        for (reason, code) in [(CancelRejectReason.marketClosed, OUCHRejectReason.other), (.capacityExceeded, .processingError)] {
            var event = Event(kind: .cancelRejected)
            event.destination = OrderOrigin(source: 1, session: 101, connection: 1)
            event.timestamp = testStart
            event.userReference = 103
            event.originalUserReference = 101
            event.cancelRejectReason = reason
            XCTAssertTrue(h.server.handle(event))
            h.flush()
            XCTAssertEqual(h.messages(1).map(\.rejectReason), [code])
        }
        for reason in [CancelRejectReason.unknownOrder, .duplicateOrderID, .invalidModification] {
            var event = Event(kind: .cancelRejected)
            event.destination = OrderOrigin(source: 1, session: 101, connection: 1)
            event.userReference = 104
            event.originalUserReference = 101
            event.cancelRejectReason = reason
            XCTAssertFalse(h.server.handle(event))
        }
        h.flush()
        XCTAssertEqual(h.messages(1), [])
    }

    /// Booked, trade, mass-cancel summaries and venue events have no OUCH message; events
    /// for another I/O thread or an unknown session are not this server's.
    func testEventsWithoutAnOUCHMessage() {
        for kind in [EventKind.booked, .trade, .massCancelDone, .tradingStateChanged, .systemEvent] {
            var event = Event(kind: kind)
            event.destination = OrderOrigin(source: 1, session: 101, connection: 1)
            XCTAssertFalse(h.server.handle(event), "\(kind)")
        }
        var event = Event(kind: .canceled)
        event.destination = OrderOrigin(source: 2, session: 101, connection: 1)
        XCTAssertFalse(h.server.handle(event))
        event.destination = OrderOrigin(source: 1, session: 999, connection: 1)
        XCTAssertFalse(h.server.handle(event))
        event.destination = OrderOrigin(source: 1, session: 5, connection: 1)
        XCTAssertFalse(h.server.handle(event))
        h.flush()
        XCTAssertEqual(h.messages(1), [])
    }

    /// Events go to the user's stream whatever connection they name: an old connection's
    /// orders report to the user's new connection.
    func testEventsFollowTheUserNotTheConnection() {
        h.login(2, "OUCH02", "Secret")
        h.send(2, enter(1, quantity: 300))
        _ = h.messages(2)
        h.server.closed(2, now: h.now, io: &h.io)  // OUCH02 has no cancel-on-disconnect
        h.runEngine()
        XCTAssertEqual(h.login(3, "OUCH02", "Secret"), [.loginAccepted(session: "20251120", sequence: 2)])
        h.server.handle(h.engine.execute(account: 2, userReference: 1, quantity: 300, liquidity: .added, match: 5, at: testStart))
        h.flush()
        XCTAssertEqual(h.messages(3).map(\.summary), ["E 1 300 A"])
        XCTAssertEqual(h.messages(1), [])
    }

    func testSystemEventsGoToEveryUser() {
        h.login(2, "OUCH02", "Secret")
        h.server.systemEvent(.startOfDay, now: h.now)
        h.server.systemEvent(.endOfDay, now: h.now)
        h.flush()
        let expected: [OUCHOutboundMessage] = [
            .systemEvent(OUCHSystemEvent(timestamp: testStartOUCH, eventCode: OUCHSystemEventCode.startOfDay)),
            .systemEvent(OUCHSystemEvent(timestamp: testStartOUCH, eventCode: OUCHSystemEventCode.endOfDay)),
        ]
        XCTAssertEqual(h.messages(1), expected)
        XCTAssertEqual(h.messages(2), expected)
        XCTAssertEqual(h.server.store(of: "ouch03")?.messageCount, 2)
    }
}

extension OUCHEnterOrder {
    var withPostOnly: OUCHEnterOrder {
        var m = self
        m.appendage = OUCHAppendage(postOnly: OUCHPostOnly.postOnly)
        return m
    }
}

extension OUCHOutboundMessage {
    /// "A 1 200 L": type, UserRefNum, quantity and the last field that matters.
    var summary: String {
        switch self {
        case .systemEvent(let m): "S \(UnicodeScalar(m.eventCode))"
        case .orderAccepted(let m): "A \(m.userRefNum) \(m.quantity) \(UnicodeScalar(m.orderState))"
        case .orderReplaced(let m): "U \(m.originalUserRefNum)>\(m.userRefNum) \(m.quantity)"
        case .orderCanceled(let m): "C \(m.userRefNum) \(m.quantity) \(UnicodeScalar(m.reason.rawValue))"
        case .orderExecuted(let m): "E \(m.userRefNum) \(m.quantity) \(UnicodeScalar(m.liquidityFlag))"
        case .brokenTrade(let m): "B \(m.userRefNum)"
        case .rejected(let m): "J \(m.userRefNum) \(m.reason)"
        case .orderModified(let m): "M \(m.userRefNum) \(m.quantity) \(UnicodeScalar(m.side))"
        case .accountQueryResponse(let m): "Q \(m.nextUserRefNum)"
        }
    }
}
