import GatewayCore
import Matching
import XCTest

final class NewOrderTests: XCTestCase {
    func testLimitOrderRestsOnAnEmptyBook() {
        let h = EngineHarness()
        let buy = limit(.buy, 300, "10.00", ref: 1)
        assertEvents(h.send(buy), [h.accepted(buy, ref: 1), h.booked(buy, ref: 1, open: 300)])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .buy), [h.resting(buy, ref: 1, open: 300)])
        XCTAssertEqual(h.engine.levels(symbol: 1, side: .buy), [BookLevel(price: px("10.00"), quantity: 300, orderCount: 1)])
        XCTAssertEqual(h.engine.order(account: 1, userReference: 1), h.resting(buy, ref: 1, open: 300))
        XCTAssertEqual(h.engine.openOrderCount, 1)
    }

    func testMarketableLimitFillsAcrossLevelsThenRests() {
        let h = EngineHarness()
        let s1 = limit(.sell, 100, "10.00", account: 2, ref: 1)
        let s2 = limit(.sell, 200, "10.01", account: 2, ref: 2)
        let s3 = limit(.sell, 100, "10.02", account: 3, ref: 1)
        h.send([s1, s2, s3])
        let buy = limit(.buy, 400, "10.01", ref: 1)
        assertEvents(
            h.send(buy),
            [h.accepted(buy, ref: 4)]
                + h.fill(resting: s1, 1, restingLeaves: 0, restingCum: 100,
                         incoming: buy, 4, incomingLeaves: 300, incomingCum: 100, 100, at: "10.00", match: 1)
                + h.fill(resting: s2, 2, restingLeaves: 0, restingCum: 200,
                         incoming: buy, 4, incomingLeaves: 100, incomingCum: 300, 200, at: "10.01", match: 2)
                + [h.booked(buy, ref: 4, open: 100, cum: 300)])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .buy), [h.resting(buy, ref: 4, open: 100, executed: 300)])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .sell), [h.resting(s3, ref: 3, open: 100)])
    }

    func testPriorityIsFirstInFirstOutWithinALevel() {
        let h = EngineHarness()
        let first = limit(.sell, 100, "10.00", account: 2, ref: 1)
        let second = limit(.sell, 100, "10.00", account: 3, ref: 1)
        let third = limit(.sell, 100, "10.00", account: 4, ref: 1)
        let better = limit(.sell, 100, "9.99", account: 4, ref: 2)
        h.send([first, second, third, better])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .sell).map(\.reference), [4, 1, 2, 3])
        let buy = limit(.buy, 300, "10.00", ref: 1)
        assertEvents(
            h.send(buy),
            [h.accepted(buy, ref: 5)]
                + h.fill(resting: better, 4, restingLeaves: 0, restingCum: 100,
                         incoming: buy, 5, incomingLeaves: 200, incomingCum: 100, 100, at: "9.99", match: 1)
                + h.fill(resting: first, 1, restingLeaves: 0, restingCum: 100,
                         incoming: buy, 5, incomingLeaves: 100, incomingCum: 200, 100, at: "10.00", match: 2)
                + h.fill(resting: second, 2, restingLeaves: 0, restingCum: 100,
                         incoming: buy, 5, incomingLeaves: 0, incomingCum: 300, 100, at: "10.00", match: 3))
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .sell), [h.resting(third, ref: 3, open: 100)])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .buy), [])
    }

    func testPartialFillOfARestingOrderKeepsItAtTheFront() {
        let h = EngineHarness()
        let bid = limit(.buy, 500, "10.00", account: 2, ref: 1)
        let other = limit(.buy, 100, "10.00", account: 3, ref: 1)
        h.send([bid, other])
        let sell = limit(.sell, 200, "9.90", ref: 1)
        assertEvents(
            h.send(sell),
            [h.accepted(sell, ref: 3)]
                + h.fill(resting: bid, 1, restingLeaves: 300, restingCum: 200,
                         incoming: sell, 3, incomingLeaves: 0, incomingCum: 200, 200, at: "10.00", match: 1))
        XCTAssertEqual(
            h.engine.orders(symbol: 1, side: .buy),
            [h.resting(bid, ref: 1, open: 300, executed: 200), h.resting(other, ref: 2, open: 100)])
        XCTAssertEqual(h.engine.levels(symbol: 1, side: .buy), [BookLevel(price: px("10.00"), quantity: 400, orderCount: 2)])
    }

    func testMarketOrderSweepsTheBookAndTheRestIsCanceled() {
        let h = EngineHarness()
        let s1 = limit(.sell, 100, "10.00", account: 2, ref: 1)
        let s2 = limit(.sell, 100, "10.05", account: 2, ref: 2)
        let s3 = limit(.sell, 200, "11.00", account: 3, ref: 1)
        h.send([s1, s2, s3])
        let buy = market(.buy, 500, ref: 1)
        assertEvents(
            h.send(buy),
            [h.accepted(buy, ref: 4)]
                + h.fill(resting: s1, 1, restingLeaves: 0, restingCum: 100,
                         incoming: buy, 4, incomingLeaves: 400, incomingCum: 100, 100, at: "10.00", match: 1)
                + h.fill(resting: s2, 2, restingLeaves: 0, restingCum: 100,
                         incoming: buy, 4, incomingLeaves: 300, incomingCum: 200, 100, at: "10.05", match: 2)
                + h.fill(resting: s3, 3, restingLeaves: 0, restingCum: 200,
                         incoming: buy, 4, incomingLeaves: 100, incomingCum: 400, 200, at: "11.00", match: 3)
                + [h.canceled(buy, ref: 4, 100, cum: 400, .immediateOrCancel)])
        XCTAssertEqual(h.engine.levelCount(symbol: 1, side: .sell), 0)
        XCTAssertEqual(h.engine.openOrderCount, 0)
    }

    func testMarketOrderOnAnEmptyBookIsCanceledWhole() {
        let h = EngineHarness()
        // A market order's price is ignored, and reported as zero.
        var sell = market(.sell, 300, ref: 9, tif: .day)
        sell.price = px("123.45")
        assertEvents(
            h.send(sell), [h.accepted(sell, ref: 1), h.canceled(sell, ref: 1, 300, .immediateOrCancel)])
    }

    func testImmediateOrCancelTradesWhatItCanAndCancelsTheRest() {
        let h = EngineHarness()
        let s1 = limit(.sell, 100, "10.00", account: 2, ref: 1)
        let s2 = limit(.sell, 100, "10.02", account: 2, ref: 2)
        h.send([s1, s2])
        let buy = limit(.buy, 300, "10.01", ref: 1, tif: .immediateOrCancel)
        assertEvents(
            h.send(buy),
            [h.accepted(buy, ref: 3)]
                + h.fill(resting: s1, 1, restingLeaves: 0, restingCum: 100,
                         incoming: buy, 3, incomingLeaves: 200, incomingCum: 100, 100, at: "10.00", match: 1)
                + [h.canceled(buy, ref: 3, 200, cum: 100, .immediateOrCancel)])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .sell), [h.resting(s2, ref: 2, open: 100)])
        XCTAssertEqual(h.engine.levelCount(symbol: 1, side: .buy), 0)

        // Not crossing at all: accepted, then canceled whole.
        let low = limit(.buy, 100, "9.00", ref: 2, tif: .immediateOrCancel)
        assertEvents(h.send(low), [h.accepted(low, ref: 4), h.canceled(low, ref: 4, 100, .immediateOrCancel)])
    }

    func testFillOrKillThatCannotFillTradesNothing() {
        let h = EngineHarness()
        let s1 = limit(.sell, 100, "10.00", account: 2, ref: 1)
        let s2 = limit(.sell, 100, "10.01", account: 2, ref: 2)
        let s3 = limit(.sell, 500, "10.02", account: 2, ref: 3)
        h.send([s1, s2, s3])
        // 200 available within the limit, 300 wanted.
        let buy = limit(.buy, 300, "10.01", ref: 1, tif: .fillOrKill)
        assertEvents(h.send(buy), [h.accepted(buy, ref: 4), h.canceled(buy, ref: 4, 300, .fillOrKill)])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .sell).map(\.openQuantity), [100, 100, 500])
        XCTAssertEqual(h.engine.nextMatchNumber, 1)
    }

    func testFillOrKillThatCanFillTradesItAll() {
        let h = EngineHarness()
        let s1 = limit(.sell, 100, "10.00", account: 2, ref: 1)
        let s2 = limit(.sell, 300, "10.01", account: 3, ref: 1)
        h.send([s1, s2])
        let buy = limit(.buy, 300, "10.01", ref: 1, tif: .fillOrKill)
        assertEvents(
            h.send(buy),
            [h.accepted(buy, ref: 3)]
                + h.fill(resting: s1, 1, restingLeaves: 0, restingCum: 100,
                         incoming: buy, 3, incomingLeaves: 200, incomingCum: 100, 100, at: "10.00", match: 1)
                + h.fill(resting: s2, 2, restingLeaves: 100, restingCum: 200,
                         incoming: buy, 3, incomingLeaves: 0, incomingCum: 300, 200, at: "10.01", match: 2))
        // A market FOK ignores price but still needs the whole quantity.
        let all = market(.buy, 200, account: 4, ref: 1, tif: .fillOrKill)
        assertEvents(h.send(all), [h.accepted(all, ref: 4), h.canceled(all, ref: 4, 200, .fillOrKill)])
        let exact = market(.buy, 100, account: 4, ref: 2, tif: .fillOrKill)
        assertEvents(
            h.send(exact),
            [h.accepted(exact, ref: 5)]
                + h.fill(resting: s2, 2, restingLeaves: 0, restingCum: 300,
                         incoming: exact, 5, incomingLeaves: 0, incomingCum: 100, 100, at: "10.01", match: 3))
    }

    func testFillOrKillDoesNotCountQuantityBlockedBySelfTradePrevention() {
        let h = EngineHarness()
        // Account 1 (cancelNewest): its own order at the front stops matching, so the
        // 200 of account 4 behind it cannot be reached.
        let own = limit(.sell, 100, "10.00", account: 1, ref: 1)
        let other = limit(.sell, 200, "10.00", account: 4, ref: 1)
        h.send([own, other])
        let buy = limit(.buy, 200, "10.00", account: 1, ref: 2, tif: .fillOrKill)
        assertEvents(h.send(buy), [h.accepted(buy, ref: 3), h.canceled(buy, ref: 3, 200, .fillOrKill)])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .sell).map(\.reference), [1, 2])
    }

    func testFillOrKillUnderCancelOldestSkipsOwnOrdersAndCancelsThemWhenItFills() {
        let h = EngineHarness()
        let own = limit(.sell, 100, "10.00", account: 2, ref: 1)
        let other = limit(.sell, 200, "10.00", account: 4, ref: 1)
        h.send([own, other])
        let tooBig = limit(.buy, 300, "10.00", account: 2, ref: 2, tif: .fillOrKill)
        assertEvents(h.send(tooBig), [h.accepted(tooBig, ref: 3), h.canceled(tooBig, ref: 3, 300, .fillOrKill)])
        let buy = limit(.buy, 200, "10.00", account: 2, ref: 3, tif: .fillOrKill)
        assertEvents(
            h.send(buy),
            [h.accepted(buy, ref: 4), h.canceled(own, ref: 1, 100, .selfTradePrevention)]
                + h.fill(resting: other, 2, restingLeaves: 0, restingCum: 200,
                         incoming: buy, 4, incomingLeaves: 0, incomingCum: 200, 200, at: "10.00", match: 1))
    }

    func testPostOnlyThatWouldTradeIsRejectedAndOneThatDoesNotRests() {
        let h = EngineHarness()
        let ask = limit(.sell, 100, "10.01", account: 2, ref: 1)
        h.send(ask)
        let crossing = limit(.buy, 100, "10.01", ref: 1, flags: .postOnly)
        assertEvents(h.send(crossing), [h.rejected(crossing, .postOnlyWouldTrade)])
        let passive = limit(.buy, 100, "10.00", ref: 1, flags: .postOnly)
        assertEvents(h.send(passive), [h.accepted(passive, ref: 2), h.booked(passive, ref: 2, open: 100)])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .buy), [h.resting(passive, ref: 2, open: 100)])
        // Post-only must be able to rest.
        var postOnlyMarket = market(.buy, 100, ref: 3, tif: .day)
        postOnlyMarket.flags = .postOnly
        assertEvents(h.send(postOnlyMarket), [h.rejected(postOnlyMarket, .invalidOrderType)])
        let postOnlyIOC = limit(.buy, 100, "9.00", ref: 4, tif: .immediateOrCancel, flags: .postOnly)
        assertEvents(h.send(postOnlyIOC), [h.rejected(postOnlyIOC, .invalidTimeInForce)])
        let postOnlyFOK = limit(.buy, 100, "9.00", ref: 5, tif: .fillOrKill, flags: .postOnly)
        assertEvents(h.send(postOnlyFOK), [h.rejected(postOnlyFOK, .invalidTimeInForce)])
    }

    func testPricesMustBePositiveAndOnTickAndQuantitiesWholeLots() {
        let h = EngineHarness()
        let offTick = limit(.buy, 100, "10.005", ref: 1)
        let zeroPrice = limit(.buy, 100, "0", ref: 2)
        var negative = limit(.buy, 100, "1", ref: 3)
        negative.price = Price(raw: -10_000)
        let zeroQuantity = limit(.buy, 0, "10.00", ref: 4)
        let oddLot = limit(.buy, 150, "10.00", ref: 5)
        let bOffTick = limit(.sell, 10, "20.01", ref: 6, symbol: 2)
        let bOddLot = limit(.sell, 15, "20.05", ref: 7, symbol: 2)
        let marketOddLot = market(.sell, 50, ref: 8)
        assertEvents(h.send(offTick), [h.rejected(offTick, .invalidPrice)])
        assertEvents(h.send(zeroPrice), [h.rejected(zeroPrice, .invalidPrice)])
        assertEvents(h.send(negative), [h.rejected(negative, .invalidPrice)])
        assertEvents(h.send(zeroQuantity), [h.rejected(zeroQuantity, .invalidQuantity)])
        assertEvents(h.send(oddLot), [h.rejected(oddLot, .invalidQuantity)])
        assertEvents(h.send(bOffTick), [h.rejected(bOffTick, .invalidPrice)])
        assertEvents(h.send(bOddLot), [h.rejected(bOddLot, .invalidQuantity)])
        assertEvents(h.send(marketOddLot), [h.rejected(marketOddLot, .invalidQuantity)])
        // Symbol 2: tick 0.05, lot 10.
        let good = limit(.sell, 30, "20.05", ref: 9, symbol: 2)
        assertEvents(h.send(good), [h.accepted(good, ref: 1), h.booked(good, ref: 1, open: 30)])
        XCTAssertEqual(h.engine.nextOrderReference, 2, "rejected orders take no reference")
    }

    func testUnknownSymbolAndAccountAreRejected() {
        let h = EngineHarness()
        let noSymbol = limit(.buy, 100, "10.00", ref: 1, symbol: .none)
        let badSymbol = limit(.buy, 100, "10.00", ref: 1, symbol: 3)
        let noAccount = limit(.buy, 100, "10.00", account: .none, ref: 1)
        let badAccount = limit(.buy, 100, "10.00", account: 5, ref: 1)
        assertEvents(h.send(noSymbol), [h.rejected(noSymbol, .unknownSymbol)])
        assertEvents(h.send(badSymbol), [h.rejected(badSymbol, .unknownSymbol)])
        assertEvents(h.send(noAccount), [h.rejected(noAccount, .unknownAccount)])
        assertEvents(h.send(badAccount), [h.rejected(badAccount, .unknownAccount)])
    }

    func testDuplicateKeysOfLiveOrdersAreRejected() {
        let h = EngineHarness()
        let first = limit(.buy, 100, "10.00", ref: 7)
        h.send(first)
        let again = limit(.sell, 100, "11.00", ref: 7)
        assertEvents(h.send(again), [h.rejected(again, .duplicateOrderID)])
        // An IOC with a live key is a duplicate too, even though it would never rest.
        let ioc = limit(.sell, 100, "10.00", ref: 7, tif: .immediateOrCancel)
        assertEvents(h.send(ioc), [h.rejected(ioc, .duplicateOrderID)])
        // Keys are per account and per kind.
        let otherAccount = limit(.buy, 100, "10.00", account: 2, ref: 7)
        assertEvents(h.send(otherAccount), [h.accepted(otherAccount, ref: 2), h.booked(otherAccount, ref: 2, open: 100)])
        let fix = fixLimit(.buy, 100, "10.00", id: "7")
        assertEvents(h.send(fix), [h.accepted(fix, ref: 3), h.booked(fix, ref: 3, open: 100)])
        let fixAgain = fixLimit(.buy, 100, "10.00", id: "7")
        assertEvents(h.send(fixAgain), [h.rejected(fixAgain, .duplicateOrderID)])
        // Once the order is gone its key can be used again.
        h.send(cancel(ref: 7))
        let reuse = limit(.buy, 200, "9.00", ref: 7)
        assertEvents(h.send(reuse), [h.accepted(reuse, ref: 4), h.booked(reuse, ref: 4, open: 200)])
    }

    func testCapacityExhaustionRejectsCleanlyAndRecovers() {
        let h = EngineHarness(.test(maxOrders: 2, maxPriceLevelsPerSide: 16))
        let a = limit(.buy, 100, "10.00", ref: 1)
        let b = limit(.buy, 100, "9.99", ref: 2)
        h.send([a, b])
        XCTAssertEqual(h.engine.availableOrderCapacity, 0)
        let c = limit(.buy, 100, "9.98", ref: 3)
        assertEvents(h.send(c), [h.rejected(c, .capacityExceeded)])
        // An order that can never rest needs no slot.
        let ioc = limit(.sell, 100, "10.00", account: 2, ref: 1, tif: .immediateOrCancel)
        assertEvents(
            h.send(ioc),
            [h.accepted(ioc, ref: 3)]
                + h.fill(resting: a, 1, restingLeaves: 0, restingCum: 100,
                         incoming: ioc, 3, incomingLeaves: 0, incomingCum: 100, 100, at: "10.00", match: 1))
        // The fill freed a slot.
        assertEvents(h.send(c), [h.accepted(c, ref: 4), h.booked(c, ref: 4, open: 100)])
        let d = limit(.sell, 100, "11.00", ref: 4)
        assertEvents(h.send(d), [h.rejected(d, .capacityExceeded)])
        h.send(cancel(ref: 2))
        assertEvents(h.send(d), [h.accepted(d, ref: 5), h.booked(d, ref: 5, open: 100)])
    }

    func testPriceLevelExhaustionRejectsOnlyNewPrices() {
        let h = EngineHarness(.test(maxOrders: 64, maxPriceLevelsPerSide: 2))
        let a = limit(.buy, 100, "10.00", ref: 1)
        let b = limit(.buy, 100, "9.99", ref: 2)
        h.send([a, b])
        let newPrice = limit(.buy, 100, "9.98", ref: 3)
        assertEvents(h.send(newPrice), [h.rejected(newPrice, .capacityExceeded)])
        let samePrice = limit(.buy, 100, "9.99", ref: 4)
        assertEvents(h.send(samePrice), [h.accepted(samePrice, ref: 3), h.booked(samePrice, ref: 3, open: 100)])
        // The other side and the other symbol have their own levels.
        let ask = limit(.sell, 100, "10.50", ref: 5)
        assertEvents(h.send(ask), [h.accepted(ask, ref: 4), h.booked(ask, ref: 4, open: 100)])
        // Conservative: a full side refuses a new price even for an order that would fill.
        let wouldFill = limit(.buy, 100, "10.50", ref: 6)
        assertEvents(h.send(wouldFill), [h.rejected(wouldFill, .capacityExceeded)])
        h.send(cancel(ref: 1))
        assertEvents(h.send(newPrice), [h.accepted(newPrice, ref: 5), h.booked(newPrice, ref: 5, open: 100)])
    }

    func testFIXAndOUCHKeyedOrdersSideBySide() {
        let h = EngineHarness()
        let ouch = limit(.buy, 100, "10.00", ref: 1)
        let fix = fixLimit(.buy, 200, "10.00", id: "1")
        h.send([ouch, fix])
        XCTAssertEqual(h.engine.order(account: 1, userReference: 1)?.reference, 1)
        XCTAssertEqual(h.engine.order(account: 1, clientOrderID: cl("1"))?.reference, 2)
        // A FIX cancel of ClOrdID "1" finds the FIX order, not the OUCH one.
        let fixCancel1 = fixCancel(id: "2", original: "1")
        assertEvents(h.send(fixCancel1), [h.canceled(fix, ref: 2, 200, .userRequested, answering: fixCancel1)])
        XCTAssertNotNil(h.engine.order(account: 1, userReference: 1))
        // An OUCH cancel of UserRefNum 1 finds the OUCH order.
        let ouchCancel = cancel(ref: 1)
        assertEvents(h.send(ouchCancel), [h.canceled(ouch, ref: 1, 100, .userRequested, answering: ouchCancel)])
        XCTAssertEqual(h.engine.openOrderCount, 0)
    }

    func testAnEventCarriesTheDestinationOfTheOrderItIsAbout() {
        let h = EngineHarness()
        let ask = limit(.sell, 100, "10.00", account: 2, ref: 1)
        h.send(ask)
        let buy = limit(.buy, 100, "10.00", account: 1, ref: 1)
        let events = h.send(buy)
        XCTAssertEqual(events.map(\.destination), [origin(1), origin(2), origin(1), .venue])
        XCTAssertEqual(events.map(\.sequence), [2, 2, 2, 2])
        XCTAssertEqual(Set(events.map(\.timestamp)), [h.timestamp])
    }
}
