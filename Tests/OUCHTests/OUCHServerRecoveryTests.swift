import GatewayCore
import OUCH
import XCTest

/// Replay on login, restarts, back-pressure and cancel-on-disconnect.
final class OUCHServerRecoveryTests: XCTestCase {
    var h: ServerHarness!

    override func setUpWithError() throws { h = try ServerHarness() }
    override func tearDown() { h = nil }

    // MARK: Replay

    /// A client that logs in again at an old sequence number gets every message from
    /// there, in order, then the live stream.
    func testReloginAtAnOldSequenceNumberReplaysThenGoesLive() {
        h.login(1, "OUCH02", "Secret")
        for urn in 1...3 { h.send(1, enter(UInt32(urn))) }
        h.send(1, OUCHCancelOrder(userRefNum: 2, quantity: 0))
        let first = h.messages(1)
        XCTAssertEqual(first.map(\.summary), ["A 1 100 L", "A 2 100 L", "A 3 100 L", "C 2 100 U"])
        h.server.closed(1, now: h.now, io: &h.io)
        // While nobody is logged in, the stream keeps growing.
        h.server.handle(h.engine.execute(account: 2, userReference: 3, quantity: 40, liquidity: .added, match: 1, at: h.now))
        h.flush()

        XCTAssertEqual(h.login(2, "OUCH02", "Secret", sequence: 2), [.loginAccepted(session: "20251120", sequence: 2)])
        // A second login for the user meanwhile is refused.
        XCTAssertEqual(h.login(3, "OUCH02", "Secret", sequence: 2), [.loginRejected(UInt8(ascii: "A"))])
        h.server.closed(2, now: h.now, io: &h.io)

        XCTAssertEqual(h.login(4, "OUCH02", "Secret", sequence: 2), [.loginAccepted(session: "20251120", sequence: 2)])
        h.flush()
        XCTAssertEqual(h.messages(4), Array(first[1...]) + [
            .orderExecuted(OUCHOrderExecuted(timestamp: testStartOUCH, userRefNum: 3, quantity: 40, price: 1_502_500,
                                             liquidityFlag: OUCHLiquidityFlag.added, matchNumber: 1)),
        ])
        h.send(4, enter(4))
        XCTAssertEqual(h.messages(4).map(\.summary), ["A 4 100 L"])
    }

    /// Sequence number 0 means "from the next message"; so does a number past the end.
    func testLoginAtZeroOrPastTheEndStartsWithTheNextMessage() {
        h.login(1, "OUCH02", "Secret")
        for urn in 1...3 { h.send(1, enter(UInt32(urn))) }
        h.server.closed(1, now: h.now, io: &h.io)
        XCTAssertEqual(h.login(2, "OUCH02", "Secret", sequence: 0), [.loginAccepted(session: "20251120", sequence: 4)])
        h.server.closed(2, now: h.now, io: &h.io)
        XCTAssertEqual(h.login(3, "OUCH02", "Secret", sequence: 1_000), [.loginAccepted(session: "20251120", sequence: 4)])
        h.send(3, enter(4))
        XCTAssertEqual(h.messages(3).map(\.summary), ["A 4 100 L"])
    }

    /// A long replay goes out a bounded slice per flush; new messages queue behind it.
    func testALongReplayIsSentInSlices() throws {
        h = try ServerHarness { $0.replayBytesPerFlush = 1024 }
        h.login(1, "OUCH02", "Secret")
        for urn in 1...200 { h.receive(1, Client.data(enter(UInt32(urn)))) }
        h.turn()
        XCTAssertEqual(h.messages(1).count, 200)
        h.server.closed(1, now: h.now, io: &h.io)

        XCTAssertEqual(h.login(2, "OUCH02", "Secret", sequence: 1).first, .loginAccepted(session: "20251120", sequence: 1))
        var received = h.messages(2)
        var flushes = 1
        h.receive(2, Client.data(enter(201)))
        h.runEngine()
        while h.server.hasPendingOutput {
            let before = h.io.sent[2]?.count ?? 0
            h.flush()
            flushes += 1
            XCTAssertLessThanOrEqual((h.io.sent[2]?.count ?? 0) - before, 1024 + 71, "one slice (or what was just written)")
            received += h.messages(2)
        }
        XCTAssertEqual(received.map(\.userRefNum), Array(1...201))
        XCTAssertGreaterThan(flushes, 10)
    }

    // MARK: Restart

    /// A new server on the same data directory has the whole stream and the UserRefNum
    /// high-water mark.
    func testRestartKeepsTheStreamAndTheHighWaterMark() throws {
        h.login(1)
        h.send(1, enter(5, quantity: 300))
        h.send(1, enter(9, side: OUCHSide.sellShort))
        h.send(1, OUCHAccountQueryRequest())
        h.send(1, OUCHReplaceOrder(originalUserRefNum: 5, userRefNum: 12, quantity: 300, price: 1_503_000))
        let before = h.messages(1)
        XCTAssertEqual(before.count, 4)
        // Every UserRefNum used is named by a stored message: the header was not needed.
        XCTAssertEqual(h.server.store(of: "OUCH01")?.persistedHighWater, 0)

        try h.restart()
        // The engine's own recovery is not this test's business; its numbering goes on.
        let sequence = h.engine.sequence
        h.engine = ScriptedEngine()
        h.engine.sequence = sequence
        XCTAssertEqual(h.login(1, sequence: 1), [.loginAccepted(session: "20251120", sequence: 1)])
        h.flush()
        XCTAssertEqual(h.messages(1), before)
        XCTAssertEqual(h.server.nextUserRefNum(account: 1), 13)
        h.send(1, enter(12))
        h.send(1, enter(3))
        XCTAssertTrue(h.processed.isEmpty)
        h.send(1, enter(13))
        XCTAssertEqual(h.messages(1).map(\.summary), ["A 13 100 L"])
    }

    /// The high-water mark is kept even when no stored message names it (a replace of an
    /// unknown order, which OUCH does not answer).
    func testRestartKeepsAHighWaterMarkNoMessageNames() throws {
        h.login(1)
        h.send(1, OUCHReplaceOrder(originalUserRefNum: 1, userRefNum: 20, quantity: 100, price: 1_500_000))
        XCTAssertEqual(h.messages(1), [])
        XCTAssertEqual(h.server.store(of: "OUCH01")?.persistedHighWater, 20)
        // A UserRefNum the engine has not answered by the flush goes to the header too.
        h.receive(1, Client.data(enter(30)))
        h.flush()
        XCTAssertEqual(h.server.store(of: "OUCH01")?.persistedHighWater, 30)
        try h.restart(flushFirst: false)
        XCTAssertEqual(h.server.nextUserRefNum(account: 1), 31)
        XCTAssertEqual(h.server.nextUserRefNum(account: 2), 1)
    }

    /// The OUCH letters of the day's orders are rebuilt from the stream, so an order
    /// entered before a restart still reports them when replaced after it.
    func testOrderAttributesSurviveARestart() throws {
        h.login(1)
        var order = enter(1, side: OUCHSide.sellShortExempt, timeInForce: OUCHTimeInForce.goodTillTriple)
        order.capacity = OUCHCapacity.principal
        h.send(1, order)
        _ = h.messages(1)
        let engine = h.engine
        try h.restart()
        h.engine = engine
        h.login(1)
        h.send(1, OUCHReplaceOrder(originalUserRefNum: 1, userRefNum: 2, quantity: 100, price: 1_503_000,
                                   timeInForce: OUCHTimeInForce.goodTillTriple))
        guard case .orderReplaced(let replaced)? = h.messages(1).first else { return XCTFail("no Order Replaced") }
        XCTAssertEqual(replaced.side, OUCHSide.sellShortExempt)
        XCTAssertEqual(replaced.capacity, OUCHCapacity.principal)
        XCTAssertEqual(replaced.timeInForce, OUCHTimeInForce.goodTillTriple)
    }

    /// Messages are sent only after they are written: a restart without the last flush
    /// loses only messages no client was sent, and the stream stays gapless.
    func testOnlyWrittenMessagesAreEverSent() throws {
        h.login(1)
        h.send(1, enter(1))
        XCTAssertEqual(h.messages(1).count, 1)
        h.receive(1, Client.data(enter(2)))
        h.runEngine()  // Order Accepted 2 is appended, not flushed, not sent
        XCTAssertEqual(h.messages(1), [])
        try h.restart(flushFirst: false)
        XCTAssertEqual(h.server.store(of: "OUCH01")?.messageCount, 1)
        XCTAssertEqual(h.login(1, sequence: 1), [.loginAccepted(session: "20251120", sequence: 1)])
        h.flush()
        XCTAssertEqual(h.messages(1).map(\.summary), ["A 1 100 L"])
    }

    // MARK: Back-pressure

    /// A full engine ring pauses the connection; the server keeps the unprocessed bytes,
    /// including more that arrive, and `resume` submits every command once, in order.
    func testAFullEngineRingLosesNothing() {
        h.login(1)
        h.io.room = 2
        let batch = (1...5).flatMap { Client.data(enter(UInt32($0))) }
        XCTAssertEqual(h.receive(1, batch + Array(Client.data(enter(6)).prefix(7))), .paused)
        XCTAssertTrue(h.server.isPaused(1))
        XCTAssertEqual(h.io.commands.map(\.userReference), [1, 2])
        XCTAssertEqual(h.server.nextUserRefNum(account: 1), 3)
        // The owner should have stopped reading; if bytes come anyway they queue.
        XCTAssertEqual(h.receive(1, Array(Client.data(enter(6)).dropFirst(7)) + Client.data(enter(7))), .paused)
        XCTAssertEqual(h.io.commands.count, 2)

        XCTAssertFalse(h.server.resume(now: h.now, io: &h.io))
        h.io.room = 3
        XCTAssertFalse(h.server.resume(now: h.now, io: &h.io))
        XCTAssertEqual(h.io.commands.map(\.userReference), [1, 2, 3, 4, 5])
        h.io.room = nil
        XCTAssertTrue(h.server.resume(now: h.now, io: &h.io))
        XCTAssertFalse(h.server.isPaused(1))
        XCTAssertEqual(h.io.commands.map(\.userReference), [1, 2, 3, 4, 5, 6, 7])
        XCTAssertEqual(h.server.nextUserRefNum(account: 1), 8)
        XCTAssertEqual(h.receive(1, Client.data(enter(8))), .consumed)
        h.turn()
        XCTAssertEqual(h.messages(1).map(\.userRefNum), Array(1...8))
        XCTAssertTrue(h.io.closes.isEmpty)
    }

    /// Time spent paused is not the client's silence.
    func testAPausedConnectionIsNotTimedOut() {
        h.login(1, heartbeatTimeout: 2_000)
        h.io.room = 0
        XCTAssertEqual(h.receive(1, Client.data(enter(1))), .paused)
        h.advance(milliseconds: 10_000)
        h.server.tick(now: h.now, io: &h.io)
        XCTAssertTrue(h.io.closes.isEmpty)
        h.io.room = nil
        XCTAssertTrue(h.server.resume(now: h.now, io: &h.io))
        h.advance(milliseconds: 1_999)
        h.server.tick(now: h.now, io: &h.io)
        XCTAssertTrue(h.io.closes.isEmpty)
    }

    // MARK: Cancel on disconnect

    func testCancelOnDisconnectSubmitsSessionDisconnected() {
        h.login(1)
        h.send(1, enter(1))
        h.send(1, enter(2))
        _ = h.messages(1)
        h.advance(milliseconds: 5)
        h.server.closed(1, now: h.now, io: &h.io)
        XCTAssertEqual(h.io.commands, [
            Command(kind: .sessionDisconnected, keyKind: .userReference, account: 1,
                    origin: OrderOrigin(source: 1, session: 101, connection: 1), timestamp: h.now),
        ])
        h.runEngine()
        h.flush()
        let store = h.server.store(of: "OUCH01")!
        XCTAssertEqual(try store.message(3), OUCHOrderCanceled(
            timestamp: testStartOUCH + 5_000_000, userRefNum: 1, quantity: 100, reason: .userRequested).encodedBytes)
        XCTAssertEqual(store.messageCount, 4)
        // A closed connection is forgotten: closing it again does nothing.
        h.server.closed(1, now: h.now, io: &h.io)
        XCTAssertTrue(h.io.commands.isEmpty)
    }

    func testNoCancelOnDisconnectWhenNotConfiguredOrNotLoggedIn() {
        h.login(2, "OUCH02", "Secret")
        h.send(2, enter(1))
        h.server.closed(2, now: h.now, io: &h.io)
        h.open(3)
        h.server.closed(3, now: h.now, io: &h.io)
        XCTAssertTrue(h.io.commands.isEmpty)
    }

    /// A connection the server closes (here: heartbeat timeout) cancels too.
    func testAServerCloseCancelsToo() {
        h.login(1, heartbeatTimeout: 1_000)
        h.advance(milliseconds: 1_000)
        h.server.tick(now: h.now, io: &h.io)
        XCTAssertEqual(h.closes(1).count, 1)
        XCTAssertEqual(h.io.commands.map(\.kind), [.sessionDisconnected])
    }

    /// The disconnect command must not be lost: kept while the ring is full, retried
    /// by tick and resume, submitted exactly once.
    func testCancelOnDisconnectWaitsForRoomInTheRing() {
        h.login(1)
        h.io.room = 0
        h.server.closed(1, now: h.now, io: &h.io)
        h.server.tick(now: h.now, io: &h.io)
        XCTAssertTrue(h.io.commands.isEmpty)
        XCTAssertFalse(h.server.resume(now: h.now, io: &h.io))
        h.io.room = nil
        h.server.tick(now: h.now, io: &h.io)
        XCTAssertEqual(h.io.commands.map(\.kind), [.sessionDisconnected])
        h.server.tick(now: h.now, io: &h.io)
        XCTAssertTrue(h.server.resume(now: h.now, io: &h.io))
        XCTAssertEqual(h.io.commands.count, 1)
    }

    /// A user who logs in again while the old connection's disconnect is still waiting:
    /// its new orders wait behind the disconnect, so the disconnect cannot cancel them.
    func testAPendingDisconnectGoesBeforeTheNextLoginsOrders() {
        h.login(1)
        h.io.room = 0
        h.server.closed(1, now: h.now, io: &h.io)
        h.io.room = 0
        h.open(2)
        XCTAssertEqual(h.receive(2, Client.login() + Client.data(enter(1))), .paused)
        XCTAssertTrue(h.io.commands.isEmpty)
        h.io.room = nil
        XCTAssertTrue(h.server.resume(now: h.now, io: &h.io))
        XCTAssertEqual(h.io.commands.map(\.kind), [.sessionDisconnected, .newOrder])
        XCTAssertEqual(h.take(2), [.loginAccepted(session: "20251120", sequence: 1)])
    }
}
