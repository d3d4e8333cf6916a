import Gateway
import Foundation
import XCTest

/// `cift-gateway run` as an operator starts it: a real process, real files, real signals.
final class GatewayRunTests: XCTestCase {
    func testStartsOnTheEmbeddedDefaultAndStopsCleanlyOnSIGTERM() throws {
        let dir = makeTemporaryDirectory("run")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let gateway = try ChildProcess(executable: "cift-gateway", arguments: ["run", "--data-dir", dir])
        XCTAssertTrue(gateway.waitFor(seconds: 60) { $0.contains { $0.contains("Symbol directory") } }, gateway.standardError)
        XCTAssertTrue(waitForStderr(gateway, "ready", seconds: 60), gateway.standardError)
        let out = gateway.outputLines.joined(separator: "\n")
        for (locate, symbol) in ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "SPY"].enumerated() {
            XCTAssertTrue(out.contains("\(locate + 1)       \(symbol)"), "symbol directory lists \(symbol) at locate \(locate + 1):\n\(out)")
        }
        for n in 1...4 {
            XCTAssertTrue(out.contains("CLIENT\(n) -> CIFT  account ACC\(n)  password demo"), out)
            XCTAssertTrue(out.contains("OUCH0\(n)  account ACC\(n)  password demo"), out)
        }
        XCTAssertTrue(out.contains("127.0.0.1:9878") && out.contains("127.0.0.1:9879") && out.contains("239.192.0.1:31001"), out)
        gateway.signal(SIGTERM)
        XCTAssertEqual(gateway.waitForExit(seconds: 30), 0, gateway.standardError)
        XCTAssertTrue(gateway.standardError.contains("stopped cleanly"), gateway.standardError)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/journal"), "the journal directory is created")
    }

    func testStopsCleanlyOnSIGINTToo() throws {
        let dir = makeTemporaryDirectory("sigint")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let gateway = try ChildProcess(executable: "cift-gateway", arguments: ["run", "--config", try freePortConfig(dir), "--data-dir", dir])
        XCTAssertTrue(waitForStderr(gateway, "ready", seconds: 60), gateway.standardError)
        gateway.signal(SIGINT)
        XCTAssertEqual(gateway.waitForExit(seconds: 30), 0, gateway.standardError)
    }

    func testRefusesASecondGatewayOnTheSameDataDirectory() throws {
        let dir = makeTemporaryDirectory("lock")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try freePortConfig(dir)
        let first = try ChildProcess(executable: "cift-gateway", arguments: ["run", "--config", config, "--data-dir", dir])
        XCTAssertTrue(waitForStderr(first, "ready", seconds: 60), first.standardError)
        let second = try ChildProcess(executable: "cift-gateway", arguments: ["run", "--config", config, "--data-dir", dir])
        XCTAssertNotEqual(second.waitForExit(seconds: 30), 0)
        XCTAssertTrue(second.standardError.contains("LOCK is held"), second.standardError)
        first.signal(SIGTERM)
        XCTAssertEqual(first.waitForExit(seconds: 30), 0)
    }

    func testRefusesABadConfigurationNamingKeyValueAndExpectation() throws {
        let dir = makeTemporaryDirectory("badconfig")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases: [(String, String)] = [
            ("[engine]\nwait_strategy = \"nap\"\n", "engine.wait_strategy = \"nap\": expected \"busy-spin\", \"spin-yield\" or \"spin-park\""),
            ("[engine]\ncore = 9999\n", "engine.core"),
            ("[journal]\ndurabilty = \"fsync\"\n", "journal.durabilty"),
            ("[fix]\nlisten = \"0.0.0.0:9878\"\n", "fix.listen = \"0.0.0.0:9878\": expected a loopback address"),
        ]
        for (i, (toml, message)) in cases.enumerated() {
            let path = dir + "/bad\(i).toml"
            try toml.write(toFile: path, atomically: true, encoding: .utf8)
            let gateway = try ChildProcess(executable: "cift-gateway", arguments: ["run", "--config", path, "--data-dir", dir + "/data\(i)"])
            XCTAssertNotEqual(gateway.waitForExit(seconds: 30), 0, toml)
            XCTAssertTrue(gateway.standardError.contains(message), "expected “\(message)” in: \(gateway.standardError)")
        }
    }

    /// `config` checks exactly what `run` refuses: each of these files is refused by both,
    /// with the same key named (before, `config` passed them all).
    func testConfigRefusesWhatRunRefusesWithTheSameKey() throws {
        let dir = makeTemporaryDirectory("configcheck")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        let cases: [(String, String)] = [
            ("[engine]\ncore = \(cores + 5)\n", "engine.core"),
            ("[fix]\nlisten = \"127.0.0.1:19555\"\n[ouch]\nlisten = \"127.0.0.1:19555\"\n", "ouch.listen"),
            ("[fix]\ndictionary = \"\(dir)/missing.xml\"\n", "fix.dictionary"),
            ("[[ouch.users]]\nusername = \"OUCH09\"\npassword = \" lead\"\naccount = \"ACC1\"\n", "ouch.users[0].password"),
        ]
        for (i, (toml, key)) in cases.enumerated() {
            let path = dir + "/bad\(i).toml"
            try (toml + "[market_data]\nretransmission = \"127.0.0.1:0\"\nsnapshot = \"127.0.0.1:0\"\n")
                .write(toFile: path, atomically: true, encoding: .utf8)
            let check = try ChildProcess(executable: "cift-gateway", arguments: ["config", "--config", path])
            XCTAssertNotEqual(check.waitForExit(seconds: 30), 0, "config passed: \(toml)")
            XCTAssertTrue(check.standardError.contains(key), "config: expected \(key) in: \(check.standardError)")
            let run = try ChildProcess(executable: "cift-gateway", arguments: ["run", "--config", path, "--data-dir", dir + "/data\(i)"])
            XCTAssertNotEqual(run.waitForExit(seconds: 30), 0, "run started: \(toml)")
            XCTAssertTrue(run.standardError.contains(key), "run: expected \(key) in: \(run.standardError)")
        }
    }

    /// Started from a directory that is not the checkout, the default dictionary
    /// (`fix-dictionaries/FIX44.xml`, relative) is found beside the build.
    func testTheDefaultDictionaryIsFoundFromAnotherDirectory() throws {
        let dir = makeTemporaryDirectory("elsewhere")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let checker = try ChildProcess(executable: "cift-gateway", arguments: ["config"], workingDirectory: dir)
        XCTAssertEqual(checker.waitForExit(seconds: 30), 0, checker.standardError)
    }

    func testCoreThatDoesNotExistIsAStartUpErrorNamingIt() throws {
        let dir = makeTemporaryDirectory("core")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/core.toml"
        try "[engine]\ncore = 1000\n".write(toFile: path, atomically: true, encoding: .utf8)
        let gateway = try ChildProcess(executable: "cift-gateway", arguments: ["run", "--config", path, "--data-dir", dir + "/data"])
        XCTAssertNotEqual(gateway.waitForExit(seconds: 30), 0)
        XCTAssertTrue(gateway.standardError.contains("1000"), gateway.standardError)
    }

    func testConfigPrintsTheDefaultsAsAFileThatRunAccepts() throws {
        let dir = makeTemporaryDirectory("config")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let printer = try ChildProcess(executable: "cift-gateway", arguments: ["config"])
        XCTAssertEqual(printer.waitForExit(seconds: 30), 0, printer.standardError)
        let text = printer.outputLines.joined(separator: "\n") + "\n"
        XCTAssertTrue(text.contains("[[symbols]]") && text.contains("name = \"SPY\""), text)
        let path = dir + "/defaults.toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let checker = try ChildProcess(executable: "cift-gateway", arguments: ["config", "--config", path])
        XCTAssertEqual(checker.waitForExit(seconds: 30), 0, checker.standardError)
        XCTAssertEqual(checker.outputLines.joined(separator: "\n") + "\n", text)
    }

    func testHelpExplainsTheCommands() throws {
        let help = try ChildProcess(executable: "cift-gateway", arguments: ["--help"])
        XCTAssertEqual(help.waitForExit(seconds: 30), 0)
        let text = help.outputLines.joined(separator: "\n")
        for word in ["run", "journal", "config", "SIGTERM", "./var"] {
            XCTAssertTrue(text.contains(word), "help mentions \(word):\n\(text)")
        }
    }

    func testVersionIsPrinted() throws {
        let version = try ChildProcess(executable: "cift-gateway", arguments: ["--version"])
        XCTAssertEqual(version.waitForExit(seconds: 30), 0)
        XCTAssertEqual(version.outputLines.first, "cift-gateway \(GatewayVersion.current)")
    }
}

/// A configuration for a gateway a test runs as a child process: every listener on a
/// port the kernel picks (printed at start-up), the engine unpinned, the shared-memory
/// rings in `dir`, so tests never collide with each other or with a gateway someone runs
/// on the default ports. `group` puts the market-data feed on that multicast group.
/// The threading mode the integration tests run the gateway in: `CIFT_THREADING_MODE`
/// (scripts/run-tests.sh runs the gateway suites again in each mode), else `auto`.
let testThreadingMode = ProcessInfo.processInfo.environment["CIFT_THREADING_MODE"] ?? "auto"

func testGatewayTOML(_ dir: String, ouchPort: Int = 0, group: String? = nil) -> String {
    """
    [threading]
    mode = "\(testThreadingMode)"
    [engine]
    core = -1
    [ouch]
    listen = "127.0.0.1:\(ouchPort)"
    [fix]
    listen = "127.0.0.1:0"
    dictionary = "\(fixDictionaryPath)"
    [market_data]
    \(group.map { "group = \"\($0)\"\n" } ?? "")retransmission = "127.0.0.1:0"
    snapshot = "127.0.0.1:0"
    [shared_memory]
    signals = "\(dir)/cift-signals"
    fills = "\(dir)/cift-fills"

    """
}

/// A gateway configuration for a test that runs the gateway in its own process space:
/// the embedded default with every listener on a port the kernel picks, the engine
/// unpinned, `maxOrders` orders, and every file (data, shared-memory rings) under
/// `directory`, so tests never collide with each other or with a running gateway.
func testGatewayConfiguration(_ directory: String, dataDirectory: String? = nil, maxOrders: Int = 10_000) -> GatewayConfiguration {
    var c = GatewayConfiguration.embeddedDefault
    c.dataDirectory = dataDirectory ?? directory
    c.engine.core = nil
    c.threading.mode = ThreadingMode(rawValue: testThreadingMode)
    c.engine.maxOrders = maxOrders
    c.ouch.listen = ListenAddress(host: "127.0.0.1", port: 0)
    c.fix.listen = ListenAddress(host: "127.0.0.1", port: 0)
    c.fix.dictionary = fixDictionaryPath
    c.marketData.retransmission = ListenAddress(host: "127.0.0.1", port: 0)
    c.marketData.snapshot = ListenAddress(host: "127.0.0.1", port: 0)
    c.sharedMemory.signalsPath = directory + "/cift-signals"
    c.sharedMemory.fillsPath = directory + "/cift-fills"
    return c
}

/// `testGatewayTOML` written to `dir/free-port.toml`.
func freePortConfig(_ dir: String) throws -> String {
    let path = dir + "/free-port.toml"
    try testGatewayTOML(dir).write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

let fixDictionaryPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("fix-dictionaries/FIX44.xml").path

func waitForStderr(_ child: ChildProcess, _ text: String, seconds: Double) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if child.standardError.contains(text) { return true }
        if !child.process.isRunning { return child.standardError.contains(text) }
        usleep(20_000)
    }
    return false
}
