import Foundation
import Gateway
import GatewayCore
import OUCH
import XCTest

/// The gateway in each threading mode: the threads the mode names run the stages (and no
/// others), an OUCH order and a FIX order are each acknowledged, an OUCH order and a FIX
/// order trade with each other, and a stop loses nothing (the restart in the same mode
/// finds the resting order). The other gateway suites run in every mode too
/// (scripts/run-tests.sh sets CIFT_THREADING_MODE).
final class ThreadingModeGatewayTests: XCTestCase {
    var directory = ""

    override func setUp() { directory = makeTemporaryDirectory("threading") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    /// This process's thread names (/proc/self/task/*/comm).
    func threadNames() -> Set<String> {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return Set(tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
    }

    func run(_ mode: ThreadingMode, expect threads: Set<String>, absent: Set<String>) throws {
        var c = testGatewayConfiguration(directory, dataDirectory: directory + "/data-\(mode.rawValue)")
        c.threading.mode = mode
        let gateway = try GatewayServer(configuration: c)
        XCTAssertEqual(gateway.threading.mode, mode)
        let names = threadNames()
        XCTAssertTrue(threads.isSubset(of: names), "\(mode): \(threads) not all in \(names)")
        XCTAssertTrue(absent.isDisjoint(with: names), "\(mode): none of \(absent) expected in \(names)")
        for name in threads { XCTAssertTrue(gateway.threadMap.contains(name) || name == "cift-engine" || name == "cift-journal", gateway.threadMap) }  // the snapshot thread is named in the map too

        let ouch = try OUCHTestClient(port: gateway.ouchPort)
        ouch.loginAccepted("OUCH01")
        ouch.send(OUCHEnterOrder.limit(1, OUCHSide.sell, 100, "AAPL", 1_000_000))
        guard case .orderAccepted = ouch.nextMessage() else { return XCTFail("\(mode): no Order Accepted") }
        ouch.send(OUCHEnterOrder.limit(2, OUCHSide.sell, 100, "MSFT", 2_000_000))
        guard case .orderAccepted = ouch.nextMessage() else { return XCTFail("\(mode): no Order Accepted") }

        let fix = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT2")
        fix.logon()
        XCTAssertNotNil(fix.expect("A"), "\(mode)")
        fix.send("D", [(11, "BUY-1"), (55, "AAPL"), (54, "1"), (60, "20261121-12:00:00.000"), (38, "100"),
                       (40, "2"), (44, "100"), (59, "0")])
        XCTAssertEqual(fix.expect("8")?[150], "0", "\(mode): FIX order acknowledged")
        XCTAssertEqual(fix.expect("8")?[150], "F", "\(mode): and filled against the OUCH order")
        guard case .orderExecuted = ouch.nextMessage() else { return XCTFail("\(mode): the OUCH side heard of its fill") }
        XCTAssertNil(gateway.stop())
        XCTAssertFalse(threadNames().contains { threads.contains($0) && $0 != "cift-engine" && $0 != "cift-journal" },
                       "\(mode): the mode's threads ended with the stop")

        // The resting MSFT order survived the stop: another account trades with it.
        let again = try GatewayServer(configuration: c)
        defer { again.stop() }
        let client = try OUCHTestClient(port: again.ouchPort)
        client.loginAccepted("OUCH02")
        client.send(OUCHEnterOrder.limit(3, OUCHSide.buy, 100, "MSFT", 2_000_000))
        guard case .orderAccepted = client.nextMessage() else { return XCTFail("\(mode): no Order Accepted after restart") }
        guard case .orderExecuted = client.nextMessage() else { return XCTFail("\(mode): the resting order was lost") }
    }

    /// One command with more events than the engine's pending queue and the outbound and
    /// market-data rings hold (end of day over 300 resting orders; queue and rings of 64):
    /// the engine waits for its consumers in the middle of the command, and where they
    /// run on its own thread it runs them from inside the wait. Every cancel arrives, in
    /// every mode (before, `shared` would spin forever waiting for itself).
    func testACommandWithMoreEventsThanTheQueuesHoldCompletesInEveryMode() throws {
        for mode in ThreadingMode.allCases {
            var c = testGatewayConfiguration(directory, dataDirectory: directory + "/queues-\(mode.rawValue)")
            c.threading.mode = mode
            c.engine.pendingEventCapacity = 64
            c.engine.outboundRingCapacity = 64
            let gateway = try GatewayServer(configuration: c)
            defer { gateway.stop() }
            let client = try OUCHTestClient(port: gateway.ouchPort)
            client.loginAccepted("OUCH01")
            let orders = 300
            for i in 1...orders {
                client.send(OUCHEnterOrder.limit(UInt32(i), OUCHSide.buy, 100, "AAPL", UInt64(1_000_000 - i * 100)))
                guard case .orderAccepted = client.nextMessage() else { return XCTFail("\(mode): order \(i) not accepted") }
            }
            XCTAssertTrue(gateway.endTradingDay())
            var canceled = Set<UInt32>()
            for _ in 1...orders {
                guard case .orderCanceled(let cancel) = client.nextMessage() else { return XCTFail("\(mode): a cancel is missing") }
                canceled.insert(cancel.userRefNum)
            }
            XCTAssertEqual(canceled.count, orders, "\(mode)")
            guard case .systemEvent = client.nextMessage() else { return XCTFail("\(mode): then the System Event") }
            XCTAssertNil(gateway.stop(), "\(mode)")
        }
    }

    func testDedicatedRunsAThreadPerStage() throws {
        try run(.dedicated, expect: ["cift-io-0", "cift-engine", "cift-journal", "cift-marketdata", "cift-shm-bridge", "cift-snapshot"],
                absent: ["cift-gateway", "cift-engine-io", "cift-stages"])
    }

    func testSplitRunsNetworkWithEngineAndTheRestTogether() throws {
        try run(.split, expect: ["cift-engine-io", "cift-stages", "cift-snapshot"],
                absent: ["cift-gateway", "cift-io-0", "cift-engine", "cift-journal", "cift-marketdata", "cift-shm-bridge"])
    }

    func testSharedRunsEveryStageOnOneThread() throws {
        try run(.shared, expect: ["cift-gateway", "cift-snapshot"],
                absent: ["cift-io-0", "cift-engine", "cift-journal", "cift-marketdata", "cift-shm-bridge", "cift-engine-io", "cift-stages"])
    }
}
