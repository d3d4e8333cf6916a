import Foundation
import Gateway
import GatewayCore
import XCTest

#if canImport(Glibc)
import Glibc
#endif

extension FIXTestClient {
    /// Writes `bytes` as they are, in one write.
    func sendRaw(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Writes `bytes` one byte per write (TCP_NODELAY, a short pause between writes).
    func sendOneBytePerWrite(_ bytes: [UInt8]) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        for byte in bytes {
            var b = byte
            _ = Glibc.send(fd, &b, 1, Int32(MSG_NOSIGNAL))
            usleep(500)
        }
    }

    /// A correctly framed message from this client with MsgSeqNum `seq` (the client's
    /// own counter is not touched).
    func frame(_ msgType: String, seq: Int, _ body: [(Int, String)], sendingTime: String = fixNow(),
               beginString: String = "FIX.4.4") -> [UInt8] {
        var text = "35=\(msgType)\u{1}49=\(senderCompID)\u{1}56=\(targetCompID)\u{1}34=\(seq)\u{1}52=\(sendingTime)\u{1}"
        for (tag, value) in body { text += "\(tag)=\(value)\u{1}" }
        let body = Array(text.utf8)
        var message = Array("8=\(beginString)\u{1}9=\(body.count)\u{1}".utf8) + body
        let sum = message.reduce(0) { ($0 + Int($1)) % 256 }
        message += Array("10=\(threeDigits(sum))\u{1}".utf8)
        return message
    }
}

private func threeDigits(_ n: Int) -> String {
    let s = String(n)
    return String(repeating: "0", count: max(0, 3 - s.count)) + s
}

/// UTCTimestamp of now, plus `offset` seconds.
private func fixNow(offset: TimeInterval = 0) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyyMMdd-HH:mm:ss.SSS"
    return formatter.string(from: Date().addingTimeInterval(offset))
}

extension FIXTestClient {
    /// True if the gateway closes the connection within `seconds` (anything it sends
    /// before that is skipped).
    func closedByPeer(within seconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var scratch = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { return true }
        }
        return false
    }
}

private func order(_ clOrdID: String, symbol: String = "AAPL", qty: String = "100", price: String = "100.25") -> [(Int, String)] {
    [(11, clOrdID), (55, symbol), (54, "1"), (60, "20261121-12:00:00.000"), (38, qty), (40, "2"), (44, price), (59, "0")]
}

private func status(_ clOrdID: String) -> [(Int, String)] {
    [(11, clOrdID), (55, "AAPL"), (54, "1")]
}

/// Bad input on a FIX session: framing errors are dropped silently, validation errors
/// get a session Reject, order-entry problems an ExecutionReport 150=8; meanwhile a
/// second session keeps being served and nothing acknowledged is lost.
final class FIXBadInputTests: XCTestCase {
    var directory = ""
    var gateway: GatewayServer!
    var bad: FIXTestClient!
    var good: FIXTestClient!

    override func setUpWithError() throws {
        directory = makeTemporaryDirectory("fixbad")
        gateway = try GatewayServer(configuration: testGatewayConfiguration(directory))
        good = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT2")
        good.logon()
        XCTAssertNotNil(good.expect("A"))
        good.send("D", order("G-1", price: "90"))
        XCTAssertEqual(good.expect("8")?[150], "0")
        bad = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1")
    }

    override func tearDown() {
        bad = nil
        good = nil
        gateway?.stop()
        gateway = nil
        try? FileManager.default.removeItem(atPath: directory)
    }

    func logOnBad(file: StaticString = #filePath, line: UInt = #line) {
        bad.logon()
        XCTAssertNotNil(bad.expect("A", file: file, line: line), file: file, line: line)
    }

    /// The second session is still served and its resting order is still known.
    func assertGoodSessionServed(file: StaticString = #filePath, line: UInt = #line) {
        good.send("H", status("G-1"))
        let s = good.expect("8", file: file, line: line)
        XCTAssertEqual(s?[150], "I", file: file, line: line)
        XCTAssertEqual(s?[39], "0", "G-1 still open", file: file, line: line)
        let id = "G-\(good.nextSeqNum)"
        good.send("D", order(id, price: "91"))
        let new = good.expect("8", file: file, line: line)
        XCTAssertEqual(new?[150], "0", file: file, line: line)
        XCTAssertEqual(new?[11], id, file: file, line: line)
    }

    /// An order acknowledged before the bad input is still open on the bad session.
    func assertStillOpen(_ clOrdID: String, file: StaticString = #filePath, line: UInt = #line) {
        bad.send("H", status(clOrdID))
        let s = bad.expect("8", file: file, line: line)
        XCTAssertEqual(s?[150], "I", file: file, line: line)
        XCTAssertEqual(s?[11], clOrdID, file: file, line: line)
        XCTAssertEqual(s?[39], "0", file: file, line: line)
    }

    func placeFirstOrder(file: StaticString = #filePath, line: UInt = #line) {
        bad.send("D", order("B-1"))
        let ack = bad.expect("8", file: file, line: line)
        XCTAssertEqual(ack?[150], "0", file: file, line: line)
        XCTAssertEqual(ack?[11], "B-1", file: file, line: line)
    }

    func assertSessionReject(seq: Int, refTag: String, reason: String, file: StaticString = #filePath, line: UInt = #line) {
        let reject = bad.expect("3", file: file, line: line)
        XCTAssertEqual(reject?[45], String(seq), file: file, line: line)
        XCTAssertEqual(reject?[371], refTag, file: file, line: line)
        XCTAssertEqual(reject?[372], "D", file: file, line: line)
        XCTAssertEqual(reject?[373], reason, file: file, line: line)
    }

    // MARK: framing

    func testGarbageBeforeLogonIsDropped() throws {
        bad.sendRaw(Array("garbage\u{1}GET / HTTP/1.1\r\n\u{1}\u{0}\u{ff}".utf8))
        logOnBad()
        placeFirstOrder()
        assertGoodSessionServed()
    }

    func testGarbageBetweenMessagesIsDroppedAndTheNextMessageProcessed() throws {
        logOnBad()
        placeFirstOrder()
        bad.sendRaw(Array("xx\u{1}9=FIZ\u{1}junk 10=000\u{1}\u{0}".utf8))
        bad.send("D", order("B-2"))
        let ack = bad.expect("8")
        XCTAssertEqual(ack?[150], "0")
        XCTAssertEqual(ack?[11], "B-2")
        assertStillOpen("B-1")
        assertGoodSessionServed()
    }

    func testWrongCheckSumIsDroppedAndTheSameMsgSeqNumAccepted() throws {
        logOnBad()
        placeFirstOrder()
        var corrupted = bad.frame("D", seq: bad.nextSeqNum, order("BAD-CK"))
        let n = corrupted.count
        // the last three digits before the final SOH: change the checksum
        let digit = corrupted[n - 2]
        corrupted[n - 2] = digit == UInt8(ascii: "9") ? UInt8(ascii: "0") : digit + 1
        bad.sendRaw(corrupted)
        bad.send("D", order("GOOD-CK"))
        let ack = bad.expect("8")
        XCTAssertEqual(ack?[150], "0")
        XCTAssertEqual(ack?[11], "GOOD-CK")
        bad.send("H", status("BAD-CK"))
        let unknown = bad.expect("8")
        XCTAssertEqual(unknown?[150], "I")
        XCTAssertEqual(unknown?[39], "8", "the garbled order never reached the engine")
        assertStillOpen("B-1")
        assertGoodSessionServed()
    }

    func testHugeBodyLengthIsDropped() throws {
        logOnBad()
        placeFirstOrder()
        let real = bad.frame("D", seq: bad.nextSeqNum, order("HUGE"))
        let body = real.split(separator: 1, maxSplits: 2, omittingEmptySubsequences: false)[2]
        bad.sendRaw(Array("8=FIX.4.4\u{1}9=99999999\u{1}".utf8) + Array(body))
        bad.send("D", order("AFTER-HUGE"))
        let ack = bad.expect("8")
        XCTAssertEqual(ack?[150], "0")
        XCTAssertEqual(ack?[11], "AFTER-HUGE")
        assertStillOpen("B-1")
        assertGoodSessionServed()
    }

    func testMissingSOHAfterBeginStringIsDropped() throws {
        logOnBad()
        placeFirstOrder()
        var message = bad.frame("D", seq: bad.nextSeqNum, order("NOSOH"))
        message.remove(at: 9) // the SOH after 8=FIX.4.4
        bad.sendRaw(message)
        bad.send("D", order("AFTER-NOSOH"))
        let ack = bad.expect("8")
        XCTAssertEqual(ack?[150], "0")
        XCTAssertEqual(ack?[11], "AFTER-NOSOH")
        assertStillOpen("B-1")
        assertGoodSessionServed()
    }

    func testMissingSOHAfterCheckSumIsDropped() throws {
        logOnBad()
        placeFirstOrder()
        var message = bad.frame("D", seq: bad.nextSeqNum, order("NOSOH10"))
        message.removeLast() // the SOH that ends 10=nnn
        bad.sendRaw(message)
        bad.send("D", order("AFTER-NOSOH10"))
        let ack = bad.expect("8")
        XCTAssertEqual(ack?[150], "0")
        XCTAssertEqual(ack?[11], "AFTER-NOSOH10")
        bad.send("H", status("NOSOH10"))
        XCTAssertEqual(bad.expect("8")?[39], "8", "the garbled order never reached the engine")
        assertStillOpen("B-1")
        assertGoodSessionServed()
    }

    func testMessageSplitOneBytePerWriteIsProcessed() throws {
        logOnBad()
        placeFirstOrder()
        let seq = bad.nextSeqNum
        bad.sendOneBytePerWrite(bad.frame("D", seq: seq, order("SLOW")))
        let ack = bad.expect("8")
        XCTAssertEqual(ack?[150], "0")
        XCTAssertEqual(ack?[11], "SLOW")
        bad.sendRaw(bad.frame("H", seq: seq + 1, status("B-1")))
        let s = bad.expect("8")
        XCTAssertEqual(s?[150], "I")
        XCTAssertEqual(s?[39], "0")
        assertGoodSessionServed()
    }

    /// Half a message left by a connection that then goes is not this connection's: the
    /// next connection (which gets the freed connection slot and its kept buffer) logs on
    /// with its first bytes.
    func testAPartialMessageLeftByAClosedConnectionIsNotTheNextOnes() throws {
        let half = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT3")
        let logon = half.frame("A", seq: 1, [(98, "0"), (108, "30"), (554, "demo")])
        half.sendRaw(Array(logon.prefix(logon.count / 2)))
        usleep(100_000)  // the gateway has read the half
        _ = shutdown(half.fd, Int32(SHUT_RDWR))
        usleep(100_000)
        let next = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT3")
        next.logon()
        XCTAssertNotNil(next.expect("A"), "the new connection's Logon is read from its own first byte")
        assertGoodSessionServed()
    }

    // MARK: validation (session Reject)

    func testNonNumericOrderQtyGetsRejectIncorrectDataFormat() throws {
        logOnBad()
        placeFirstOrder()
        let seq = bad.nextSeqNum
        bad.send("D", order("ABC-QTY", qty: "ABC"))
        assertSessionReject(seq: seq, refTag: "38", reason: "6")
        assertStillOpen("B-1")
        assertGoodSessionServed()
    }

    /// Six decimals are a valid FIX Price: the session accepts the message, the venue
    /// (four decimals, never rounded) refuses the order.
    func testPriceWithTooManyDecimalsGetsExecutionReportRejected() throws {
        logOnBad()
        placeFirstOrder()
        bad.send("D", order("PX6", price: "1.000001"))
        let report = bad.expect("8")
        XCTAssertEqual(report?[150], "8")
        XCTAssertEqual(report?[11], "PX6")
        XCTAssertEqual(report?[58], "invalid price")
        assertStillOpen("B-1")
        assertGoodSessionServed()
    }

    /// FIX 4.4 makes Symbol optional in NewOrderSingle (Instrument's fields are): the
    /// venue refuses the order, 103=1.
    func testMissingSymbolGetsExecutionReportRejected() throws {
        logOnBad()
        placeFirstOrder()
        bad.send("D", order("NOSYM").filter { $0.0 != 55 })
        let report = bad.expect("8")
        XCTAssertEqual(report?[150], "8")
        XCTAssertEqual(report?[103], "1")
        assertStillOpen("B-1")
        assertGoodSessionServed()
    }

    /// A tag FIX 4.4 does not define is still a session Reject 373=0.
    func testUndefinedTagGetsRejectInvalidTagNumber() throws {
        logOnBad()
        placeFirstOrder()
        let seq = bad.nextSeqNum
        bad.send("D", order("UNDEF") + [(4999, "X")])
        assertSessionReject(seq: seq, refTag: "4999", reason: "0")
        assertStillOpen("B-1")
        assertGoodSessionServed()
    }

    // MARK: order entry

    func testUnknownSymbolGetsExecutionReportRejected() throws {
        logOnBad()
        placeFirstOrder()
        bad.send("D", order("UNK", symbol: "ZZZZ"))
        let report = bad.expect("8")
        XCTAssertEqual(report?[150], "8")
        XCTAssertEqual(report?[39], "8")
        XCTAssertEqual(report?[103], "1")
        XCTAssertEqual(report?[58], "unknown symbol")
        XCTAssertEqual(report?[11], "UNK")
        assertStillOpen("B-1")
        assertGoodSessionServed()
    }

    // MARK: session rules over the socket

    /// FIX session test case 2.h: Logout "Incorrect BeginString", then the disconnect.
    func testWrongBeginStringGetsLogoutThenDisconnect() throws {
        bad.sendRaw(bad.frame("A", seq: 1, [(98, "0"), (108, "30"), (553, "CLIENT1"), (554, "demo")], beginString: "FIX.4.2"))
        XCTAssertEqual(bad.expect("5")?[58], "Incorrect BeginString")
        XCTAssertTrue(bad.closedByPeer())
        // The session was not consumed: a correct Logon on a new connection works.
        let again = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1")
        again.logon()
        XCTAssertEqual(again.expect("A")?[34], "1")
        assertGoodSessionServed()
    }

    func testStaleSendingTimeGetsReject10AndLogout() throws {
        logOnBad()
        placeFirstOrder()
        let seq = bad.nextSeqNum
        bad.sendRaw(bad.frame("D", seq: seq, order("STALE"), sendingTime: fixNow(offset: -600)))
        let reject = bad.expect("3")
        XCTAssertEqual(reject?[45], String(seq))
        XCTAssertEqual(reject?[371], "52")
        XCTAssertEqual(reject?[373], "10")
        XCTAssertEqual(bad.expect("5")?[58], "SendingTime accuracy problem")
        XCTAssertTrue(bad.closedByPeer())
        assertGoodSessionServed()
    }
}
