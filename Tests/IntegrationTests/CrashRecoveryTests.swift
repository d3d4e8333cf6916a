import Foundation
import XCTest

/// The journal's promise, tested the hard way: a real process is killed with SIGKILL in
/// the middle of a burst of orders, restarted on the same data directory, and every order
/// it had acknowledged is in the rebuilt books.
///
/// The drill's orders never cross (buys below 100.00, sells above), so every accepted order
/// stays on the book and "acknowledged" must imply "live after recovery".
/// Allowed outcomes: the rebuilt books may hold MORE orders than were acknowledged (commands
/// journaled whose acknowledgement had not left yet); never fewer.
final class CrashRecoveryTests: XCTestCase {
    struct Ack: Hashable {
        var account: Int
        var userReference: Int
    }

    func acks(_ lines: [String]) -> [Ack] {
        lines.compactMap { line in
            let f = line.split(separator: " ")
            guard f.count >= 3, f[0] == "ACK", let a = Int(f[1]), let u = Int(f[2]) else { return nil }
            return Ack(account: a, userReference: u)
        }
    }

    func live(_ lines: [String]) -> Set<Ack> {
        Set(lines.compactMap { line in
            let f = line.split(separator: " ")
            guard f.count >= 3, f[0] == "LIVE", let a = Int(f[1]), let u = Int(f[2]) else { return nil }
            return Ack(account: a, userReference: u)
        })
    }

    func killMidBurst(durability: String, dir: String, journalWriter: String = "journal-thread", oneThread: Bool = false) throws -> [Ack] {
        let drill = try ChildProcess(
            executable: "cift-crash-drill",
            arguments: ["--data-dir", dir, "--orders", "400000", "--durability", durability, "--journal-writer", journalWriter]
                + (oneThread ? ["--one-thread"] : []))
        // Wait for a good part of the burst to be acknowledged, then kill without warning.
        let sawEnough = drill.waitFor(seconds: 120) { self.acks($0).count >= 20_000 }
        XCTAssertTrue(sawEnough, "the drill acknowledged orders: \(drill.standardError)")
        drill.signal(SIGKILL)
        _ = drill.waitForExit(seconds: 30)
        XCTAssertEqual(drill.process.terminationReason, .uncaughtSignal)
        let acknowledged = acks(drill.outputLines)
        XCTAssertFalse(drill.outputLines.contains("DONE"), "the kill landed in the middle of the burst")
        // Killed by the test, not by a trap of its own before it.
        XCTAssertFalse(drill.standardError.contains("Fatal error"), drill.standardError)
        return acknowledged
    }

    func recoveredLiveOrders(dir: String) throws -> (Set<Ack>, String) {
        let restart = try ChildProcess(executable: "cift-crash-drill", arguments: ["--data-dir", dir, "--orders", "0", "--dump"])
        XCTAssertEqual(restart.waitForExit(seconds: 120), 0, restart.standardError)
        return (live(restart.outputLines), restart.standardError)
    }

    /// Kills a drill writing with `journalWriter` mid-burst; every acknowledged order is
    /// in the rebuilt books.
    func assertEveryAcknowledgedOrderSurvivesSIGKILL(
        journalWriter: String, oneThread: Bool = false, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let dir = makeTemporaryDirectory("crash-\(journalWriter)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let acknowledged = try killMidBurst(durability: "write", dir: dir, journalWriter: journalWriter, oneThread: oneThread)
        XCTAssertGreaterThanOrEqual(acknowledged.count, 20_000, file: file, line: line)
        let (rebuilt, log) = try recoveredLiveOrders(dir: dir)
        let missing = Set(acknowledged).subtracting(rebuilt)
        XCTAssertTrue(missing.isEmpty, "\(missing.count) acknowledged orders lost, e.g. \(Array(missing.prefix(5))); recovery said: \(log)",
                      file: file, line: line)
        XCTAssertGreaterThanOrEqual(rebuilt.count, acknowledged.count, file: file, line: line)
    }

    func testEveryAcknowledgedOrderSurvivesSIGKILL() throws {
        try assertEveryAcknowledgedOrderSurvivesSIGKILL(journalWriter: "journal-thread")
    }

    /// The same with the engine thread writing the journal itself (no journal thread).
    func testEveryAcknowledgedOrderSurvivesSIGKILLWhenTheEngineWritesTheJournal() throws {
        try assertEveryAcknowledgedOrderSurvivesSIGKILL(journalWriter: "engine-thread")
    }

    /// The engine and the journal writer in one duty cycle on one thread.
    func testEveryAcknowledgedOrderSurvivesSIGKILLWithTheJournalWriterOnTheEngineThread() throws {
        try assertEveryAcknowledgedOrderSurvivesSIGKILL(journalWriter: "journal-thread", oneThread: true)
    }

    func testEveryAcknowledgedOrderSurvivesSIGKILLInFsyncMode() throws {
        let dir = makeTemporaryDirectory("crash-fsync")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let acknowledged = try killMidBurst(durability: "fsync", dir: dir)
        let (rebuilt, log) = try recoveredLiveOrders(dir: dir)
        XCTAssertTrue(Set(acknowledged).isSubset(of: rebuilt), log)
    }

    /// A torn last record (the process died inside a write) is found, reported with its
    /// offset, truncated, and the gateway starts; `journal inspect` sees it first, without
    /// touching the file.
    func testTornLastRecordIsReportedAndTruncated() throws {
        let dir = makeTemporaryDirectory("torn")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let drill = try ChildProcess(executable: "cift-crash-drill", arguments: ["--data-dir", dir, "--orders", "1000"])
        XCTAssertEqual(drill.waitForExit(seconds: 120), 0, drill.standardError)
        XCTAssertEqual(acks(drill.outputLines).count, 1000)

        let journal = dir + "/journal"
        let files = try FileManager.default.contentsOfDirectory(atPath: journal).filter { $0.hasSuffix(".cjl") }.sorted()
        let last = journal + "/" + files.last!
        let size = try FileManager.default.attributesOfItem(atPath: last)[.size] as! Int
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: last))
        try handle.truncate(atOffset: UInt64(size - 37))  // cut into the last record
        try handle.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: last))

        let inspect = try ChildProcess(executable: "cift-gateway", arguments: ["journal", "inspect", journal])
        XCTAssertEqual(inspect.waitForExit(seconds: 60), 1, "inspect exits 1 when it finds damage")
        let report = inspect.outputLines.joined(separator: "\n")
        XCTAssertTrue(report.lowercased().contains("torn") || report.lowercased().contains("tail"), report)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: last)), before, "inspect never modifies the journal")

        let (rebuilt, log) = try recoveredLiveOrders(dir: dir)
        XCTAssertEqual(rebuilt.count, 999, "the torn record is dropped, the 999 before it are back")
        XCTAssertTrue(log.contains("truncated"), log)

        let clean = try ChildProcess(executable: "cift-gateway", arguments: ["journal", "inspect", journal])
        XCTAssertEqual(clean.waitForExit(seconds: 60), 0, clean.outputLines.joined(separator: "\n"))
    }
}
