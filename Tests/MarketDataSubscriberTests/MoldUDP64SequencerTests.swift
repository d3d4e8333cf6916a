import GatewayCore
import MarketData
import MarketDataSubscriber
import XCTest

final class MoldUDP64SequencerTests: XCTestCase {
    let m1 = directory(1, aapl)
    let m2 = add(1, .buy, 100, "150.25")
    let m3 = add(2, .sell, 200, "150.30")
    let m4 = add(3, .buy, 50, "150.26")
    let m5 = execute(3, 50, match: 1)

    func testInOrderPacketsApplyEveryMessageAndReportBestBidOfferChanges() throws {
        var sequencer = MoldUDP64Sequencer()
        let (first, events1) = try sequencer.take(packet(1, [m1, m2]))
        XCTAssertEqual(first, .messages(applied: 2, buffered: 0, duplicates: 0, dropped: 0))
        let (_, events2) = try sequencer.take(packet(3, [m3, m4, m5]))
        XCTAssertEqual(events1 + events2, [
            .message(m1, sequenceNumber: 1),
            .message(m2, sequenceNumber: 2), bbo(level(100, "150.25"), nil),
            .message(m3, sequenceNumber: 3), bbo(level(100, "150.25"), level(200, "150.30")),
            .message(m4, sequenceNumber: 4), bbo(level(50, "150.26"), level(200, "150.30")),
            .message(m5, sequenceNumber: 5), bbo(level(100, "150.25"), level(200, "150.30")),
        ])
        XCTAssertEqual(sequencer.session, testSession)
        XCTAssertEqual(sequencer.nextSequenceNumber, 6)
        XCTAssertNil(sequencer.gap)
        XCTAssertNil(try sequencer.retransmissionRequest(now: 0))
        XCTAssertEqual(sequencer.statistics.messagesApplied, 5)
        assertSameBook(sequencer.book, try referenceBook([m1, m2, m3, m4, m5]))
    }

    func testGapIsBufferedRequestedAndFilledOutOfOrder() throws {
        var sequencer = MoldUDP64Sequencer()
        try sequencer.take(packet(1, [m1]))
        let (disposition, events) = try sequencer.take(packet(3, [m3, m4]))
        XCTAssertEqual(disposition, .messages(applied: 0, buffered: 2, duplicates: 0, dropped: 0))
        XCTAssertEqual(events, [])
        XCTAssertEqual(sequencer.gap, MoldUDP64Gap(first: 2, count: 1))
        XCTAssertEqual(sequencer.bufferedMessageCount, 2)

        let request = try XCTUnwrap(try sequencer.retransmissionRequest(now: 1_000))
        XCTAssertEqual(request.request, MoldUDP64Request(session: testSession, sequenceNumber: 2, requestedMessageCount: 1))
        XCTAssertEqual(request.attempt, 1)

        // The retransmitted message releases the buffered ones behind it.
        let (filled, fillEvents) = try sequencer.take(packet(2, [m2]))
        XCTAssertEqual(filled, .messages(applied: 3, buffered: 0, duplicates: 0, dropped: 0))
        XCTAssertEqual(sequenceNumbers(fillEvents), [2, 3, 4])
        XCTAssertNil(sequencer.gap)
        XCTAssertEqual(sequencer.bufferedMessageCount, 0)
        XCTAssertNil(try sequencer.retransmissionRequest(now: 2_000))
        assertSameBook(sequencer.book, try referenceBook([m1, m2, m3, m4]))
    }

    func testTwoHolesAreRequestedOneAfterTheOther() throws {
        var sequencer = MoldUDP64Sequencer()
        try sequencer.take(packet(1, [m1]))
        try sequencer.take(packet(3, [m3]))
        try sequencer.take(packet(5, [m5]))
        XCTAssertEqual(try sequencer.retransmissionRequest(now: 0)?.gap, MoldUDP64Gap(first: 2, count: 1))
        try sequencer.take(packet(2, [m2]))
        // Progress: the next hole is asked for at once, as a first attempt.
        let next = try XCTUnwrap(try sequencer.retransmissionRequest(now: 1))
        XCTAssertEqual(next.gap, MoldUDP64Gap(first: 4, count: 1))
        XCTAssertEqual(next.attempt, 1)
        try sequencer.take(packet(4, [m4]))
        XCTAssertEqual(sequencer.nextSequenceNumber, 6)
        assertSameBook(sequencer.book, try referenceBook([m1, m2, m3, m4, m5]))
    }

    func testRequestsAreCappedRetriedAfterTheTimeoutAndAbandonedAfterTheLastAttempt() throws {
        var sequencer = MoldUDP64Sequencer(configuration: .init(
            session: testSession, maximumRequestCount: 4, retryTimeoutNanoseconds: 100, maximumAttempts: 3))
        try sequencer.take(heartbeat(next: 11))
        let gap = MoldUDP64Gap(first: 1, count: 10)
        XCTAssertEqual(sequencer.gap, gap)
        let first = try XCTUnwrap(try sequencer.retransmissionRequest(now: 1_000))
        XCTAssertEqual(first.request.requestedMessageCount, 4)
        XCTAssertEqual(first.request.sequenceNumber, 1)
        XCTAssertNil(try sequencer.retransmissionRequest(now: 1_099))
        XCTAssertEqual(try sequencer.retransmissionRequest(now: 1_100)?.attempt, 2)
        XCTAssertEqual(try sequencer.retransmissionRequest(now: 1_200)?.attempt, 3)
        XCTAssertThrowsError(try sequencer.retransmissionRequest(now: 1_300)) { error in
            XCTAssertEqual(error as? MoldUDP64RetransmissionGaveUp, MoldUDP64RetransmissionGaveUp(gap: gap, attempts: 3))
        }
        XCTAssertEqual(sequencer.statistics.retransmissionRequests, 3)
    }

    func testACappedAnswerLeadsToARequestForTheRest() throws {
        var sequencer = MoldUDP64Sequencer(configuration: .init(maximumRequestCount: 2, maximumAttempts: 1))
        try sequencer.take(packet(5, [m5]))
        XCTAssertEqual(try sequencer.retransmissionRequest(now: 0)?.request.requestedMessageCount, 2)
        try sequencer.take(packet(1, [m1, m2]))
        let rest = try XCTUnwrap(try sequencer.retransmissionRequest(now: 1))
        XCTAssertEqual(rest.request.sequenceNumber, 3)
        XCTAssertEqual(rest.request.requestedMessageCount, 2)
        XCTAssertEqual(rest.attempt, 1)
    }

    func testDuplicatesAreIgnoredAndCounted() throws {
        var sequencer = MoldUDP64Sequencer()
        try sequencer.take(packet(1, [m1, m2]))
        let (again, events) = try sequencer.take(packet(1, [m1, m2]))
        XCTAssertEqual(again, .messages(applied: 0, buffered: 0, duplicates: 2, dropped: 0))
        XCTAssertEqual(events, [])
        let (overlap, _) = try sequencer.take(packet(2, [m2, m3]))
        XCTAssertEqual(overlap, .messages(applied: 1, buffered: 0, duplicates: 1, dropped: 0))
        try sequencer.take(packet(5, [m5]))
        let (bufferedAgain, _) = try sequencer.take(packet(5, [m5]))
        XCTAssertEqual(bufferedAgain, .messages(applied: 0, buffered: 0, duplicates: 1, dropped: 0))
        XCTAssertEqual(sequencer.statistics.duplicateMessages, 4)
        XCTAssertEqual(sequencer.statistics.bookErrors, 0)
        assertSameBook(sequencer.book, try referenceBook([m1, m2, m3]))
    }

    func testHeartbeatAheadRevealsAGapAtTheEndOfABurst() throws {
        var sequencer = MoldUDP64Sequencer()
        try sequencer.take(packet(1, [m1]))
        XCTAssertEqual(try sequencer.take(heartbeat(next: 2)).0, .heartbeat)
        XCTAssertNil(sequencer.gap)
        try sequencer.take(heartbeat(next: 4))
        XCTAssertEqual(sequencer.gap, MoldUDP64Gap(first: 2, count: 2))
        XCTAssertEqual(sequencer.highestKnownSequenceNumber, 3)
        XCTAssertEqual(sequencer.statistics.heartbeats, 2)
    }

    func testWrongSessionPacketsAreIgnoredAndCounted() throws {
        var sequencer = MoldUDP64Sequencer(configuration: .init(session: testSession))
        let other = MoldUDP64Session("CIFT261120")!
        XCTAssertEqual(try sequencer.take(packet(1, [m1], session: other)).0, .wrongSession)
        XCTAssertEqual(try sequencer.take(heartbeat(next: 9, session: other)).0, .wrongSession)
        XCTAssertNil(sequencer.gap)
        XCTAssertEqual(sequencer.statistics.wrongSessionPackets, 2)
        try sequencer.take(packet(1, [m1]))
        XCTAssertEqual(sequencer.nextSequenceNumber, 2)
    }

    func testWithoutAConfiguredSessionTheFirstPacketsSessionIsFollowed() throws {
        var sequencer = MoldUDP64Sequencer()
        try sequencer.take(packet(1, [m1]))
        XCTAssertEqual(try sequencer.take(packet(2, [m2], session: MoldUDP64Session("OTHER")!)).0, .wrongSession)
        XCTAssertEqual(sequencer.session, testSession)
    }

    func testSnapshotJoinDiscardsBufferedMessagesUpToLastSequenceNumber() throws {
        var sequencer = MoldUDP64Sequencer(awaitingSnapshot: true)
        // Live messages 4, 5 and 6 arrive while the snapshot is fetched. 4 and 5 are in
        // the snapshot already: applied again, 4 would be a duplicate order.
        let (live, liveEvents) = try sequencer.take(packet(4, [m4, m5]))
        XCTAssertEqual(live, .messages(applied: 0, buffered: 2, duplicates: 0, dropped: 0))
        XCTAssertEqual(liveEvents, [])
        let m6 = delete(1)
        try sequencer.take(packet(6, [m6]))
        XCTAssertNil(sequencer.gap, "no gap while awaiting the snapshot")
        XCTAssertNil(try sequencer.retransmissionRequest(now: 0))

        // The book as of message 5: orders 1 and 2 (order 3 was added and executed).
        let snapshot = [directory(1, aapl), trading(1, aapl), m2, m3]
        let events = sequencer.takeSnapshot(snapshot, last: 5)
        XCTAssertEqual(events, [
            .message(snapshot[0], sequenceNumber: nil),
            .message(snapshot[1], sequenceNumber: nil),
            .message(m2, sequenceNumber: nil), bbo(level(100, "150.25"), nil),
            .message(m3, sequenceNumber: nil), bbo(level(100, "150.25"), level(200, "150.30")),
            .snapshotApplied(messages: 4, lastSequenceNumber: 5),
            .message(m6, sequenceNumber: 6), bbo(nil, level(200, "150.30")),
        ])
        XCTAssertFalse(sequencer.isAwaitingSnapshot)
        XCTAssertEqual(sequencer.nextSequenceNumber, 7)
        XCTAssertEqual(sequencer.statistics.discardedBySnapshot, 2)
        XCTAssertEqual(sequencer.statistics.bookErrors, 0)
        // A late live copy of a message in the snapshot is a duplicate.
        XCTAssertEqual(try sequencer.take(packet(5, [m5])).0, .messages(applied: 0, buffered: 0, duplicates: 1, dropped: 0))
        assertSameBook(sequencer.book, try referenceBook([m1, m2, m3, m6]))
    }

    /// The first live packet came from another session than the snapshot's (the feed
    /// rolled to a new day, or another feed shares the group): the snapshot wins; what
    /// was buffered from the other session is dropped and its packets are ignored after.
    func testSnapshotOfAnotherSessionThanTheFirstPacketIsFollowed() throws {
        let yesterday = MoldUDP64Session("CIFT261120")!
        var sequencer = MoldUDP64Sequencer(awaitingSnapshot: true)
        try sequencer.take(packet(4, [m4, m5], session: yesterday))
        XCTAssertEqual(sequencer.session, yesterday, "followed from the first packet")
        XCTAssertFalse(sequencer.snapshotSessionConflicts(testSession), "nothing was configured")
        var events: [MoldUDP64SequencerEvent] = []
        sequencer.applySnapshot([m1, m2], lastSequenceNumber: 2, session: testSession) { events.append($0) }
        XCTAssertEqual(sequencer.session, testSession)
        XCTAssertEqual(sequencer.bufferedMessageCount, 0, "yesterday's messages are not today's")
        XCTAssertEqual(sequencer.statistics.discardedBySnapshot, 2)
        XCTAssertEqual(sequencer.nextSequenceNumber, 3)
        XCTAssertNil(sequencer.gap)
        XCTAssertEqual(try sequencer.take(packet(6, [m3], session: yesterday)).0, .wrongSession)
        try sequencer.take(packet(3, [m3]))
        XCTAssertEqual(sequencer.nextSequenceNumber, 4)
    }

    func testAConfiguredSessionConflictsWithAnotherSessionsSnapshot() {
        var configuration = MoldUDP64Sequencer.Configuration()
        configuration.session = testSession
        let sequencer = MoldUDP64Sequencer(configuration: configuration, awaitingSnapshot: true)
        XCTAssertTrue(sequencer.snapshotSessionConflicts(MoldUDP64Session("CIFT261120")!))
        XCTAssertFalse(sequencer.snapshotSessionConflicts(testSession))
    }

    func testSnapshotOlderThanTheBufferedFeedLeavesAHoleToRequest() throws {
        var sequencer = MoldUDP64Sequencer(awaitingSnapshot: true)
        try sequencer.take(packet(5, [m5]))
        _ = sequencer.takeSnapshot([m1, m2, m3], last: 2)
        XCTAssertEqual(sequencer.gap, MoldUDP64Gap(first: 3, count: 2))
        let request = try XCTUnwrap(try sequencer.retransmissionRequest(now: 0))
        XCTAssertEqual(request.request.sequenceNumber, 3)
        XCTAssertEqual(request.request.requestedMessageCount, 2)
        try sequencer.take(packet(3, [add(9, .sell, 10, "151.00"), m4]))
        XCTAssertEqual(sequencer.nextSequenceNumber, 6)
        XCTAssertNil(sequencer.gap)
    }

    func testEndOfSessionCompletesOnceEveryMessageBeforeItIsApplied() throws {
        var sequencer = MoldUDP64Sequencer()
        try sequencer.take(packet(1, [m1, m2]))
        XCTAssertEqual(try sequencer.take(endOfSession(next: 4)).0, .endOfSession)
        XCTAssertEqual(sequencer.endOfSessionSequenceNumber, 4)
        XCTAssertFalse(sequencer.isComplete)
        XCTAssertEqual(sequencer.gap, MoldUDP64Gap(first: 3, count: 1))
        try sequencer.take(packet(3, [m3]))
        XCTAssertTrue(sequencer.isComplete)
        XCTAssertNil(sequencer.gap)
    }

    func testUndecodableMessageConsumesItsSequenceNumber() throws {
        var sequencer = MoldUDP64Sequencer()
        let unknown: [UInt8] = [0x5A, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]
        let (disposition, events) = try sequencer.take(rawPacket(1, [unknown, m1.encodedBytes]))
        XCTAssertEqual(disposition, .messages(applied: 2, buffered: 0, duplicates: 0, dropped: 0))
        XCTAssertEqual(events, [.undecodable(sequenceNumber: 1, .unknownMessageType(0x5A)), .message(m1, sequenceNumber: 2)])
        XCTAssertEqual(sequencer.statistics.undecodableMessages, 1)
        XCTAssertEqual(sequencer.nextSequenceNumber, 3)
    }

    func testBookErrorIsReportedAndCounted() throws {
        var sequencer = MoldUDP64Sequencer()
        let stray = delete(77)
        let (_, events) = try sequencer.take(packet(1, [stray]))
        XCTAssertEqual(events, [
            .message(stray, sequenceNumber: 1),
            .bookError(stray, sequenceNumber: 1, .unknownOrderReference(77, messageType: ITCHMessageType.orderDelete)),
        ])
        XCTAssertEqual(sequencer.statistics.bookErrors, 1)
        XCTAssertEqual(sequencer.nextSequenceNumber, 2)
    }

    func testTheGapBufferIsBounded() throws {
        var sequencer = MoldUDP64Sequencer(configuration: .init(maximumBufferedMessages: 2))
        let (disposition, _) = try sequencer.take(packet(2, [m2, m3, m4]))
        XCTAssertEqual(disposition, .messages(applied: 0, buffered: 2, duplicates: 0, dropped: 1))
        XCTAssertEqual(sequencer.statistics.droppedBufferFull, 1)
        try sequencer.take(packet(1, [m1]))
        // 4 was dropped, so it is the next hole.
        XCTAssertEqual(sequencer.gap, MoldUDP64Gap(first: 4, count: 1))
    }
}

final class FeedTextTests: XCTestCase {
    func testQuoteLine() {
        XCTAssertEqual(FeedText.quote(stock: "AAPL", ITCHBestBidOffer(bid: level(100, "150.25"), offer: level(200, "150.30"))),
                       "AAPL  bid 100 @ 150.25  ask 200 @ 150.30")
        XCTAssertEqual(FeedText.quote(stock: "MSFT", ITCHBestBidOffer(bid: nil, offer: level(5, "410.1234"))),
                       "MSFT  bid -  ask 5 @ 410.1234")
    }

    func testPricesKeepTwoDecimalsAtLeast() {
        XCTAssertEqual(FeedText.price(Price(parsing: "150")!), "150.00")
        XCTAssertEqual(FeedText.price(Price(parsing: "150.5")!), "150.50")
        XCTAssertEqual(FeedText.price(Price(parsing: "150.123")!), "150.123")
    }

    func testMessageLines() {
        let book = try! referenceBook([directory(1, aapl)])
        XCTAssertEqual(FeedText.message(add(42, .buy, 100, "150.25"), sequenceNumber: 12, stock: book.stock),
                       "#12 A AAPL buy 100 @ 150.25 ref 42")
        XCTAssertEqual(FeedText.message(delete(42), sequenceNumber: nil, stock: book.stock), "snapshot D AAPL ref 42")
    }
}
