import Foundation
import Gateway
import GatewayCore
import Journal
import Matching
import OUCH
import XCTest

/// Restart from an engine snapshot (specs/snapshots.md): the snapshot thread writes the
/// replayed state every few commands; a restart loads the newest and replays only the
/// journal after it, and ends where replaying the whole journal ends.
final class SnapshotRestartTests: XCTestCase {
    var directory = ""

    override func setUp() { directory = makeTemporaryDirectory("snapshots") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func configuration(every: Int = 40) -> GatewayConfiguration {
        var c = testGatewayConfiguration(directory, maxOrders: 5_000)
        c.journal.snapshotEveryCommands = every
        c.sharedMemory.enabled = false
        return c
    }

    func price(_ dollars: Double) -> UInt64 { UInt64((dollars * 10_000).rounded()) }

    /// The digest of an engine that replays the whole journal.
    func fullReplayDigest() throws -> UInt64 {
        let engine = try MatchingEngine(configuration: EngineConfiguration(gateway: configuration()))
        _ = try JournalReplay.replay(directory: directory + "/journal", into: engine, truncateCorruption: false)
        return engine.snapshotDigest()
    }

    /// Waits for a snapshot of at least `sequence`; returns the command it covers. (The
    /// snapshot thread writes one once it is `every` commands past the last, at the point
    /// the stores let it reach, so the sequence is not a multiple of `every`.)
    func waitForSnapshot(_ gateway: GatewayServer, after sequence: UInt64) -> UInt64? {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let last = gateway.snapshotsWritten.lastSequence, last >= sequence { return last }
            usleep(20_000)
        }
        return nil
    }

    func testARestartLoadsTheNewestSnapshotAndEndsWhereTheWholeJournalEnds() throws {
        // A FIX buyer partly filled by OUCH sellers, resting orders on both sides.
        var gateway = try GatewayServer(configuration: configuration())
        let fix = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1")
        fix.logon()
        XCTAssertNotNil(fix.expect("A"))
        fix.send("D", [(11, "BIG-1"), (55, "AAPL"), (54, "1"), (60, "20261121-12:00:00.000"), (38, "10000"), (40, "2"), (44, "150.00"), (59, "0")])
        XCTAssertEqual(fix.expect("8")?[150], "0")
        let seller = try OUCHTestClient(port: gateway.ouchPort)
        seller.loginAccepted("OUCH02")
        var snapshots: [UInt64] = []
        for round in 0..<3 {
            for ref in UInt32(round * 50 + 1)...UInt32(round * 50 + 50) {
                // Every tenth sells 100 into the FIX bid at 150.00; the rest rest above it.
                let dollars = ref % 10 == 0 ? 150.0 : 151.0 + Double(ref % 7)
                seller.send(OUCHEnterOrder.limit(ref, OUCHSide.sell, 100, "AAPL", price(dollars)))
                guard case .orderAccepted = seller.nextMessage() else { return XCTFail("order \(ref) not accepted") }
                if ref % 10 == 0 {
                    guard case .orderExecuted = seller.nextMessage() else { return XCTFail("order \(ref) not executed") }
                    XCTAssertEqual(fix.expect("8")?[150], "F")
                }
            }
            // Each round of 50 commands takes the replica past the next snapshot.
            guard let s = waitForSnapshot(gateway, after: (snapshots.last ?? 0) + 40) else {
                return XCTFail("no snapshot in round \(round): \(gateway.snapshotsWritten)")
            }
            snapshots.append(s)
        }
        XCTAssertNil(gateway.stop())
        let total = gateway.nextSequence - 1
        XCTAssertEqual(total, 151)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/snapshots").sorted()
        XCTAssertEqual(files.count, 2, "the newest two are kept: \(files)")
        let wholeJournal = try fullReplayDigest()
        XCTAssertEqual(gateway.engineDigestAfterStop, wholeJournal)

        // The restart loads the newest snapshot and replays only what follows it.
        gateway = try GatewayServer(configuration: configuration())
        XCTAssertEqual(gateway.loadedSnapshot?.sequence, snapshots.last)
        XCTAssertEqual(UInt64(gateway.recovery.commandCount), total - snapshots.last!)
        XCTAssertEqual(gateway.recovery.nextSequence, 152)
        // The FIX order table came back with the snapshot: the cancel of the partly filled
        // order reports its executions (CumQty 120, AvgPx 150.00, LeavesQty 0).
        let again = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1", firstSeqNum: fix.nextSeqNum)
        XCTAssertNotNil(again.logonAnsweringGaps())
        again.send("F", [(41, "BIG-1"), (11, "CXL-1"), (55, "AAPL"), (54, "1"), (60, "20261121-12:00:01.000")])
        let canceled = again.drain(idle: 1.0).first { $0[35] == "8" && $0[150] == "4" }
        XCTAssertEqual(canceled?[14], "1500")
        XCTAssertEqual(canceled?[6], "150")
        XCTAssertEqual(canceled?[151], "0")
        // OUCH: the UserRefNum high-water mark survived too (a reused one is ignored).
        let seller2 = try OUCHTestClient(port: gateway.ouchPort)
        seller2.login("OUCH02", sequence: 0)
        guard case .loginAccepted = seller2.next() else { return XCTFail("OUCH02 could not log in") }
        XCTAssertNil(gateway.stop())
        XCTAssertEqual(gateway.engineDigestAfterStop, try fullReplayDigest(), "the restart ends where the whole journal ends")
    }

    /// The snapshot thread runs at SCHED_IDLE: only on a core that would otherwise idle.
    func testTheSnapshotThreadRunsAtIdlePriority() throws {
        let gateway = try GatewayServer(configuration: configuration())
        defer { gateway.stop() }
        var policies: [Int] = []
        for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [] {
            let base = "/proc/self/task/\(task)/"
            guard (try? String(contentsOfFile: base + "comm", encoding: .utf8))?.hasPrefix("cift-snapshot") == true,
                  let stat = try? String(contentsOfFile: base + "stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")")
            else { continue }
            // Fields after the command name start at field 3; the policy is field 41.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 38, let policy = Int(fields[38]) { policies.append(policy) }
        }
        XCTAssertEqual(policies, [5], "one cift-snapshot thread, SCHED_IDLE (5)")
    }

    func testADamagedSnapshotOrAnotherConfigurationFallsBackToTheJournal() throws {
        var gateway = try GatewayServer(configuration: configuration(every: 10))
        let buyer = try OUCHTestClient(port: gateway.ouchPort)
        buyer.loginAccepted("OUCH01")
        var older: UInt64 = 0
        for ref in UInt32(1)...35 {
            buyer.send(OUCHEnterOrder.limit(ref, OUCHSide.buy, 100, "MSFT", price(100.0 + Double(ref % 5))))
            guard case .orderAccepted = buyer.nextMessage() else { return XCTFail() }
            if ref == 15 {
                older = try XCTUnwrap(waitForSnapshot(gateway, after: 10))
            }
        }
        XCTAssertNotNil(waitForSnapshot(gateway, after: older + 10))
        XCTAssertNil(gateway.stop())
        let digest = gateway.engineDigestAfterStop
        let newest = directory + "/snapshots/" + (try FileManager.default.contentsOfDirectory(atPath: directory + "/snapshots").sorted().last!)

        // A flipped byte in the newest: the older one is used instead.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: newest))
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: newest))
        var c = configuration(every: 0)
        gateway = try GatewayServer(configuration: c)
        XCTAssertEqual(gateway.loadedSnapshot?.sequence, older)
        XCTAssertEqual(UInt64(gateway.recovery.commandCount), 35 - older)
        XCTAssertNil(gateway.stop())
        XCTAssertEqual(gateway.engineDigestAfterStop, digest)

        // Another risk limit in the configuration: no snapshot holds what it builds, so the
        // whole journal is replayed.
        c.accounts[0].limits.maxOrderQuantity = 1_000_000
        gateway = try GatewayServer(configuration: c)
        XCTAssertNil(gateway.loadedSnapshot)
        XCTAssertEqual(gateway.recovery.commandCount, 35)
        XCTAssertNil(gateway.stop())

        // A journal that is not the one the snapshots were taken from: not used either.
        try FileManager.default.removeItem(atPath: directory + "/journal")
        gateway = try GatewayServer(configuration: configuration(every: 0))
        XCTAssertNil(gateway.loadedSnapshot)
        XCTAssertEqual(gateway.recovery.commandCount, 0)
        XCTAssertNil(gateway.stop())
    }
}
