import Foundation
import Gateway
import GatewayCore
import MarketData
import MarketDataSubscriber
import Matching
import OUCH
import XCTest
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The gateway's ITCH 5.0 / MoldUDP64 feed checked by an independent reader: the
/// subscriber library (Sources/MarketDataSubscriber). Random order flow from several
/// OUCH clients goes through a real gateway; subscribers that joined at the start, late
/// (from a snapshot) and with packets dropped on purpose must all end with books equal
/// to the engine's, level by level and order by order. Runs inside the multicast
/// namespace that scripts/run-tests.sh makes (no datagram can leave the machine).
final class MarketDataFeedTests: XCTestCase {
    var directory = ""
    var groupPort: UInt16 = 0

    override func setUpWithError() throws {
        try requireMulticastNamespaceForIntegration()
        directory = makeTemporaryDirectory("marketdata")
        groupPort = try freeUDPPort()
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func configuration() -> GatewayConfiguration {
        var c = testGatewayConfiguration(directory, maxOrders: 20_000)
        c.marketData.group = ListenAddress(host: "239.192.0.1", port: groupPort)
        c.marketData.retransmission = ListenAddress(host: "127.0.0.1", port: 0)
        c.marketData.snapshot = ListenAddress(host: "127.0.0.1", port: 0)
        c.sharedMemory.signalsPath = directory + "/cift-signals"
        c.sharedMemory.fillsPath = directory + "/cift-fills"
        c.marketData.session = "CIFT000001"
        return c
    }

    // MARK: The main feed test

    func testSubscribersFromTheStartFromASnapshotAndWithLossAllEndWithTheEnginesBook() throws {
        let c = configuration()
        let gateway = try GatewayServer(configuration: c)
        let live = try SubscriberRun(configuration: subscriberConfiguration(gateway))
        var lossy = subscriberConfiguration(gateway)
        // Drop (once) every live packet whose first message number is not a multiple of
        // 3 (about two packets in three): the subscriber must fetch them from the
        // retransmission server.
        lossy.dropLivePackets = Set((1...5000).filter { $0 % 3 != 0 }.map(UInt64.init))
        let lossyRun = try SubscriberRun(configuration: lossy)
        live.start()
        lossyRun.start()

        var flow = RandomOUCHFlow(port: gateway.ouchPort, users: ["OUCH01", "OUCH02", "OUCH03"], seed: 20261121)
        try flow.run(steps: 300)
        // A late joiner: snapshot first, then the live feed.
        var lateConfiguration = subscriberConfiguration(gateway)
        lateConfiguration.joinFromSnapshot = true
        let late = try SubscriberRun(configuration: lateConfiguration)
        late.start()
        try flow.run(steps: 300)
        flow.finish()

        let last = try settledSequenceNumber(gateway)
        XCTAssertGreaterThan(last, 300, "the flow produced a feed")
        for run in [live, lossyRun, late] { run.finish(through: last) }
        XCTAssertTrue(gateway.stop() == nil)

        let engine = try replayedEngine(c)
        for (name, run) in [("from the start", live), ("with loss", lossyRun), ("from a snapshot", late)] {
            XCTAssertNil(run.error, "\(name): \(String(describing: run.error))")
            XCTAssertGreaterThanOrEqual(run.appliedThrough, last, name)
            assertBooksEqual(engine, run.subscriber.sequencer.book, symbols: c.symbols.count, name)
            XCTAssertEqual(run.subscriber.sequencer.book.invariantViolations(), [], name)
        }
        XCTAssertGreaterThan(lossyRun.droppedOnPurpose, 0, "the loss test dropped packets")
        XCTAssertGreaterThan(lossyRun.retransmissionRequests, 0, "and asked for them again")
        XCTAssertGreaterThan(late.snapshotMessages, 0, "the late joiner started from a snapshot")
        XCTAssertGreaterThan(engine.openOrderCount, 10, "the books are not empty")
    }

    /// After a restart within the session day the feed continues the same sequence: a
    /// subscriber that joins the restarted gateway from a snapshot and one that replays
    /// the whole day from the retransmission server both see the engine's book.
    func testRestartContinuesTheSessionDaysSequence() throws {
        let c = configuration()
        var gateway: GatewayServer? = try GatewayServer(configuration: c)
        var flow = RandomOUCHFlow(port: gateway!.ouchPort, users: ["OUCH01", "OUCH02"], seed: 7)
        try flow.run(steps: 150)
        flow.finish()
        let before = try settledSequenceNumber(gateway!)
        XCTAssertNil(gateway!.stop())
        gateway = nil

        let restarted = try GatewayServer(configuration: c)
        var again = RandomOUCHFlow(port: restarted.ouchPort, users: ["OUCH03"], seed: 8)
        try again.run(steps: 100)
        again.finish()
        let after = try settledSequenceNumber(restarted)
        XCTAssertGreaterThan(after, before, "numbers continue after the restart")

        // A subscriber that asks for everything from 1 and one from a snapshot.
        var fromOne = subscriberConfiguration(restarted)
        fromOne.sequencer.maximumRequestCount = 1000
        let replayAll = try SubscriberRun(configuration: fromOne)
        var lateConfiguration = subscriberConfiguration(restarted)
        lateConfiguration.joinFromSnapshot = true
        let late = try SubscriberRun(configuration: lateConfiguration)
        replayAll.start()
        late.start()
        // Nudge the feed so the from-one subscriber sees a live packet (and its gap).
        var nudge = RandomOUCHFlow(port: restarted.ouchPort, users: ["OUCH04"], seed: 9)
        try nudge.run(steps: 5)
        nudge.finish()
        let last = try settledSequenceNumber(restarted)
        replayAll.finish(through: last)
        late.finish(through: last)
        XCTAssertNil(restarted.stop())
        let engine = try replayedEngine(c)
        for (name, run) in [("from sequence 1", replayAll), ("from a snapshot", late)] {
            XCTAssertNil(run.error, "\(name): \(String(describing: run.error))")
            assertBooksEqual(engine, run.subscriber.sequencer.book, symbols: c.symbols.count, name)
        }
    }

    // MARK: tshark

    /// tshark's MoldUDP64 dissector reads a capture of the feed without a malformed packet.
    func testTsharkReadsEveryMoldUDP64Packet() throws {
        guard let tshark = ["/usr/bin/tshark", "/usr/sbin/tshark"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return XCTFail("tshark is not installed: scripts/install-deps.sh installs it")
        }
        let capture = directory + "/feed.pcap"
        let dumper = try ChildProcess(
            path: tshark, arguments: ["-i", "lo", "-f", "udp port \(groupPort)", "-w", capture, "-a", "duration:30"])
        XCTAssertTrue(waitForStderr(dumper, "Capturing on", seconds: 30), dumper.standardError)
        sleep(1)  // "Capturing on" comes just before the capture really starts
        let gateway = try GatewayServer(configuration: configuration())
        var flow = RandomOUCHFlow(port: gateway.ouchPort, users: ["OUCH01", "OUCH02"], seed: 3)
        try flow.run(steps: 200)
        flow.finish()
        _ = try settledSequenceNumber(gateway)
        XCTAssertTrue(gateway.endTradingDay())
        usleep(1_500_000)  // End of Session, then a heartbeat-time of End of Session packets
        XCTAssertNil(gateway.stop())
        dumper.signal(SIGINT)
        _ = dumper.waitForExit(seconds: 30)

        let fields = try ChildProcess(path: tshark, arguments: [
            "-r", capture, "-d", "udp.port==\(groupPort),moldudp64", "--disable-protocol", "nasdaq_itch",
            "-T", "fields", "-e", "moldudp64.session", "-e", "moldudp64.sequence", "-e", "moldudp64.count"])
        XCTAssertEqual(fields.waitForExit(seconds: 60), 0, fields.standardError)
        let rows = fields.outputLines.filter { !$0.isEmpty }.map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        XCTAssertGreaterThan(rows.count, 5, "tshark decoded the packets")
        XCTAssertTrue(rows.allSatisfy { $0.first.map(String.init)?.hasPrefix("CIFT000001") ?? false }, "\(rows.prefix(3))")
        XCTAssertTrue(rows.contains { $0.count > 2 && $0[2] == "65535" }, "an End of Session packet")
        let malformed = try ChildProcess(path: tshark, arguments: [
            "-r", capture, "-d", "udp.port==\(groupPort),moldudp64", "--disable-protocol", "nasdaq_itch", "-Y", "_ws.malformed"])
        XCTAssertEqual(malformed.waitForExit(seconds: 60), 0, malformed.standardError)
        XCTAssertEqual(malformed.outputLines.filter { !$0.isEmpty }, [], "no malformed MoldUDP64 packet")
    }

    // MARK: Helpers

    func subscriberConfiguration(_ gateway: GatewayServer) -> FeedSubscriberConfiguration {
        var s = FeedSubscriberConfiguration(
            group: IPv4Endpoint(host: "239.192.0.1", port: groupPort)!,
            interface: MulticastInterface(parsing: "127.0.0.1"),
            retransmission: IPv4Endpoint(host: "127.0.0.1", port: gateway.marketDataRetransmissionPort),
            snapshot: IPv4Endpoint(host: "127.0.0.1", port: gateway.marketDataSnapshotPort))
        s.sequencer.session = MoldUDP64Session("CIFT000001")
        s.pollMilliseconds = 10
        return s
    }

    /// The feed's last sequence number once it stops moving (two snapshots 200 ms apart
    /// agree): every event of the flow has been published.
    func settledSequenceNumber(_ gateway: GatewayServer) throws -> UInt64 {
        let server = IPv4Endpoint(host: "127.0.0.1", port: gateway.marketDataSnapshotPort)!
        var previous = try SnapshotClient.fetch(from: server, symbols: [], timeoutMilliseconds: 5000).lastSequenceNumber
        for _ in 0..<50 {
            usleep(200_000)
            let now = try SnapshotClient.fetch(from: server, symbols: [], timeoutMilliseconds: 5000).lastSequenceNumber
            if now == previous { return now }
            previous = now
        }
        XCTFail("the feed did not settle")
        return previous
    }

    /// The engine as the journal rebuilds it (the gateway has stopped).
    func replayedEngine(_ c: GatewayConfiguration) throws -> MatchingEngine {
        let engine = try MatchingEngine(configuration: EngineConfiguration(gateway: c))
        _ = try JournalReplay.replay(directory: directory + "/journal", into: engine, truncateCorruption: false)
        return engine
    }

    func assertBooksEqual(_ engine: MatchingEngine, _ book: ITCHBookBuilder, symbols: Int, _ name: String,
                          file: StaticString = #filePath, line: UInt = #line) {
        for index in 1...symbols {
            let symbol = SymbolIndex(rawValue: UInt16(index))
            for side in [Side.buy, Side.sell] {
                let expected = engine.orders(symbol: symbol, side: side).map { "\($0.reference) \($0.price) \($0.openQuantity)" }
                let actual = book.orders(symbol, side: side).map { "\($0.reference) \($0.price) \($0.shares)" }
                XCTAssertEqual(actual, expected, "\(name): symbol \(index) \(side) orders", file: file, line: line)
                XCTAssertEqual(book.levels(symbol, side: side).map { "\($0.price) \($0.quantity) \($0.orderCount)" },
                               engine.levels(symbol: symbol, side: side).map { "\($0.price) \($0.quantity) \($0.orderCount)" },
                               "\(name): symbol \(index) \(side) levels", file: file, line: line)
            }
        }
    }
}

/// One subscriber on its own thread, until it has applied a given sequence number.
final class SubscriberRun: @unchecked Sendable {
    let subscriber: FeedSubscriber
    private let lock = NSLock()
    private var target: UInt64?
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)
    private(set) var appliedThrough: UInt64 = 0
    private(set) var error: Error?
    private(set) var droppedOnPurpose = 0
    private(set) var retransmissionRequests = 0
    private(set) var snapshotMessages = 0

    init(configuration: FeedSubscriberConfiguration) throws {
        subscriber = try FeedSubscriber(configuration: configuration)
    }

    func start() {
        let thread = Thread { [self] in
            var applied: UInt64 = 0
            do {
                try subscriber.run(shouldStop: { [self] in
                    lock.withLock { target.map { applied >= $0 } ?? false }
                }) { event in
                    switch event {
                    case .sequencer(.message(_, let sequence?)): applied = max(applied, sequence)
                    case .sequencer(.snapshotApplied(let messages, let last)):
                        self.snapshotMessages = messages
                        applied = max(applied, last)
                    case .droppedOnPurpose: self.droppedOnPurpose += 1
                    case .retransmissionRequested: self.retransmissionRequests += 1
                    default: break
                    }
                }
            } catch {
                self.error = error
            }
            lock.withLock { appliedThrough = applied }
            done.signal()
        }
        self.thread = thread
        thread.start()
    }

    /// Waits (at most 30 s) until everything through `last` is applied.
    func finish(through last: UInt64) {
        lock.withLock { target = last }
        if done.wait(timeout: .now() + 30) == .timedOut {
            XCTFail("the subscriber did not reach \(last)")
        }
    }
}

/// Random OUCH order flow: limit orders around 100.00 that sometimes cross, IOCs,
/// cancels, reduces, modifies and replaces of the user's own earlier orders, from
/// several users. (UserRefNums are per user and day, so each user's numbers go up.)
struct RandomOUCHFlow {
    var clients: [OUCHTestClient] = []
    var nextReference: [UInt32]
    var live: [[UInt32]]
    var sides: [UInt32: UInt8] = [:]
    var random: SplitMix64
    let symbols = ["AAPL", "MSFT", "NVDA"]

    init(port: UInt16, users: [String], seed: UInt64) {
        random = SplitMix64(seed: seed)
        nextReference = Array(repeating: 1, count: users.count)
        live = Array(repeating: [], count: users.count)
        for user in users {
            let client = try! OUCHTestClient(port: port)
            client.loginAccepted(user)
            clients.append(client)
        }
    }

    mutating func run(steps: Int) throws {
        for _ in 0..<steps {
            let u = Int(random.next() % UInt64(clients.count))
            let roll = random.next() % 100
            if roll < 8, let target = live[u].randomElement(using: &random), let side = sides[target] {
                // Modify down to one lot (keeps priority; nothing when it is smaller already).
                _ = clients[u].send(OUCHModifyOrder(userRefNum: target, side: side, quantity: 100))
            } else if roll < 20, let target = live[u].randomElement(using: &random) {
                // Cancel (0) or reduce to one lot.
                _ = clients[u].send(OUCHCancelOrder(userRefNum: target, quantity: roll < 10 ? 0 : 100))
            } else if roll < 35, let target = live[u].randomElement(using: &random) {
                let reference = nextReference[u]
                nextReference[u] += 1
                let buy = sides[target] == OUCHSide.buy
                _ = clients[u].send(OUCHReplaceOrder(
                    originalUserRefNum: target, userRefNum: reference, quantity: UInt32(100 * (1 + random.next() % 5)),
                    price: price(buy: buy)))
                live[u].append(reference)
                sides[reference] = sides[target]
            } else {
                let reference = nextReference[u]
                nextReference[u] += 1
                let buy = random.next() % 2 == 0
                let ioc = random.next() % 10 == 0
                _ = clients[u].send(OUCHEnterOrder.limit(
                    reference, buy ? OUCHSide.buy : OUCHSide.sell, UInt32(100 * (1 + random.next() % 5)),
                    symbols[Int(random.next() % UInt64(symbols.count))], price(buy: buy),
                    tif: ioc ? OUCHTimeInForce.immediateOrCancel : OUCHTimeInForce.day))
                if !ioc { live[u].append(reference) }
                sides[reference] = buy ? OUCHSide.buy : OUCHSide.sell
            }
        }
    }

    /// Buys from 99.90 to 100.05, sells from 99.95 to 100.10: they cross now and then.
    mutating func price(buy: Bool) -> UInt64 {
        let ticks = random.next() % 16
        return buy ? 999_000 + ticks * 100 : 999_500 + ticks * 100
    }

    /// Reads every client's answers until it has been quiet for a moment, so the flow
    /// is processed (and the sockets drained) before the feed is compared.
    func finish() {
        for client in clients {
            while case .message = client.next(seconds: 0.5) {}
        }
    }
}

func requireMulticastNamespaceForIntegration() throws {
    guard ProcessInfo.processInfo.environment["CIFT_MULTICAST_NAMESPACE"] == "1" else {
        throw XCTSkip("run inside the multicast namespace: scripts/run-tests.sh enters it")
    }
}

/// A UDP port nobody uses right now (the kernel's pick, released at once).
func freeUDPPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return UInt16(bigEndian: address.sin_port)
}
