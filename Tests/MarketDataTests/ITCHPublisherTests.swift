import Foundation
import GatewayCore
import MarketData
import Matching
import SoupBinTCP
import XCTest
import TestSupport

/// Records the packets the publisher sends.
struct RecordingIO: ITCHPublisherIO {
    var packets: [[UInt8]] = []
    mutating func publish(_ packet: UnsafeRawBufferPointer) { packets.append(Array(packet)) }

    /// Every message of every data packet, decoded, with its sequence number.
    func messages() throws -> [(UInt64, ITCHMessage)] {
        var out: [(UInt64, ITCHMessage)] = []
        for packet in packets {
            let (_, blocks) = try decodePacket(packet)
            for (sequence, bytes) in blocks { out.append((sequence, try decodeITCH(bytes))) }
        }
        return out
    }
}

/// A real engine feeding a publisher: the events are the engine's own.
final class PublisherHarness {
    let directory: String
    let engine: MatchingEngine
    var publisher: ITCHPublisher
    var io = RecordingIO()
    var sequence: UInt64 = 0
    var now = Timestamp(rawValue: 1_763_700_000_000_000_000)  // 2025-11-21 04:40 UTC
    static let symbols = [ITCHSymbol(locate: 1, stock: ITCHStock("AAPL")!, roundLotSize: 100),
                          ITCHSymbol(locate: 2, stock: ITCHStock("MSFT")!, roundLotSize: 100)]

    init(directory: String? = nil, maximumPacketSize: Int = 1400, flushDelayNanoseconds: Int64 = 100_000) throws {
        if let directory {
            self.directory = directory
        } else {
            self.directory = NSTemporaryDirectory() + "publisher-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        }
        engine = MatchingEngine(configuration: try EngineConfiguration(
            symbols: [.init(name: "AAPL", tickSize: Price(raw: 100), lotSize: 100),
                      .init(name: "MSFT", tickSize: Price(raw: 100), lotSize: 100)],
            accountCount: 4, maxOrders: 1000, maxPriceLevelsPerSide: 100))
        publisher = try ITCHPublisher(configuration: Self.configuration(maximumPacketSize, flushDelayNanoseconds: flushDelayNanoseconds),
                                      directory: self.directory)
    }

    static func configuration(_ maximumPacketSize: Int = 1400, flushDelayNanoseconds: Int64 = 100_000) -> ITCHPublisherConfiguration {
        ITCHPublisherConfiguration(session: MoldUDP64Session("TEST000001")!, symbols: symbols,
                                   maximumPacketSize: maximumPacketSize, flushDelayNanoseconds: flushDelayNanoseconds)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    struct Collect: EventSink {
        var events: [Event] = []
        mutating func emit(_ event: Event) { events.append(event) }
    }

    /// Runs `command` through the engine and every event through the publisher.
    @discardableResult
    func process(_ command: Command) -> [Event] {
        sequence += 1
        var sink = Collect()
        var c = command
        c.timestamp = now
        engine.process(c, sequence: sequence, into: &sink)
        for event in sink.events { publisher.handle(event, now: now) }
        return sink.events
    }

    func order(_ reference: UInt32, _ side: Side, _ quantity: UInt32, _ price: Int64, symbol: UInt16 = 1,
               account: UInt16 = 1, tif: TimeInForce = .day) -> Command {
        Command(kind: .newOrder, side: side, timeInForce: tif, symbol: SymbolIndex(rawValue: symbol),
                account: AccountIndex(rawValue: account), origin: OrderOrigin(source: 1, session: account, connection: 1),
                quantity: quantity, price: Price(raw: price), userReference: reference)
    }

    /// Publishes what is stored and returns the new messages.
    func flushed() throws -> [ITCHMessage] {
        let before = io.packets.count
        publisher.flush(now: now, io: &io, settleReplace: true)
        var out: [ITCHMessage] = []
        for packet in io.packets[before...] {
            let (_, blocks) = try decodePacket(packet)
            for (_, bytes) in blocks { out.append(try decodeITCH(bytes)) }
        }
        return out
    }
}

/// Message types in order, a System Event as `S(<event code>)`.
func types(_ messages: [ITCHMessage]) -> String {
    messages.map { message in
        if case .systemEvent(let m) = message { return "S(" + String(UnicodeScalar(m.eventCode)) + ")" }
        return String(UnicodeScalar(message.type))
    }.joined()
}

final class ITCHPublisherTests: XCTestCase {

    func testNewSessionDayOpensWithDirectoryStatesAndTheEnginesBook() throws {
        let h = try PublisherHarness()
        defer { h.remove() }
        h.process(h.order(1, .buy, 300, 1_500_000))
        h.process(h.order(2, .sell, 100, 1_510_000, symbol: 2))
        // A fresh publisher on the same engine: the opening book comes from the engine.
        h.remove()
        try FileManager.default.createDirectory(atPath: h.directory, withIntermediateDirectories: true)
        h.publisher = try ITCHPublisher(configuration: PublisherHarness.configuration(), directory: h.directory)
        XCTAssertNil(h.publisher.resumeEngineSequence)
        try h.publisher.begin(
            baseline: 2,
            restingOrders: [ITCHRestingOrder(reference: 1, locate: 1, side: .buy, price: Price(raw: 1_500_000), shares: 300),
                            ITCHRestingOrder(reference: 2, locate: 2, side: .sell, price: Price(raw: 1_510_000), shares: 100)],
            haltedSymbols: [2], marketOpen: true, now: h.now)
        let messages = try h.flushed()
        XCTAssertEqual(types(messages), "S(O)RRS(S)S(Q)HHAA")
        guard case .stockTradingAction(let msft) = messages[6] else { return XCTFail() }
        XCTAssertEqual(msft.tradingState, ITCHTradingState.halted)
        XCTAssertEqual(h.publisher.book.orderCount, 2)
        XCTAssertEqual(h.publisher.store.baselineEngineSequence, 2)
    }

    func testEventsBecomeTheProfilesMessages() throws {
        let h = try PublisherHarness()
        defer { h.remove() }
        h.process(h.order(1, .buy, 300, 1_500_000))                 // rests: A
        XCTAssertEqual(types(try h.flushed()), "A")
        h.process(h.order(1, .sell, 100, 1_500_000, account: 2))    // trades 100: E (the resting side only)
        let executed = try h.flushed()
        XCTAssertEqual(types(executed), "E")
        guard case .orderExecuted(let e) = executed[0] else { return XCTFail() }
        XCTAssertEqual(e.orderReference, 1)
        XCTAssertEqual(e.executedShares, 100)
        XCTAssertEqual(e.matchNumber, 1, "the engine's match number")
        XCTAssertEqual(e.header.timestamp, UInt64(h.now.nanosecondsSinceMidnight))
        h.process(h.order(2, .sell, 500, 1_500_000, account: 2, tif: .immediateOrCancel))  // 200 trade, 300 canceled IOC
        XCTAssertEqual(types(try h.flushed()), "E", "an IOC remainder never rested: no message")
        XCTAssertEqual(h.publisher.book.orderCount, 0)

        h.process(h.order(3, .buy, 500, 1_490_000))
        h.process(Command(kind: .cancel, account: 1, origin: OrderOrigin(source: 1, session: 1, connection: 1),
                          quantity: 200, userReference: 3))           // reduce to 200: X 300
        h.process(Command(kind: .modify, side: .buy, account: 1, origin: OrderOrigin(source: 1, session: 1, connection: 1),
                          quantity: 100, userReference: 3))           // modify to 100: X 100
        let reduced = try h.flushed()
        XCTAssertEqual(types(reduced), "AXX")
        guard case .orderCancel(let x1) = reduced[1], case .orderCancel(let x2) = reduced[2] else { return XCTFail() }
        XCTAssertEqual([x1.canceledShares, x2.canceledShares], [300, 100])

        // OUCH replace (loses priority) that rests at once: Order Replace.
        h.process(Command(kind: .replace, flags: .replaceLosesPriority, account: 1,
                          origin: OrderOrigin(source: 1, session: 1, connection: 1), quantity: 400,
                          price: Price(raw: 1_480_000), userReference: 4, originalUserReference: 3))
        let replaced = try h.flushed()
        XCTAssertEqual(types(replaced), "U")
        guard case .orderReplace(let u) = replaced[0] else { return XCTFail() }
        XCTAssertEqual(u.originalOrderReference, 4)
        XCTAssertNotEqual(u.newOrderReference, u.originalOrderReference)
        XCTAssertEqual(u.shares, 400)
        XCTAssertEqual(u.price, Price(raw: 1_480_000))

        // A replace that trades on arrival: the old order is deleted; the remainder rests as a new Add Order.
        h.process(h.order(5, .sell, 100, 1_490_000, account: 2))
        h.process(Command(kind: .replace, flags: .replaceLosesPriority, account: 1,
                          origin: OrderOrigin(source: 1, session: 1, connection: 1), quantity: 400,
                          price: Price(raw: 1_490_000), userReference: 6, originalUserReference: 4))
        XCTAssertEqual(types(try h.flushed()), "ADEA")

        // Full cancel: Order Delete.
        h.process(Command(kind: .cancel, account: 1, origin: OrderOrigin(source: 1, session: 1, connection: 1),
                          quantity: 0, userReference: 6))
        XCTAssertEqual(types(try h.flushed()), "D")
        XCTAssertEqual(h.publisher.book.orderCount, 0)
        XCTAssertEqual(h.publisher.inconsistencies, 0)
    }

    func testPriorityKeepingReplaceIsAPartialCancel() throws {
        let h = try PublisherHarness()
        defer { h.remove() }
        let origin = OrderOrigin(source: 1, session: 1, connection: 1)
        h.process(Command(kind: .newOrder, side: .buy, keyKind: .clientOrderID, symbol: 1, account: 1, origin: origin,
                          quantity: 500, price: Price(raw: 1_500_000), clientOrderID: ClientOrderID("A-1")!))
        // FIX replace at the same price, less quantity: priority kept, the same reference.
        let events = h.process(Command(kind: .replace, side: .buy, keyKind: .clientOrderID, account: 1, origin: origin,
                                       quantity: 200, price: Price(raw: 1_500_000), clientOrderID: ClientOrderID("A-2")!,
                                       originalClientOrderID: ClientOrderID("A-1")!))
        XCTAssertEqual(events.map(\.kind), [.replaced])
        let messages = try h.flushed()
        XCTAssertEqual(types(messages), "AX")
        guard case .orderCancel(let x) = messages[1] else { return XCTFail() }
        XCTAssertEqual(x.orderReference, 1)
        XCTAssertEqual(x.canceledShares, 300)
    }

    func testHaltAndEndOfDay() throws {
        let h = try PublisherHarness()
        defer { h.remove() }
        h.process(h.order(1, .buy, 100, 1_500_000))
        h.process(Command(kind: .setTradingState, code: TradingState.halted.rawValue, symbol: 1))
        h.process(Command(kind: .setTradingState, code: TradingState.trading.rawValue, symbol: 1))
        h.process(Command(kind: .systemEvent, code: SystemEventCode.endOfDay.rawValue))
        let messages = try h.flushed()
        XCTAssertEqual(types(messages), "AHHDS(M)S(E)S(C)")
        XCTAssertTrue(h.publisher.endOfSession)
        // After the end, the heartbeat timer sends End of Session packets.
        h.now = Timestamp(rawValue: h.now.rawValue + 1_000_000_000)
        h.publisher.tick(now: h.now, io: &h.io)
        let (header, blocks) = try decodePacket(h.io.packets.last!)
        XCTAssertTrue(header.isEndOfSession)
        XCTAssertEqual(header.sequenceNumber, 8)
        XCTAssertTrue(blocks.isEmpty)
    }

    func testPacketsAreCutOnSizeOnIdleAndOnTheDelay() throws {
        // Room for the header and three Add Orders (38 bytes each with their length).
        let h = try PublisherHarness(maximumPacketSize: 20 + 3 * 38)
        defer { h.remove() }
        for i in 1...7 { h.process(h.order(UInt32(i), .buy, 100, 1_400_000 + Int64(i) * 100)) }
        h.publisher.flushFullPackets(now: h.now, io: &h.io)
        XCTAssertEqual(h.io.packets.map { try! decodePacket($0).1.count }, [3, 3], "only full packets while events flow")
        XCTAssertEqual(try decodePacket(h.io.packets[1]).0.sequenceNumber, 4)
        h.now = Timestamp(rawValue: h.now.rawValue + 50_000)
        h.publisher.flushFullPackets(now: h.now, io: &h.io)
        XCTAssertEqual(h.io.packets.count, 2, "the seventh waits for company…")
        h.now = Timestamp(rawValue: h.now.rawValue + 50_000)
        h.publisher.flushFullPackets(now: h.now, io: &h.io)
        XCTAssertEqual(h.io.packets.count, 3, "…for at most the flush delay")
        h.process(h.order(8, .buy, 100, 1_300_000))
        h.publisher.flush(now: h.now, io: &h.io)
        XCTAssertEqual(h.io.packets.count, 4, "an idle thread sends at once")
        // Nothing for a second: a heartbeat carrying the next number.
        h.now = Timestamp(rawValue: h.now.rawValue + 1_000_000_000)
        h.publisher.tick(now: h.now, io: &h.io)
        let (heartbeat, blocks) = try decodePacket(h.io.packets.last!)
        XCTAssertTrue(heartbeat.isHeartbeat && blocks.isEmpty)
        XCTAssertEqual(heartbeat.sequenceNumber, 9)
        let sequences = try h.io.messages().map(\.0)
        XCTAssertEqual(sequences, Array(1...8))
    }

    /// `market_data.flush_delay_us = 0` (the default): nothing waits for company; what a
    /// cycle drained goes out at its end, cut into full packets and one partial.
    func testWithoutAFlushDelayACyclesMessagesGoAtOnce() throws {
        let h = try PublisherHarness(maximumPacketSize: 20 + 3 * 38, flushDelayNanoseconds: 0)
        defer { h.remove() }
        for i in 1...7 { h.process(h.order(UInt32(i), .buy, 100, 1_400_000 + Int64(i) * 100)) }
        h.publisher.flushFullPackets(now: h.now, io: &h.io)
        XCTAssertEqual(h.io.packets.map { try! decodePacket($0).1.count }, [3, 3, 1])
        h.process(h.order(8, .buy, 100, 1_300_000))
        h.publisher.flushFullPackets(now: h.now, io: &h.io)
        XCTAssertEqual(h.io.packets.map { try! decodePacket($0).1.count }, [3, 3, 1, 1])
        XCTAssertEqual(try h.io.messages().map(\.0), Array(1...8))
    }

    func testRestartTakesBackTheLastCommandAndCatchesUpFromTheReplay() throws {
        let h = try PublisherHarness()
        defer { h.remove() }
        try h.publisher.begin(baseline: 0, restingOrders: [], haltedSymbols: [], marketOpen: true, now: h.now)
        var all: [Event] = []
        all += h.process(h.order(1, .buy, 300, 1_500_000))
        all += h.process(h.order(2, .buy, 200, 1_500_000))
        all += h.process(h.order(1, .sell, 400, 1_500_000, account: 2))   // E 300, E 100
        h.publisher.flush(now: h.now, io: &h.io)
        let published = try h.io.messages()
        // A crash in the middle of the last command: its second E never reached the file.
        try h.publisher.store.truncate(from: h.publisher.store.nextSequenceNumber - 1)
        try h.publisher.store.flush()

        let restarted = try ITCHPublisher(configuration: PublisherHarness.configuration(), directory: h.directory)
        XCTAssertEqual(restarted.resumeEngineSequence, 3, "the last command recorded is republished whole")
        XCTAssertEqual(restarted.nextSequenceNumber, UInt64(published.count - 1))
        for event in all { restarted.catchUp(event) }
        var io = RecordingIO()
        restarted.flush(now: h.now, io: &io)
        let again = try io.messages()
        XCTAssertEqual(again.map(\.0), [UInt64(published.count - 1), UInt64(published.count)])
        XCTAssertEqual(again.map(\.1), published.suffix(2).map(\.1), "the same messages under the same numbers")
        XCTAssertEqual(restarted.book.orderCount, 1)
        XCTAssertEqual(restarted.book.order(2)?.shares, 100)
    }
}

final class MarketDataStoreTests: XCTestCase {
    func testFileLayoutTornTailAndBaseline() throws {
        let directory = NSTemporaryDirectory() + "mdstore-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let session = MoldUDP64Session("TEST000001")!
        let store = try MarketDataMessageStore(directory: directory, session: session)
        _ = [UInt8]([0x53, 1, 2]).withUnsafeBytes { store.append($0, engineSequence: 0) }
        _ = [UInt8]([0x44, 9]).withUnsafeBytes { store.append($0, engineSequence: 0x0102) }
        try store.flush()
        try store.setBaseline(7)
        let path = MarketDataMessageStore.path(directory: directory, session: session)
        XCTAssertTrue(path.hasSuffix("/TEST000001.itchstore"))
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        // The golden layout of specs/moldudp64.md, "Message store".
        XCTAssertEqual(hex(bytes), "434946544d445331" + "54455354303030303031" + "000000000000" + "0000000000000007"
                       + "0003" + "0000000000000000" + "530102"
                       + "0002" + "0000000000000102" + "4409")
        // A torn third record is cut off on open; the two whole ones stay.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0x00, 0x24, 0, 0, 0]))
        try handle.close()
        let reopened = try MarketDataMessageStore(directory: directory, session: session)
        XCTAssertEqual(reopened.truncatedBytes, 5)
        XCTAssertEqual(reopened.count, 2)
        XCTAssertEqual(reopened.baselineEngineSequence, 7)
        XCTAssertEqual(reopened.engineSequence(2), 0x0102)
        XCTAssertEqual(reopened.message(2).map { Array($0) }, [0x44, 9])
        XCTAssertNil(reopened.message(3))
        // Another session's file under this session's name is refused, not reused.
        let other = MoldUDP64Session("OTHER00001")!
        try FileManager.default.copyItem(atPath: path, toPath: MarketDataMessageStore.path(directory: directory, session: other))
        XCTAssertThrowsError(try MarketDataMessageStore(directory: directory, session: other))
    }
}

/// A publisher that has sent ten Add Orders (packets of at most three messages) and a
/// responder for its session: what the retransmission tests ask.
struct ResponderRig {
    let h: PublisherHarness
    let session = MoldUDP64Session("TEST000001")!
    let responder: RetransmissionResponder

    init(_ configuration: RetransmissionConfiguration) throws {
        h = try PublisherHarness(maximumPacketSize: 20 + 3 * 38)
        for i in 1...10 { h.process(h.order(UInt32(i), .buy, 100, 1_400_000 + Int64(i) * 100)) }
        h.publisher.flush(now: h.now, io: &h.io)
        responder = RetransmissionResponder(configuration: configuration, session: session, maximumPacketSize: 20 + 3 * 38)
    }

    /// The packets answering request `bytes` from `address`.
    func ask(_ bytes: [UInt8], from address: UInt64 = 1) -> [[UInt8]] {
        var sent: [[UInt8]] = []
        bytes.withUnsafeBytes {
            responder.handle($0, from: address, store: h.publisher.store, sentThrough: h.publisher.sentThrough, now: h.now) {
                sent.append(Array($0))
            }
        }
        return sent
    }
}

final class RetransmissionResponderTests: XCTestCase {
    func testAnswersCapsIgnoresAndRateLimits() throws {
        let rig = try ResponderRig(RetransmissionConfiguration(maximumMessagesPerRequest: 5, requestsPerSecond: 2, burst: 2))
        let (h, session, responder) = (rig.h, rig.session, rig.responder)
        defer { h.remove() }
        func ask(_ bytes: [UInt8], from address: UInt64 = 1) -> [[UInt8]] { rig.ask(bytes, from: address) }
        // Messages 2… asked for 100: capped at 5, in packets of at most three.
        let answer = ask(MoldUDP64Request(session: session, sequenceNumber: 2, requestedMessageCount: 100).encodedBytes)
        XCTAssertEqual(try answer.map { try decodePacket($0).1.map(\.0) }, [[2, 3, 4], [5, 6]])
        XCTAssertEqual(try answer.flatMap { try decodePacket($0).1.map(\.1) },
                       (2...6).map { Array(h.publisher.store.message(UInt64($0))!) })
        XCTAssertTrue(ask(MoldUDP64Request(session: MoldUDP64Session("OTHER00001")!, sequenceNumber: 1, requestedMessageCount: 1).encodedBytes).isEmpty)
        XCTAssertTrue(ask(MoldUDP64Request(session: session, sequenceNumber: 11, requestedMessageCount: 1).encodedBytes).isEmpty)
        XCTAssertTrue(ask([1, 2, 3]).isEmpty)
        // The burst of two is spent (one answered above, one now); the third is refused,
        // another address is not.
        XCTAssertFalse(ask(MoldUDP64Request(session: session, sequenceNumber: 1, requestedMessageCount: 1).encodedBytes).isEmpty)
        XCTAssertTrue(ask(MoldUDP64Request(session: session, sequenceNumber: 1, requestedMessageCount: 1).encodedBytes).isEmpty)
        XCTAssertFalse(ask(MoldUDP64Request(session: session, sequenceNumber: 1, requestedMessageCount: 1).encodedBytes, from: 2).isEmpty)
        h.now = Timestamp(rawValue: h.now.rawValue + 500_000_000)  // one token back at 2 per second
        XCTAssertFalse(ask(MoldUDP64Request(session: session, sequenceNumber: 1, requestedMessageCount: 1).encodedBytes).isEmpty)
        var expected = RetransmissionResponder.Counters()
        expected.answered = 4
        expected.messagesResent = 8
        expected.wrongSession = 1
        expected.notYetSent = 1
        expected.malformed = 1
        expected.rateLimited = 1
        expected.bytesResent = 134 + 96 + 3 * 58  // packets of 3 and 2 messages, then three of 1
        XCTAssertEqual(responder.counters, expected)
    }
}

extension RetransmissionResponderTests {
    /// Answers are cut to the address's byte budget (at least one packet), and an address
    /// that has spent it waits for the refill: a small request cannot buy a large answer
    /// over and over.
    func testAnswersStopAtTheAddressesByteBudget() throws {
        let rig = try ResponderRig(RetransmissionConfiguration(
            maximumMessagesPerRequest: 100, requestsPerSecond: 1000, burst: 1000, bytesPerSecond: 100, burstBytes: 150))
        let (h, responder) = (rig.h, rig.responder)
        defer { h.remove() }
        func ask(from address: UInt64 = 1) -> [[UInt8]] {
            rig.ask(MoldUDP64Request(session: rig.session, sequenceNumber: 1, requestedMessageCount: 10).encodedBytes, from: address)
        }
        // 150 bytes of budget: the first packet (134 bytes) leaves 16, so one more goes,
        // and the answer stops there, two packets of four.
        let first = ask()
        XCTAssertEqual(try first.map { try decodePacket($0).1.map(\.0) }, [[1, 2, 3], [4, 5, 6]])
        XCTAssertTrue(ask().isEmpty, "the budget is spent")
        XCTAssertFalse(ask(from: 2).isEmpty, "another address has its own")
        h.now = Timestamp(rawValue: h.now.rawValue + 2_000_000_000)  // 200 bytes back, minus what was overspent
        XCTAssertEqual(ask().count, 1, "one packet's worth")
        XCTAssertEqual(responder.counters.bytesLimited, 3)
        XCTAssertEqual(responder.counters.rateLimited, 1)
    }
}

final class SnapshotEncoderTests: XCTestCase {
    func testSnapshotFramesDirectoryStateOrdersCompleteAndEnd() throws {
        let h = try PublisherHarness()
        defer { h.remove() }
        h.process(h.order(1, .buy, 100, 1_500_000))
        h.process(h.order(2, .buy, 200, 1_510_000))
        h.process(h.order(3, .sell, 300, 1_520_000))
        h.process(h.order(4, .buy, 100, 1_500_000))
        let bytes = SnapshotEncoder.snapshot(book: h.publisher.book, symbols: PublisherHarness.symbols, locates: [1],
                                             lastSequenceNumber: 4, now: h.now)
        var offset = 0
        var messages: [ITCHMessage] = []
        var end = false
        while offset < bytes.count {
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            let type = bytes[offset + 2]
            if type == SoupBinTCPPacketType.endOfSession { end = true } else {
                XCTAssertEqual(type, SoupBinTCPPacketType.sequencedData)
                messages.append(try decodeITCH(Array(bytes[(offset + 3)..<(offset + 2 + length)])))
            }
            offset += 2 + length
        }
        XCTAssertTrue(end)
        XCTAssertEqual(types(messages), "RHAAAAG")
        let references = messages.compactMap { if case .addOrder(let a) = $0 { a.orderReference } else { nil } }
        XCTAssertEqual(references, [2, 1, 4, 3], "bids best first, FIFO within a price, then asks")
        guard case .snapshotComplete(let g) = messages.last! else { return XCTFail() }
        XCTAssertEqual(g.lastSequenceNumber, 4)
        XCTAssertEqual(hex(SnapshotEncoder.loginAccepted(session: MoldUDP64Session("TEST000001")!)),
                       "001f41" + "54455354303030303031" + String(repeating: "20", count: 19) + "31")
    }

}
