import Foundation
import Gateway
import GatewayCore
import Rings
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The inputs an adversarial run found to kill the whole process (issue 14), each sent
/// to a real gateway: every one is answered the protocol's way and every other session
/// keeps being served. Before the fixes each trapped (SIGILL) on the I/O thread or the
/// shared-memory bridge thread.
final class ProcessKillingInputTests: XCTestCase {
    var directory = ""
    var gateway: GatewayServer!

    override func setUpWithError() throws {
        directory = makeTemporaryDirectory("killers")
        var c = testGatewayConfiguration(directory, dataDirectory: directory + "/data")
        c.sharedMemory.capacity = 1024
        gateway = try GatewayServer(configuration: c)
    }

    override func tearDown() {
        gateway?.stop()
        gateway = nil
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func frame(_ client: FIXTestClient, _ msgType: String, seq: Int, sendingTime: String, _ body: [(Int, String)]) -> [UInt8] {
        var text = "35=\(msgType)\u{1}49=\(client.senderCompID)\u{1}56=\(client.targetCompID)\u{1}34=\(seq)\u{1}52=\(sendingTime)\u{1}"
        for (tag, value) in body { text += "\(tag)=\(value)\u{1}" }
        let body = Array(text.utf8)
        var message = Array("8=FIX.4.4\u{1}9=\(body.count)\u{1}".utf8) + body
        let sum = message.reduce(0) { ($0 + Int($1)) % 256 }
        message += Array("10=\(String(format: "%03d", sum))\u{1}".utf8)
        return message
    }

    private func now() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HH:mm:ss.SSS"
        return formatter.string(from: Date())
    }

    /// A session that keeps trading: logged on before the bad input, an order after it.
    private func assertServed(_ client: FIXTestClient, _ clOrdID: String, file: StaticString = #filePath, line: UInt = #line) {
        client.send("D", [(11, clOrdID), (55, "AAPL"), (54, "1"), (60, "20261121-12:00:00.000"), (38, "100"),
                          (40, "2"), (44, "90"), (59, "0")])
        XCTAssertEqual(client.expect("8", file: file, line: line)?[150], "0", file: file, line: line)
        XCTAssertFalse(gateway.hasFailed, file: file, line: line)
    }

    /// `52=99991231-23:59:59` on an unauthenticated Logon with a wrong password: the
    /// year is past what a nanosecond Int64 holds. The connection is refused; the
    /// process lives.
    func testLogonWithSendingTimeInTheYear9999AndAWrongPassword() throws {
        let good = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT2")
        good.logon()
        XCTAssertNotNil(good.expect("A"))
        for sendingTime in ["99991231-23:59:59", "16000101-00:00:00.000", "00000101-00:00:00"] {
            let bad = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1")
            bad.sendRaw(frame(bad, "A", seq: 1, sendingTime: sendingTime,
                              [(98, "0"), (108, "30"), (553, "CLIENT1"), (554, "wrong")]))
            XCTAssertTrue(bad.closedByPeer(), "a Logon with 52=\(sendingTime) is not taken")
            assertServed(good, "G-\(sendingTime.prefix(4))")
        }
    }

    /// `60=00000101-00:00:00` (and a year past 2262) on a NewOrderSingle of a logged-on
    /// session: a session Reject for an incorrect data format (373=6) on tag 60.
    func testNewOrderWithTransactTimeOutsideTheRepresentableRangeGetsReject6() throws {
        let client = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1")
        client.logon()
        XCTAssertNotNil(client.expect("A"))
        var seq = client.nextSeqNum
        for transactTime in ["00000101-00:00:00", "99991231-23:59:59.999"] {
            client.sendRaw(frame(client, "D", seq: seq, sendingTime: now(), [
                (11, "X-\(seq)"), (55, "AAPL"), (54, "1"), (60, transactTime), (38, "100"), (40, "2"), (44, "90"), (59, "0"),
            ]))
            let reject = client.expect("3")
            XCTAssertEqual(reject?[45], String(seq))
            XCTAssertEqual(reject?[371], "60")
            XCTAssertEqual(reject?[373], "6")
            seq += 1
        }
        client.sendRaw(frame(client, "D", seq: seq, sendingTime: now(), [
            (11, "AFTER"), (55, "AAPL"), (54, "1"), (60, "20261121-12:00:00.000"), (38, "100"), (40, "2"), (44, "90"), (59, "0"),
        ]))
        XCTAssertEqual(client.expect("8")?[150], "0")
        XCTAssertFalse(gateway.hasFailed)
    }

    /// Signals whose position target is Int64.min, or whose created time is Int64.min
    /// with a TTL, are refused (1006 invalid field, 1005 stale); before, the bridge
    /// trapped, and trapped again at every restart while the record stayed unread.
    func testSignalsWithExtremeFieldsAreRefusedNotTrappedOn() throws {
        let shm = try SharedMemoryTestClient(signalsPath: directory + "/cift-signals", fillsPath: directory + "/cift-fills")
        let minimumTarget = shm.signal("AAPL", target: .min, price: 1_500_000)
        let minimumCreated = shm.signal("AAPL", target: 100, price: 1_500_000, ttlMilliseconds: 500, created: .min)
        let good = shm.signal("AAPL", target: 100, price: 1_500_000)
        XCTAssertEqual(shm.expectRejection(minimumTarget), 1006)
        XCTAssertEqual(shm.expectRejection(minimumCreated), 1005)
        shm.expectAcknowledgement(good)
        XCTAssertFalse(gateway.hasFailed)
    }

    /// A producer that moves the signals ring's tail backwards is cut off: records it
    /// publishes afterwards are not read, the records read before are answered, and
    /// order entry goes on.
    func testAProducerThatMovesTheTailBackwardsIsCutOff() throws {
        let shm = try SharedMemoryTestClient(signalsPath: directory + "/cift-signals", fillsPath: directory + "/cift-fills")
        let first = shm.setLimit("ACC1", .maxOrderQuantity, 5_000)
        let second = shm.setLimit("ACC1", .maxOrderQuantity, 6_000)
        shm.expectAcknowledgement(first)
        shm.expectAcknowledgement(second)
        // Tail 2 → 1: the producer index moves back under the consumer (raw write, as a
        // broken producer would do it).
        let descriptor = open(directory + "/cift-signals", O_RDWR)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        var one = UInt64(1).littleEndian
        XCTAssertEqual(pwrite(descriptor, &one, 8, 128), 8)
        close(descriptor)
        // The bridge sees it on its next look at the tail; then a record written past it.
        usleep(300_000)
        var three = UInt64(3).littleEndian
        let reopened = open(directory + "/cift-signals", O_RDWR)
        // Slot 2 (records 3): a valid record with sequence 3, then tail 3.
        var slot = [UInt8](repeating: 0, count: 64)
        slot.withUnsafeMutableBytes { p in
            p.storeBytes(of: UInt64(3).littleEndian, toByteOffset: 0, as: UInt64.self)
            p[8] = 2
            p[9] = RiskLimit.maxOrderQuantity.rawValue
            SharedMemoryTestClient.putName(p, 16, "ACC1")
            p.storeBytes(of: Int64(7_000).littleEndian, toByteOffset: 24, as: Int64.self)
        }
        XCTAssertEqual(pwrite(reopened, slot, 64, 384 + 2 * 64), 64)
        XCTAssertEqual(pwrite(reopened, &three, 8, 128), 8)
        close(reopened)
        XCTAssertNil(shm.next(seconds: 1), "a cut-off producer's record is not read")
        XCTAssertFalse(gateway.hasFailed)
        let client = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1")
        client.logon()
        XCTAssertNotNil(client.expect("A"))
        assertServed(client, "STILL-HERE")
    }
}
