import Foundation
import Gateway
import GatewayCore
import OUCH
import XCTest

/// Pre-trade risk through a real gateway: every gate at its limit (accepted) and one
/// step past it, with the exact reject on the wire for an OUCH user (OUCH01, ACC1) and a
/// FIX session (CLIENT2, ACC2); limits changed at run time through the shared-memory
/// ring take effect on the next order; the kill switch; the message-rate limit.
final class RiskGatewayTests: XCTestCase {
    var directory = ""
    var gateway: GatewayServer!
    var shm: SharedMemoryTestClient!
    var ouch: OUCHTestClient!
    var fix: FIXTestClient!
    var ref: UInt32 = 0
    var clOrdID = 0

    override func setUpWithError() throws {
        directory = makeTemporaryDirectory("risk")
        gateway = try GatewayServer(configuration: configuration())
        shm = try SharedMemoryTestClient(signalsPath: directory + "/cift-signals", fillsPath: directory + "/cift-fills")
        ouch = try OUCHTestClient(port: gateway.ouchPort)
        ouch.loginAccepted("OUCH01")
        fix = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT2")
        fix.logon()
        XCTAssertNotNil(fix.expect("A"))
    }

    override func tearDown() {
        ouch = nil
        fix = nil
        shm = nil
        gateway?.stop()
        gateway = nil
        try? FileManager.default.removeItem(atPath: directory)
    }

    func configuration(rate: Int = 0) -> GatewayConfiguration {
        var c = testGatewayConfiguration(directory)
        c.ouch.maxMessagesPerSecond = rate
        c.fix.maxMessagesPerSecond = rate
        return c
    }

    /// Sets `limit` to `value` for both accounts through the shared-memory ring.
    func limit(_ limit: RiskLimit, _ value: Int64, symbol: String? = nil) {
        for account in ["ACC1", "ACC2"] {
            shm.expectAcknowledgement(shm.setLimit(account, limit, value, symbol: symbol))
        }
    }

    // MARK: Sending

    /// An OUCH buy; returns the reject reason, or nil when accepted.
    func ouchBuy(_ quantity: UInt32, _ price: UInt64, symbol: String = "AAPL", file: StaticString = #filePath,
                 line: UInt = #line) -> OUCHRejectReason? {
        ref += 1
        ouch.send(OUCHEnterOrder.limit(ref, OUCHSide.buy, quantity, symbol, price))
        switch ouch.nextMessage(file: file, line: line) {
        case .orderAccepted?: return nil
        case .rejected(let r)?: return r.reason
        case let other: XCTFail("unexpected \(String(describing: other))", file: file, line: line); return nil
        }
    }

    /// A FIX buy; returns (OrdRejReason, Text) of a rejection, or nil when accepted.
    func fixBuy(_ quantity: Int, _ price: String, symbol: String = "AAPL", file: StaticString = #filePath,
                line: UInt = #line) -> (String, String)? {
        clOrdID += 1
        fix.send("D", [(11, "R\(clOrdID)"), (55, symbol), (54, "1"), (60, "20261121-12:00:00.000"), (38, String(quantity)),
                       (40, "2"), (44, price), (59, "0")])
        guard let report = fix.expect("8", file: file, line: line) else { return nil }
        if report[150] == "0" { return nil }
        XCTAssertEqual(report[150], "8", file: file, line: line)
        XCTAssertEqual(report[39], "8", file: file, line: line)
        return (report[103] ?? "", report[58] ?? "")
    }

    /// Cancels every open order of both accounts (mass cancel on each protocol).
    func cancelEverything() {
        shm.expectAcknowledgement(shm.killSwitch("ACC1", true))
        shm.expectAcknowledgement(shm.killSwitch("ACC1", false))
        shm.expectAcknowledgement(shm.killSwitch("ACC2", true))
        shm.expectAcknowledgement(shm.killSwitch("ACC2", false))
        while case .message = ouch.next(seconds: 0.3) {}
        while fix.next(seconds: 0.3) != nil {}
    }

    /// One gate on both protocols: `atLimit` accepted, `past` rejected with `ouchReason`
    /// and FIX 103=3 with `text`.
    func check(_ name: String, ouchReason: OUCHRejectReason, text: String,
               atLimit: () -> (OUCHRejectReason?, (String, String)?),
               past: () -> (OUCHRejectReason?, (String, String)?), file: StaticString = #filePath, line: UInt = #line) {
        let (ouchAt, fixAt) = atLimit()
        XCTAssertNil(ouchAt, "\(name): OUCH at the limit", file: file, line: line)
        XCTAssertNil(fixAt?.1, "\(name): FIX at the limit", file: file, line: line)
        let (ouchPast, fixPast) = past()
        XCTAssertEqual(ouchPast, ouchReason, "\(name): OUCH past the limit", file: file, line: line)
        XCTAssertEqual(fixPast?.0, "3", "\(name): FIX OrdRejReason", file: file, line: line)
        XCTAssertEqual(fixPast?.1, text, "\(name): FIX Text", file: file, line: line)
    }

    // MARK: The gates

    func testEveryGateOnTheWireForOUCHAndFIX() throws {
        limit(.maxOrderQuantity, 500)
        check("max order quantity", ouchReason: .sharesExceedThreshold, text: RejectReason.riskOrderQuantity.text,
              atLimit: { (ouchBuy(500, 1_400_000), fixBuy(500, "140.00")) },
              past: { (ouchBuy(600, 1_400_000), fixBuy(600, "140.00")) })
        limit(.maxOrderQuantity, 0)

        limit(.maxOrderNotional, 15_000 * 10_000)  // 15,000.00
        check("max order notional", ouchReason: .exceedsMaximumNotional, text: RejectReason.riskOrderNotional.text,
              atLimit: { (ouchBuy(100, 1_500_000), fixBuy(100, "150.00")) },
              past: { (ouchBuy(100, 1_500_100), fixBuy(100, "150.01")) })
        limit(.maxOrderNotional, 0)

        shm.expectAcknowledgement(shm.referencePrice("MSFT", 4_000_000))  // 400.00
        limit(.priceCollarBasisPoints, 100)  // 1%: 396.00 … 404.00
        check("price collar", ouchReason: .riskFatFinger, text: RejectReason.riskPriceCollar.text,
              atLimit: { (ouchBuy(100, 3_960_000, symbol: "MSFT"), fixBuy(100, "396.00", symbol: "MSFT")) },
              past: { (ouchBuy(100, 3_959_900, symbol: "MSFT"), fixBuy(100, "395.99", symbol: "MSFT")) })
        limit(.priceCollarBasisPoints, 0)
        cancelEverything()

        limit(.maxOpenOrders, 2)
        XCTAssertNil(ouchBuy(100, 1_000_000))
        XCTAssertNil(fixBuy(100, "100.00"))
        check("max open orders", ouchReason: .riskAggregateExposure, text: RejectReason.riskOpenOrders.text,
              atLimit: { (ouchBuy(100, 1_000_000), fixBuy(100, "100.00")) },
              past: { (ouchBuy(100, 1_000_000), fixBuy(100, "100.00")) })
        limit(.maxOpenOrders, 0)
        cancelEverything()

        limit(.maxGrossPosition, 300)
        check("max gross position", ouchReason: .riskAggregateExposure, text: RejectReason.riskGrossPosition.text,
              atLimit: { (ouchBuy(300, 1_000_000), fixBuy(300, "100.00")) },
              past: { (ouchBuy(100, 1_000_000), fixBuy(100, "100.00")) })
        limit(.maxGrossPosition, 0)
        cancelEverything()

        limit(.maxNetPosition, 200)
        check("max net position", ouchReason: .riskAggregateExposure, text: RejectReason.riskNetPosition.text,
              atLimit: { (ouchBuy(200, 1_000_000), fixBuy(200, "100.00")) },
              past: { (ouchBuy(100, 1_000_000), fixBuy(100, "100.00")) })
        limit(.maxNetPosition, 0)
        cancelEverything()

        // Exposure at the mark price (MSFT's reference 400.00): 50 shares = 20,000.00.
        limit(.maxTotalExposure, 20_000 * 10_000)
        check("max total exposure", ouchReason: .riskAggregateExposure, text: RejectReason.riskExposure.text,
              atLimit: { (ouchBuy(100, 2_000_000, symbol: "MSFT"), fixBuy(100, "200.00", symbol: "MSFT")) },
              past: { (ouchBuy(100, 1_000_000, symbol: "NVDA"), fixBuy(100, "100.00", symbol: "NVDA")) })
        limit(.maxTotalExposure, 0)
        cancelEverything()

        limit(.restrictedSymbol, 1, symbol: "TSLA")
        check("restricted symbol", ouchReason: .firmNotAuthorized, text: RejectReason.restrictedSymbol.text,
              atLimit: { (ouchBuy(100, 1_000_000, symbol: "SPY"), fixBuy(100, "100.00", symbol: "SPY")) },
              past: { (ouchBuy(100, 1_000_000, symbol: "TSLA"), fixBuy(100, "100.00", symbol: "TSLA")) })
        limit(.restrictedSymbol, 0, symbol: "TSLA")
        XCTAssertNil(ouchBuy(100, 1_000_000, symbol: "TSLA"), "lifted at run time")
    }

    func testKillSwitchCancelsOnTheWireAndBlocksUntilReleased() throws {
        XCTAssertNil(ouchBuy(100, 1_000_000))
        XCTAssertNil(fixBuy(100, "100.00"))
        shm.expectAcknowledgement(shm.killSwitch("ACC1", true))
        shm.expectAcknowledgement(shm.killSwitch("ACC2", true))
        guard case .orderCanceled(let canceled)? = ouch.nextMessage() else { return XCTFail("OUCH Order Canceled") }
        XCTAssertEqual(canceled.reason, OUCHCancelReason.supervisory)
        let report = fix.expect("8")
        XCTAssertEqual(report?[150], "4")
        XCTAssertEqual(report?[58], "supervisory cancel")
        XCTAssertEqual(ouchBuy(100, 1_000_000), .firmNotAuthorized)
        XCTAssertEqual(fixBuy(100, "100.00")?.1, RejectReason.killSwitch.text)
        shm.expectAcknowledgement(shm.killSwitch("ACC1", false))
        shm.expectAcknowledgement(shm.killSwitch("ACC2", false))
        XCTAssertNil(ouchBuy(100, 1_000_000))
        XCTAssertNil(fixBuy(100, "100.00"))
    }

    func testMessageRateLimitPerSession() throws {
        // A gateway of its own with 5 order-entry messages per second per session.
        tearDown()
        directory = makeTemporaryDirectory("risk-rate")
        gateway = try GatewayServer(configuration: configuration(rate: 5))
        ouch = try OUCHTestClient(port: gateway.ouchPort)
        ouch.loginAccepted("OUCH01")
        fix = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT2")
        fix.logon()
        XCTAssertNotNil(fix.expect("A"))
        // Eight of each sent back to back (microseconds apart: no token comes back at 5 a
        // second), then the eight answers read.
        for i in 1...8 {
            ouch.send(OUCHEnterOrder.limit(UInt32(i), OUCHSide.buy, 100, "AAPL", 1_000_000))
            fix.send("D", [(11, "RATE\(i)"), (55, "AAPL"), (54, "1"), (60, "20261121-12:00:00.000"), (38, "100"),
                           (40, "2"), (44, "100.00"), (59, "0")])
        }
        var ouchAnswers: [OUCHRejectReason?] = []
        for _ in 1...8 {
            switch ouch.nextMessage() {
            case .orderAccepted?: ouchAnswers.append(nil)
            case .rejected(let r)?: ouchAnswers.append(r.reason)
            case let other: XCTFail("unexpected \(String(describing: other))")
            }
        }
        var fixAnswers: [String?] = []
        for _ in 1...8 {
            let report = fix.expect("8")
            fixAnswers.append(report?[150] == "0" ? nil : report?[58])
        }
        // Five pass (a second's worth of burst), three are refused. (The refusals come
        // from the I/O thread at once, the acknowledgements after the journal: the answers
        // arrive in that order, not in the order sent.)
        XCTAssertEqual(ouchAnswers.filter { $0 == nil }.count, 5, "\(ouchAnswers)")
        XCTAssertEqual(ouchAnswers.compactMap { $0 }, [.riskPortMessageRate, .riskPortMessageRate, .riskPortMessageRate])
        let limited = RejectReason.rateLimited.text
        XCTAssertEqual(fixAnswers.filter { $0 == nil }.count, 5, "\(fixAnswers)")
        XCTAssertEqual(fixAnswers.compactMap { $0 }, [limited, limited, limited])
    }

    /// Positions come back from the journal after a restart, and so do limits set at run
    /// time: the net limit still counts the position bought before the stop.
    func testPositionsAndRunTimeLimitsSurviveARestart() throws {
        limit(.maxNetPosition, 200)
        XCTAssertNil(ouchBuy(200, 1_000_000))
        let seller = try OUCHTestClient(port: gateway.ouchPort)
        seller.loginAccepted("OUCH03")
        seller.send(OUCHEnterOrder.limit(1, OUCHSide.sell, 200, "AAPL", 1_000_000))
        guard case .orderAccepted = seller.nextMessage(), case .orderExecuted = seller.nextMessage() else { return XCTFail() }
        while case .message = ouch.next(seconds: 0.3) {}
        ouch = nil
        fix = nil
        shm = nil
        XCTAssertNil(gateway.stop())
        gateway = try GatewayServer(configuration: configuration())
        ouch = try OUCHTestClient(port: gateway.ouchPort)
        ouch.loginAccepted("OUCH01", sequence: 0)
        ref = 100
        XCTAssertEqual(ouchBuy(100, 1_000_000), .riskAggregateExposure, "long 200 already: net limit 200")
        // Selling is still allowed: it brings the position down.
        ref += 1
        ouch.send(OUCHEnterOrder.limit(ref, OUCHSide.sell, 100, "AAPL", 1_100_000))
        guard case .orderAccepted = ouch.nextMessage() else { return XCTFail("a sell inside the limit") }
    }
}
