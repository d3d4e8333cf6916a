import GatewayCore
import XCTest

final class ClientOrderIDTests: XCTestCase {
    func testRoundTripsEveryLengthUpToCapacity() {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
        for length in 0...ClientOrderID.capacity {
            let bytes = Array(alphabet.prefix(length))
            let id = ClientOrderID(bytes: bytes)
            XCTAssertNotNil(id)
            XCTAssertEqual(id?.bytes, bytes)
            XCTAssertEqual(id?.count, length)
        }
    }

    func testRefusesTooLongOrNUL() {
        XCTAssertNil(ClientOrderID(String(repeating: "X", count: ClientOrderID.capacity + 1)))
        XCTAssertNil(ClientOrderID(bytes: [0x41, 0x00, 0x42]))
    }

    func testEqualityIsByBytes() {
        XCTAssertEqual(ClientOrderID("ORD-1"), ClientOrderID("ORD-1"))
        XCTAssertNotEqual(ClientOrderID("ORD-1"), ClientOrderID("ORD-10"))
        XCTAssertTrue(ClientOrderID.empty.isEmpty)
        XCTAssertEqual(ClientOrderID("ORD-1")?.description, "ORD-1")
    }
}
