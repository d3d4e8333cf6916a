import Foundation
import Gateway
import GatewayCore
import OUCH
import XCTest

/// OUCH 5.0 over SoupBinTCP 4.1 against a gateway running in this process, over real
/// loopback sockets: the engine, journal and I/O threads are the production ones.
final class OUCHGatewayTests: XCTestCase {
    var directory = ""

    override func setUp() {
        directory = makeTemporaryDirectory("ouch")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func configuration(users: Int = 4, sendBuffer: Int = 1 << 20) -> GatewayConfiguration {
        var c = testGatewayConfiguration(directory, maxOrders: 200_000)
        c.network.maxSendBufferBytes = sendBuffer
        if users > 4 {
            c.accounts = (1...users).map { .init(name: "ACC\($0)") }
            c.ouch.users = (1...users).map { .init(username: String(format: "U%05d", $0), account: "ACC\($0)", password: "demo") }
            c.fix.sessions = []
        }
        return c
    }

    func price(_ dollars: Double) -> UInt64 { UInt64((dollars * 10_000).rounded()) }

    func testLoginEnterAndAccept() throws {
        let gateway = try GatewayServer(configuration: configuration())
        defer { gateway.stop() }
        let client = try OUCHTestClient(port: gateway.ouchPort)
        XCTAssertEqual(client.loginAccepted("ouch01"), 1, "usernames are case-insensitive; a new session starts at 1")
        client.send(OUCHEnterOrder.limit(1, OUCHSide.buy, 300, "AAPL", price(150.25), clOrdID: "ABC-1"))
        guard case .orderAccepted(let a) = client.nextMessage() else { return XCTFail("no Order Accepted") }
        XCTAssertEqual(a.userRefNum, 1)
        XCTAssertEqual(a.side, OUCHSide.buy)
        XCTAssertEqual(a.quantity, 300)
        XCTAssertEqual(a.symbol, OUCHSymbol("AAPL"))
        XCTAssertEqual(a.price, price(150.25))
        XCTAssertEqual(a.clOrdID, OUCHClOrdID("ABC-1"))
        XCTAssertEqual(a.orderState, OUCHOrderState.live)
        XCTAssertGreaterThan(a.orderReferenceNumber, 0)
    }

    /// The gateway's stages take their wall clock from it (injected, as tests do here):
    /// an Order Accepted carries that clock's time of day, and the day's SoupBinTCP
    /// session is named after its date.
    func testTheStagesStampWithTheGatewaysClock() throws {
        struct Fixed: Clock {
            // 2026-12-07 14:30:00.123456789 UTC.
            func now() -> Timestamp { Timestamp(rawValue: 1_796_653_800_123_456_789) }
        }
        let gateway = try GatewayServer(configuration: configuration(), clock: Fixed())
        defer { gateway.stop() }
        let client = try OUCHTestClient(port: gateway.ouchPort)
        client.loginAccepted("OUCH01")
        client.send(OUCHEnterOrder.limit(1, OUCHSide.buy, 100, "AAPL", price(10.00)))
        guard case .orderAccepted(let a) = client.nextMessage() else { return XCTFail("no Order Accepted") }
        XCTAssertEqual(a.timestamp, UInt64(Fixed().now().nanosecondsSinceMidnight))
        XCTAssertEqual(a.timestamp, 52_200_123_456_789, "14:30:00.123456789")
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/ouch/20261207"), "the session of the clock's day")
    }

    /// The epoll backend (for machines where io_uring is blocked) serves the same session.
    func testTheEpollBackendServesTheSameSession() throws {
        var c = configuration()
        c.network.backend = .epoll
        let gateway = try GatewayServer(configuration: c)
        defer { gateway.stop() }
        XCTAssertTrue(gateway.networkBackend.hasPrefix("epoll"), gateway.networkBackend)
        let buyer = try OUCHTestClient(port: gateway.ouchPort)
        let seller = try OUCHTestClient(port: gateway.ouchPort)
        buyer.loginAccepted("OUCH01")
        seller.loginAccepted("OUCH02")
        buyer.send(OUCHEnterOrder.limit(1, OUCHSide.buy, 100, "AAPL", price(10.00)))
        guard case .orderAccepted = buyer.nextMessage() else { return XCTFail() }
        seller.send(OUCHEnterOrder.limit(1, OUCHSide.sell, 100, "AAPL", price(10.00)))
        guard case .orderAccepted = seller.nextMessage(), case .orderExecuted = seller.nextMessage() else { return XCTFail() }
        guard case .orderExecuted(let fill) = buyer.nextMessage() else { return XCTFail() }
        XCTAssertEqual(fill.quantity, 100)
    }

    func testWrongPasswordAndUnknownUserAreRejectedNotAuthorized() throws {
        let gateway = try GatewayServer(configuration: configuration())
        defer { gateway.stop() }
        let bad = try OUCHTestClient(port: gateway.ouchPort)
        bad.login("OUCH01", "wrong")
        XCTAssertEqual(bad.next(), .loginRejected(UInt8(ascii: "A")))
        let unknown = try OUCHTestClient(port: gateway.ouchPort)
        unknown.login("NOBODY")
        XCTAssertEqual(unknown.next(), .loginRejected(UInt8(ascii: "A")))
        let good = try OUCHTestClient(port: gateway.ouchPort)
        XCTAssertNotNil(good.loginAccepted("OUCH01"))
    }

    func testTwoClientsCrossWithPartialFillsThenCancel() throws {
        let gateway = try GatewayServer(configuration: configuration())
        defer { gateway.stop() }
        let buyer = try OUCHTestClient(port: gateway.ouchPort)
        let seller = try OUCHTestClient(port: gateway.ouchPort)
        buyer.loginAccepted("OUCH01")
        seller.loginAccepted("OUCH02")
        buyer.send(OUCHEnterOrder.limit(1, OUCHSide.buy, 100, "MSFT", price(400.00)))
        buyer.send(OUCHEnterOrder.limit(2, OUCHSide.buy, 200, "MSFT", price(399.99)))
        for _ in 0..<2 { guard case .orderAccepted = buyer.nextMessage() else { return XCTFail() } }

        seller.send(OUCHEnterOrder.limit(1, OUCHSide.sell, 500, "MSFT", price(399.99)))
        guard case .orderAccepted = seller.nextMessage() else { return XCTFail() }
        guard case .orderExecuted(let s1) = seller.nextMessage(), case .orderExecuted(let s2) = seller.nextMessage() else { return XCTFail() }
        XCTAssertEqual([s1.quantity, s2.quantity], [100, 200])
        XCTAssertEqual([s1.price, s2.price], [price(400.00), price(399.99)], "each fill at the resting order's price")
        XCTAssertEqual(s1.liquidityFlag, OUCHLiquidityFlag.removed)

        guard case .orderExecuted(let b1) = buyer.nextMessage(), case .orderExecuted(let b2) = buyer.nextMessage() else { return XCTFail() }
        XCTAssertEqual([b1.userRefNum, b2.userRefNum], [1, 2])
        XCTAssertEqual(b1.liquidityFlag, OUCHLiquidityFlag.added)
        XCTAssertEqual([b1.matchNumber, b2.matchNumber], [s1.matchNumber, s2.matchNumber], "one match number, both sides")

        // 200 rest; cancel them.
        seller.send(OUCHCancelOrder(userRefNum: 1, quantity: 0))
        guard case .orderCanceled(let c) = seller.nextMessage() else { return XCTFail() }
        XCTAssertEqual(c.userRefNum, 1)
        XCTAssertEqual(c.quantity, 200, "the decrement")
        XCTAssertEqual(c.reason, OUCHCancelReason.userRequested)
    }

    func testReplaceModifyAndSelfTradePrevention() throws {
        let gateway = try GatewayServer(configuration: configuration())
        defer { gateway.stop() }
        let client = try OUCHTestClient(port: gateway.ouchPort)
        client.loginAccepted("OUCH03")
        client.send(OUCHEnterOrder.limit(10, OUCHSide.buy, 500, "NVDA", price(100.00)))
        guard case .orderAccepted(let a) = client.nextMessage() else { return XCTFail() }

        client.send(OUCHReplaceOrder(originalUserRefNum: 10, userRefNum: 11, quantity: 400, price: price(100.05)))
        guard case .orderReplaced(let r) = client.nextMessage() else { return XCTFail() }
        XCTAssertEqual(r.originalUserRefNum, 10)
        XCTAssertEqual(r.userRefNum, 11)
        XCTAssertEqual(r.quantity, 400)
        XCTAssertEqual(r.price, price(100.05))
        XCTAssertNotEqual(r.orderReferenceNumber, a.orderReferenceNumber, "a price change loses priority: new reference")

        client.send(OUCHModifyOrder(userRefNum: 11, side: OUCHSide.buy, quantity: 300))
        guard case .orderModified(let m) = client.nextMessage() else { return XCTFail() }
        XCTAssertEqual(m.userRefNum, 11)
        XCTAssertEqual(m.quantity, 300)

        // The same account sells into its own bid: the incoming order is canceled (cancel newest).
        client.send(OUCHEnterOrder.limit(12, OUCHSide.sell, 100, "NVDA", price(100.00)))
        guard case .orderAccepted = client.nextMessage(), case .orderCanceled(let stp) = client.nextMessage() else { return XCTFail() }
        XCTAssertEqual(stp.userRefNum, 12)
        XCTAssertEqual(stp.reason, OUCHCancelReason.selfMatchPrevention)
    }

    func testReLoginAtAnOldSequenceNumberReplaysEverythingInOrderAlsoAfterARestart() throws {
        var gateway: GatewayServer? = try GatewayServer(configuration: configuration())
        var first: OUCHTestClient? = try OUCHTestClient(port: gateway!.ouchPort)
        first!.loginAccepted("OUCH04")
        for ref in 1...20 {
            first!.send(OUCHEnterOrder.limit(UInt32(ref), OUCHSide.sell, 100, "TSLA", price(200.00 + Double(ref) / 100)))
        }
        for _ in 1...20 { guard case .orderAccepted = first!.nextMessage() else { return XCTFail() } }
        let original = first!.sequenced
        first = nil  // disconnect (cancel-on-disconnect cancels the 20 orders: 20 more messages)

        let again = try OUCHTestClient(port: gateway!.ouchPort)
        XCTAssertEqual(again.loginAccepted("OUCH04", sequence: 5), 5, "Login Accepted names the next message it sends: 5")
        for _ in 5...40 { _ = again.nextMessage() }  // 20 accepted, then 20 canceled on disconnect
        XCTAssertEqual(again.next(seconds: 1), .timeout, "nothing after message 40")
        XCTAssertEqual(Array(again.sequenced.prefix(16)), Array(original[4...]), "messages 5… replayed byte for byte")
        guard case .orderCanceled = OUCHOutboundMessage.decode(again.sequenced.last!) else {
            return XCTFail("the disconnect canceled the orders (cancel-on-disconnect)")
        }

        // Restart the gateway on the same data directory: the stream and the books survive.
        let port = gateway!.ouchPort
        XCTAssertNil(gateway!.stop())
        gateway = nil
        var c = configuration()
        c.ouch.listen = ListenAddress(host: "127.0.0.1", port: port)  // the same port: the client knows it
        gateway = try GatewayServer(configuration: c)
        XCTAssertEqual(gateway!.recovery.commandCount, 21, "20 orders and the disconnect")
        let afterRestart = try OUCHTestClient(port: gateway!.ouchPort)
        XCTAssertEqual(afterRestart.loginAccepted("OUCH04", sequence: 1), 1)
        for _ in 1...40 { _ = afterRestart.nextMessage() }
        XCTAssertEqual(Array(afterRestart.sequenced.prefix(20)), original)
        // UserRefNums already used today are still refused (ignored) after the restart.
        afterRestart.send(OUCHEnterOrder.limit(3, OUCHSide.sell, 100, "TSLA", price(250.00)))
        afterRestart.send(OUCHEnterOrder.limit(21, OUCHSide.sell, 100, "TSLA", price(250.00)))
        guard case .orderAccepted(let next) = afterRestart.nextMessage() else { return XCTFail() }
        XCTAssertEqual(next.userRefNum, 21)
        gateway!.stop()
    }

    func testRestingOrdersSurviveARestartAndTradeAfterIt() throws {
        var gateway: GatewayServer? = try GatewayServer(configuration: configuration())
        var c = configuration()
        do {
            let seller = try OUCHTestClient(port: gateway!.ouchPort)
            seller.loginAccepted("OUCH02")
            seller.send(OUCHEnterOrder.limit(1, OUCHSide.sell, 300, "SPY", price(500.00), tif: OUCHTimeInForce.day))
            guard case .orderAccepted = seller.nextMessage() else { return XCTFail() }
            c.ouch.listen = ListenAddress(host: "127.0.0.1", port: gateway!.ouchPort)
            // Stop while the seller is still connected: shutdown does not cancel its orders.
            XCTAssertNil(gateway!.stop())
            gateway = nil
        }
        gateway = try GatewayServer(configuration: c)
        defer { gateway!.stop() }
        let buyer = try OUCHTestClient(port: gateway!.ouchPort)
        buyer.loginAccepted("OUCH01")
        buyer.send(OUCHEnterOrder.limit(1, OUCHSide.buy, 100, "SPY", price(500.00)))
        guard case .orderAccepted = buyer.nextMessage(), case .orderExecuted(let e) = buyer.nextMessage() else { return XCTFail() }
        XCTAssertEqual(e.quantity, 100)
        XCTAssertEqual(e.price, price(500.00))
    }

    func testSecondConcurrentLoginForTheSameUserIsRefused() throws {
        let gateway = try GatewayServer(configuration: configuration())
        defer { gateway.stop() }
        let first = try OUCHTestClient(port: gateway.ouchPort)
        first.loginAccepted("OUCH01")
        let second = try OUCHTestClient(port: gateway.ouchPort)
        second.login("OUCH01")
        guard case .loginRejected = second.next() else { return XCTFail("a second concurrent login must be refused") }
        first.send(OUCHEnterOrder.limit(1, OUCHSide.buy, 100, "AAPL", price(1.00)))
        guard case .orderAccepted = first.nextMessage() else { return XCTFail("the first session is unaffected") }
    }

    func testManyClientsAtOnce() throws {
        let users = 24
        let gateway = try GatewayServer(configuration: configuration(users: users))
        defer { gateway.stop() }
        let port = gateway.ouchPort
        let orders = 100
        let accepted = AcceptedCounts(users)
        DispatchQueue.concurrentPerform(iterations: users) { i in
            guard let client = try? OUCHTestClient(port: port) else { return }
            guard client.loginAccepted(String(format: "U%05d", i + 1)) != nil else { return }
            for ref in 1...orders {
                let side = ref % 2 == 0 ? OUCHSide.buy : OUCHSide.sell
                // Buys low, sells high: nothing trades, every order is accepted and rests.
                client.send(OUCHEnterOrder.limit(UInt32(ref), side, 100, "AMZN", side == OUCHSide.buy ? 1_000_000 : 2_000_000))
            }
            var count = 0
            while count < orders, case .message(.orderAccepted) = client.next(seconds: 30) { count += 1 }
            accepted.set(i, count)
        }
        XCTAssertEqual(accepted.values, Array(repeating: orders, count: users))
    }

    /// End of day: every Day order is canceled, then System Event `E` and End of Session;
    /// the day's session takes no more logins.
    func testEndOfDayCancelsDayOrdersAndEndsTheSession() throws {
        let gateway = try GatewayServer(configuration: configuration())
        defer { gateway.stop() }
        let client = try OUCHTestClient(port: gateway.ouchPort)
        client.loginAccepted("OUCH01")
        client.send(OUCHEnterOrder.limit(1, OUCHSide.buy, 100, "AAPL", price(10.00)))
        client.send(OUCHEnterOrder.limit(2, OUCHSide.sell, 200, "MSFT", price(20.00)))
        for _ in 1...2 { guard case .orderAccepted = client.nextMessage() else { return XCTFail() } }
        XCTAssertTrue(gateway.endTradingDay())
        var canceled: [UInt32: UInt32] = [:]
        for _ in 1...2 {
            guard case .orderCanceled(let c) = client.nextMessage() else { return XCTFail("Day orders canceled first") }
            canceled[c.userRefNum] = c.quantity
        }
        XCTAssertEqual(canceled, [1: 100, 2: 200])
        guard case .systemEvent(let e) = client.nextMessage() else { return XCTFail("then the System Event") }
        XCTAssertEqual(e.eventCode, OUCHSystemEventCode.endOfDay)
        XCTAssertEqual(client.next(), .endOfSession)
        XCTAssertEqual(client.next(), .closed)
        let late = try OUCHTestClient(port: gateway.ouchPort)
        late.login("OUCH02")
        XCTAssertEqual(late.next(), .loginRejected(UInt8(ascii: "S")), "the day's session is over")
    }

    /// Garbage instead of a login is answered by a disconnect; other clients go on.
    func testGarbageBeforeLoginIsDisconnectedOthersAreServed() throws {
        let gateway = try GatewayServer(configuration: configuration())
        defer { gateway.stop() }
        let good = try OUCHTestClient(port: gateway.ouchPort)
        good.loginAccepted("OUCH01")
        let garbage = try OUCHTestClient(port: gateway.ouchPort)
        garbage.sendRaw(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        XCTAssertEqual(garbage.next(), .closed)
        let oversized = try OUCHTestClient(port: gateway.ouchPort)
        oversized.sendRaw([0xFF, 0xFF, UInt8(ascii: "L")] + [UInt8](repeating: 0x41, count: 100))
        XCTAssertEqual(oversized.next(), .closed)
        good.send(OUCHEnterOrder.limit(1, OUCHSide.buy, 100, "AAPL", price(10.00)))
        guard case .orderAccepted = good.nextMessage() else { return XCTFail("the logged-in client is unaffected") }
        // A message of the wrong length for its type, after login: Rejected or a disconnect,
        // never a crash; a quantity of 0 is Rejected with invalid quantity (0x0013).
        good.send(OUCHEnterOrder.limit(2, OUCHSide.buy, 0, "AAPL", price(10.00)))
        guard case .rejected(let r) = good.nextMessage() else { return XCTFail("quantity 0 is rejected") }
        XCTAssertEqual(r.reason.rawValue, 0x0013)
    }

    /// A client that stops reading is disconnected as a slow consumer; everyone else is served.
    func testSlowClientIsDisconnectedOthersAreServed() throws {
        let gateway = try GatewayServer(configuration: configuration(sendBuffer: 8_192))
        defer { gateway.stop() }
        let slow = try OUCHTestClient(port: gateway.ouchPort, receiveBuffer: 4_096)
        slow.loginAccepted("OUCH01")
        // Every order is answered with an Order Accepted the client never reads.
        for ref in 1...150_000 {
            let order = OUCHEnterOrder.limit(UInt32(ref), OUCHSide.buy, 100, "GOOGL", 1_000_000 + UInt64(ref % 100) * 100)
            if !slow.send(order) { break }  // the gateway has cut the connection
        }
        let other = try OUCHTestClient(port: gateway.ouchPort)
        other.loginAccepted("OUCH02")
        other.send(OUCHEnterOrder.limit(1, OUCHSide.sell, 100, "META", price(700.00)))
        guard case .orderAccepted = other.nextMessage() else { return XCTFail("another client is still served") }
        // The slow one was cut off: draining what the kernel holds ends in a close.
        slow.setReceiveTimeout(milliseconds: 2_000)
        var end = slow.next(seconds: 60)
        while case .message = end { end = slow.next(seconds: 60) }
        XCTAssertEqual(end, .closed)
    }
}

extension OUCHOutboundMessage {
    static func decode(_ bytes: [UInt8]) -> OUCHOutboundMessage? {
        bytes.withUnsafeBytes { try? OUCHOutboundMessage(decoding: $0) }
    }
}

/// Per-client results written from concurrent client threads.
final class AcceptedCounts: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [Int]
    init(_ n: Int) { counts = Array(repeating: 0, count: n) }
    func set(_ i: Int, _ v: Int) { lock.withLock { counts[i] = v } }
    var values: [Int] { lock.withLock { counts } }
}
