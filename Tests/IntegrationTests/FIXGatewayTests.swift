import Foundation
import Gateway
import GatewayCore
import OUCH
import XCTest

/// FIX 4.4 clients against a gateway running in this process, over real loopback
/// sockets: session layer, order entry and the engine shared with OUCH clients.
final class FIXGatewayTests: XCTestCase {
    var directory = ""

    override func setUp() { directory = makeTemporaryDirectory("fix") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func configuration() -> GatewayConfiguration { testGatewayConfiguration(directory) }

    func testLogonAndWrongPassword() throws {
        let gateway = try GatewayServer(configuration: configuration())
        defer { gateway.stop() }
        let bad = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1")
        bad.logon(password: "nope")
        let logout = bad.expect("5")
        XCTAssertNotNil(logout?[58], "the Logout says why")
        let good = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1")
        good.logon()
        let logon = good.expect("A")
        XCTAssertEqual(logon?[49], "CIFT")
        XCTAssertEqual(logon?[56], "CLIENT1")
    }

    /// A FIX buyer and an OUCH seller trade in one book; each hears of it in its protocol.
    func testFIXOrderTradesAgainstAnOUCHOrder() throws {
        let gateway = try GatewayServer(configuration: configuration())
        defer { gateway.stop() }
        let fix = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1")
        fix.logon()
        XCTAssertNotNil(fix.expect("A"))
        fix.send("D", [(11, "BUY-1"), (55, "AAPL"), (54, "1"), (60, "20261121-12:00:00.000"), (38, "300"), (40, "2"), (44, "150.25"), (59, "0")])
        let new = fix.expect("8")
        XCTAssertEqual(new?[150], "0")
        XCTAssertEqual(new?[39], "0")
        XCTAssertEqual(new?[11], "BUY-1")

        let ouch = try OUCHTestClient(port: gateway.ouchPort)
        ouch.loginAccepted("OUCH02")
        ouch.send(OUCHEnterOrder.limit(1, OUCHSide.sell, 100, "AAPL", 1_502_500))
        guard case .orderAccepted = ouch.nextMessage(), case .orderExecuted(let sold) = ouch.nextMessage() else { return XCTFail() }
        XCTAssertEqual(sold.quantity, 100)

        let fill = fix.expect("8")
        XCTAssertEqual(fill?[150], "F")
        XCTAssertEqual(fill?[39], "1", "partially filled")
        XCTAssertEqual(fill?[32], "100")
        XCTAssertEqual(fill?[31], "150.25")
        XCTAssertEqual(fill?[151], "200")
        XCTAssertEqual(fill?[14], "100")

        fix.send("F", [(41, "BUY-1"), (11, "CXL-1"), (55, "AAPL"), (54, "1"), (60, "20261121-12:00:01.000")])
        let canceled = fix.expect("8")
        XCTAssertEqual(canceled?[150], "4")
        XCTAssertEqual(canceled?[41], "BUY-1")
        XCTAssertEqual(canceled?[11], "CXL-1")
    }

    func testCancelOfAnUnknownOrderGetsOrderCancelReject() throws {
        let gateway = try GatewayServer(configuration: configuration())
        defer { gateway.stop() }
        let fix = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT2")
        fix.logon()
        XCTAssertNotNil(fix.expect("A"))
        fix.send("F", [(41, "NOPE"), (11, "CXL-9"), (55, "MSFT"), (54, "2"), (60, "20261121-12:00:01.000")])
        let reject = fix.expect("9")
        XCTAssertEqual(reject?[434], "1")
        XCTAssertEqual(reject?[11], "CXL-9")
    }

    /// The FIX order table comes back from the journal: after a restart an open order's
    /// status, CumQty and AvgPx are those before the stop, and the next fill carries on.
    func testOrderTableSurvivesARestart() throws {
        var c = configuration()
        c.fix.sessions[0].cancelOnDisconnect = false
        var gateway: GatewayServer? = try GatewayServer(configuration: c)
        let fix = try FIXTestClient(port: gateway!.fixPort, sender: "CLIENT1")
        fix.logon()
        XCTAssertNotNil(fix.expect("A"))
        fix.send("D", [(11, "BUY-7"), (55, "MSFT"), (54, "1"), (60, "20261121-12:00:00.000"), (38, "300"), (40, "2"), (44, "401.00"), (59, "1")])
        XCTAssertEqual(fix.expect("8")?[150], "0")
        let ouch = try OUCHTestClient(port: gateway!.ouchPort)
        ouch.loginAccepted("OUCH02")
        ouch.send(OUCHEnterOrder.limit(1, OUCHSide.sell, 100, "MSFT", 4_000_000))  // 400.00: trades at 401.00
        guard case .orderAccepted = ouch.nextMessage(), case .orderExecuted = ouch.nextMessage() else { return XCTFail() }
        XCTAssertEqual(fix.expect("8")?[14], "100")
        fix.send("G", [(41, "BUY-7"), (11, "BUY-8"), (55, "MSFT"), (54, "1"), (60, "20261121-12:00:01.000"), (38, "300"), (40, "2"), (44, "399.00"), (59, "1")])
        XCTAssertEqual(fix.expect("8")?[150], "5")
        fix.send("5", [])
        XCTAssertNotNil(fix.expect("5"))
        gateway?.stop()
        gateway = nil

        let restarted = try GatewayServer(configuration: c)
        defer { restarted.stop() }
        let again = try FIXTestClient(port: restarted.fixPort, sender: "CLIENT1", firstSeqNum: fix.nextSeqNum)
        again.logon()
        XCTAssertNotNil(again.expect("A"))
        again.send("H", [(11, "BUY-8"), (55, "MSFT"), (54, "1")])
        let status = again.expect("8")
        XCTAssertEqual(status?[150], "I")
        XCTAssertEqual(status?[39], "1", "partially filled before the stop")
        XCTAssertEqual(status?[14], "100")
        XCTAssertEqual(status?[151], "200")
        XCTAssertEqual(status?[6], "401")
        XCTAssertEqual(status?[41], nil)
        let seller = try OUCHTestClient(port: restarted.ouchPort)
        seller.loginAccepted("OUCH03")
        seller.send(OUCHEnterOrder.limit(1, OUCHSide.sell, 100, "MSFT", 3_990_000))
        guard case .orderAccepted = seller.nextMessage(), case .orderExecuted = seller.nextMessage() else { return XCTFail() }
        let fill = again.expect("8")
        XCTAssertEqual(fill?[150], "F")
        XCTAssertEqual(fill?[11], "BUY-8")
        XCTAssertEqual(fill?[14], "200")
        XCTAssertEqual(fill?[6], "400", "(100 × 401 + 100 × 399) / 200")
        XCTAssertEqual(fill?[38], "300")
    }
}
