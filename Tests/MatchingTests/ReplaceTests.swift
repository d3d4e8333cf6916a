import GatewayCore
import Matching
import XCTest

final class ReplaceTests: XCTestCase {
    func testPriceChangeLosesPriorityAndTakesANewReference() {
        let h = EngineHarness()
        let a = limit(.buy, 100, "10.00", ref: 1)
        let b = limit(.buy, 100, "10.01", account: 2, ref: 1)
        h.send([a, b])
        let request = replace(original: 1, ref: 2, 100, "10.01")
        assertEvents(
            h.send(request),
            [
                h.replacedEvent(a, by: request, ref: 3, previousRef: 1, open: 100),
                h.booked(replaced(a, by: request), ref: 3, open: 100),
            ])
        XCTAssertEqual(
            h.engine.orders(symbol: 1, side: .buy),
            [h.resting(b, ref: 2, open: 100), h.resting(replaced(a, by: request), ref: 3, open: 100)])
        XCTAssertNil(h.engine.order(account: 1, userReference: 1))
        XCTAssertEqual(h.engine.order(account: 1, userReference: 2)?.reference, 3)
    }

    func testSamePriceSmallerQuantityKeepsPriorityAndReference() {
        let h = EngineHarness()
        let a = limit(.sell, 300, "10.00", ref: 1)
        let b = limit(.sell, 100, "10.00", account: 2, ref: 1)
        h.send([a, b])
        let request = replace(original: 1, ref: 2, 200, "10.00")
        assertEvents(h.send(request), [h.replacedEvent(a, by: request, ref: 1, previousRef: 1, open: 200)])
        let a2 = replaced(a, by: request)
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .sell), [h.resting(a2, ref: 1, open: 200), h.resting(b, ref: 2, open: 100)])
        let buy = limit(.buy, 100, "10.00", account: 3, ref: 1)
        assertEvents(
            h.send(buy),
            [h.accepted(buy, ref: 3)]
                + h.fill(resting: a2, 1, restingLeaves: 100, restingCum: 100,
                         incoming: buy, 3, incomingLeaves: 0, incomingCum: 100, 100, at: "10.00", match: 1))
    }

    /// OUCH's rule, asked for with a flag: even a same-price reduction goes to the back.
    func testReplaceLosesPriorityFlagSendsEvenASamePriceReductionToTheBack() {
        let h = EngineHarness()
        let a = limit(.sell, 300, "10.00", ref: 1)
        let b = limit(.sell, 100, "10.00", account: 2, ref: 1)
        h.send([a, b])
        var request = replace(original: 1, ref: 2, 200, "10.00")
        request.flags = .replaceLosesPriority
        assertEvents(
            h.send(request),
            [
                h.replacedEvent(a, by: request, ref: 3, previousRef: 1, open: 200),
                h.booked(replaced(a, by: request), ref: 3, open: 200),
            ])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .sell).map(\.reference), [2, 3])
    }

    func testLargerQuantityLosesPriority() {
        let h = EngineHarness()
        let a = limit(.sell, 300, "10.00", ref: 1)
        let b = limit(.sell, 100, "10.00", account: 2, ref: 1)
        h.send([a, b])
        let request = replace(original: 1, ref: 2, 400, "10.00")
        assertEvents(
            h.send(request),
            [
                h.replacedEvent(a, by: request, ref: 3, previousRef: 1, open: 400),
                h.booked(replaced(a, by: request), ref: 3, open: 400),
            ])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .sell).map(\.reference), [2, 3])
    }

    func testQuantityIsTotalLiableIncludingExecutions() {
        let h = EngineHarness()
        let a = limit(.buy, 500, "10.00", ref: 1)
        let other = limit(.buy, 100, "10.00", account: 3, ref: 1)
        h.send([a, other, limit(.sell, 200, "10.00", account: 2, ref: 1)])
        XCTAssertEqual(h.engine.order(account: 1, userReference: 1)?.openQuantity, 300)
        // 400 liable, 200 executed: 200 open, fewer than 300 at the same price, keeps priority.
        let smaller = replace(original: 1, ref: 2, 400, "10.00")
        assertEvents(h.send(smaller), [h.replacedEvent(a, by: smaller, ref: 1, previousRef: 1, open: 200, cum: 200)])
        let a2 = replaced(a, by: smaller)
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .buy).first, h.resting(a2, ref: 1, open: 200, executed: 200))
        // 600 liable, 200 executed: 400 open, more than 200: loses priority.
        let larger = replace(original: 2, ref: 3, 600, "10.00")
        assertEvents(
            h.send(larger),
            [
                h.replacedEvent(a2, by: larger, ref: 4, previousRef: 1, open: 400, cum: 200, previousOpen: 200),
                h.booked(replaced(a2, by: larger), ref: 4, open: 400, cum: 200),
            ])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .buy).map(\.reference), [2, 4])
        // 200 liable, 200 executed: nothing left, the order is canceled.
        let a3 = replaced(a2, by: larger)
        let done = replace(original: 3, ref: 4, 200, "10.00")
        assertEvents(h.send(done), [h.canceled(a3, ref: 4, 400, cum: 200, .userRequested, answering: done)])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .buy).map(\.reference), [2])
    }

    func testReplaceToACrossingPriceTradesOnArrival() {
        let h = EngineHarness()
        let a = limit(.buy, 300, "10.00", ref: 1)
        let ask = limit(.sell, 100, "10.02", account: 2, ref: 1)
        h.send([a, ask])
        let request = replace(original: 1, ref: 2, 300, "10.03")
        let a2 = replaced(a, by: request)
        assertEvents(
            h.send(request),
            [h.replacedEvent(a, by: request, ref: 3, previousRef: 1, open: 300)]
                + h.fill(resting: ask, 2, restingLeaves: 0, restingCum: 100,
                         incoming: a2, 3, incomingLeaves: 200, incomingCum: 100, 100, at: "10.02", match: 1)
                + [h.booked(a2, ref: 3, open: 200, cum: 100)])
        // The rest of the replaced order trades with a later seller.
        h.send(limit(.sell, 200, "10.03", account: 3, ref: 1))
        XCTAssertEqual(h.engine.openOrderCount, 0)
    }

    func testReplaceFullyFilledOnArrivalLeavesNothing() {
        let h = EngineHarness()
        let a = limit(.sell, 100, "10.05", ref: 1)
        let bid = limit(.buy, 100, "10.00", account: 2, ref: 1)
        h.send([a, bid])
        let request = replace(original: 1, ref: 2, 100, "10.00")
        let a2 = replaced(a, by: request)
        assertEvents(
            h.send(request),
            [h.replacedEvent(a, by: request, ref: 3, previousRef: 1, open: 100)]
                + h.fill(resting: bid, 2, restingLeaves: 0, restingCum: 100,
                         incoming: a2, 3, incomingLeaves: 0, incomingCum: 100, 100, at: "10.00", match: 1))
        XCTAssertEqual(h.engine.openOrderCount, 0)
        XCTAssertNil(h.engine.order(account: 1, userReference: 2))
    }

    func testReplaceRefusals() {
        let h = EngineHarness()
        let a = limit(.buy, 300, "10.00", ref: 1)
        let b = limit(.buy, 100, "9.00", ref: 2)
        h.send([a, b])
        let target = (command: a, ref: OrderReference(1), leaves: UInt32(300), cum: UInt32(0))
        let unknown = replace(original: 9, ref: 10, 100, "10.00")
        assertEvents(h.send(unknown), [h.cancelRejected(unknown, .unknownOrder)])
        let otherAccount = replace(account: 2, original: 1, ref: 10, 100, "10.00")
        assertEvents(h.send(otherAccount), [h.cancelRejected(otherAccount, .unknownOrder)])
        let duplicate = replace(original: 1, ref: 2, 100, "10.00")
        assertEvents(h.send(duplicate), [h.cancelRejected(duplicate, .duplicateOrderID, order: target)])
        let sameKey = replace(original: 1, ref: 1, 100, "10.00")
        assertEvents(h.send(sameKey), [h.cancelRejected(sameKey, .duplicateOrderID, order: target)])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .buy).map(\.openQuantity), [300, 100])
    }

    func testInvalidNewDetailsCancelTheOriginal() {
        let h = EngineHarness()
        let orders = (1...4).map { limit(.buy, 300, "10.00", ref: UInt32($0)) }
        h.send(orders)
        let offTick = replace(original: 1, ref: 11, 300, "10.001")
        assertEvents(h.send(offTick), [h.canceled(orders[0], ref: 1, 300, .invalidReplace, answering: offTick)])
        let oddLot = replace(original: 2, ref: 12, 250, "10.00")
        assertEvents(h.send(oddLot), [h.canceled(orders[1], ref: 2, 300, .invalidReplace, answering: oddLot)])
        let zero = replace(original: 3, ref: 13, 0, "10.00")
        assertEvents(h.send(zero), [h.canceled(orders[2], ref: 3, 300, .invalidReplace, answering: zero)])
        let noPrice = replace(original: 4, ref: 14, 300, "0")
        assertEvents(h.send(noPrice), [h.canceled(orders[3], ref: 4, 300, .invalidReplace, answering: noPrice)])
        XCTAssertEqual(h.engine.openOrderCount, 0)
    }

    func testPostOnlyReplacedToACrossingPriceIsCanceled() {
        let h = EngineHarness()
        let a = limit(.buy, 100, "10.00", ref: 1, flags: .postOnly)
        let ask = limit(.sell, 100, "10.02", account: 2, ref: 1)
        h.send([a, ask])
        let passive = replace(original: 1, ref: 2, 100, "10.01")
        assertEvents(
            h.send(passive),
            [
                h.replacedEvent(a, by: passive, ref: 3, previousRef: 1, open: 100),
                h.booked(replaced(a, by: passive), ref: 3, open: 100),
            ])
        let a2 = replaced(a, by: passive)
        let crossing = replace(original: 2, ref: 3, 100, "10.02")
        assertEvents(h.send(crossing), [h.canceled(a2, ref: 3, 100, .postOnlyWouldTrade, answering: crossing)])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .sell).map(\.openQuantity), [100])
    }

    func testFIXReplaceMovesTheClOrdIDAndMustKeepTheSide() {
        let h = EngineHarness()
        let order = fixLimit(.sell, 300, "10.00", account: 2, id: "A")
        h.send(order)
        let wrongSide = fixReplace(account: 2, original: "A", id: "B", side: .buy, 300, "10.01")
        assertEvents(
            h.send(wrongSide),
            [h.cancelRejected(wrongSide, .invalidModification, order: (order, 1, 300, 0))])
        let request = fixReplace(account: 2, original: "A", id: "B", side: .sell, 300, "10.01")
        let events = h.send(request)
        assertEvents(
            events,
            [
                h.replacedEvent(order, by: request, ref: 2, previousRef: 1, open: 300),
                h.booked(replaced(order, by: request), ref: 2, open: 300),
            ])
        XCTAssertEqual(events[0].clientOrderID, cl("B"))
        XCTAssertEqual(events[0].originalClientOrderID, cl("A"))
        XCTAssertNil(h.engine.order(account: 2, clientOrderID: cl("A")))
        XCTAssertEqual(h.engine.order(account: 2, clientOrderID: cl("B"))?.price, px("10.01"))
        // The old ClOrdID is free again; the new one is live.
        let cancelOld = fixCancel(account: 2, id: "C", original: "A")
        assertEvents(h.send(cancelOld), [h.cancelRejected(cancelOld, .unknownOrder)])
    }

    func testReplaceMovesTheOrderToTheRequestersConnection() {
        let h = EngineHarness()
        let a = limit(.buy, 100, "10.00", ref: 1, from: OrderOrigin(source: 1, session: 1, connection: 7))
        h.send(a)
        let request = replace(original: 1, ref: 2, 100, "10.00", from: OrderOrigin(source: 1, session: 1, connection: 8))
        h.send(request)
        XCTAssertEqual(h.engine.order(account: 1, userReference: 2)?.origin, request.origin)
        let fill = h.send(limit(.sell, 100, "10.00", account: 2, ref: 1))
        XCTAssertEqual(fill[1].destination, request.origin)
    }

    func testReplaceNeedingANewLevelOnAFullSideIsRefused() {
        let h = EngineHarness(.test(maxOrders: 64, maxPriceLevelsPerSide: 2))
        let a = limit(.buy, 100, "10.00", ref: 1)
        let b = limit(.buy, 100, "10.00", ref: 2)
        let c = limit(.buy, 100, "9.99", ref: 3)
        h.send([a, b, c])
        let request = replace(original: 1, ref: 4, 100, "9.98")
        assertEvents(h.send(request), [h.cancelRejected(request, .capacityExceeded, order: (a, 1, 100, 0))])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .buy).map(\.reference), [1, 2, 3])
        // An order alone on its level frees it by moving.
        let move = replace(original: 3, ref: 5, 100, "9.98")
        assertEvents(
            h.send(move),
            [
                h.replacedEvent(c, by: move, ref: 4, previousRef: 3, open: 100),
                h.booked(replaced(c, by: move), ref: 4, open: 100),
            ])
    }
}
