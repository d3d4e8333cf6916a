import Rings
import XCTest

/// Parsing wait strategies from configuration.
final class WaitStrategyTests: XCTestCase {
    func testAcceptedValues() throws {
        XCTAssertEqual(try WaitStrategy(configValue: "busy-spin"), .busySpin)
        XCTAssertEqual(try WaitStrategy(configValue: "spin-yield"), .spinThenYield(spins: WaitStrategy.defaultSpins))
        XCTAssertEqual(try WaitStrategy(configValue: "spin-yield:spins=0"), .spinThenYield(spins: 0))
        XCTAssertEqual(
            try WaitStrategy(configValue: "spin-park"),
            .spinThenPark(spins: WaitStrategy.defaultSpins, parkTimeout: WaitStrategy.defaultParkTimeout))
        XCTAssertEqual(
            try WaitStrategy(configValue: " spin-park:spins=200, timeout-us=500 "),
            .spinThenPark(spins: 200, parkTimeout: .microseconds(500)))
        XCTAssertEqual(
            try WaitStrategy(configValue: "spin-park:timeout-us=1000000"),
            .spinThenPark(spins: WaitStrategy.defaultSpins, parkTimeout: .seconds(1)))
    }

    func testConfigValueRoundTrips() throws {
        let strategies: [WaitStrategy] = [
            .busySpin, .spinThenYield(spins: 7), .spinThenPark(spins: 0, parkTimeout: .microseconds(1)),
            .spinThenPark(spins: 5_000, parkTimeout: .milliseconds(250)), .default,
        ]
        for strategy in strategies {
            XCTAssertEqual(try WaitStrategy(configValue: strategy.configValue), strategy, strategy.configValue)
        }
        XCTAssertEqual(WaitStrategy.busySpin.description, "busy-spin")
        XCTAssertEqual(WaitStrategy.spinThenPark(spins: 10, parkTimeout: .milliseconds(2)).description, "spin-park:spins=10,timeout-us=2000")
    }

    /// The default leaves the core to other threads on a small machine.
    func testDefaultParks() {
        XCTAssertTrue(WaitStrategy.default.parks)
        XCTAssertFalse(WaitStrategy.busySpin.parks)
        XCTAssertFalse(WaitStrategy.spinThenYield(spins: 1).parks)
    }

    func testUnknownNameListsTheAcceptedValues() {
        for value in ["", "spin", "Busy-Spin", "busy_spin", "park", "sleep:spins=1"] {
            XCTAssertThrowsError(try WaitStrategy(configValue: value), value) { error in
                XCTAssertEqual(error as? WaitStrategyConfigError, .unknownStrategy(value))
                let text = String(describing: error)
                XCTAssertTrue(text.contains("'\(value)'"), text)
                for accepted in ["busy-spin", "spin-yield", "spin-park"] {
                    XCTAssertTrue(text.contains(accepted), text)
                }
            }
        }
    }

    func testBadParametersAreNamed() {
        let cases: [(String, WaitStrategyConfigError, String)] = [
            ("busy-spin:spins=3", .unexpectedParameters(strategy: "busy-spin", value: "busy-spin:spins=3"), "takes no parameters"),
            ("spin-yield:timeout-us=5", .unknownParameter(strategy: "spin-yield", key: "timeout-us", accepted: ["spins"]), "no parameter 'timeout-us'"),
            ("spin-park:spin=3", .unknownParameter(strategy: "spin-park", key: "spin", accepted: ["spins", "timeout-us"]), "spins, timeout-us"),
            ("spin-park:spins=1,spins=2", .duplicateParameter(strategy: "spin-park", key: "spins"), "more than once"),
            ("spin-park:spins=-1", .invalidParameterValue(strategy: "spin-park", key: "spins", value: "-1"), ">= 0"),
            ("spin-park:spins=lots", .invalidParameterValue(strategy: "spin-park", key: "spins", value: "lots"), "got 'lots'"),
            ("spin-park:spins", .invalidParameterValue(strategy: "spin-park", key: "spins", value: ""), "got ''"),
            ("spin-park:timeout-us=0", .invalidParameterValue(strategy: "spin-park", key: "timeout-us", value: "0"), "1 to 1000000"),
            ("spin-park:timeout-us=1000001", .invalidParameterValue(strategy: "spin-park", key: "timeout-us", value: "1000001"), "microseconds"),
            ("spin-yield:", .unknownParameter(strategy: "spin-yield", key: "", accepted: ["spins"]), "no parameter ''"),
        ]
        for (value, expected, phrase) in cases {
            XCTAssertThrowsError(try WaitStrategy(configValue: value), value) { error in
                XCTAssertEqual(error as? WaitStrategyConfigError, expected, value)
                XCTAssertTrue(String(describing: error).contains(phrase), "\(value): \(error)")
            }
        }
    }

    /// Name plus separately configured numbers, as a TOML file keeps them.
    func testBareNameWithSeparateNumbers() throws {
        XCTAssertEqual(try WaitStrategy(configuration: "busy-spin", spins: 99), .busySpin)
        XCTAssertEqual(try WaitStrategy(configuration: "spin-yield", spins: 99), .spinThenYield(spins: 99))
        XCTAssertEqual(
            try WaitStrategy(configuration: "spin-park", spins: 2_000),
            .spinThenPark(spins: 2_000, parkTimeout: WaitStrategy.defaultParkTimeout))
        XCTAssertEqual(
            try WaitStrategy(configuration: "spin-park", spins: 0, parkTimeout: .milliseconds(5)),
            .spinThenPark(spins: 0, parkTimeout: .milliseconds(5)))

        XCTAssertThrowsError(try WaitStrategy(configuration: "spin-park:spins=3", spins: 1)) { error in
            XCTAssertEqual(error as? WaitStrategyConfigError, .bareNameExpected("spin-park:spins=3"))
            XCTAssertTrue(String(describing: error).contains("configured separately"), "\(error)")
        }
        XCTAssertThrowsError(try WaitStrategy(configuration: "spin-yield", spins: -1)) { error in
            XCTAssertEqual(error as? WaitStrategyConfigError, .invalidParameterValue(strategy: "spin-yield", key: "spins", value: "-1"))
        }
        XCTAssertThrowsError(try WaitStrategy(configuration: "spin-park", spins: 1, parkTimeout: .seconds(2))) { error in
            XCTAssertEqual(error as? WaitStrategyConfigError, .invalidParameterValue(strategy: "spin-park", key: "timeout-us", value: "2000000"))
        }
        XCTAssertThrowsError(try WaitStrategy(configuration: "hybrid", spins: 1)) { error in
            XCTAssertEqual(error as? WaitStrategyConfigError, .unknownStrategy("hybrid"))
        }
    }
}
