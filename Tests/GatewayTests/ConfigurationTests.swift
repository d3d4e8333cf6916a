import Gateway
import GatewayCore
import XCTest

final class ConfigurationTests: XCTestCase {
    func testEmbeddedDefaultIsTheDesignedVenue() {
        let c = GatewayConfiguration.embeddedDefault
        XCTAssertEqual(c.fix.listen.description, "127.0.0.1:9878")
        XCTAssertEqual(c.fix.compID, "CIFT")
        XCTAssertEqual(c.ouch.listen.description, "127.0.0.1:9879")
        XCTAssertEqual(c.marketData.group.description, "239.192.0.1:31001")
        XCTAssertEqual(c.marketData.ttl, 1)
        XCTAssertEqual(c.marketData.retransmission.description, "127.0.0.1:31002")
        XCTAssertEqual(c.marketData.snapshot.description, "127.0.0.1:9880")
        XCTAssertEqual(c.sharedMemory.signalsPath, "/dev/shm/cift-signals")
        XCTAssertEqual(c.sharedMemory.fillsPath, "/dev/shm/cift-fills")
        XCTAssertEqual(c.dataDirectory, "./var")
        XCTAssertEqual(c.symbols.map(\.name), ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "SPY"])
        XCTAssertTrue(c.symbols.allSatisfy { $0.tick == Price(raw: 100) && $0.lot == 100 })
        XCTAssertEqual(c.symbolIndex(named: "AAPL"), 1)
        XCTAssertEqual(c.symbolIndex(named: "SPY"), 8)
        XCTAssertEqual(c.fix.sessions.map(\.senderCompID), ["CLIENT1", "CLIENT2", "CLIENT3", "CLIENT4"])
        XCTAssertEqual(c.fix.sessions.map(\.account), ["ACC1", "ACC2", "ACC3", "ACC4"])
        XCTAssertEqual(c.ouch.users.map(\.username), ["OUCH01", "OUCH02", "OUCH03", "OUCH04"])
        XCTAssertEqual(c.ouch.users.map(\.account), ["ACC1", "ACC2", "ACC3", "ACC4"])
        XCTAssertTrue(c.fix.sessions.allSatisfy { $0.password == "demo" } && c.ouch.users.allSatisfy { $0.password == "demo" })
        XCTAssertNoThrow(try c.validate())
    }

    func testEmptyFileIsTheDefault() throws {
        XCTAssertEqual(try GatewayConfiguration.parse(toml: ""), .embeddedDefault)
    }

    func testRenderedDefaultParsesBackToItself() throws {
        var c = GatewayConfiguration.embeddedDefault
        XCTAssertEqual(try GatewayConfiguration.parse(toml: c.renderTOML()), c)
        c.engine.core = nil
        c.journal.durability = .fsync
        c.accounts[1].selfTradePrevention = .cancelBoth
        c.symbols.append(.init(name: "BRK.A", tick: Price(raw: 10_000), lot: 1))
        c.fix.sessionStartSecondsUTC = 8 * 3600 + 30 * 60
        c.fix.sessionEndSecondsUTC = 17 * 3600
        c.fix.maxLatencySeconds = 0
        XCTAssertEqual(try GatewayConfiguration.parse(toml: c.renderTOML()), c)
    }

    func testFIXSessionHoursAndSendingTimeTolerance() throws {
        let d = GatewayConfiguration.embeddedDefault
        XCTAssertNil(d.fix.sessionStartSecondsUTC)
        XCTAssertEqual(d.fix.maxLatencySeconds, 120)
        let c = try GatewayConfiguration.parse(toml: """
            [fix]
            session_start = "22:00:00"
            session_end = "21:00"
            max_latency_seconds = 30
            """)
        XCTAssertEqual(c.fix.sessionStartSecondsUTC, 22 * 3600)
        XCTAssertEqual(c.fix.sessionEndSecondsUTC, 21 * 3600)
        XCTAssertEqual(c.fix.maxLatencySeconds, 30)
        XCTAssertTrue(c.startupSummary().contains("sessions 22:00:00-21:00:00 UTC"), c.startupSummary())
    }

    func testOverridesKeepTheOtherDefaults() throws {
        let c = try GatewayConfiguration.parse(toml: """
            data_dir = "/srv/cift"
            [engine]
            core = 0
            wait_strategy = "busy-spin"
            [journal]
            durability = "fsync"
            [[symbols]]
            name = "XYZ"
            tick = "0.05"
            lot = 10
            [[accounts]]
            name = "ACC1"
            self_trade_prevention = "cancel-oldest"
            [fix]
            [[fix.sessions]]
            sender_comp_id = "BROKER"
            account = "ACC1"
            password = "s3cret"
            cancel_on_disconnect = false
            [ouch]
            [[ouch.users]]
            username = "BRK1"
            account = "ACC1"
            password = "pw"
            """)
        XCTAssertEqual(c.dataDirectory, "/srv/cift")
        XCTAssertEqual(c.engine.core, 0)
        XCTAssertEqual(c.engine.waitStrategy, .busySpin)
        XCTAssertEqual(c.engine.maxOrders, GatewayConfiguration.embeddedDefault.engine.maxOrders)
        XCTAssertEqual(c.journal.durability, .fsync)
        XCTAssertEqual(c.symbols, [.init(name: "XYZ", tick: Price(raw: 500), lot: 10)])
        XCTAssertEqual(c.accounts, [.init(name: "ACC1", selfTradePrevention: .cancelOldest)])
        XCTAssertEqual(c.fix.sessions, [.init(senderCompID: "BROKER", account: "ACC1", password: "s3cret", cancelOnDisconnect: false)])
        XCTAssertEqual(c.fix.listen, GatewayConfiguration.embeddedDefault.fix.listen)
        XCTAssertEqual(c.ouch.users.map(\.username), ["BRK1"])
    }

    /// The engine and the journal park at once by default (a spinning thread holds a core
    /// the other threads need on a 2-core machine); the bridge spins after Python's
    /// records, because Python cannot wake it. Each count is its own key.
    func testEachWaitingThreadHasItsOwnSpinCount() throws {
        let d = GatewayConfiguration.embeddedDefault
        XCTAssertEqual([d.engine.spinCount, d.journal.spinCount, d.sharedMemory.spinCount], [0, 0, 2_000])
        let c = try GatewayConfiguration.parse(toml: """
            [engine]
            spin_count = 5000
            [journal]
            spin_count = 300
            [shared_memory]
            spin_count = 0
            """)
        XCTAssertEqual([c.engine.spinCount, c.journal.spinCount, c.sharedMemory.spinCount], [5_000, 300, 0])
        XCTAssertEqual(d.journal.writer, .journalThread)
        XCTAssertEqual([d.sharedMemory.pollIntervalMicroseconds, d.sharedMemory.idlePollIntervalMicroseconds, d.sharedMemory.idleAfterMilliseconds], [100, 2_000, 1_000])
        // A poll interval above the idle default raises the idle one with it.
        XCTAssertEqual(try GatewayConfiguration.parse(toml: "[shared_memory]\npoll_interval_us = 5000").sharedMemory.idlePollIntervalMicroseconds, 5_000)
        XCTAssertEqual(try GatewayConfiguration.parse(toml: "[journal]\nwriter = \"engine-thread\"").journal.writer, .engineThread)
        for (section, key) in [("engine", "engine.spin_count"), ("journal", "journal.spin_count"), ("shared_memory", "shared_memory.spin_count")] {
            XCTAssertThrowsError(try GatewayConfiguration.parse(toml: "[\(section)]\nspin_count = -1")) { error in
                XCTAssertEqual((error as? ConfigurationError)?.key, key)
            }
        }
    }

    /// Every refusal names the key, the value and what was expected.
    func testRefusalsNameKeyValueAndExpectation() {
        let cases: [(String, String, String, String)] = [
            ("colour = 1", "colour", "1", "no such key"),
            ("[engine]\nmax_order = 5", "engine.max_order", "5", "no such key"),
            ("[engine]\ncore = \"one\"", "engine.core", "\"one\"", "an integer"),
            ("[engine]\ncore = -2", "engine.core", "-2", "an integer from -1"),
            ("[engine]\nwait_strategy = \"nap\"", "engine.wait_strategy", "\"nap\"", "\"busy-spin\", \"spin-yield\" or \"spin-park\""),
            ("[engine]\ninbound_ring_capacity = 1000", "engine.inbound_ring_capacity", "1000", "a power of two"),
            ("[journal]\ndurability = \"always\"", "journal.durability", "\"always\"", "\"write\" or \"fsync\""),
            ("[fix]\nlisten = \"localhost\"", "fix.listen", "\"localhost\"", "\"a.b.c.d:port\""),
            ("[fix]\nlisten = \"10.0.0.1:9878\"", "fix.listen", "\"10.0.0.1:9878\"", "a loopback address"),
            ("[ouch]\nlisten = \"192.168.1.1:9879\"", "ouch.listen", "\"192.168.1.1:9879\"", "a loopback address"),
            ("[[symbols]]\nname = \"AAPL\"\ntick = \"0.001234\"", "symbols[0].tick", "\"0.001234\"", "at most 4 decimals"),
            ("[[symbols]]\nname = \"TOOLONGNAME\"", "symbols[0].name", "\"TOOLONGNAME\"", "1 to 8"),
            ("[[symbols]]\nname = \"A\"\n[[symbols]]\nname = \"A\"", "symbols[1]", "\"A\"", "a name not used before"),
            ("[[symbols]]\nlot = 100", "symbols[0].name", "(missing)", "a non-empty string"),
            ("[[accounts]]\nname = \"X\"\nself_trade_prevention = \"none\"", "accounts[0].self_trade_prevention", "\"none\"", "\"cancel-newest\""),
            ("[[accounts]]\nname = \"X\"", "fix.sessions[0].account", "\"ACC1\"", "one of the [[accounts]] names"),
            ("[market_data]\nsession = \"SHORT\"", "market_data.session", "\"SHORT\"", "exactly 10 printable"),
            ("[[ouch.users]]\nusername = \"TOOLONGUSER\"\naccount = \"ACC1\"\npassword = \"x\"", "ouch.users[0].username", "\"TOOLONGUSER\"", "1 to 6"),
            ("[fix]\nsession_start = \"08:00\"", "fix.session_end", "\"\"", "both, or neither"),
            ("[fix]\nsession_start = \"8am\"\nsession_end = \"17:00\"", "fix.session_start", "\"8am\"", "\"HH:MM:SS\" in UTC"),
            ("[fix]\nmax_latency_seconds = -1", "fix.max_latency_seconds", "-1", "an integer from 0"),
            ("[journal]\nwriter = \"main\"", "journal.writer", "\"main\"", "\"journal-thread\" or \"engine-thread\""),
            ("[shared_memory]\npoll_interval_us = 500\nidle_poll_interval_us = 100", "shared_memory.idle_poll_interval_us", "100", "an integer from 500"),
            ("[journal]\ndurability = \"fsync\"\nwriter = \"engine-thread\"", "journal.writer", "\"engine-thread\"", "with durability = \"fsync\""),
            ("[engine", "(file)", "line 1", "valid TOML"),
        ]
        for (toml, key, value, expected) in cases {
            XCTAssertThrowsError(try GatewayConfiguration.parse(toml: toml), toml) { error in
                guard let e = error as? ConfigurationError else { return XCTFail("\(toml): \(error)") }
                XCTAssertEqual(e.key, key, toml)
                XCTAssertTrue(e.value.hasPrefix(value), "\(toml): value \(e.value)")
                XCTAssertTrue(e.expected.contains(expected), "\(toml): expected \(e.expected)")
                XCTAssertTrue(e.description.contains(key) && e.description.contains(expected))
            }
        }
    }

    func testNonLoopbackIsFineWithoutDemoPasswords() throws {
        let c = try GatewayConfiguration.parse(toml: """
            [fix]
            listen = "10.1.2.3:9878"
            [[fix.sessions]]
            sender_comp_id = "BROKER"
            account = "ACC1"
            password = "long-secret"
            """)
        XCTAssertEqual(c.fix.listen.host, "10.1.2.3")
        XCTAssertFalse(c.fix.listen.isLoopback)
    }

    func testStartupSummaryListsEverythingAnOperatorNeeds() {
        let text = GatewayConfiguration.embeddedDefault.startupSummary()
        for needle in ["127.0.0.1:9878", "CompID CIFT", "127.0.0.1:9879", "239.192.0.1:31001", "127.0.0.1:31002", "127.0.0.1:9880",
                       "/dev/shm/cift-signals", "CLIENT4 -> CIFT  account ACC4  password demo", "OUCH02  account ACC2", "8       SPY"] {
            XCTAssertTrue(text.contains(needle), "summary mentions \(needle):\n\(text)")
        }
        var c = GatewayConfiguration.embeddedDefault
        c.fix.sessions[0].password = "s3cret"
        XCTAssertFalse(c.startupSummary().contains("s3cret"), "real passwords are never printed")
    }
}
