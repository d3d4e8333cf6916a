import GatewayCore
import Matching
import XCTest

final class TradingDayTests: XCTestCase {
    func testHaltedSymbolRefusesNewOrdersAndReplacesButCancelsWork() {
        let h = EngineHarness()
        let a = limit(.buy, 300, "10.00", ref: 1)
        let b = limit(.buy, 300, "10.00", ref: 2)
        h.send([a, b])
        let halt = tradingState(1, .halted)
        assertEvents(h.send(halt), [h.tradingStateChanged(halt)])
        XCTAssertEqual(h.engine.tradingState(of: 1), .halted)

        let order = limit(.buy, 100, "10.00", ref: 3)
        assertEvents(h.send(order), [h.rejected(order, .symbolHalted)])
        let marketOrder = market(.sell, 100, ref: 4)
        assertEvents(h.send(marketOrder), [h.rejected(marketOrder, .symbolHalted)])
        let request = replace(original: 1, ref: 5, 300, "10.01")
        assertEvents(h.send(request), [h.cancelRejected(request, .symbolHalted, order: (a, 1, 300, 0))])
        let reduce = cancel(ref: 1, quantity: 100)
        assertEvents(h.send(reduce), [h.canceled(a, ref: 1, 200, leaves: 100, .userRequested, answering: reduce)])
        let change = modify(ref: 1, side: .buy, quantity: 0)
        assertEvents(h.send(change), [h.canceled(a, ref: 1, 100, .userRequested, answering: change)])
        let full = cancel(ref: 2)
        assertEvents(h.send(full), [h.canceled(b, ref: 2, 300, .userRequested, answering: full)])
        // The other symbol trades on.
        let other = limit(.buy, 10, "20.00", ref: 6, symbol: 2)
        assertEvents(h.send(other), [h.accepted(other, ref: 3), h.booked(other, ref: 3, open: 10)])

        let resume = tradingState(1, .trading)
        assertEvents(h.send(resume), [h.tradingStateChanged(resume)])
        assertEvents(h.send(order), [h.accepted(order, ref: 4), h.booked(order, ref: 4, open: 100)])
    }

    func testTradingStateOfAnUnknownSymbolOrStateIsRejected() {
        let h = EngineHarness()
        let unknown = tradingState(3, .halted)
        assertEvents(h.send(unknown), [h.rejected(unknown, .unknownSymbol)])
        var badState = tradingState(1, .halted)
        badState.code = 9
        assertEvents(h.send(badState), [h.rejected(badState, .unknownCommand)])
        var badEvent = systemEvent(.endOfDay)
        badEvent.code = 0
        assertEvents(h.send(badEvent), [h.rejected(badEvent, .unknownCommand)])
        XCTAssertTrue(h.engine.isMarketOpen)
    }

    func testEndOfDayCancelsDayOrdersKeepsGoodTillCancelAndClosesTheMarket() {
        let h = EngineHarness()
        let dayBid = limit(.buy, 100, "10.00", ref: 1)
        let gtcBid = limit(.buy, 100, "10.01", account: 2, ref: 1, tif: .goodTillCancel)
        let dayAsk = limit(.sell, 100, "10.05", account: 3, ref: 1)
        let betterDayBid = limit(.buy, 100, "10.02", account: 4, ref: 1)
        let dayB = limit(.sell, 10, "20.00", ref: 2, symbol: 2)
        let gtcB = limit(.sell, 10, "20.05", ref: 3, symbol: 2, tif: .goodTillCancel)
        h.send([dayBid, gtcBid, dayAsk, betterDayBid, dayB, gtcB])
        let endOfDay = systemEvent(.endOfDay)
        // Book order: symbol 1 bids best first, symbol 1 asks, then symbol 2.
        assertEvents(
            h.send(endOfDay),
            [
                h.canceled(betterDayBid, ref: 4, 100, .endOfDay),
                h.canceled(dayBid, ref: 1, 100, .endOfDay),
                h.canceled(dayAsk, ref: 3, 100, .endOfDay),
                h.canceled(dayB, ref: 5, 10, .endOfDay),
                h.systemEventEvent(endOfDay),
            ])
        XCTAssertFalse(h.engine.isMarketOpen)
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .buy), [h.resting(gtcBid, ref: 2, open: 100)])
        XCTAssertEqual(h.engine.orders(symbol: 2, side: .sell), [h.resting(gtcB, ref: 6, open: 10)])

        let closed = limit(.buy, 100, "10.00", ref: 9)
        assertEvents(h.send(closed), [h.rejected(closed, .marketClosed)])
        let request = replace(account: 2, original: 1, ref: 2, 100, "10.02")
        assertEvents(
            h.send(request), [h.cancelRejected(request, .marketClosed, order: (gtcBid, 2, 100, 0))])
        let reduce = modify(ref: 3, side: .sell, quantity: 0)
        assertEvents(h.send(reduce), [h.canceled(gtcB, ref: 6, 10, .userRequested, answering: reduce)])

        let startOfDay = systemEvent(.startOfDay)
        assertEvents(h.send(startOfDay), [h.systemEventEvent(startOfDay)])
        XCTAssertTrue(h.engine.isMarketOpen)
        assertEvents(h.send(closed), [h.accepted(closed, ref: 7), h.booked(closed, ref: 7, open: 100)])
    }

    func testMassCancelOfAnAccountInOneSymbolOrAll() {
        let h = EngineHarness()
        let a1 = limit(.buy, 100, "10.00", ref: 1)
        let a2 = limit(.sell, 100, "10.10", ref: 2)
        let a3 = limit(.buy, 10, "20.00", ref: 3, symbol: 2)
        let other = limit(.buy, 100, "10.01", account: 2, ref: 1)
        let fix = fixLimit(.buy, 100, "9.99", id: "F1")
        h.send([a1, a2, a3, other, fix])
        let inSymbol1 = massCancel(account: 1, symbol: 1)
        assertEvents(
            h.send(inSymbol1),
            [
                h.canceled(a1, ref: 1, 100, .userRequested),
                h.canceled(fix, ref: 5, 100, .userRequested),
                h.canceled(a2, ref: 2, 100, .userRequested),
                h.massCancelDone(inSymbol1, count: 3),
            ])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .buy).map(\.reference), [4])
        let everywhere = massCancel(account: 1)
        assertEvents(
            h.send(everywhere),
            [h.canceled(a3, ref: 3, 10, .userRequested), h.massCancelDone(everywhere, count: 1)])
        let nothing = massCancel(account: 3)
        assertEvents(h.send(nothing), [h.massCancelDone(nothing, count: 0)])
        let unknownAccount = massCancel(account: 5)
        assertEvents(h.send(unknownAccount), [h.rejected(unknownAccount, .unknownAccount)])
        let unknownSymbol = massCancel(account: 1, symbol: 7)
        assertEvents(h.send(unknownSymbol), [h.rejected(unknownSymbol, .unknownSymbol)])
        XCTAssertEqual(h.engine.openOrderCount, 1)
    }

    func testDisconnectCancelsEveryOrderTheSessionEntered() {
        let h = EngineHarness()
        let session7 = OrderOrigin(source: 2, session: 7, connection: 70)
        let mine1 = limit(.buy, 100, "10.00", ref: 1, from: session7)
        let mine2 = limit(.sell, 10, "20.00", account: 2, ref: 1, symbol: 2, from: session7)
        let notMine = limit(.buy, 100, "10.01", ref: 2)
        h.send([mine1, mine2, notMine])
        // An earlier connection of the same session counts too: the session is the key.
        let drop = disconnected(OrderOrigin(source: 2, session: 7, connection: 71))
        assertEvents(
            h.send(drop),
            [
                h.canceled(mine1, ref: 1, 100, .disconnected),
                h.canceled(mine2, ref: 2, 10, .disconnected),
                h.massCancelDone(drop, count: 2),
            ])
        XCTAssertEqual(h.engine.openOrderCount, 1)
    }
}
