import GatewayCore
import MarketData
import MarketDataSubscriber
import XCTest

/// The subscriber against the fake venue over real sockets, in the multicast network
/// namespace. Groups are 239.192.77.x on ephemeral ports; every run is bounded by
/// `runSeconds` so a broken path fails instead of hanging.
final class FeedSubscriberSocketTests: XCTestCase {
    /// Eight messages on AAPL: the directory, a trading action, four adds, an
    /// execution and a delete.
    let day: [ITCHMessage] = [
        directory(1, aapl), trading(1, aapl),
        add(1, .buy, 100, "150.25"), add(2, .sell, 200, "150.30"),
        add(3, .buy, 300, "150.20"), add(4, .sell, 50, "150.28"),
        execute(4, 50, match: 1), delete(1),
    ]

    func configuration(group: String, interface: String, retransmission: IPv4Endpoint?) -> FeedSubscriberConfiguration {
        var configuration = FeedSubscriberConfiguration(
            group: IPv4Endpoint(parsing: group + ":0")!, interface: MulticastInterface(parsing: interface),
            retransmission: retransmission)
        configuration.runSeconds = 10
        configuration.sequencer.retryTimeoutNanoseconds = 100_000_000
        return configuration
    }

    func testLiveFeedBuildsTheBook() throws {
        try requireMulticastNamespace()
        let subscriber = try FeedSubscriber(configuration: configuration(
            group: "239.192.77.1", interface: "lo", retransmission: nil))
        let publisher = FakeMarketDataPublisher(group: subscriber.groupEndpoint)
        defer { publisher.stop() }

        publisher.publish(day, perPacket: 3)
        publisher.sendHeartbeat()
        publisher.sendEndOfSession()
        var quotes: [MoldUDP64SequencerEvent] = []
        var messages: [UInt64?] = []
        let stop = try subscriber.run { event in
            guard case .sequencer(let e) = event else { return XCTFail("unexpected \(event)") }
            if case .message(_, let sequence) = e { messages.append(sequence) } else { quotes.append(e) }
        }

        XCTAssertEqual(stop, .endOfSession)
        XCTAssertEqual(messages, (1...8).map { $0 })
        XCTAssertEqual(quotes, [
            bbo(level(100, "150.25"), nil),
            bbo(level(100, "150.25"), level(200, "150.30")),
            bbo(level(100, "150.25"), level(50, "150.28")),
            bbo(level(100, "150.25"), level(200, "150.30")),
            bbo(level(300, "150.20"), level(200, "150.30")),
        ])
        assertSameBook(subscriber.sequencer.book, try referenceBook(day))
        XCTAssertEqual(subscriber.sequencer.statistics.heartbeats, 1)
        XCTAssertEqual(subscriber.sequencer.statistics.retransmissionRequests, 0)
    }

    func testDroppedPacketsAreRecoveredThroughRetransmission() throws {
        try requireMulticastNamespace()
        let publisher = FakeMarketDataPublisher(group: IPv4Endpoint(parsing: "239.192.77.2:0")!, retransmissionCap: 1)
        defer { publisher.stop() }
        var settings = configuration(group: "239.192.77.2", interface: "127.0.0.1",
                                     retransmission: publisher.retransmissionEndpoint)
        // Packets start at 1, 3, 5 and 7: lose the second and the last (the last
        // one's loss shows only through End of Session).
        settings.dropLivePackets = [3, 7]
        let subscriber = try FeedSubscriber(configuration: settings)
        let live = FakeMarketDataPublisher(group: subscriber.groupEndpoint)
        defer { live.stop() }
        // The retransmission responder must know the messages: both fakes log the day.
        publisher.record(day)
        live.publish(day, perPacket: 2)
        live.sendEndOfSession()

        var dropped: [UInt64] = []
        var requested: [MoldUDP64Gap] = []
        var messages: [UInt64?] = []
        let stop = try subscriber.run { event in
            switch event {
            case .droppedOnPurpose(let sequence): dropped.append(sequence)
            case .retransmissionRequested(_, let gap, _): requested.append(gap)
            case .sequencer(.message(_, let sequence)): messages.append(sequence)
            default: break
            }
        }

        XCTAssertEqual(stop, .endOfSession)
        XCTAssertEqual(dropped, [3, 7])
        XCTAssertEqual(messages, (1...8).map { $0 })
        // The server answers one message per request, so each hole takes two.
        XCTAssertEqual(requested, [MoldUDP64Gap(first: 3, count: 2), MoldUDP64Gap(first: 4, count: 1),
                                   MoldUDP64Gap(first: 7, count: 2), MoldUDP64Gap(first: 8, count: 1)])
        XCTAssertEqual(publisher.requests.map(\.sequenceNumber), [3, 4, 7, 8])
        assertSameBook(subscriber.sequencer.book, try referenceBook(day))
        XCTAssertEqual(subscriber.sequencer.statistics.bookErrors, 0)
    }

    func testUnansweredRetransmissionGivesUpWithAClearError() throws {
        try requireMulticastNamespace()
        let silent = FakeMarketDataPublisher(group: IPv4Endpoint(parsing: "239.192.77.3:0")!, answersRequests: false)
        defer { silent.stop() }
        var settings = configuration(group: "239.192.77.3", interface: "lo", retransmission: silent.retransmissionEndpoint)
        settings.sequencer.retryTimeoutNanoseconds = 50_000_000
        settings.sequencer.maximumAttempts = 3
        settings.dropLivePackets = [1]
        let subscriber = try FeedSubscriber(configuration: settings)
        let live = FakeMarketDataPublisher(group: subscriber.groupEndpoint)
        defer { live.stop() }
        live.publish(Array(day[0..<4]), perPacket: 2)

        XCTAssertThrowsError(try subscriber.run { _ in }) { error in
            XCTAssertEqual(error as? SubscriberError, .retransmissionGaveUp(
                MoldUDP64RetransmissionGaveUp(gap: MoldUDP64Gap(first: 1, count: 2), attempts: 3)))
            XCTAssertEqual("\(error)", "retransmission: gave up on messages 1–2: 3 retransmission requests went unanswered")
        }
        XCTAssertEqual(silent.requests.count, 3)
    }

    func testSnapshotJoinDiscardsLiveMessagesTheSnapshotIncludes() throws {
        try requireMulticastNamespace()
        let venue = FakeMarketDataPublisher(group: IPv4Endpoint(parsing: "239.192.77.4:0")!)
        defer { venue.stop() }
        // Messages 1–6 went out before the subscriber joined; the snapshot is the
        // book as of message 6: orders 1, 2 and 3 (order 4 was executed away).
        venue.record(Array(day[0..<6]))
        let snapshot = [directory(1, aapl), trading(1, aapl),
                        add(1, .buy, 100, "150.25"), add(3, .buy, 300, "150.20"), add(2, .sell, 200, "150.30")]
        let snapshotServer = venue.serveSnapshot(snapshot, last: 7)

        var settings = configuration(group: "239.192.77.4", interface: "lo", retransmission: venue.retransmissionEndpoint)
        settings.snapshot = snapshotServer
        settings.joinFromSnapshot = true
        settings.snapshotSymbols = [aapl]
        let subscriber = try FeedSubscriber(configuration: settings)
        let live = FakeMarketDataPublisher(group: subscriber.groupEndpoint)
        defer { live.stop() }
        // The live feed from message 6 on: 6 and 7 (order 4 added and executed) are
        // in the snapshot already and must be discarded, not reported.
        live.record(Array(day[0..<5]))
        live.publish([add(4, .sell, 50, "150.28"), execute(4, 50, match: 1), delete(1)], perPacket: 1)
        live.sendEndOfSession()

        var log: [String] = []
        let stop = try subscriber.run { event in
            switch event {
            case .sequencer(.snapshotApplied(let count, let last)): log.append("snapshot \(count) last \(last)")
            case .sequencer(.message(_, let sequence?)): log.append("message \(sequence)")
            case .retransmissionRequested(_, let gap, _): log.append("request \(gap)")
            default: break
            }
        }

        XCTAssertEqual(stop, .endOfSession)
        XCTAssertEqual(log, ["snapshot 5 last 7", "message 8"])
        XCTAssertEqual(venue.snapshotRequest, Array("AAPL    ".utf8))
        XCTAssertEqual(subscriber.sequencer.statistics.bookErrors, 0)
        XCTAssertEqual(subscriber.sequencer.statistics.discardedBySnapshot, 2)
        assertSameBook(subscriber.sequencer.book, try referenceBook(day))
    }

    func testSnapshotJoinFillsTheHoleBeforeTheLiveFeedFromRetransmission() throws {
        try requireMulticastNamespace()
        let venue = FakeMarketDataPublisher(group: IPv4Endpoint(parsing: "239.192.77.5:0")!)
        defer { venue.stop() }
        venue.record(day)
        // The snapshot is as of message 4; the subscriber hears the feed only from 7.
        let snapshot = [directory(1, aapl), trading(1, aapl), add(1, .buy, 100, "150.25"), add(2, .sell, 200, "150.30")]
        var settings = configuration(group: "239.192.77.5", interface: "lo", retransmission: venue.retransmissionEndpoint)
        settings.snapshot = venue.serveSnapshot(snapshot, last: 4)
        settings.joinFromSnapshot = true
        let subscriber = try FeedSubscriber(configuration: settings)
        let live = FakeMarketDataPublisher(group: subscriber.groupEndpoint)
        defer { live.stop() }
        live.record(Array(day[0..<6]))
        live.publish(Array(day[6...]), perPacket: 2)
        live.sendEndOfSession()

        var requested: [MoldUDP64Gap] = []
        var messages: [UInt64] = []
        let stop = try subscriber.run { event in
            switch event {
            case .retransmissionRequested(_, let gap, _): requested.append(gap)
            case .sequencer(.message(_, let sequence?)): messages.append(sequence)
            default: break
            }
        }

        XCTAssertEqual(stop, .endOfSession)
        XCTAssertEqual(venue.snapshotRequest, [], "no symbols named: the whole book")
        XCTAssertEqual(requested, [MoldUDP64Gap(first: 5, count: 2)])
        XCTAssertEqual(messages, [5, 6, 7, 8])
        assertSameBook(subscriber.sequencer.book, try referenceBook(day))
    }

    func testStopsOnMessageCountAndOnDeadline() throws {
        try requireMulticastNamespace()
        var settings = configuration(group: "239.192.77.6", interface: "lo", retransmission: nil)
        settings.maximumMessages = 3
        let subscriber = try FeedSubscriber(configuration: settings)
        let live = FakeMarketDataPublisher(group: subscriber.groupEndpoint)
        defer { live.stop() }
        live.publish(day, perPacket: 8)
        var count = 0
        XCTAssertEqual(try subscriber.run { if case .sequencer(.message) = $0 { count += 1 } }, .messageCount)
        XCTAssertEqual(count, 3, "exactly the count is reported, though one packet carried all eight")

        var quiet = configuration(group: "239.192.77.7", interface: "lo", retransmission: nil)
        quiet.runSeconds = 0.2
        let idle = try FeedSubscriber(configuration: quiet)
        XCTAssertEqual(try idle.run { _ in }, .deadline)
        XCTAssertEqual(try idle.run(shouldStop: { true }) { _ in }, .stopped)
    }
}
