import FIX
import Foundation
import Gateway
import GatewayCore
import XCTest

/// The FIX validation and session options as configured (QuickFIX's names in snake_case,
/// `[fix]` defaults, `[[fix.sessions]]` overrides), Account lists and the per-session
/// message log, through a real gateway.
final class FIXSessionOptionsTests: XCTestCase {
    var directory = ""

    override func setUp() { directory = makeTemporaryDirectory("fixoptions") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func testOptionsParseWithDefaultsAndOverridesAndRenderBack() throws {
        let c = try GatewayConfiguration.parse(toml: """
            [fix]
            allow_unknown_message_fields = true
            resend_request_chunk_size = 500
            message_log = true
            message_log_directory = "/tmp/fixlogs"
            [[fix.sessions]]
            sender_comp_id = "CLIENT1"
            account = "ACC1"
            password = "demo"
            allowed_accounts = ["ACC3"]
            validate_user_defined_fields = false
            reset_on_logon = true
            max_latency_seconds = 5
            [[fix.sessions]]
            sender_comp_id = "CLIENT2"
            account = "ACC2"
            password = "demo"
            """)
        let first = c.fix.sessions[0].options
        let second = c.fix.sessions[1].options
        XCTAssertTrue(first.allowUnknownMessageFields && second.allowUnknownMessageFields, "[fix] is the default")
        XCTAssertEqual(first.resendRequestChunkSize, 500)
        XCTAssertFalse(first.validateUserDefinedFields)
        XCTAssertTrue(second.validateUserDefinedFields)
        XCTAssertTrue(first.resetOnLogon)
        XCTAssertFalse(second.resetOnLogon)
        XCTAssertEqual(first.maxLatencySeconds, 5)
        XCTAssertNil(second.maxLatencySeconds)
        XCTAssertTrue(second.messageLog)
        XCTAssertEqual(c.fix.messageLogDirectory, "/tmp/fixlogs")
        XCTAssertEqual(c.fix.sessions[0].allowedAccounts, ["ACC3"])
        XCTAssertEqual(try GatewayConfiguration.parse(toml: c.renderTOML()), c, "rendered configuration reads back the same")

        XCTAssertThrowsError(try GatewayConfiguration.parse(toml: """
            [[fix.sessions]]
            sender_comp_id = "CLIENT1"
            account = "ACC1"
            password = "demo"
            allowed_accounts = ["NOPE"]
            """))
        XCTAssertThrowsError(try GatewayConfiguration.parse(toml: "[fix]\nresend_request_chunk_size = -1\n"))
        // Without [[fix.sessions]] the demo sessions take the [fix] defaults.
        let demo = try GatewayConfiguration.parse(toml: "[fix]\nreject_invalid_message = false\n")
        XCTAssertTrue(demo.fix.sessions.allSatisfy { !$0.options.rejectInvalidMessage })
    }

    /// allowed_accounts through the gateway: an order naming an allowed account is booked
    /// and echoed with it; one naming any other account is refused 380=6.
    func testAllowedAccountsThroughTheGateway() throws {
        var c = testGatewayConfiguration(directory)
        c.fix.sessions[0].allowedAccounts = ["ACC3"]
        let gateway = try GatewayServer(configuration: c)
        defer { gateway.stop() }
        let client = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1")
        client.logon()
        XCTAssertNotNil(client.expect("A"))
        let order: [(Int, String)] = [(55, "AAPL"), (54, "1"), (60, "20261121-12:00:00.000"), (38, "100"), (40, "2"), (44, "10")]
        client.send("D", [(11, "A3"), (1, "ACC3")] + order)
        let ack = client.expect("8")
        XCTAssertEqual(ack?[150], "0")
        XCTAssertEqual(ack?[1], "ACC3")
        client.send("D", [(11, "A4"), (1, "ACC4")] + order)
        let reject = client.expect("j")
        XCTAssertEqual(reject?[380], "6")
        XCTAssertEqual(reject?[379], "A4")
    }

    /// message_log = true: every message in and out, one file per session per UTC day.
    func testMessageLogWritesOneFilePerSessionPerDay() throws {
        var c = testGatewayConfiguration(directory)
        c.fix.sessions[0].options.messageLog = true
        c.fix.messageLogDirectory = directory + "/logs"
        let gateway = try GatewayServer(configuration: c)
        let client = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1")
        client.logon()
        XCTAssertNotNil(client.expect("A"))
        client.send("D", [(11, "L1"), (55, "AAPL"), (54, "1"), (60, "20261121-12:00:00.000"), (38, "100"), (40, "2"), (44, "10")])
        XCTAssertEqual(client.expect("8")?[150], "0")
        let other = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT2")
        other.logon()
        XCTAssertNotNil(other.expect("A"))
        gateway.stop()

        let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/logs")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd"
        XCTAssertEqual(files, ["CLIENT1-\(formatter.string(from: Date())).log"], "CLIENT2's log is off")
        let text = try String(contentsOfFile: directory + "/logs/" + files[0], encoding: .utf8)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, 4, text)
        XCTAssertTrue(lines[0].contains(" IN  8=FIX.4.4\u{1}") && lines[0].contains("35=A\u{1}"), text)
        XCTAssertTrue(lines[1].contains(" OUT 8=FIX.4.4\u{1}") && lines[1].contains("35=A\u{1}"), text)
        XCTAssertTrue(lines[2].contains(" IN  ") && lines[2].contains("35=D\u{1}"), text)
        XCTAssertTrue(lines[3].contains(" OUT ") && lines[3].contains("35=8\u{1}"), text)
    }
}
