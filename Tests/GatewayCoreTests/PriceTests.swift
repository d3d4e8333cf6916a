import GatewayCore
import XCTest

final class PriceTests: XCTestCase {
    func testParsesPlainDecimals() {
        XCTAssertEqual(Price(parsing: "123.45")?.raw, 1_234_500)
        XCTAssertEqual(Price(parsing: "7")?.raw, 70_000)
        XCTAssertEqual(Price(parsing: "0.0001")?.raw, 1)
        XCTAssertEqual(Price(parsing: "199999.99")?.raw, 1_999_999_900)
        XCTAssertEqual(Price(parsing: "5.")?.raw, 50_000)
    }

    func testRefusesWhatItWouldHaveToRound() {
        XCTAssertNil(Price(parsing: "1.00001"), "five decimals")
        XCTAssertNil(Price(parsing: ""))
        XCTAssertNil(Price(parsing: "."))
        XCTAssertNil(Price(parsing: "-1"))
        XCTAssertNil(Price(parsing: "1.2.3"))
        XCTAssertNil(Price(parsing: "1e5"))
        XCTAssertNil(Price(parsing: "99999999999999999999"), "overflow")
    }

    func testDescriptionAlwaysHasFourDecimals() {
        XCTAssertEqual(Price(raw: 1_234_500).description, "123.4500")
        XCTAssertEqual(Price(raw: 1).description, "0.0001")
        XCTAssertEqual(Price(raw: -25_000).description, "-2.5000")
        for raw: Int64 in [0, 1, 99, 10_000, 123_456_789] {
            XCTAssertEqual(Price(parsing: Price(raw: raw).description)?.raw, raw)
        }
    }
}
