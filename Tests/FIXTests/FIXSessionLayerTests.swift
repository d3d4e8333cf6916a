import FIX
import Foundation
import GatewayCore
import XCTest

/// The FIX Session Layer Test Cases the acceptor used to get wrong (issues 13 and 14),
/// one test per defect; specs/fix44.md's test-case table points here.
final class FIXSessionLayerTests: XCTestCase {
    var h: FIXSessionHarness!

    override func setUpWithError() throws { h = try FIXSessionHarness() }
    override func tearDown() { h.removeDirectory(); h = nil }

    /// `8=FIX.4.4|9=…|` + `body` + checksum, from raw text (`|` for SOH).
    func raw(_ body: String) -> [UInt8] { framed(body) }

    var stamp: String { "20240102-14:30:00.000" }

    // MARK: Logon

    /// Test case 1B.d: a Logon whose BodyLength is wrong is garbled; before Logon the
    /// connection is closed (it used to stay open).
    func testLogonWithWrongBodyLengthDisconnects() {
        h.acceptor.opened(1, now: h.now)
        var logon = h.logonMessage()
        // 9=NN: claim one byte more than the body has.
        let text = String(decoding: logon, as: UTF8.self)
        let length = Int(text.split(separator: "\u{1}")[1].dropFirst(2))!
        logon = Array(text.replacingOccurrences(of: "\u{1}9=\(length)\u{1}", with: "\u{1}9=\(length - 3)\u{1}").utf8)
        h.receive(logon)
        XCTAssertTrue(h.drain().isEmpty)
        XCTAssertEqual(h.io.closed.map(\.connection), [1])
        XCTAssertFalse(h.acceptor.isLoggedOn(session: 0))
        XCTAssertTrue(h.io.closed[0].reason.contains("garbled message before Logon"), h.io.closed[0].reason)
    }

    /// Test case 2.h: a wrong BeginString gets Logout "Incorrect BeginString" before the
    /// disconnect: before Logon to the CompIDs the message carries (unsequenced)...
    func testWrongBeginStringBeforeLogonGetsLogoutThenDisconnect() {
        h.acceptor.opened(1, now: h.now)
        h.receive(framed("35=A|49=BANK1|56=CIFT|34=1|52=\(stamp)|98=0|108=30|", beginString: "FIX.4.2"))
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["5"])
        XCTAssertEqual(sent[0][58], "Incorrect BeginString")
        XCTAssertEqual(sent[0][56], "BANK1")
        XCTAssertEqual(h.io.closed.map(\.connection), [1])
        XCTAssertEqual(h.acceptor.store(session: 0).nextSenderSeqNum, 1, "no session number used")
    }

    /// ... and logged on, the session's own (sequenced) Logout.
    func testWrongBeginStringInSessionGetsLogoutThenDisconnect() {
        h.logOn()
        h.receive(framed("35=0|49=BANK1|56=CIFT|34=2|52=\(stamp)|", beginString: "FIX.4.2"))
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["5"])
        XCTAssertEqual(sent[0][58], "Incorrect BeginString")
        XCTAssertEqual(sent[0][34], "2")
        XCTAssertEqual(h.io.closed.map(\.connection), [1])
        XCTAssertTrue(h.io.closed[0].reason.contains("session BANK1"), h.io.closed[0].reason)
    }

    /// A Logon with ResetSeqNumFlag=Y while logged on resets both sides to 1 (it used to
    /// be answered "MsgSeqNum too low" and Logout).
    func testLogonWithResetSeqNumFlagDuringSessionResetsBothSides() throws {
        h.logOn()
        h.receive(h.newOrder())
        _ = try h.sendExecutionReport("E1")
        _ = h.drain()
        h.clientSeq = 1
        h.receive(h.logonMessage(reset: true))
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["A"])
        XCTAssertEqual(sent[0][141], "Y")
        XCTAssertEqual(sent[0][34], "1")
        XCTAssertTrue(h.io.closed.isEmpty)
        XCTAssertTrue(h.acceptor.isLoggedOn(session: 0))
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 2)
        XCTAssertEqual(h.acceptor.store(session: 0).nextSenderSeqNum, 2)
        h.receive(h.newOrder(clOrdID: "ORD2"))
        XCTAssertEqual(h.io.applications.count, 2)
        XCTAssertTrue(h.drain().isEmpty)
    }

    // MARK: Standard header

    /// Test case 2.t: 8, 9, 35 not the first three fields is garbled: no Reject, no
    /// number consumed (it used to get Reject 373=14).
    func testFirstThreeFieldsOutOfOrderIsGarbled() {
        h.logOn()
        h.receive(raw("49=BANK1|35=0|56=CIFT|34=2|52=\(stamp)|"))
        XCTAssertTrue(h.drain().isEmpty)
        XCTAssertTrue(h.io.closed.isEmpty)
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 2)
        XCTAssertTrue(h.io.events.contains { $0.contains("garbled") && $0.contains("BANK1") }, "\(h.io.events)")
        h.receive(h.newOrder())
        XCTAssertEqual(h.io.applications.count, 1)
    }

    /// Test case 2.g (issue 14): PossDupFlag=Y without OrigSendingTime is Reject 373=1
    /// on 122, its number consumed, not executed.
    func testPossDupWithoutOrigSendingTimeIsRejected() {
        h.logOn()
        h.receive(raw("35=D|49=BANK1|56=CIFT|34=2|43=Y|52=\(stamp)|11=ORD1|55=AAPL|54=1|60=\(stamp)|38=100|40=2|44=150|"))
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["3"])
        XCTAssertEqual(sent[0][45], "2")
        XCTAssertEqual(sent[0][371], "122")
        XCTAssertEqual(sent[0][373], "1")
        XCTAssertTrue(h.io.applications.isEmpty)
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 3)
    }

    /// Test case 2.f: OrigSendingTime later than SendingTime is Reject 373=10.
    func testPossDupWithOrigSendingTimeAfterSendingTimeIsRejected() {
        h.logOn()
        h.receive(raw("35=D|49=BANK1|56=CIFT|34=2|43=Y|52=\(stamp)|122=20240102-14:31:00.000|11=ORD1|55=AAPL|54=1|60=\(stamp)|38=100|40=2|44=150|"))
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["3"])
        XCTAssertEqual(sent[0][373], "10")
        XCTAssertEqual(sent[0][371], "122")
        XCTAssertTrue(h.io.applications.isEmpty)
    }

    /// Issue 13: TransactTime and SendingTime with microseconds (and nanoseconds) are accepted.
    func testMicrosecondTimestampsAreAccepted() {
        h.logOn()
        h.receive(raw("35=D|49=BANK1|56=CIFT|34=2|52=20240102-14:30:00.123456|11=ORD1|55=AAPL|54=1|60=20240102-14:30:00.123456|38=100|40=2|44=150|"))
        h.receive(raw("35=D|49=BANK1|56=CIFT|34=3|52=20240102-14:30:00.123456789|11=ORD2|55=AAPL|54=1|60=20240102-14:30:00.123456789|38=100|40=2|44=150|"))
        XCTAssertTrue(h.drain().isEmpty)
        XCTAssertEqual(h.io.applications.count, 2)
    }

    /// OnBehalfOfCompID (115) and DeliverToCompID (128) are accepted and echoed back
    /// swapped on the answers: the application's reply and a session Reject.
    func testOnBehalfOfAndDeliverToAreEchoedSwapped() throws {
        h.logOn()
        var io = ReplyingIO(acceptor: h.acceptor, inner: h.io)
        h.receive(raw("35=D|49=BANK1|56=CIFT|115=FUND7|128=DESK2|34=2|52=\(stamp)|11=ORD1|55=AAPL|54=1|60=\(stamp)|38=100|40=2|44=150|"), io: &io)
        h.receive(raw("35=D|49=BANK1|56=CIFT|115=FUND7|34=3|52=\(stamp)|11=ORD2|55=AAPL|54=1|60=\(stamp)|38=x|40=2|44=150|"), io: &io)
        h.receive(raw("35=D|49=BANK1|56=CIFT|34=4|52=\(stamp)|11=ORD3|55=AAPL|54=1|60=\(stamp)|38=100|40=2|44=150|"), io: &io)
        h.io = io.inner
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["8", "3", "8"])
        XCTAssertEqual(sent[0][128], "FUND7")
        XCTAssertEqual(sent[0][115], "DESK2")
        XCTAssertEqual(sent[1][128], "FUND7")
        XCTAssertNil(sent[1][115])
        XCTAssertNil(sent[2][128], "the next answer goes to the session itself")
        XCTAssertNil(sent[2][115])
        for (_, bytes) in h.io.sent {
            try withMessage(bytes) { m in XCTAssertNil(FIXSessionHarness.validatorForTests.validate(m)) }
        }
    }

    /// Test case 1B: a Logon whose MsgSeqNum is below the expected one is refused with
    /// Logout and the connection closed.
    func testLogonWithSeqNumTooLowIsRefused() {
        h.logOn()
        h.receive(h.newOrder())
        h.acceptor.closed(1, now: h.now, io: &h.io)
        _ = h.drain()
        h.acceptor.opened(2, now: h.now)
        h.receive(h.logonMessage(seq: 2), on: 2)
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["5"])
        XCTAssertEqual(sent[0][58], "MsgSeqNum too low, expecting 3 but received 2")
        XCTAssertEqual(h.io.closed.map(\.connection), [2])
    }

    /// Test case 2.i: SenderCompID or TargetCompID wrong: Reject 373=9, Logout, disconnect.
    func testWrongCompIDInSessionGetsReject9ThenLogout() {
        h.logOn()
        h.receive(raw("35=0|49=BANK1|56=OTHER|34=2|52=\(stamp)|"))
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["3", "5"])
        XCTAssertEqual(sent[0][373], "9")
        XCTAssertEqual(sent[0][371], "56")
        XCTAssertEqual(sent[1][58], "CompID problem")
        XCTAssertEqual(h.io.closed.map(\.connection), [1])
    }

    /// Test case 2.l: a MsgType FIX 4.4 does not define: Reject 373=11, number consumed.
    func testUndefinedMsgTypeGetsReject11() {
        h.logOn()
        h.receive(raw("35=ZZ|49=BANK1|56=CIFT|34=2|52=\(stamp)|"))
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["3"])
        XCTAssertEqual(sent[0][373], "11")
        XCTAssertEqual(sent[0][372], "ZZ")
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 3)
    }

    /// Test case 7: a Reject from the counterparty is accepted: its number consumed, no answer.
    func testReceivedRejectIsAccepted() {
        h.logOn()
        h.receive(h.message("3") { $0.append(FIXTag.refSeqNum, int: 1) })
        XCTAssertTrue(h.drain().isEmpty)
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 3)
    }

    /// Test case 10: a SequenceReset-GapFill whose NewSeqNo would lower the expected number:
    /// Reject 373=5 on 36, its own number consumed.
    func testGapFillLoweringTheSequenceIsRejected() {
        h.logOn()
        h.receive(h.newOrder())
        h.receive(h.message("4") { e in
            e.append(FIXTag.gapFillFlag, bool: true)
            e.append(FIXTag.newSeqNo, int: 2)
        })
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["3"])
        XCTAssertEqual(sent[0][373], "5")
        XCTAssertEqual(sent[0][371], "36")
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 4)
    }

    // MARK: ResendRequest

    /// Issue 14: BeginSeqNo −5 is Reject 373=5 on 7 (it used to be served with a GapFill);
    /// EndSeqNo below BeginSeqNo is 373=5 on 16.
    func testResendRequestWithInvalidRangeIsRejected() throws {
        h.logOn()
        _ = try h.sendExecutionReport("E2")
        _ = h.drain()
        h.receive(h.message("2") { e in
            e.append(FIXTag.beginSeqNo, int: -5)
            e.append(FIXTag.endSeqNo, int: 0)
        })
        h.receive(h.message("2") { e in
            e.append(FIXTag.beginSeqNo, int: 2)
            e.append(FIXTag.endSeqNo, int: 1)
        })
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["3", "3"])
        XCTAssertEqual(sent[0][373], "5")
        XCTAssertEqual(sent[0][371], "7")
        XCTAssertEqual(sent[0][45], "2")
        XCTAssertEqual(sent[1][373], "5")
        XCTAssertEqual(sent[1][371], "16")
        XCTAssertFalse(h.acceptor.isResending(session: 0))
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 4)
    }

    // MARK: Logging

    /// Every session Reject, Logout and disconnect names the CompID, the MsgSeqNum and
    /// the reason.
    func testRejectsLogoutsAndDisconnectsAreLoggedWithCompIDAndSeqNum() {
        h.logOn()
        h.receive(h.message("0") { $0.append(FIXTag.clOrdID, ascii: "X") })
        h.receive(h.message("D", seq: 1))
        XCTAssertEqual(h.io.events.count, 2, "\(h.io.events)")
        XCTAssertTrue(h.io.events[0].hasPrefix("FIX BANK1: session Reject of MsgSeqNum 2 (35=0): 373=2 371=11"), h.io.events[0])
        XCTAssertTrue(h.io.events[1].contains("FIX BANK1: Logout sent"), h.io.events[1])
        XCTAssertTrue(h.io.events[1].contains("MsgSeqNum too low, expecting 3 but received 1"), h.io.events[1])
        XCTAssertEqual(h.io.closed.count, 1)
        XCTAssertTrue(h.io.closed[0].reason.hasPrefix("session BANK1 (next MsgSeqNum in 3, out 4): MsgSeqNum too low"),
                      h.io.closed[0].reason)
    }

    /// A BusinessMessageReject sent by the application is logged with 45, 372 and 380.
    func testBusinessRejectIsLogged() throws {
        h.logOn()
        try h.acceptor.sendApplication(session: 0, msgType: "j", now: h.now, io: &h.io) { e in
            e.append(FIXTag.refSeqNum, int: 7)
            e.append(FIXTag.refMsgType, ascii: "AE")
            e.append(380, int: 3)
            e.append(FIXTag.text, ascii: "unsupported message type")
        }
        XCTAssertEqual(h.io.events, ["FIX BANK1: BusinessMessageReject of MsgSeqNum 7 (35=AE): 380=3 unsupported message type"])
    }

    /// The per-session message log sees every message in and out.
    func testMessageLogSeesEveryMessageInAndOut() throws {
        h.logOn()
        h.receive(h.newOrder())
        _ = try h.sendExecutionReport("E2")
        XCTAssertEqual(h.io.messageLog.map { fixFields($0.bytes)[35]! }, ["A", "A", "D", "8"])
        XCTAssertEqual(h.io.messageLog.map(\.inbound), [true, false, true, false])
        XCTAssertEqual(Set(h.io.messageLog.map(\.session)), [0])
    }

    // MARK: Options (QuickFIX names)

    func testResetOnLogonLogoutAndDisconnect() throws {
        h = try FIXSessionHarness(session: { $0.resetOnLogon = true })
        h.logOn()
        h.receive(h.newOrder())
        h.acceptor.closed(1, now: h.now, io: &h.io)
        _ = h.drain()
        h.clientSeq = 1
        let reply = h.logOn(connection: 2)
        XCTAssertEqual(reply[141], "Y", "ResetOnLogon: our Logon says we reset")
        XCTAssertEqual(reply[34], "1")
        h.removeDirectory()

        h = try FIXSessionHarness(session: { $0.resetOnLogout = true })
        h.logOn()
        h.receive(h.newOrder())
        h.receive(h.message("5"))
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 1)
        XCTAssertEqual(h.acceptor.store(session: 0).nextSenderSeqNum, 1)
        h.removeDirectory()

        h = try FIXSessionHarness(session: { $0.resetOnDisconnect = true })
        h.logOn()
        h.receive(h.newOrder())
        h.acceptor.closed(1, now: h.now, io: &h.io)
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 1)
        XCTAssertEqual(h.acceptor.store(session: 0).nextSenderSeqNum, 1)
    }

    /// RefreshOnLogon: numbers another process wrote to the store file count at Logon.
    func testRefreshOnLogonRereadsTheStore() throws {
        h = try FIXSessionHarness(session: { $0.refreshOnLogon = true })
        let other = try FIXMessageStore(directory: h.directory, name: "CIFT-BANK1")
        try other.setNextTargetSeqNum(5)
        try other.flush()
        other.close()
        h.acceptor.opened(1, now: h.now)
        h.receive(h.logonMessage(seq: 5))
        XCTAssertEqual(h.drain().map { $0[35] }, ["A"], "no ResendRequest: 5 is what the file expects")
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 6)
    }

    /// ResendRequestChunkSize: a gap of 6 with chunks of 2 is asked for 2 at a time.
    func testResendRequestChunkSize() {
        h.removeDirectory()
        h = try! FIXSessionHarness(session: { $0.resendRequestChunkSize = 2 })
        h.logOn()
        h.receive(h.newOrder(seq: 8))
        var sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["2"])
        XCTAssertEqual(sent[0][7], "2")
        XCTAssertEqual(sent[0][16], "3")
        h.receive(h.newOrder(seq: 2, possDup: true, clOrdID: "R2"))
        XCTAssertTrue(h.drain().isEmpty)
        h.receive(h.newOrder(seq: 3, possDup: true, clOrdID: "R3"))
        sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["2"])
        XCTAssertEqual(sent[0][7], "4")
        XCTAssertEqual(sent[0][16], "5")
    }

    func testCheckLatencyAndMaxLatencyPerSession() throws {
        h = try FIXSessionHarness(maximumLatency: 120 * second, session: { $0.checkLatency = false })
        h.logOn()
        h.receive(h.message("0", sendingTime: Timestamp(nanoseconds: h.now.rawValue - 3600 * second)))
        XCTAssertTrue(h.drain().isEmpty, "CheckLatency=N")
        h.removeDirectory()

        h = try FIXSessionHarness(maximumLatency: 120 * second, session: { $0.maximumLatencyNanoseconds = 5 * second })
        h.logOn()
        h.receive(h.message("0", sendingTime: Timestamp(nanoseconds: h.now.rawValue - 10 * second)))
        XCTAssertEqual(h.drain().map { $0[35] }, ["3", "5"], "MaxLatency 5 s for this session")
    }

    func testRejectInvalidMessageOffProcessesTheMessage() throws {
        h = try FIXSessionHarness(session: { $0.rejectInvalidMessage = false })
        h.logOn()
        h.receive(raw("35=D|49=BANK1|56=CIFT|34=2|52=\(stamp)|11=ORD1|55=AAPL|54=1|60=\(stamp)|38=100|40=2|44=150|9999=X|"))
        XCTAssertTrue(h.drain().isEmpty)
        XCTAssertEqual(h.io.applications.count, 1)
        XCTAssertTrue(h.io.events.contains { $0.contains("RejectInvalidMessage=N") })
    }

    func testValidationOptionsApplyPerSession() throws {
        h = try FIXSessionHarness(session: {
            $0.validation = FIXValidationOptions(validateUserDefinedFields: false, allowUnknownMessageFields: true)
        })
        h.logOn()
        h.receive(raw("35=D|49=BANK1|56=CIFT|34=2|52=\(stamp)|11=ORD1|55=AAPL|54=1|60=\(stamp)|38=100|40=2|44=150|9999=X|4999=Y|108=30|"))
        XCTAssertTrue(h.drain().isEmpty)
        XCTAssertEqual(h.io.applications.count, 1)
    }
}

/// Answers every application message at once with an ExecutionReport through the
/// acceptor, as the order-entry layer does; records through `inner`.
struct ReplyingIO: FIXAcceptorIO {
    let acceptor: FIXAcceptor
    var inner: FIXSessionFakeIO

    mutating func send(_ connection: UInt32, _ bytes: UnsafeRawBufferPointer) { inner.send(connection, bytes) }
    mutating func close(_ connection: UInt32, reason: String) { inner.close(connection, reason: reason) }
    mutating func sessionStateChanged(session: Int, loggedOn: Bool) { inner.sessionStateChanged(session: session, loggedOn: loggedOn) }
    mutating func application(_ message: FIXMessage, session: Int, connection: UInt32) {
        inner.application(message, session: session, connection: connection)
        _ = try? acceptor.sendApplication(session: session, msgType: "8", now: fixSessionEpoch, io: &self) { e in
            e.append(FIXTag.orderID, ascii: "1")
            e.append(FIXTag.execID, ascii: "E1")
            e.append(FIXTag.execType, char: UInt8(ascii: "0"))
            e.append(FIXTag.ordStatus, char: UInt8(ascii: "0"))
            e.append(FIXTag.symbol, ascii: "AAPL")
            e.append(FIXTag.side, char: UInt8(ascii: "1"))
            e.append(FIXTag.leavesQty, int: 100)
            e.append(FIXTag.cumQty, int: 0)
            e.append(FIXTag.avgPx, int: 0)
        }
    }
}

extension FIXSessionHarness {
    func receive<IO: FIXAcceptorIO>(_ bytes: [UInt8], on connection: UInt32 = 1, io: inout IO) {
        let consumed = bytes.withUnsafeBytes { acceptor.received(connection, $0, now: now, io: &io) }
        XCTAssertEqual(consumed, bytes.count)
    }
}
