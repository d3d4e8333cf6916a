import MarketDataSubscriber
import XCTest

final class IPv4EndpointTests: XCTestCase {
    func testParsesDottedQuadAndPort() {
        let group = IPv4Endpoint(parsing: "239.192.0.1:31001")
        XCTAssertEqual(group, IPv4Endpoint(address: 0xEFC0_0001, port: 31001))
        XCTAssertEqual(group?.description, "239.192.0.1:31001")
        XCTAssertEqual(group?.isMulticast, true)
        XCTAssertEqual(IPv4Endpoint(parsing: "127.0.0.1:9880")?.isMulticast, false)
    }

    func testRefusesWhatIsNotIPv4HostAndPort() {
        for text in ["localhost:80", "1.2.3:80", "1.2.3.4", "1.2.3.256:80", "1.2.3.4:65536", "1.2.3.4:", ":80", "1.2.3.4:80:1"] {
            XCTAssertNil(IPv4Endpoint(parsing: text), text)
        }
    }

    func testInterfaceIsAnAddressOrAName() {
        XCTAssertEqual(MulticastInterface(parsing: "127.0.0.1"), .address(0x7F00_0001))
        XCTAssertEqual(MulticastInterface(parsing: "lo"), .name("lo"))
        XCTAssertEqual(MulticastInterface(parsing: "127.0.0.1").description, "127.0.0.1")
    }

    func testUnknownInterfaceNameIsAClearError() {
        XCTAssertThrowsError(try MulticastReceiver(
            group: IPv4Endpoint(parsing: "239.192.77.9:0")!, interface: .name("no-such-if0"))) { error in
            XCTAssertEqual(error as? SubscriberError, .badInterface("no-such-if0"))
        }
        XCTAssertThrowsError(try MulticastReceiver(group: IPv4Endpoint(parsing: "127.0.0.1:0")!, interface: .name("lo"))) {
            XCTAssertEqual($0 as? SubscriberError, .badAddress("127.0.0.1:0 (not a multicast group)"))
        }
    }
}
