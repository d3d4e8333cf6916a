import GatewayCore
import Matching
import XCTest

final class EngineConfigurationTests: XCTestCase {
    let aaa = EngineConfiguration.Symbol(name: "AAA", tickSize: Price(raw: 100), lotSize: 100)

    func refusal(
        symbols: [EngineConfiguration.Symbol]? = nil, accountCount: Int = 2,
        selfTradePrevention: [AccountIndex: SelfTradePrevention] = [:], maxOrders: Int = 10,
        maxPriceLevelsPerSide: Int = 10
    ) -> String? {
        do {
            _ = try EngineConfiguration(
                symbols: symbols ?? [aaa], accountCount: accountCount, selfTradePrevention: selfTradePrevention,
                maxOrders: maxOrders, maxPriceLevelsPerSide: maxPriceLevelsPerSide)
            return nil
        } catch {
            return error.message
        }
    }

    func testAValidConfiguration() throws {
        let configuration = try EngineConfiguration(
            symbols: [aaa, .init(name: "BBB", tickSize: Price(raw: 500), lotSize: 1)], accountCount: 3,
            selfTradePrevention: [3: .cancelBoth], maxOrders: 1_000, maxPriceLevelsPerSide: 100)
        XCTAssertEqual(configuration.symbolIndex(named: "BBB"), 2)
        XCTAssertNil(configuration.symbolIndex(named: "CCC"))
        XCTAssertEqual(configuration.symbol(1)?.name, "AAA")
        XCTAssertNil(configuration.symbol(.none))
        XCTAssertNil(configuration.symbol(3))
        XCTAssertEqual(configuration.selfTradePrevention(for: 1), .cancelNewest)
        XCTAssertEqual(configuration.selfTradePrevention(for: 3), .cancelBoth)
        XCTAssertEqual(configuration.selfTradePreventionModes, [.cancelNewest, .cancelNewest, .cancelBoth])
        let engine = MatchingEngine(configuration: configuration)
        XCTAssertEqual(engine.availableOrderCapacity, 1_000)
        XCTAssertEqual(engine.openOrderCount, 0)
        XCTAssertTrue(engine.isMarketOpen)
        XCTAssertEqual(engine.tradingState(of: 2), .trading)
        XCTAssertNoThrow(try engine.checkInvariants())
    }

    func testRefusalsNameTheFieldAndValue() {
        XCTAssertEqual(refusal(symbols: []), "symbols: at least one symbol is required")
        XCTAssertEqual(
            refusal(symbols: [aaa, aaa]), "symbols[1] (AAA): the name is already used by another symbol")
        XCTAssertEqual(
            refusal(symbols: [.init(name: "", tickSize: Price(raw: 1), lotSize: 1)]), "symbols[0] (no name): the name is empty")
        XCTAssertEqual(
            refusal(symbols: [.init(name: "X", tickSize: .zero, lotSize: 1)]),
            "symbols[0] (X): tick size 0.0000 must be positive")
        XCTAssertEqual(
            refusal(symbols: [.init(name: "X", tickSize: Price(raw: 1), lotSize: 0)]),
            "symbols[0] (X): lot size must be positive")
        XCTAssertEqual(refusal(accountCount: 0), "accountCount: 0, expected 1...65535")
        XCTAssertEqual(
            refusal(accountCount: 2, selfTradePrevention: [3: .cancelOldest]),
            "selfTradePrevention: account#3 is not an account (accounts are 1...2)")
        XCTAssertEqual(refusal(maxOrders: 0), "maxOrders: 0, expected 1...1073741824")
        XCTAssertEqual(refusal(maxPriceLevelsPerSide: 0), "maxPriceLevelsPerSide: 0, expected at least 1")
        XCTAssertEqual(
            refusal(maxPriceLevelsPerSide: 1 << 27),
            "maxPriceLevelsPerSide: 134217728 × 2 sides × 1 symbols is more than 134217728 levels")
        XCTAssertEqual(
            EngineConfigurationError("x").description, "invalid engine configuration: x")
    }
}
