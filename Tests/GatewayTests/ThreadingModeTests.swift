@testable import Gateway
import XCTest

/// `threading.mode`: a configured mode runs as configured; `auto` picks from the CPUs the
/// process may use, and says why; the configuration refuses anything else.
final class ThreadingModeTests: XCTestCase {
    func testAutoPicksFromTheCPUs() {
        XCTAssertEqual(ThreadingMode.choose(configured: nil, cpus: 1).mode, .shared)
        XCTAssertEqual(ThreadingMode.choose(configured: nil, cpus: 2).mode, .shared)
        XCTAssertEqual(ThreadingMode.choose(configured: nil, cpus: 3).mode, .split)
        XCTAssertEqual(ThreadingMode.choose(configured: nil, cpus: 4).mode, .dedicated)
        XCTAssertEqual(ThreadingMode.choose(configured: nil, cpus: 16).mode, .dedicated)
        let reason = ThreadingMode.choose(configured: nil, cpus: 2).reason
        XCTAssertTrue(reason.contains("2 CPUs"), reason)
        XCTAssertTrue(reason.contains("auto"), reason)
    }

    func testAConfiguredModeIsTakenAsItIs() {
        for mode in ThreadingMode.allCases {
            let choice = ThreadingMode.choose(configured: mode, cpus: 2)
            XCTAssertEqual(choice.mode, mode)
            XCTAssertEqual(choice.reason, "threading.mode = \"\(mode.rawValue)\"")
        }
    }

    /// Only `dedicated` runs the engine on a thread of its own; elsewhere it cannot take
    /// a command before order entry's turn ends, which the FIX inbound-number write relies
    /// on (`FIXAcceptorConfiguration.inboundNumberWrite`).
    func testTheEngineSharesOrderEntrysThreadExceptInDedicated() {
        XCTAssertFalse(ThreadingMode.dedicated.engineSharesOrderEntryThread)
        XCTAssertTrue(ThreadingMode.split.engineSharesOrderEntryThread)
        XCTAssertTrue(ThreadingMode.shared.engineSharesOrderEntryThread)
    }

    func testTheConfigurationReadsAndRefusesTheMode() throws {
        XCTAssertNil(GatewayConfiguration.embeddedDefault.threading.mode, "auto")
        XCTAssertEqual(try GatewayConfiguration.parse(toml: "[threading]\nmode = \"split\"\n").threading.mode, .split)
        XCTAssertThrowsError(try GatewayConfiguration.parse(toml: "[threading]\nmode = \"turbo\"\n")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("threading.mode"), text)
            XCTAssertTrue(text.contains("\"dedicated\""), text)
        }
        let rendered = GatewayConfiguration.embeddedDefault.renderTOML()
        XCTAssertTrue(rendered.contains("[threading]\nmode = \"auto\""), rendered)
        XCTAssertEqual(try GatewayConfiguration.parse(toml: rendered), GatewayConfiguration.embeddedDefault)
    }
}
