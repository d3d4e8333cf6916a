import Network
import XCTest

final class NetworkConfigurationTests: XCTestCase {
    func testTheDefaultsAreValid() throws {
        try NetworkConfiguration().validate()
    }

    func testEachFieldOutOfRangeIsNamedWithItsValueAndTheAcceptedValues() {
        func message(_ change: (inout NetworkConfiguration) -> Void) -> String? {
            var configuration = NetworkConfiguration()
            change(&configuration)
            do {
                try configuration.validate()
                return nil
            } catch {
                return error.description
            }
        }
        XCTAssertEqual(message { $0.maxConnections = 0 }, "invalid network configuration: maxConnections must be from 1 to 65536, got 0")
        XCTAssertEqual(message { $0.maxConnections = 65_537 }, "invalid network configuration: maxConnections must be from 1 to 65536, got 65537")
        XCTAssertEqual(message { $0.receiveBufferCount = 1_000 }, "invalid network configuration: receiveBufferCount must be a power of two from 1 to 32768, got 1000")
        XCTAssertEqual(message { $0.ioUringEntries = 4 }, "invalid network configuration: ioUringEntries must be a power of two from 8 to 32768, got 4")
        XCTAssertEqual(message { $0.spinTurns = -1 }, "invalid network configuration: spinTurns must be at least 0, got -1")
        XCTAssertEqual(message { $0.maxIdleWaitMilliseconds = 0 }, "invalid network configuration: maxIdleWaitMilliseconds must be from 1 to 60000, got 0")
        XCTAssertEqual(message { $0.receiveBufferSize = 10 }, "invalid network configuration: receiveBufferSize must be from 64 to 1048576, got 10")
        XCTAssertEqual(message { $0.maxSendBufferBytes = 0 }, "invalid network configuration: maxSendBufferBytes must be from 1 to 1073741824, got 0")
        XCTAssertEqual(message { $0.closeLingerMilliseconds = -5 }, "invalid network configuration: closeLingerMilliseconds must be from 0 to 60000, got -5")
        XCTAssertEqual(message { $0.maxListeners = 0 }, "invalid network configuration: maxListeners must be from 1 to 256, got 0")
        XCTAssertEqual(message { $0.listenBacklog = 0 }, "invalid network configuration: listenBacklog must be from 1 to 65535, got 0")
    }

    func testTheBackendNamesAreTheConfigurationSpellings() {
        XCTAssertEqual(NetworkConfiguration.Backend.allCases.map(\.rawValue), ["automatic", "io_uring", "epoll"])
        XCTAssertEqual(NetworkConfiguration.Backend(rawValue: "io_uring"), .ioUring)
    }
}
