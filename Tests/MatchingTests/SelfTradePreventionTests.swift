import GatewayCore
import Matching
import XCTest

/// The book for each mode: account 4 sells 100 at 10.00, then the tested account sells
/// 100 at 10.00 behind it, then account 4 sells 100 at 10.01. The tested account then
/// buys 300 at 10.01.
final class SelfTradePreventionTests: XCTestCase {
    func book(_ h: EngineHarness, account: AccountIndex) -> (Command, Command, Command) {
        let first = limit(.sell, 100, "10.00", account: 4, ref: 1)
        let own = limit(.sell, 100, "10.00", account: account, ref: 1)
        let third = limit(.sell, 100, "10.01", account: 4, ref: 2)
        h.send([first, own, third])
        return (first, own, third)
    }

    func testCancelNewestCancelsTheIncomingRemainder() {
        let h = EngineHarness()
        let (first, own, third) = book(h, account: 1)
        let buy = limit(.buy, 300, "10.01", account: 1, ref: 2)
        assertEvents(
            h.send(buy),
            [h.accepted(buy, ref: 4)]
                + h.fill(resting: first, 1, restingLeaves: 0, restingCum: 100,
                         incoming: buy, 4, incomingLeaves: 200, incomingCum: 100, 100, at: "10.00", match: 1)
                + [h.canceled(buy, ref: 4, 200, cum: 100, .selfTradePrevention)])
        XCTAssertEqual(
            h.engine.orders(symbol: 1, side: .sell), [h.resting(own, ref: 2, open: 100), h.resting(third, ref: 3, open: 100)])
        XCTAssertEqual(h.engine.levelCount(symbol: 1, side: .buy), 0)
    }

    func testCancelOldestCancelsTheRestingOrderAndKeepsMatching() {
        let h = EngineHarness()
        let (first, own, third) = book(h, account: 2)
        let buy = limit(.buy, 300, "10.01", account: 2, ref: 2)
        assertEvents(
            h.send(buy),
            [h.accepted(buy, ref: 4)]
                + h.fill(resting: first, 1, restingLeaves: 0, restingCum: 100,
                         incoming: buy, 4, incomingLeaves: 200, incomingCum: 100, 100, at: "10.00", match: 1)
                + [h.canceled(own, ref: 2, 100, .selfTradePrevention)]
                + h.fill(resting: third, 3, restingLeaves: 0, restingCum: 100,
                         incoming: buy, 4, incomingLeaves: 100, incomingCum: 200, 100, at: "10.01", match: 2)
                + [h.booked(buy, ref: 4, open: 100, cum: 200)])
        XCTAssertEqual(h.engine.levelCount(symbol: 1, side: .sell), 0)
    }

    func testCancelBothCancelsBoth() {
        let h = EngineHarness()
        let (first, own, third) = book(h, account: 3)
        let buy = limit(.buy, 300, "10.01", account: 3, ref: 2)
        assertEvents(
            h.send(buy),
            [h.accepted(buy, ref: 4)]
                + h.fill(resting: first, 1, restingLeaves: 0, restingCum: 100,
                         incoming: buy, 4, incomingLeaves: 200, incomingCum: 100, 100, at: "10.00", match: 1)
                + [
                    h.canceled(own, ref: 2, 100, .selfTradePrevention),
                    h.canceled(buy, ref: 4, 200, cum: 100, .selfTradePrevention),
                ])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .sell), [h.resting(third, ref: 3, open: 100)])
    }

    func testSelfTradePreventionAppliesToMarketAndReplacedOrders() {
        let h = EngineHarness()
        let own = limit(.sell, 100, "10.00", account: 1, ref: 1)
        h.send(own)
        let buy = market(.buy, 100, account: 1, ref: 2)
        assertEvents(h.send(buy), [h.accepted(buy, ref: 2), h.canceled(buy, ref: 2, 100, .selfTradePrevention)])
        let bid = limit(.buy, 100, "9.99", account: 1, ref: 3)
        h.send(bid)
        let request = replace(original: 3, ref: 4, 100, "10.00")
        assertEvents(
            h.send(request),
            [
                h.replacedEvent(bid, by: request, ref: 4, previousRef: 3, open: 100),
                h.canceled(replaced(bid, by: request), ref: 4, 100, .selfTradePrevention),
            ])
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .sell), [h.resting(own, ref: 1, open: 100)])
        XCTAssertEqual(h.engine.levelCount(symbol: 1, side: .buy), 0)
    }

    func testOtherAccountsTradeNormally() {
        let h = EngineHarness()
        let ask = limit(.sell, 100, "10.00", account: 1, ref: 1)
        h.send(ask)
        let buy = limit(.buy, 100, "10.00", account: 2, ref: 1)
        assertEvents(
            h.send(buy),
            [h.accepted(buy, ref: 2)]
                + h.fill(resting: ask, 1, restingLeaves: 0, restingCum: 100,
                         incoming: buy, 2, incomingLeaves: 0, incomingCum: 100, 100, at: "10.00", match: 1))
    }
}
