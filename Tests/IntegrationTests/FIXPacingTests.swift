import Foundation
import Gateway
import GatewayCore
import OUCH
import XCTest

/// A burst the gateway makes itself is paced from the store, not held against the client
/// (issue 14, part 3: 22,000 cancel-on-disconnect reports after a Logon tripped the
/// slow-consumer limit): past a quarter of `network.max_send_buffer_bytes` queued, new
/// messages are only stored and go out as the connection drains, in order.
final class FIXPacingTests: XCTestCase {
    var directory = ""

    override func setUp() { directory = makeTemporaryDirectory("fix-pacing") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func testAMassCancelOfManyOrdersReachesAReadingClientWhole() throws {
        var c = testGatewayConfiguration(directory, dataDirectory: directory + "/data")
        c.network.maxSendBufferBytes = 64 * 1024
        let gateway = try GatewayServer(configuration: c)
        defer { gateway.stop() }
        let client = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1")
        client.logon()
        XCTAssertNotNil(client.expect("A"))
        let orders = 800
        let (acknowledgements, entered) = enterRestingOrders(
            client, count: orders, prefix: "O", symbol: "AAPL", side: "1", lowestPrice: 50.0, prices: 400)
        var lastSeq = entered
        for report in acknowledgements {
            guard let report else { return XCTFail("acknowledgement") }
            XCTAssertEqual(report[150], "0")
        }
        // One request, 800 reports at once: about 200 KB, three times the slow-consumer limit.
        client.send("q", [(11, "MC1"), (530, "7"), (60, "20261121-12:00:00.000")])
        var canceled = Set<String>()
        var gaps: [String] = []
        var report = false
        while canceled.count < orders || !report {
            guard let message = client.next(seconds: 10) else { break }
            let seq = Int(message[34] ?? "") ?? 0
            if seq != lastSeq + 1 { gaps.append("\(lastSeq) then \(seq)") }
            lastSeq = seq
            if message[35] == "8", message[150] == "4", let id = message[11] ?? message[41] {
                XCTAssertTrue(canceled.insert(message[41] ?? id).inserted, "one cancel per order")
            }
            if message[35] == "r" { report = true }
        }
        XCTAssertEqual(canceled.count, orders, "every order's cancel reached the client")
        XCTAssertTrue(report, "and the mass cancel report")
        XCTAssertEqual(gaps, [], "in sequence, nothing skipped")
        // Still logged on, and live again.
        client.send("1", [(112, "STILL-HERE")])
        XCTAssertEqual(client.expect("0")?[112], "STILL-HERE")
        XCTAssertFalse(gateway.hasFailed)
    }
}

extension FIXPacingTests {
    /// Enters `count` resting limit orders of 100 (`prefix` + n, prices from `lowestPrice`
    /// in `prices` ticks), 50 at a time, reading each batch's acknowledgements (nil where
    /// none came). Returns them and the MsgSeqNum of the last one read.
    func enterRestingOrders(
        _ client: FIXTestClient, count: Int, prefix: String, symbol: String, side: String, lowestPrice: Double, prices: Int
    ) -> (acknowledgements: [[Int: String]?], lastSeq: Int) {
        var acknowledgements: [[Int: String]?] = []
        var lastSeq = 1
        for batch in 0..<(count / 50) {
            for i in 0..<50 {
                let n = batch * 50 + i
                client.send("D", [
                    (11, "\(prefix)\(n)"), (55, symbol), (54, side), (60, "20261121-12:00:00.000"), (38, "100"), (40, "2"),
                    (44, String(format: "%.2f", lowestPrice + Double(n % prices) * 0.01)), (59, "0"),
                ])
            }
            for _ in 0..<50 {
                let report = client.expect("8")
                acknowledgements.append(report)
                lastSeq = Int(report?[34] ?? "") ?? lastSeq
            }
        }
        return (acknowledgements, lastSeq)
    }

    /// A resend of thousands of stored reports goes out as the client reads it, under a
    /// send-buffer limit far below its size, whole and in order.
    func testALargeResendIsServedWholeAsTheClientReads() throws {
        var c = testGatewayConfiguration(directory, dataDirectory: directory + "/data")
        c.network.maxSendBufferBytes = 64 * 1024
        let gateway = try GatewayServer(configuration: c)
        defer { gateway.stop() }
        let client = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1")
        client.logon()
        XCTAssertNotNil(client.expect("A"))
        let orders = 1500
        let lastSeq = enterRestingOrders(
            client, count: orders, prefix: "R", symbol: "MSFT", side: "2", lowestPrice: 500.0, prices: 300).lastSeq
        client.send("2", [(7, "1"), (16, "0")])
        var expected = 1
        var resent = 0
        while expected <= lastSeq, let message = client.next(seconds: 10) {
            let seq = Int(message[34] ?? "") ?? 0
            XCTAssertEqual(seq, expected, "resent in order")
            if message[35] == "4" {
                expected = Int(message[36] ?? "") ?? expected + 1
            } else {
                XCTAssertEqual(message[43], "Y")
                if message[35] == "8" { resent += 1 }
                expected = seq + 1
            }
        }
        XCTAssertEqual(resent, orders, "every stored report resent")
        client.send("1", [(112, "AFTER-RESEND")])
        XCTAssertEqual(client.expect("0")?[112], "AFTER-RESEND")
    }
}

/// The same for an OUCH stream: one order that sweeps 400 resting orders answers with
/// 400 executions at once, more than the slow-consumer limit, and a reading client gets
/// them all, in order.
final class OUCHPacingTests: XCTestCase {
    var directory = ""

    override func setUp() { directory = makeTemporaryDirectory("ouch-pacing") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func testASweepOfManyOrdersReachesAReadingClientWhole() throws {
        var c = testGatewayConfiguration(directory, dataDirectory: directory + "/data")
        c.network.maxSendBufferBytes = 8192
        let gateway = try GatewayServer(configuration: c)
        defer { gateway.stop() }
        let seller = try OUCHTestClient(port: gateway.ouchPort)
        seller.loginAccepted("OUCH01")
        let buyer = try OUCHTestClient(port: gateway.ouchPort)
        buyer.loginAccepted("OUCH02")
        let orders = 400
        for batch in 0..<(orders / 50) {
            for i in 0..<50 {
                seller.send(OUCHEnterOrder.limit(UInt32(batch * 50 + i + 1), OUCHSide.sell, 100, "AAPL", 1_000_000))
            }
            for _ in 0..<50 {
                guard case .orderAccepted = seller.nextMessage() else { return XCTFail("acknowledgement") }
            }
        }
        buyer.send(OUCHEnterOrder.limit(1, OUCHSide.buy, UInt32(100 * orders), "AAPL", 1_000_000))
        guard case .orderAccepted = buyer.nextMessage() else { return XCTFail("the sweep's acceptance") }
        var buyerFills = 0
        while buyerFills < orders, case .message(.orderExecuted) = buyer.next(seconds: 10) { buyerFills += 1 }
        var sellerFills = 0
        while sellerFills < orders, case .message(.orderExecuted) = seller.next(seconds: 10) { sellerFills += 1 }
        XCTAssertEqual(buyerFills, orders, "every execution reached the sweeping client")
        XCTAssertEqual(sellerFills, orders, "and the resting side's")
        XCTAssertEqual(buyer.sequenced.count, orders + 1, "in order, nothing skipped")
        XCTAssertFalse(gateway.hasFailed)
    }
}
