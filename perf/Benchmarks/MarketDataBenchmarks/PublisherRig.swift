import Foundation
import GatewayCore
import MarketData
import PerfSupport

/// The publisher's output as a benchmark sees it: packets counted, never copied or sent.
struct NullPublisherIO: ITCHPublisherIO {
    var packets = 0
    var bytes = 0

    mutating func publish(_ packet: UnsafeRawBufferPointer) {
        packets &+= 1
        bytes &+= packet.count
    }
}

/// Replays the recorded engine events (``EngineEventBurst``) through a real
/// `ITCHPublisher` as the market-data thread drives it: `handle` for each event,
/// `flushFullPackets` after every 256 (the thread's ring drain), `flush` at the end.
/// `now` is one fixed time for the whole replay, so no partial packet leaves early:
/// every packet but the last is full (1,400 bytes).
///
/// The publisher's message store writes to a file in a temporary directory (one
/// `pwrite` per flush, as in the gateway); packets go to ``NullPublisherIO``.
final class PublisherRig: @unchecked Sendable {
    static let session = MoldUDP64Session("BENCH00001")!

    let burst: EngineEventBurst
    let events: UnsafeMutableBufferPointer<Event>
    let directory: String
    let configuration: ITCHPublisherConfiguration
    private(set) var publisher: ITCHPublisher!

    /// The last replay's counts and time.
    private(set) var messages = 0
    private(set) var packets = 0
    private(set) var elapsedNanoseconds: Int64 = 1

    init(burst: EngineEventBurst) throws {
        self.burst = burst
        events = .allocate(capacity: burst.events.count)
        _ = events.initialize(from: burst.events)
        directory = NSTemporaryDirectory() + "cift-md-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        configuration = ITCHPublisherConfiguration(
            session: Self.session,
            symbols: burst.symbols.map { ITCHSymbol(locate: $0.locate, stock: ITCHStock($0.name)!, roundLotSize: EngineEventBurst.lot) })
        try reset()
    }

    deinit {
        events.deallocate()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A new publisher on an empty store (the old store's file removed), begun as a new
    /// session day with an empty book.
    func reset() throws {
        publisher = nil
        try? FileManager.default.removeItem(atPath: MarketDataMessageStore.path(directory: directory, session: Self.session))
        let made = try ITCHPublisher(configuration: configuration, directory: directory)
        try made.begin(baseline: 0, restingOrders: [], haltedSymbols: [], marketOpen: true, now: Timestamp(rawValue: 1))
        var io = NullPublisherIO()
        made.flush(now: Timestamp(rawValue: 1), io: &io)
        publisher = made
    }

    /// One replay of every event; the time is taken inside, around the loop only.
    func replay() {
        let publisher = self.publisher!
        let events = UnsafeBufferPointer(self.events)
        let firstSequence = publisher.nextSequenceNumber
        let packetsBefore = publisher.packetsSent
        var io = NullPublisherIO()
        let now = Timestamp(rawValue: 1_795_000_000_000_000_000)
        let start = nowNanoseconds()
        var index = 0
        while index < events.count {
            let end = min(index + 256, events.count)
            while index < end {
                publisher.handle(events[index], now: now)
                index += 1
            }
            publisher.flushFullPackets(now: now, io: &io)
        }
        publisher.flush(now: now, io: &io, settleReplace: true)
        elapsedNanoseconds = max(nowNanoseconds() &- start, 1)
        messages = Int(publisher.nextSequenceNumber - firstSequence)
        packets = Int(publisher.packetsSent - packetsBefore)
    }

    var messagesPerSecond: Int { Int(Double(messages) * 1e9 / Double(elapsedNanoseconds)) }
    var packetsPerSecond: Int { Int(Double(packets) * 1e9 / Double(elapsedNanoseconds)) }
    var eventsPerSecond: Int { Int(Double(events.count) * 1e9 / Double(elapsedNanoseconds)) }

    /// A replay that did not publish what it should have (an event about an order the
    /// feed's book does not hold, or unsent messages).
    var failure: String? {
        if publisher.inconsistencies != 0 { return "publisher inconsistencies: \(publisher.inconsistencies)" }
        if publisher.sentThrough != publisher.nextSequenceNumber - 1 { return "messages left unsent" }
        return nil
    }
}
