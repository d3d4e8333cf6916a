import Foundation
import Gateway
import XCTest

/// A third-party FIX client besides QuickFIX: simplefix (PyPI, installed by
/// scripts/install-deps.sh), as a new user would write one, against a gateway in this
/// process. The messages carry what such clients send by default (HandlInst, Currency,
/// SecurityExchange, OrderCapacity, Account, SendingTime and TransactTime with
/// microseconds, OrdStatusReqID), and the issue-13 defects are exercised one by one:
/// the first order gets an ExecutionReport, another session's account and an unsupported
/// FIX 4.4 type get BusinessMessageRejects, OnBehalfOfCompID is answered with
/// DeliverToCompID.
final class FIXSimplefixTests: XCTestCase {
    static let client = #"""
        import socket, sys, simplefix

        port = int(sys.argv[1])
        sock = socket.create_connection(("127.0.0.1", port))
        sock.settimeout(10)
        parser = simplefix.FixParser()
        seq = 0

        def send(msg_type, body, header=()):
            global seq
            seq += 1
            m = simplefix.FixMessage()
            m.append_pair(8, "FIX.4.4", header=True)
            m.append_pair(35, msg_type, header=True)
            m.append_pair(49, "CLIENT1", header=True)
            m.append_pair(56, "CIFT", header=True)
            for tag, value in header:
                m.append_pair(tag, value, header=True)
            m.append_pair(34, seq, header=True)
            m.append_utc_timestamp(52, precision=6, header=True)
            for tag, value in body:
                if value == "now":
                    m.append_utc_timestamp(tag, precision=6)
                else:
                    m.append_pair(tag, value)
            sock.sendall(m.encode())

        def receive(step):
            while True:
                msg = parser.get_message()
                if msg is not None:
                    print(step + " " + "|".join("%d=%s" % (t, v.decode()) for t, v in msg), flush=True)
                    return msg
                data = sock.recv(4096)
                if not data:
                    print(step + " CLOSED", flush=True)
                    sys.exit(1)
                parser.append_buffer(data)

        send("A", [(98, "0"), (108, "30"), (553, "CLIENT1"), (554, "demo")])
        receive("logon")
        order = [(11, "SF-1"), (21, "1"), (1, "ACC1"), (55, "AAPL"), (207, "XNAS"), (54, "1"), (60, "now"),
                 (38, "100"), (40, "2"), (44, "150.25"), (15, "USD"), (59, "0"), (528, "A")]
        send("D", order)
        receive("order")
        send("H", [(11, "SF-1"), (55, "AAPL"), (54, "1"), (790, "REQ-1")])
        receive("status")
        send("D", [(11, "SF-2"), (21, "1"), (1, "ACC2")] + order[3:])
        receive("other-account")
        send("AF", [(584, "MS-1"), (585, "7")])
        receive("unsupported")
        send("D", [(11, "SF-3")] + order[1:], header=[(115, "FUND7")])
        receive("on-behalf")
        send("5", [])
        receive("logout")
        """#

    func testSimplefixClientFirstOrderAndTheIssue13Defects() throws {
        let directory = makeTemporaryDirectory("simplefix")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = directory + "/client.py"
        try Self.client.write(toFile: script, atomically: true, encoding: .utf8)
        let gateway = try GatewayServer(configuration: testGatewayConfiguration(directory))
        defer { gateway.stop() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, String(gateway.fixPort)]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if stderr.contains("No module named 'simplefix'") {
            XCTFail("simplefix is not installed: run scripts/install-deps.sh")
            return
        }
        XCTAssertEqual(process.terminationStatus, 0, text + stderr)

        var steps: [String: [Int: String]] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            var fields: [Int: String] = [:]
            for pair in parts[1].split(separator: "|") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2, let tag = Int(kv[0]) { fields[tag] = String(kv[1]) }
            }
            steps[String(parts[0])] = fields
        }
        XCTAssertEqual(steps["logon"]?[35], "A", text)
        // The first order of a typical client is acknowledged, its account echoed.
        let order = steps["order"]
        XCTAssertEqual(order?[35], "8", text)
        XCTAssertEqual(order?[150], "0", text)
        XCTAssertEqual(order?[11], "SF-1")
        XCTAssertEqual(order?[1], "ACC1")
        // OrderStatusRequest with OrdStatusReqID (790).
        XCTAssertEqual(steps["status"]?[150], "I", text)
        XCTAssertEqual(steps["status"]?[39], "0", text)
        XCTAssertEqual(steps["status"]?[1], "ACC1")
        // Another session's account: a business reject, not booked to ACC1.
        XCTAssertEqual(steps["other-account"]?[35], "j", text)
        XCTAssertEqual(steps["other-account"]?[380], "6", text)
        XCTAssertEqual(steps["other-account"]?[379], "SF-2")
        // A FIX 4.4 type the venue does not handle: 380=3, not a session Reject.
        XCTAssertEqual(steps["unsupported"]?[35], "j", text)
        XCTAssertEqual(steps["unsupported"]?[380], "3", text)
        XCTAssertEqual(steps["unsupported"]?[372], "AF", text)
        // OnBehalfOfCompID comes back as DeliverToCompID.
        XCTAssertEqual(steps["on-behalf"]?[150], "0", text)
        XCTAssertEqual(steps["on-behalf"]?[128], "FUND7", text)
        XCTAssertEqual(steps["logout"]?[35], "5", text)
        XCTAssertFalse(text.contains("35=3"), "no session Reject: " + text)
    }
}
