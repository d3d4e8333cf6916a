import Foundation
import XCTest

/// Interop with an independent FIX engine: a QuickFIX C++ initiator
/// (Tests/InteropTests/quickfix-initiator/initiator.cpp, built with g++ against Debian's
/// libquickfix-dev at test time) logs two sessions on to the real `cift-gateway run` process,
/// with QuickFIX validating every message the gateway sends against our
/// fix-dictionaries/FIX44.xml (UseDataDictionary=Y), trades between them, replaces and
/// cancels, and logs out. QuickFIX must reject nothing the gateway sent.
final class QuickFIXInteropTests: XCTestCase {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let initiatorSource = checkout.appendingPathComponent("Tests/InteropTests/quickfix-initiator/initiator.cpp").path

    /// Compiles the initiator into `dir`; fails the test with the compiler's output if it does not build.
    static func buildInitiator(in dir: String) throws -> String? {
        let output = dir + "/initiator"
        guard let compiler = ["/usr/bin/g++", "/usr/bin/c++"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            XCTFail("g++ is not installed")
            return nil
        }
        // Debian's QuickFIX 1.15.1 headers use dynamic exception specifications, which C++17 refuses.
        let gxx = try ChildProcess(path: compiler, arguments: [
            "-std=c++14", "-O1", "-DHAVE_SSL=1", Self.initiatorSource, "-o", output, "-lquickfix", "-lssl", "-lcrypto",
            "-lpthread"])
        let status = gxx.waitForExit(seconds: 300)
        guard status == 0 else {
            XCTFail("g++ failed (\(String(describing: status))): \(gxx.standardError)\n\(gxx.outputLines.joined(separator: "\n"))")
            return nil
        }
        return output
    }

    func startGateway(dir: String) throws -> (ChildProcess, Int)? {
        let config = dir + "/gateway.toml"
        try testGatewayTOML(dir).write(toFile: config, atomically: true, encoding: .utf8)
        let gateway = try ChildProcess(executable: "cift-gateway", arguments: ["run", "--config", config, "--data-dir", dir + "/data"])
        XCTAssertTrue(waitForStderr(gateway, "ready", seconds: 60), gateway.standardError)
        let log = gateway.standardError
        guard let range = log.range(of: #"FIX 4\.4 on 127\.0\.0\.1:(\d+)"#, options: .regularExpression),
              let port = Int(log[range].split(separator: ":").last!) else {
            XCTFail("the gateway prints the FIX port: \(log)")
            return nil
        }
        return (gateway, port)
    }

    func testQuickFIXInitiatorLogsOnTradesCancelsAndLogsOut() throws {
        let dir = makeTemporaryDirectory("quickfix")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard let initiator = try Self.buildInitiator(in: dir) else { return }
        guard let (gateway, port) = try startGateway(dir: dir) else { return }

        try FileManager.default.createDirectory(atPath: dir + "/qf", withIntermediateDirectories: true)
        let client = try ChildProcess(path: initiator, arguments: [String(port), "full", fixDictionaryPath, dir + "/qf"])
        let status = client.waitForExit(seconds: 90)
        let lines = client.outputLines
        let transcript = lines.joined(separator: "\n") + "\n" + client.standardError
        XCTAssertEqual(status, 0, transcript)

        func saw(_ prefix: String) { XCTAssertTrue(lines.contains { $0.hasPrefix(prefix) }, "expected \(prefix):\n\(transcript)") }
        saw("LOGON CLIENT1")
        saw("LOGON CLIENT2")
        saw("EXEC CLIENT1 150=0 39=0 11=BUY-1 ")                         // resting buy accepted
        saw("EXEC CLIENT2 150=0 39=0 11=SELL-1 ")                        // crossing sell accepted
        saw("EXEC CLIENT1 150=F 39=1 11=BUY-1 41=- 32=100 31=150.25 151=200 14=100")
        saw("EXEC CLIENT2 150=F 39=2 11=SELL-1 41=- 32=100 31=150.25 151=0 14=100")
        saw("EXEC CLIENT1 150=5 39=1 11=RPL-1 41=BUY-1 ")                // replaced
        saw("EXEC CLIENT1 150=4 39=4 11=CXL-1 41=RPL-1 ")                // remainder canceled
        saw("LOGOUT CLIENT1")
        saw("LOGOUT CLIENT2")
        saw("DONE")
        // QuickFIX rejected nothing the gateway sent: no session Reject, no Logout of its own,
        // no reject event in its log, and the gateway rejected nothing QuickFIX sent.
        for bad in ["REJECT-SENT", "REJECT-RECEIVED", "LOGOUT-SENT-UNEXPECTED", "CANCEL-REJECT", "APP ", "TIMEOUT", "ERROR"] {
            XCTAssertFalse(lines.contains { $0.hasPrefix(bad) }, "\(bad):\n\(transcript)")
        }
        XCTAssertFalse(lines.contains { $0.lowercased().contains("reject") }, transcript)

        gateway.signal(SIGTERM)
        XCTAssertEqual(gateway.waitForExit(seconds: 30), 0, gateway.standardError)
        XCTAssertFalse(gateway.standardError.contains("reject"), gateway.standardError)
    }

    /// Runs one initiator scenario against the gateway on `port` with its FileStore in
    /// `qfDir`; asserts exit 0 and that QuickFIX rejected nothing and was rejected by nothing.
    func runScenario(_ initiator: String, port: Int, _ scenario: String, qfDir: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: qfDir, withIntermediateDirectories: true)
        let client = try ChildProcess(path: initiator, arguments: [String(port), scenario, fixDictionaryPath, qfDir])
        let status = client.waitForExit(seconds: 90)
        let lines = client.outputLines
        let transcript = lines.joined(separator: "\n") + "\n" + client.standardError
        XCTAssertEqual(status, 0, "\(scenario):\n\(transcript)")
        for bad in ["REJECT-SENT", "REJECT-RECEIVED", "LOGOUT-SENT-UNEXPECTED", "CANCEL-REJECT", "APP ", "TIMEOUT", "ERROR"] {
            XCTAssertFalse(lines.contains { $0.hasPrefix(bad) }, "\(scenario): \(bad):\n\(transcript)")
        }
        XCTAssertFalse(lines.contains { $0.lowercased().contains("reject") }, "\(scenario):\n\(transcript)")
        XCTAssertTrue(lines.contains("DONE"), "\(scenario):\n\(transcript)")
        return lines
    }

    func stopGateway(_ gateway: ChildProcess) {
        gateway.signal(SIGTERM)
        XCTAssertEqual(gateway.waitForExit(seconds: 30), 0, gateway.standardError)
        XCTAssertFalse(gateway.standardError.contains("reject"), gateway.standardError)
    }

    func assertSaw(_ lines: [String], _ prefix: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(lines.contains { $0.hasPrefix(prefix) }, "expected \(prefix):\n\(lines.joined(separator: "\n"))",
                      file: file, line: line)
    }

    /// Two resting orders, then OrderMassCancelRequest 530=7 (all orders of the account):
    /// OrderMassCancelReport 531=7 533=2 and an ExecutionReport 150=4 for each order.
    func testQuickFIXOrderMassCancel() throws {
        let dir = makeTemporaryDirectory("quickfix-mass")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard let initiator = try Self.buildInitiator(in: dir) else { return }
        guard let (gateway, port) = try startGateway(dir: dir) else { return }
        let lines = try runScenario(initiator, port: port, "masscancel", qfDir: dir + "/qf")
        assertSaw(lines, "EXEC CLIENT1 150=0 39=0 11=BUY-1 ")
        assertSaw(lines, "EXEC CLIENT1 150=0 39=0 11=BUY-2 ")
        assertSaw(lines, "MASS-CANCEL-REPORT CLIENT1 11=MC-1 530=7 531=7 533=2 ")
        assertSaw(lines, "EXEC CLIENT1 150=4 39=4 11=BUY-1 ")
        assertSaw(lines, "EXEC CLIENT1 150=4 39=4 11=BUY-2 ")
        // 530=1 for AAPL: the AAPL order is canceled, the MSFT one is not.
        assertSaw(lines, "MASS-CANCEL-REPORT CLIENT1 11=MC-2 530=1 531=1 533=1 ")
        assertSaw(lines, "EXEC CLIENT1 150=4 39=4 11=BUY-3 ")
        XCTAssertFalse(lines.contains { $0.hasPrefix("EXEC CLIENT1 150=4 39=4 11=BUY-4 ") }, lines.joined(separator: "\n"))
        stopGateway(gateway)
    }

    /// The initiator is killed (SIGKILL: no Logout) with an order resting; the gateway
    /// cancels it on the disconnect. A new initiator on the same FileStore logs on
    /// without 141, fetches the cancel it missed by ResendRequest (43=Y), and trades on.
    func testQuickFIXKilledInitiatorReconnectsAndRecoversWhatItMissed() throws {
        let dir = makeTemporaryDirectory("quickfix-killed")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard let initiator = try Self.buildInitiator(in: dir) else { return }
        guard let (gateway, port) = try startGateway(dir: dir) else { return }
        let qf = dir + "/qf"
        try FileManager.default.createDirectory(atPath: qf, withIntermediateDirectories: true)
        let doomed = try ChildProcess(path: initiator, arguments: [String(port), "hang", fixDictionaryPath, qf])
        XCTAssertTrue(doomed.waitFor(seconds: 60) { $0.contains("READY") }, doomed.outputLines.joined(separator: "\n"))
        XCTAssertTrue(doomed.outputLines.contains { $0.hasPrefix("EXEC CLIENT1 150=0 39=0 11=BUY-1 ") })
        doomed.signal(SIGKILL)
        _ = doomed.waitForExit(seconds: 30)
        usleep(500_000)  // the gateway sees the disconnect and cancels BUY-1

        let lines = try runScenario(initiator, port: port, "reconnect", qfDir: qf)
        assertSaw(lines, "LOGON CLIENT1")
        assertSaw(lines, "EXEC CLIENT1 150=4 39=4 11=BUY-1 ")
        assertSaw(lines, "EXEC CLIENT1 150=0 39=0 11=BUY-R ")
        stopGateway(gateway)
    }

    /// CLIENT1 skips five MsgSeqNums before an order: the gateway sends ResendRequest
    /// 7 = the first skipped number, 16=0; QuickFIX answers with SequenceReset-GapFill
    /// (123=Y, 36 = the order's number) and resends the order (43=Y), which is
    /// acknowledged, and a further order is acknowledged too.
    func testQuickFIXSequenceGapIsFilled() throws {
        let dir = makeTemporaryDirectory("quickfix-gap")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard let initiator = try Self.buildInitiator(in: dir) else { return }
        guard let (gateway, port) = try startGateway(dir: dir) else { return }
        let lines = try runScenario(initiator, port: port, "gap", qfDir: dir + "/qf")
        guard let skipped = lines.first(where: { $0.hasPrefix("SKIPPED CLIENT1 ") }) else {
            XCTFail("no SKIPPED line:\n\(lines.joined(separator: "\n"))")
            return
        }
        let range = skipped.dropFirst("SKIPPED CLIENT1 ".count).components(separatedBy: "..")
        guard range.count == 2, let first = Int(range[0]), let last = Int(range[1]) else {
            XCTFail(skipped)
            return
        }
        assertSaw(lines, "RESEND-RECEIVED CLIENT1 ")
        assertSaw(lines, "RESEND-RECEIVED CLIENT1 34=")
        XCTAssertTrue(lines.contains { $0.hasPrefix("RESEND-RECEIVED CLIENT1 ") && $0.hasSuffix(" 7=\(first) 16=0") },
                      lines.joined(separator: "\n"))
        assertSaw(lines, "SEQRESET-SENT CLIENT1 34=\(first) 123=Y 36=\(last + 1)")
        assertSaw(lines, "EXEC CLIENT1 150=0 39=0 11=BUY-2 ")
        assertSaw(lines, "EXEC CLIENT1 150=0 39=0 11=BUY-3 ")
        XCTAssertFalse(lines.contains { $0.hasPrefix("RESEND-RECEIVED CLIENT2") }, lines.joined(separator: "\n"))
        stopGateway(gateway)
    }

    /// The initiator logs out and exits; a new initiator process with the same FileStore
    /// logs on without ResetSeqNumFlag: both Logons carry continued MsgSeqNums (> 1), and
    /// an order is acknowledged.
    func testQuickFIXReconnectsWithPersistedSequenceNumbers() throws {
        let dir = makeTemporaryDirectory("quickfix-reconnect")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard let initiator = try Self.buildInitiator(in: dir) else { return }
        guard let (gateway, port) = try startGateway(dir: dir) else { return }
        let first = try runScenario(initiator, port: port, "logon", qfDir: dir + "/qf")
        assertSaw(first, "LOGON-RECEIVED CLIENT1 34=1 ")
        assertSaw(first, "EXEC CLIENT1 150=0 39=0 11=BUY-1 ")
        let second = try runScenario(initiator, port: port, "reconnect", qfDir: dir + "/qf")
        func number(_ prefix: String) -> Int? {
            guard let line = second.first(where: { $0.hasPrefix(prefix) }),
                  let field = line.split(separator: " ").first(where: { $0.hasPrefix("34=") }) else { return nil }
            return Int(field.dropFirst(3))
        }
        let sent = number("LOGON-SENT CLIENT1 "), received = number("LOGON-RECEIVED CLIENT1 ")
        XCTAssertGreaterThan(sent ?? 0, 1, second.joined(separator: "\n"))
        XCTAssertGreaterThan(received ?? 0, 1, second.joined(separator: "\n"))
        XCTAssertTrue(second.contains { $0.hasPrefix("LOGON-SENT CLIENT1 ") && $0.hasSuffix(" 141=-") }, second.joined(separator: "\n"))
        XCTAssertTrue(second.contains { $0.hasPrefix("LOGON-RECEIVED CLIENT1 ") && $0.hasSuffix(" 141=-") }, second.joined(separator: "\n"))
        assertSaw(second, "LOGON CLIENT1")
        assertSaw(second, "LOGON CLIENT2")
        assertSaw(second, "EXEC CLIENT1 150=0 39=0 11=BUY-R ")
        stopGateway(gateway)
    }
}
