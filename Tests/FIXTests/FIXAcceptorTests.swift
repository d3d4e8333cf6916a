import FIX
import Foundation
import GatewayCore
import XCTest

final class FIXAcceptorTests: XCTestCase {
    var h: FIXSessionHarness!

    override func setUpWithError() throws { h = try FIXSessionHarness() }
    override func tearDown() { h.removeDirectory(); h = nil }

    // MARK: Logon

    func testLogonAccepted() {
        let reply = h.logOn()
        XCTAssertEqual(reply[49], "CIFT")
        XCTAssertEqual(reply[56], "BANK1")
        XCTAssertEqual(reply[34], "1")
        XCTAssertEqual(reply[98], "0")
        XCTAssertEqual(reply[108], "30")
        XCTAssertEqual(reply[52], "20240102-14:30:00.000")
        XCTAssertNil(reply[141])
        XCTAssertTrue(h.acceptor.isLoggedOn(session: 0))
        XCTAssertEqual(h.io.states.map(\.loggedOn), [true])
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 2)
        XCTAssertEqual(h.acceptor.store(session: 0).nextSenderSeqNum, 2)
        h.receive(h.newOrder())
        XCTAssertEqual(h.io.applications.count, 1)
        XCTAssertEqual(fixFields(h.io.applications[0].bytes)[11], "ORD1")
    }

    func testWrongPasswordLogsOutAndCloses() {
        h.acceptor.opened(1, now: h.now)
        h.receive(h.logonMessage(password: "wrong"))
        let sent = h.drain()
        XCTAssertEqual(sent.count, 1)
        XCTAssertEqual(sent[0][35], "5")
        XCTAssertEqual(sent[0][58], "Invalid username or password")
        XCTAssertEqual(h.io.closed.map(\.connection), [1])
        XCTAssertFalse(h.acceptor.isLoggedOn(session: 0))
        XCTAssertEqual(h.acceptor.store(session: 0).nextSenderSeqNum, 1)
    }

    /// FIX session test case 1B.c (issue 13): an unknown CompID is disconnected without
    /// a Logout, and the log names it.
    func testUnknownCompIDDisconnectsWithoutLogout() {
        h.acceptor.opened(1, now: h.now)
        h.receive(h.logonMessage(sender: "NOBODY"))
        XCTAssertTrue(h.drain().isEmpty)
        XCTAssertEqual(h.io.closed.map(\.connection), [1])
        XCTAssertTrue(h.io.closed[0].reason.contains("49=NOBODY"), h.io.closed[0].reason)
        XCTAssertTrue(h.io.events.contains { $0.contains("unknown CompID 49=NOBODY") }, "\(h.io.events)")
    }

    func testFirstMessageNotLogonDisconnects() {
        h.acceptor.opened(1, now: h.now)
        h.receive(h.newOrder())
        XCTAssertTrue(h.drain().isEmpty)
        XCTAssertEqual(h.io.closed.map(\.reason), ["first message is not Logon"])
        XCTAssertTrue(h.io.applications.isEmpty)
    }

    func testLogonTimeoutDisconnects() {
        h.acceptor.opened(1, now: h.now)
        h.tick(after: 9 * second)
        XCTAssertTrue(h.io.closed.isEmpty)
        h.tick(after: 1 * second)
        XCTAssertEqual(h.io.closed.map(\.connection), [1])
    }

    /// FIX session test case 1B.b (issue 13): a second Logon for a logged-on session is
    /// disconnected without a Logout; the first connection goes on.
    func testSecondConcurrentLogonDisconnectedWithoutLogout() {
        h.logOn()
        h.acceptor.opened(2, now: h.now)
        h.receive(h.logonMessage(seq: 1), on: 2)
        XCTAssertTrue(h.drain().isEmpty)
        XCTAssertEqual(h.io.closed.map(\.connection), [2])
        XCTAssertEqual(h.acceptor.connection(session: 0), 1)
        h.receive(h.newOrder())
        XCTAssertEqual(h.io.applications.count, 1)
    }

    // MARK: Heartbeats

    func testHeartbeatTestRequestAndSilenceTimeout() {
        h.logOn()
        h.tick(after: 29 * second)
        XCTAssertTrue(h.drain().isEmpty)
        h.tick(after: 1 * second)  // 30 s of our silence
        XCTAssertEqual(h.drain().map { $0[35] }, ["0"])
        h.tick(after: 6 * second)  // 36 s of theirs: HeartBtInt + 20 %
        let testRequest = h.drain()
        XCTAssertEqual(testRequest.map { $0[35] }, ["1"])
        let id = testRequest[0][112]!
        h.receive(h.message("0") { $0.append(FIXTag.testReqID, bytes: Array(id.utf8)) })
        XCTAssertTrue(h.io.closed.isEmpty)
        h.tick(after: 36 * second)  // silent again: a new TestRequest (which also ends our silence)
        XCTAssertEqual(h.drain().map { $0[35] }, ["1"])
        h.tick(after: 36 * second)  // 72 s of silence
        XCTAssertEqual(h.io.closed.map(\.connection), [1])
        XCTAssertEqual(h.io.states.map(\.loggedOn), [true, false])
    }

    func testTestRequestAnsweredWithHeartbeat() {
        h.logOn()
        h.receive(h.message("1") { $0.append(FIXTag.testReqID, ascii: "PING7") })
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["0"])
        XCTAssertEqual(sent[0][112], "PING7")
        XCTAssertEqual(sent[0][34], "2")
    }

    // MARK: Sequence numbers

    func testGapSendsOneResendRequestAndDiscardsUntilFilled() {
        h.logOn()
        h.receive(h.newOrder(seq: 5))
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["2"])
        XCTAssertEqual(sent[0][7], "2")
        XCTAssertEqual(sent[0][16], "0")
        h.receive(h.newOrder(seq: 6))
        XCTAssertTrue(h.drain().isEmpty, "one ResendRequest per gap")
        XCTAssertTrue(h.io.applications.isEmpty)
        // The client answers: 2…4 were administrative, 5 and 6 come again.
        h.receive(h.message("4", seq: 2, possDup: true) { e in
            e.append(123, bool: true)
            e.append(36, int: 5)
        })
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 5)
        h.receive(h.newOrder(seq: 5, possDup: true, clOrdID: "A5"))
        h.receive(h.newOrder(seq: 6, possDup: true, clOrdID: "A6"))
        XCTAssertEqual(h.io.applications.map { fixFields($0.bytes)[11] }, ["A5", "A6"])
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 7)
        XCTAssertTrue(h.drain().isEmpty)
    }

    func testLogonWithHigherSeqNumIsAcceptedAndRequestsResend() {
        h.acceptor.opened(1, now: h.now)
        h.receive(h.logonMessage(seq: 4))
        XCTAssertEqual(h.drain().map { $0[35] }, ["A", "2"])
        XCTAssertEqual(h.io.sent.last.map { fixFields($0.bytes)[7] }, "1")
    }

    func testSeqNumTooLowLogsOut() {
        h.logOn()
        h.receive(h.message("0"))
        h.receive(h.message("0", seq: 2))
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["5"])
        XCTAssertEqual(sent[0][58], "MsgSeqNum too low, expecting 3 but received 2")
        XCTAssertEqual(h.io.closed.map(\.connection), [1])
    }

    func testPossDupDuplicateIgnored() {
        h.logOn()
        h.receive(h.newOrder())
        h.receive(h.newOrder(seq: 2, possDup: true))
        XCTAssertEqual(h.io.applications.count, 1)
        XCTAssertTrue(h.drain().isEmpty)
        XCTAssertTrue(h.io.closed.isEmpty)
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 3)
    }

    func testGarbledMessageDroppedWithoutConsumingSeqNum() {
        h.logOn()
        var bad = h.newOrder(seq: 2)
        bad[bad.count - 2] = bad[bad.count - 2] == UInt8(ascii: "9") ? UInt8(ascii: "0") : bad[bad.count - 2] + 1
        h.receive(bad)
        XCTAssertTrue(h.drain().isEmpty)
        XCTAssertTrue(h.io.applications.isEmpty)
        h.receive(h.newOrder(seq: 2))
        XCTAssertEqual(h.io.applications.count, 1)
        XCTAssertTrue(h.drain().isEmpty)
    }

    func testResetSeqNumFlagResetsBothSides() throws {
        h.logOn()
        h.receive(h.newOrder())
        _ = try h.sendExecutionReport("E1")
        h.receive(h.message("5"))
        XCTAssertEqual(h.acceptor.store(session: 0).nextSenderSeqNum, 4)
        _ = h.drain()
        h.clientSeq = 1
        let reply = h.logOn(connection: 2, reset: true)
        XCTAssertEqual(reply[34], "1")
        XCTAssertEqual(reply[141], "Y")
        XCTAssertEqual(h.acceptor.store(session: 0).nextSenderSeqNum, 2)
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 2)
        XCTAssertNil(try h.acceptor.store(session: 0).message(2))
    }

    func testSequenceResetResetIgnoresMsgSeqNum() {
        h.logOn()
        h.receive(h.message("4", seq: 99) { $0.append(36, int: 10) })
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 10)
        XCTAssertTrue(h.drain().isEmpty)
        h.receive(h.message("4", seq: 10) { $0.append(36, int: 3) })
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["3"])
        XCTAssertEqual(sent[0][373], "5")
        XCTAssertEqual(sent[0][371], "36")
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 10)
    }

    func testSequenceResetGapFill() {
        h.logOn()
        h.receive(h.message("4", seq: 2) { e in
            e.append(123, bool: true)
            e.append(36, int: 8)
        })
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 8)
        XCTAssertTrue(h.drain().isEmpty)
        h.receive(h.newOrder(seq: 8))
        XCTAssertEqual(h.io.applications.count, 1)
    }

    /// Found by fuzzing (FIXSessionFuzzer): NewSeqNo Int.max made Int.max the expected
    /// number, and the message carrying it trapped on `seq + 1`. Above the largest
    /// MsgSeqNum the reset is refused like one below the expected number.
    func testSequenceResetBeyondTheLargestSeqNumIsRejectedNotATrap() {
        h.logOn()
        for (seq, gapFill) in [(2, true), (3, false)] {
            h.receive(h.message("4", seq: seq) { e in
                if gapFill { e.append(123, bool: true) }
                e.append(36, int: Int.max)
            })
            let sent = h.drain()
            XCTAssertEqual(sent.map { $0[35] }, ["3"])
            XCTAssertEqual(sent.first?[373], "5")
            XCTAssertEqual(sent.first?[371], "36")
        }
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 3, "the GapFill consumed its own number only")
        h.receive(h.message("0", seq: Int.max))
        XCTAssertEqual(h.drain().map { $0[35] }, ["2"], "a number far above is a gap, not the next one")
        h.receive(h.message("4", seq: 3) { $0.append(36, int: FIXAcceptor.maximumSeqNum) })
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, FIXAcceptor.maximumSeqNum)
        h.receive(h.message("0", seq: FIXAcceptor.maximumSeqNum))
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, FIXAcceptor.maximumSeqNum + 1)
    }

    // MARK: Reject

    func testValidatorRejectCarriesReasonAndRefTag() {
        h.logOn()
        h.receive(h.message("0") { $0.append(FIXTag.clOrdID, ascii: "X") })  // 11 not allowed in Heartbeat
        h.receive(h.message("D") { $0.append(FIXTag.clOrdID, ascii: "X") })   // 55 … missing
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["3", "3"])
        XCTAssertEqual(sent[0][45], "2")
        XCTAssertEqual(sent[0][371], "11")
        XCTAssertEqual(sent[0][372], "0")
        XCTAssertEqual(sent[0][373], "2")
        XCTAssertNotNil(sent[0][58])
        XCTAssertEqual(sent[1][45], "3")
        XCTAssertEqual(sent[1][372], "D")
        XCTAssertEqual(sent[1][373], "1")
        XCTAssertTrue(h.io.applications.isEmpty)
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 4, "a rejected message consumes its number")
    }

    // MARK: Resend

    func testResendRequestServedInBatchesWithGapFills() throws {
        h = try FIXSessionHarness(resendBatchSize: 2)
        h.logOn()                                      // ours: 1 Logon
        XCTAssertEqual(try h.sendExecutionReport("E2"), 2)
        XCTAssertEqual(try h.sendExecutionReport("E3"), 3)
        h.receive(h.message("1") { $0.append(FIXTag.testReqID, ascii: "T") })  // ours: 4 Heartbeat
        h.now = Timestamp(nanoseconds: h.now.rawValue + 5 * second)
        XCTAssertEqual(try h.sendExecutionReport("E5"), 5)
        _ = h.drain()
        h.now = Timestamp(nanoseconds: h.now.rawValue + 5 * second)
        h.receive(h.message("2") { e in
            e.append(7, int: 1)
            e.append(16, int: 0)
        })
        XCTAssertTrue(h.acceptor.isResending(session: 0))
        var resent = h.drain()
        XCTAssertEqual(resent.count, 2, "first batch")
        while h.acceptor.isResending(session: 0) {
            h.tick(after: 1_000_000)
            resent += h.drain()
        }
        XCTAssertEqual(resent.map { $0[35] }, ["4", "8", "8", "4", "8"])
        XCTAssertEqual(resent.map { $0[34] }, ["1", "2", "3", "4", "5"])
        XCTAssertEqual(resent[0][123], "Y")
        XCTAssertEqual(resent[0][36], "2")
        XCTAssertEqual(resent[3][36], "5")
        for m in resent { XCTAssertEqual(m[43], "Y") }
        XCTAssertEqual(resent[1][17], "E2")
        XCTAssertEqual(resent[1][122], "20240102-14:30:00.000")
        XCTAssertEqual(resent[1][52], "20240102-14:30:10.000")
        XCTAssertEqual(resent[4][122], "20240102-14:30:05.000")
        // Every resent message is a whole, valid FIX message.
        for (_, bytes) in h.io.sent {
            try withMessage(bytes) { m in XCTAssertNil(FIXSessionHarness.validatorForTests.validate(m)) }
        }
        XCTAssertEqual(h.acceptor.store(session: 0).nextSenderSeqNum, 6, "resends take no new numbers")
    }

    func testResendRequestWithEndSeqNo() throws {
        h.logOn()
        _ = try h.sendExecutionReport("E2")
        _ = try h.sendExecutionReport("E3")
        _ = h.drain()
        h.receive(h.message("2") { e in
            e.append(7, int: 2)
            e.append(16, int: 2)
        })
        let resent = h.drain()
        XCTAssertEqual(resent.map { $0[34] }, ["2"])
        XCTAssertEqual(resent[0][17], "E2")
    }

    // MARK: Logout

    func testClientInitiatedLogout() {
        h.logOn()
        h.receive(h.message("5"))
        XCTAssertEqual(h.drain().map { $0[35] }, ["5"])
        XCTAssertEqual(h.io.closed.map(\.connection), [1])
        XCTAssertFalse(h.acceptor.isLoggedOn(session: 0))
    }

    func testAcceptorInitiatedLogoutWaitsForReplyOrTimesOut() {
        h.logOn()
        h.acceptor.logout(session: 0, text: "end of day", now: h.now, io: &h.io)
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["5"])
        XCTAssertEqual(sent[0][58], "end of day")
        XCTAssertTrue(h.io.closed.isEmpty)
        h.receive(h.message("5"))
        XCTAssertTrue(h.drain().isEmpty, "their Logout answers ours: no second Logout")
        XCTAssertEqual(h.io.closed.map(\.connection), [1])

        h.clientSeq = 3
        h.logOn(connection: 2)
        h.acceptor.logout(session: 0, text: "bye", now: h.now, io: &h.io)
        h.tick(after: 2 * second)
        XCTAssertEqual(h.io.closed.map(\.connection), [1, 2])
    }

    // MARK: Restart

    /// The stores are written behind, except the inbound number of an application
    /// message: it is in the file before the order-entry layer sees the message (and so
    /// before any engine command it becomes), while an outbound message waits for the
    /// turn's flush.
    func testAnApplicationMessagesInboundNumberIsOnDiskBeforeTheApplicationSeesIt() throws {
        h.logOn()
        _ = h.drain()
        let path = h.acceptor.store(session: 0).path
        func inboundOnDisk() throws -> Int {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            return bytes[24..<32].reduce(0) { $0 << 8 | Int($1) }
        }
        XCTAssertEqual(try inboundOnDisk(), 2)
        h.receive(h.newOrder())
        XCTAssertEqual(h.io.applications.count, 1)
        XCTAssertEqual(try inboundOnDisk(), 3, "written before the application layer had the message")
        let recordsBefore = try Data(contentsOf: URL(fileURLWithPath: path)).count
        _ = try h.sendExecutionReport("E1")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)).count, recordsBefore, "the report waits for the turn's flush")
        _ = h.drain()
        XCTAssertGreaterThan(try Data(contentsOf: URL(fileURLWithPath: path)).count, recordsBefore)
    }

    func testRestartKeepsSequenceNumbersAndResendsOldMessages() throws {
        h.logOn()
        h.receive(h.newOrder())
        _ = try h.sendExecutionReport("E2")
        h.acceptor.closed(1, now: h.now, io: &h.io)
        // The turn's sends reach the kernel: the stores are written first.
        _ = h.drain()
        let directory = h.directory
        h.acceptor = try FIXAcceptor(configuration: FIXSessionHarness.configuration(directory: directory))
        XCTAssertEqual(h.acceptor.store(session: 0).nextSenderSeqNum, 3)
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 3)
        _ = h.drain()
        let reply = h.logOn(connection: 7)
        XCTAssertEqual(reply[34], "3")
        h.receive(h.message("2") { e in
            e.append(7, int: 1)
            e.append(16, int: 0)
        }, on: 7)
        let resent = h.drain()
        XCTAssertEqual(resent.map { $0[35] }, ["4", "8", "4"])
        XCTAssertEqual(resent[1][17], "E2")
        XCTAssertEqual(resent[2][34], "3")
        XCTAssertEqual(resent[2][36], "4")
    }
}

extension FIXSessionHarness {
    static let validatorForTests = FIXValidator(dictionary: dictionary)
}
