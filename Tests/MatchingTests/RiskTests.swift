import GatewayCore
import Matching
import XCTest

/// The pre-trade risk gates (specs/engine-records.md, "Risk gates"): each at its limit
/// (accepted) and one step past it (rejected with its reason), run-time changes, the
/// kill switch, positions kept from fills, signals, and replay.
final class RiskTests: XCTestCase {
    /// The test venue with `limits` for account 1 and AAA's reference price 10.00.
    func harness(_ limits: RiskLimits, restricted: Set<SymbolIndex> = [], reference: Bool = true) -> EngineHarness {
        var configuration = EngineConfiguration.test()
        try! configuration.setRisk(limits: [1: limits], restricted: [1: restricted],
                                   referencePrices: reference ? [1: px("10.00")] : [:])
        return EngineHarness(configuration)
    }

    func reasons(_ events: [Event]) -> [RejectReason] {
        events.filter { $0.kind == .rejected }.map(\.rejectReason)
    }

    func accepted(_ events: [Event]) -> Bool { events.first?.kind == .accepted }

    func testOrderQuantityAndNotional() {
        let h = harness(RiskLimits(maxOrderQuantity: 500, maxOrderNotional: 5_000 * 10_000))  // 5,000.00
        XCTAssertTrue(accepted(h.send(limit(.buy, 500, "10.00", ref: 1))), "500 × 10.00 = 5,000.00: at both limits")
        XCTAssertEqual(reasons(h.send(limit(.buy, 600, "1.00", ref: 2))), [.riskOrderQuantity])
        XCTAssertEqual(reasons(h.send(limit(.buy, 500, "10.01", ref: 3))), [.riskOrderNotional])
        // A market order is valued at the mark price (here the reference, 10.00).
        XCTAssertTrue(accepted(h.send(market(.sell, 500, ref: 4))))
        // Another account has no limits.
        XCTAssertTrue(accepted(h.send(limit(.buy, 10_000, "10.00", account: 4, ref: 1))))
    }

    func testPriceCollarAroundReferenceThenLastTrade() {
        let h = harness(RiskLimits(priceCollarBasisPoints: 1_000))  // 10%
        XCTAssertTrue(accepted(h.send(limit(.buy, 100, "11.00", ref: 1))), "exactly 10% above 10.00")
        XCTAssertEqual(reasons(h.send(limit(.buy, 100, "11.01", ref: 2))), [.riskPriceCollar])
        XCTAssertEqual(reasons(h.send(limit(.sell, 100, "8.99", ref: 3))), [.riskPriceCollar])
        // A trade at 11.00 moves the reference: 12.10 is inside now, 9.89 outside.
        h.send(limit(.sell, 100, "11.00", account: 2, ref: 1))
        XCTAssertEqual(h.engine.markPrice(symbol: 1), px("11.00"))
        XCTAssertTrue(accepted(h.send(limit(.sell, 100, "12.10", ref: 4))))
        XCTAssertEqual(reasons(h.send(limit(.buy, 100, "9.89", ref: 5))), [.riskPriceCollar])
    }

    func testNoReferenceMeansNoCollar() {
        let h = harness(RiskLimits(priceCollarBasisPoints: 100), reference: false)
        XCTAssertTrue(accepted(h.send(limit(.buy, 100, "99.00", ref: 1))))
    }

    func testOpenOrders() {
        let h = harness(RiskLimits(maxOpenOrders: 2))
        h.send([limit(.buy, 100, "10.00", ref: 1), limit(.buy, 100, "9.99", ref: 2)])
        XCTAssertEqual(h.engine.openOrderCount(account: 1), 2)
        XCTAssertEqual(reasons(h.send(limit(.buy, 100, "9.98", ref: 3))), [.riskOpenOrders])
        // One fills: room for one more.
        h.send(limit(.sell, 100, "10.00", account: 2, ref: 1))
        XCTAssertEqual(h.engine.openOrderCount(account: 1), 1)
        XCTAssertTrue(accepted(h.send(limit(.buy, 100, "9.98", ref: 4))))
    }

    func testGrossAndNetPositionIncludeOpenOrders() {
        let h = harness(RiskLimits(maxGrossPosition: 1_000, maxNetPosition: 600))
        h.send(limit(.buy, 400, "10.00", ref: 1))
        h.send(limit(.sell, 400, "10.00", account: 2, ref: 1))     // account 1 now long 400
        XCTAssertEqual(h.engine.position(account: 1, symbol: 1), 400)
        // Net: long 400 + 200 buy = 600, at the limit; +300 more would be 700.
        XCTAssertTrue(accepted(h.send(limit(.buy, 200, "9.00", ref: 2))))
        XCTAssertEqual(reasons(h.send(limit(.buy, 100, "9.00", ref: 3))), [.riskNetPosition])
        // Gross: |400| + 200 open buy + 400 sell = 1,000 at the limit; 100 more is past it.
        XCTAssertTrue(accepted(h.send(limit(.sell, 400, "11.00", ref: 4))))
        XCTAssertEqual(reasons(h.send(limit(.sell, 100, "11.00", ref: 5))), [.riskGrossPosition])
    }

    func testTotalExposureOverSymbols() {
        var configuration = EngineConfiguration.test()
        try! configuration.setRisk(limits: [1: RiskLimits(maxTotalExposure: 3_000 * 10_000)],
                                   referencePrices: [1: px("10.00"), 2: px("5.00")])
        let h = EngineHarness(configuration)
        XCTAssertTrue(accepted(h.send(limit(.buy, 200, "10.00", ref: 1))))              // 2,000.00
        XCTAssertTrue(accepted(h.send(limit(.buy, 200, "5.00", ref: 2, symbol: 2))))   // + 1,000.00 = 3,000.00
        XCTAssertEqual(reasons(h.send(limit(.buy, 10, "5.00", ref: 3, symbol: 2))), [.riskExposure])
    }

    func testRestrictedSymbolAndRunTimeUpdates() {
        let h = harness(RiskLimits(), restricted: [2])
        XCTAssertEqual(reasons(h.send(limit(.buy, 10, "5.00", ref: 1, symbol: 2))), [.restrictedSymbol])
        XCTAssertTrue(accepted(h.send(limit(.buy, 100, "10.00", ref: 2))))
        // Lift it, and set a quantity limit, at run time: the next order sees both.
        let lift = Command(kind: .riskUpdate, code: RiskLimit.restrictedSymbol.rawValue, symbol: 2, account: 1,
                           price: Price(raw: 0))
        XCTAssertEqual(h.send(lift).map(\.kind), [.riskUpdated])
        let cap = Command(kind: .riskUpdate, code: RiskLimit.maxOrderQuantity.rawValue, account: 1, price: Price(raw: 100))
        XCTAssertEqual(h.send(cap).map(\.kind), [.riskUpdated])
        XCTAssertEqual(h.engine.riskLimits(account: 1).maxOrderQuantity, 100)
        XCTAssertTrue(accepted(h.send(limit(.buy, 10, "5.00", ref: 3, symbol: 2))))
        XCTAssertEqual(reasons(h.send(limit(.buy, 200, "10.00", ref: 4))), [.riskOrderQuantity])
        // Bad updates are refused and change nothing.
        XCTAssertEqual(reasons(h.send(Command(kind: .riskUpdate, code: 99, account: 1, price: Price(raw: 5)))), [.invalidRiskUpdate])
        XCTAssertEqual(reasons(h.send(Command(kind: .riskUpdate, code: 1, account: 1, price: Price(raw: -5)))), [.invalidRiskUpdate])
        XCTAssertEqual(reasons(h.send(Command(kind: .riskUpdate, code: 1, account: 9, price: Price(raw: 5)))), [.unknownAccount])
        XCTAssertEqual(h.engine.riskLimits(account: 1).maxOrderQuantity, 100)
    }

    func testKillSwitchCancelsEverythingAndBlocksUntilReleased() {
        let h = harness(RiskLimits())
        h.send([limit(.buy, 100, "10.00", ref: 1), limit(.sell, 200, "10.50", ref: 2),
                limit(.buy, 10, "5.00", ref: 3, symbol: 2), limit(.buy, 100, "9.00", account: 2, ref: 1)])
        let engage = Command(kind: .killSwitch, code: 1, account: 1, origin: origin(1))
        let events = h.send(engage)
        XCTAssertEqual(events.filter { $0.kind == .canceled }.count, 3)
        XCTAssertTrue(events.filter { $0.kind == .canceled }.allSatisfy { $0.cancelReason == .supervisory && $0.account == 1 })
        XCTAssertEqual(events.last?.kind, .riskUpdated)
        XCTAssertEqual(events.last?.quantity, 3)
        XCTAssertEqual(h.engine.openOrderCount(account: 1), 0)
        XCTAssertEqual(h.engine.orders(symbol: 1, side: .buy).map(\.account), [2], "other accounts untouched")
        XCTAssertEqual(reasons(h.send(limit(.buy, 100, "10.00", ref: 4))), [.killSwitch])
        h.send(Command(kind: .killSwitch, code: 0, account: 1, origin: origin(1)))
        XCTAssertFalse(h.engine.isKillSwitchEngaged(account: 1))
        XCTAssertTrue(accepted(h.send(limit(.buy, 100, "10.00", ref: 5))))
    }

    func testReplaceIsCheckedOnItsNewTerms() {
        let h = harness(RiskLimits(maxOrderQuantity: 500, priceCollarBasisPoints: 1_000))
        h.send(limit(.buy, 300, "10.00", ref: 1))
        let tooBig = Command(kind: .replace, account: 1, origin: origin(1), quantity: 600, price: px("10.00"),
                             userReference: 2, originalUserReference: 1)
        XCTAssertEqual(h.send(tooBig).map(\.cancelRejectReason), [.riskLimit])
        let outside = Command(kind: .replace, account: 1, origin: origin(1), quantity: 300, price: px("12.00"),
                              userReference: 2, originalUserReference: 1)
        XCTAssertEqual(h.send(outside).map(\.cancelRejectReason), [.riskLimit])
        let fine = Command(kind: .replace, account: 1, origin: origin(1), quantity: 500, price: px("10.50"),
                           userReference: 2, originalUserReference: 1)
        XCTAssertEqual(h.send(fine).first?.kind, .replaced)
        XCTAssertEqual(h.engine.openShares(account: 1, symbol: 1, side: .buy), 500)
    }

    func testSignalsTradeTowardsATargetPosition() {
        let h = harness(RiskLimits())
        func signal(_ target: SignalTarget, _ side: Side, _ quantity: UInt32, _ price: String, ref: UInt32,
                    tif: TimeInForce = .day) -> Command {
            Command(kind: .signal, side: side, timeInForce: tif, code: target.rawValue, symbol: 1, account: 1,
                    origin: origin(1), quantity: quantity, price: px(price), userReference: ref,
                    clientOrderID: cl("~S\(ref)"))
        }
        // Target long 300 from flat: a Day buy of 300.
        let first = h.send(signal(.position, .buy, 300, "10.00", ref: 1))
        XCTAssertEqual(first.map(\.kind), [.accepted, .booked])
        XCTAssertEqual(first[0].side, .buy)
        XCTAssertEqual(first[0].quantity, 300)
        XCTAssertEqual(first[0].userReference, 1)
        // The same target again: already ordered, nothing to do.
        XCTAssertEqual(reasons(h.send(signal(.position, .buy, 300, "10.00", ref: 2))), [.signalNoChange])
        // Target short 200 counts the open buy: sell 500 (rounded to lots), here as IOC.
        h.send(limit(.buy, 500, "10.00", account: 2, ref: 1))
        let flip = h.send(signal(.position, .sell, 250, "10.00", ref: 3, tif: .immediateOrCancel))
        XCTAssertEqual(flip[0].kind, .accepted)
        XCTAssertEqual(flip[0].side, .sell)
        XCTAssertEqual(flip[0].quantity, 500, "-250 - 300 = -550 → 500 in lots of 100")
        XCTAssertEqual(flip[0].timeInForce, .immediateOrCancel)
        // A quantity target trades exactly that, through the same risk gates.
        _ = h.send(Command(kind: .riskUpdate, code: RiskLimit.maxOrderQuantity.rawValue, account: 1, price: Price(raw: 100)))
        XCTAssertEqual(reasons(h.send(signal(.quantity, .buy, 200, "10.00", ref: 4))), [.riskOrderQuantity])
        XCTAssertEqual(reasons(h.send(signal(.quantity, .buy, 50, "10.00", ref: 5))), [.signalNoChange], "less than a lot")
    }

    /// Limits set at run time, positions and open shares come back the same from a
    /// replay of the same commands.
    func testReplayRebuildsTheRiskState() {
        let commands: [Command] = [
            Command(kind: .riskUpdate, code: RiskLimit.maxNetPosition.rawValue, account: 1, price: Price(raw: 1_000)),
            Command(kind: .referencePrice, symbol: 2, price: px("5.00")),
            limit(.buy, 400, "10.00", ref: 1),
            limit(.sell, 300, "10.00", account: 2, ref: 1),
            limit(.sell, 100, "10.50", ref: 2),
            Command(kind: .killSwitch, code: 1, account: 3, origin: origin(3)),
        ]
        let a = harness(RiskLimits())
        let b = harness(RiskLimits())
        for command in commands { a.send(command) }
        for command in commands { b.send(command) }
        XCTAssertEqual(a.engine.snapshotDigest(), b.engine.snapshotDigest())
        XCTAssertEqual(b.engine.position(account: 1, symbol: 1), 300)
        XCTAssertEqual(b.engine.openShares(account: 1, symbol: 1, side: .buy), 100)
        XCTAssertEqual(b.engine.openShares(account: 1, symbol: 1, side: .sell), 100)
        XCTAssertEqual(b.engine.riskLimits(account: 1).maxNetPosition, 1_000)
        XCTAssertTrue(b.engine.isKillSwitchEngaged(account: 3))
        XCTAssertEqual(b.engine.markPrice(symbol: 2), px("5.00"))
        // A different history gives a different digest (the risk state is in it).
        let c = harness(RiskLimits())
        for command in commands.dropLast() { c.send(command) }
        XCTAssertNotEqual(c.engine.snapshotDigest(), b.engine.snapshotDigest())
    }
}
