import GatewayCore
import Matching
import XCTest

final class CancelModifyTests: XCTestCase {
    func testCancelRemovesTheOrder() {
        let h = EngineHarness()
        let buy = limit(.buy, 300, "10.00", ref: 1)
        h.send(buy)
        let request = cancel(ref: 1)
        assertEvents(h.send(request), [h.canceled(buy, ref: 1, 300, .userRequested, answering: request)])
        XCTAssertEqual(h.engine.openOrderCount, 0)
        XCTAssertEqual(h.engine.levelCount(symbol: 1, side: .buy), 0)
        // Canceling again: the order is gone.
        assertEvents(h.send(request), [h.cancelRejected(request, .unknownOrder)])
    }

    func testCancelOfAPartiallyFilledOrderCancelsWhatIsOpen() {
        let h = EngineHarness()
        let buy = limit(.buy, 300, "10.00", ref: 1)
        h.send([buy, limit(.sell, 100, "10.00", account: 2, ref: 1)])
        let request = cancel(ref: 1)
        assertEvents(h.send(request), [h.canceled(buy, ref: 1, 200, cum: 100, .userRequested, answering: request)])
    }

    func testCancelOfAnUnknownOrderOrAnotherAccountsOrderIsRejected() {
        let h = EngineHarness()
        h.send(limit(.buy, 100, "10.00", account: 2, ref: 1))
        let unknown = cancel(ref: 99)
        assertEvents(h.send(unknown), [h.cancelRejected(unknown, .unknownOrder)])
        // Account 1 names UserRefNum 1, which only account 2 has.
        let notMine = cancel(account: 1, ref: 1)
        assertEvents(h.send(notMine), [h.cancelRejected(notMine, .unknownOrder)])
        let noAccount = cancel(account: 9, ref: 1)
        assertEvents(h.send(noAccount), [h.cancelRejected(noAccount, .unknownOrder)])
        XCTAssertEqual(h.engine.openOrderCount, 1)
    }

    func testReduceKeepsPriority() {
        let h = EngineHarness()
        let first = limit(.buy, 300, "10.00", account: 2, ref: 1)
        let second = limit(.buy, 100, "10.00", account: 3, ref: 1)
        h.send([first, second])
        let reduce = cancel(account: 2, ref: 1, quantity: 100)
        assertEvents(
            h.send(reduce), [h.canceled(first, ref: 1, 200, leaves: 100, .userRequested, answering: reduce)])
        XCTAssertEqual(
            h.engine.orders(symbol: 1, side: .buy), [h.resting(first, ref: 1, open: 100), h.resting(second, ref: 2, open: 100)])
        XCTAssertEqual(h.engine.levels(symbol: 1, side: .buy), [BookLevel(price: px("10.00"), quantity: 200, orderCount: 2)])
        let sell = limit(.sell, 100, "10.00", ref: 1)
        assertEvents(
            h.send(sell),
            [h.accepted(sell, ref: 3)]
                + h.fill(resting: first, 1, restingLeaves: 0, restingCum: 100,
                         incoming: sell, 3, incomingLeaves: 0, incomingCum: 100, 100, at: "10.00", match: 1))
    }

    func testReduceToAsMuchAsIsOpenOrToOddLotsIsRefused() {
        let h = EngineHarness()
        let buy = limit(.buy, 300, "10.00", ref: 1)
        h.send(buy)
        let same = cancel(ref: 1, quantity: 300)
        let more = cancel(ref: 1, quantity: 400)
        let oddLot = cancel(ref: 1, quantity: 150)
        let target = (command: buy, ref: OrderReference(1), leaves: UInt32(300), cum: UInt32(0))
        assertEvents(h.send(same), [h.cancelRejected(same, .invalidModification, order: target)])
        assertEvents(h.send(more), [h.cancelRejected(more, .invalidModification, order: target)])
        assertEvents(h.send(oddLot), [h.cancelRejected(oddLot, .invalidModification, order: target)])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .buy), [h.resting(buy, ref: 1, open: 300)])
    }

    func testModifyReducesKeepingPriority() {
        let h = EngineHarness()
        let first = limit(.sell, 500, "10.00", account: 2, ref: 1)
        let second = limit(.sell, 100, "10.00", account: 3, ref: 1)
        h.send([first, second])
        let request = modify(account: 2, ref: 1, side: .sell, quantity: 200)
        assertEvents(h.send(request), [h.modified(first, ref: 1, open: 200, answering: request)])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .sell).map(\.reference), [1, 2])
        XCTAssertEqual(h.engine.levels(symbol: 1, side: .sell).first?.quantity, 300)
        // The same quantity changes nothing but is confirmed.
        let same = modify(account: 2, ref: 1, side: .sell, quantity: 200)
        assertEvents(h.send(same), [h.modified(first, ref: 1, open: 200, previousOpen: 200, answering: same)])
    }

    func testModifyThatIncreasesOrChangesSideIsRefused() {
        let h = EngineHarness()
        let sell = limit(.sell, 500, "10.00", account: 2, ref: 1)
        h.send(sell)
        let target = (command: sell, ref: OrderReference(1), leaves: UInt32(500), cum: UInt32(0))
        let increase = modify(account: 2, ref: 1, side: .sell, quantity: 600)
        assertEvents(h.send(increase), [h.cancelRejected(increase, .invalidModification, order: target)])
        let otherSide = modify(account: 2, ref: 1, side: .buy, quantity: 100)
        assertEvents(h.send(otherSide), [h.cancelRejected(otherSide, .invalidModification, order: target)])
        let oddLot = modify(account: 2, ref: 1, side: .sell, quantity: 50)
        assertEvents(h.send(oddLot), [h.cancelRejected(oddLot, .invalidModification, order: target)])
        let unknown = modify(account: 2, ref: 2, side: .sell, quantity: 100)
        assertEvents(h.send(unknown), [h.cancelRejected(unknown, .unknownOrder)])
    }

    func testModifyToZeroCancels() {
        let h = EngineHarness()
        let sell = limit(.sell, 500, "10.00", account: 2, ref: 1)
        h.send(sell)
        let request = modify(account: 2, ref: 1, side: .sell, quantity: 0)
        assertEvents(h.send(request), [h.canceled(sell, ref: 1, 500, .userRequested, answering: request)])
        XCTAssertEqual(h.engine.openOrderCount, 0)
    }

    func testFIXCancelAnswersWithTheRequestsClOrdID() {
        let h = EngineHarness()
        let order = fixLimit(.sell, 100, "10.00", account: 3, id: "ORD-1")
        h.send(order)
        let wrong = fixCancel(account: 3, id: "CXL-1", original: "ORD-2")
        assertEvents(h.send(wrong), [h.cancelRejected(wrong, .unknownOrder)])
        let request = fixCancel(account: 3, id: "CXL-2", original: "ORD-1")
        let events = h.send(request)
        assertEvents(events, [h.canceled(order, ref: 1, 100, .userRequested, answering: request)])
        XCTAssertEqual(events.first?.clientOrderID, cl("CXL-2"))
        XCTAssertEqual(events.first?.originalClientOrderID, cl("ORD-1"))
    }

    func testCancelsAnswerTheRequesterWhileFillsGoToTheOrdersOrigin() {
        let h = EngineHarness()
        let first = OrderOrigin(source: 1, session: 1, connection: 7)
        let buy = limit(.buy, 300, "10.00", ref: 1, from: first)
        h.send(buy)
        // The session reconnected (connection 8) and reduces the order.
        var reduce = cancel(ref: 1, quantity: 200)
        reduce.origin = OrderOrigin(source: 1, session: 1, connection: 8)
        let events = h.send(reduce)
        XCTAssertEqual(events.map(\.destination), [reduce.origin])
        // A fill still goes where the order was entered (a reduce does not move it).
        let sell = limit(.sell, 100, "10.00", account: 2, ref: 1)
        XCTAssertEqual(h.send(sell)[1].destination, first)
    }
}
