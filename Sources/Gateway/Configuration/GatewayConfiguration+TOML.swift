import FIX
import GatewayCore
import Journal
import MarketData
import Rings
import TOMLKit

extension GatewayConfiguration {
    /// Reads a TOML configuration on top of the embedded default. Unknown keys, wrong
    /// types and out-of-range values are refused with the key, the value and what was
    /// expected; so are configurations that contradict themselves (see ``validate()``).
    public static func parse(toml text: String) throws -> GatewayConfiguration {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(
                key: "(file)", value: "line \(error.source.begin.line), column \(error.source.begin.column)",
                expected: "valid TOML (\(error.description))")
        }
        var c = GatewayConfiguration()
        var top = TOMLSection(root, path: "")
        c.dataDirectory = try top.string("data_dir", default: c.dataDirectory)
        if c.dataDirectory.isEmpty {
            throw ConfigurationError(key: "data_dir", value: "\"\"", expected: "a directory path")
        }

        var engine = try top.section("engine")
        let core = try engine.int("core", default: c.engine.core ?? -1, range: -1...1023)
        c.engine.core = core < 0 ? nil : core
        c.engine.waitStrategy = try engine.choice("wait_strategy", default: c.engine.waitStrategy)
        c.engine.spinCount = try engine.int("spin_count", default: c.engine.spinCount, range: 0...100_000_000)
        c.engine.maxOrders = try engine.int("max_orders", default: c.engine.maxOrders, range: 1...(1 << 24))
        c.engine.maxPriceLevelsPerSide = try engine.int(
            "max_price_levels_per_side", default: c.engine.maxPriceLevelsPerSide, range: 1...(1 << 20))
        c.engine.inboundRingCapacity = try powerOfTwo(&engine, "inbound_ring_capacity", c.engine.inboundRingCapacity)
        c.engine.outboundRingCapacity = try powerOfTwo(&engine, "outbound_ring_capacity", c.engine.outboundRingCapacity)
        c.engine.pendingEventCapacity = try powerOfTwo(&engine, "pending_event_capacity", c.engine.pendingEventCapacity)
        c.engine.batchSize = try engine.int("batch_size", default: c.engine.batchSize, range: 1...65_536)
        try engine.finish()

        var session = try top.section("session")
        let endOfDay = try session.string("end_of_day", default: "")
        if !endOfDay.isEmpty {
            let parts = endOfDay.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
                let hours = Int(parts[0]), let minutes = Int(parts[1]), (0..<24).contains(hours), (0..<60).contains(minutes)
            else {
                throw ConfigurationError(
                    key: "session.end_of_day", value: "\"\(endOfDay)\"", expected: "\"HH:MM\" in UTC, or \"\" for none")
            }
            c.session.endOfDayMinutesUTC = hours * 60 + minutes
        }
        try session.finish()

        var network = try top.section("network")
        c.network.backend = try network.choice("backend", default: NetworkBackendSetting(c.network.backend)).backend
        c.network.maxConnections = try network.int("max_connections", default: c.network.maxConnections, range: 1...65_000)
        c.network.maxPendingLogins = try network.int(
            "max_pending_logins", default: min(c.network.maxPendingLogins, c.network.maxConnections), range: 1...65_000)
        c.network.maxPendingLoginsPerAddress = try network.int(
            "max_pending_logins_per_address", default: min(c.network.maxPendingLoginsPerAddress, c.network.maxPendingLogins),
            range: 1...65_000)
        c.network.loginFailuresBeforeLockout = try network.int(
            "login_failures_before_lockout", default: c.network.loginFailuresBeforeLockout, range: 1...1_000_000)
        c.network.loginLockoutMaxSeconds = try network.int(
            "login_lockout_max_seconds", default: c.network.loginLockoutMaxSeconds, range: 1...86_400)
        c.network.maxSendBufferBytes = try network.int(
            "max_send_buffer_bytes", default: c.network.maxSendBufferBytes, range: 4_096...(1 << 30))
        c.network.spinTurns = try network.int("spin_turns", default: c.network.spinTurns, range: 0...10_000_000)
        c.network.maxIdleWaitMilliseconds = try network.int(
            "max_idle_wait_ms", default: c.network.maxIdleWaitMilliseconds, range: 1...1_000)
        try network.finish()

        var threading = try top.section("threading")
        c.threading.mode = try threading.choice("mode", default: ThreadingModeSetting(c.threading.mode)).mode
        try threading.finish()

        var journal = try top.section("journal")
        c.journal.durability = try journal.choice("durability", default: c.journal.durability)
        c.journal.maxFileBytes = try journal.int(
            "max_file_bytes", default: c.journal.maxFileBytes, range: (1 << 16)...(1 << 40))
        c.journal.ringCapacity = try powerOfTwo(&journal, "ring_capacity", c.journal.ringCapacity)
        c.journal.waitStrategy = try journal.choice("wait_strategy", default: c.journal.waitStrategy)
        c.journal.spinCount = try journal.int("spin_count", default: c.journal.spinCount, range: 0...100_000_000)
        c.journal.writer = try journal.choice("writer", default: c.journal.writer)
        // An fdatasync per turn on the engine thread would stall matching for milliseconds.
        if c.journal.writer == .engineThread && c.journal.durability == .fsync {
            throw ConfigurationError(
                key: "journal.writer", value: "\"engine-thread\"",
                expected: "\"journal-thread\" with durability = \"fsync\" (group commit stays off the engine thread)")
        }
        c.journal.snapshotEveryCommands = try journal.int(
            "snapshot_every_commands", default: c.journal.snapshotEveryCommands, range: 0...1_000_000_000)
        c.journal.snapshotsKept = try journal.int("snapshots_kept", default: c.journal.snapshotsKept, range: 1...100)
        try journal.finish()

        var fix = try top.section("fix")
        c.fix.listen = try address(&fix, "listen", c.fix.listen)
        c.fix.compID = try fix.string("comp_id", default: c.fix.compID)
        c.fix.dictionary = try fix.string("dictionary", default: c.fix.dictionary)
        c.fix.maxLatencySeconds = try fix.int("max_latency_seconds", default: c.fix.maxLatencySeconds, range: 0...86_400)
        c.fix.logonTimeoutMilliseconds = try fix.int(
            "logon_timeout_ms", default: c.fix.logonTimeoutMilliseconds, range: 100...600_000)
        c.fix.maxMessagesPerSecond = try fix.int(
            "max_messages_per_second", default: c.fix.maxMessagesPerSecond, range: 0...10_000_000)
        let start = try fix.string("session_start", default: "")
        let end = try fix.string("session_end", default: "")
        if !start.isEmpty || !end.isEmpty {
            for (key, text) in [("session_start", start), ("session_end", end)]
            where FIXSessionSchedule.parseTimeOfDay(text) == nil {
                throw ConfigurationError(
                    key: "fix.\(key)", value: "\"\(text)\"",
                    expected: "\"HH:MM:SS\" in UTC (session_start and session_end both, or neither)")
            }
            c.fix.sessionStartSecondsUTC = FIXSessionSchedule.parseTimeOfDay(start)
            c.fix.sessionEndSecondsUTC = FIXSessionSchedule.parseTimeOfDay(end)
        }
        c.fix.messageLogDirectory = try fix.string("message_log_directory", default: c.fix.messageLogDirectory)
        let defaults = try fixSessionOptions(&fix, defaults: c.fix.sessionDefaults, isSession: false)
        c.fix.sessionDefaults = defaults
        if let sessions = try fix.tables("sessions") {
            c.fix.sessions = try sessions.map { s in
                var s = s
                let subject = try s.string("certificate_subject", default: "")
                var session = FIXSessionSettings(
                    senderCompID: try required(&s, "sender_comp_id"),
                    account: try required(&s, "account"),
                    password: try required(&s, "password"),
                    cancelOnDisconnect: try s.bool("cancel_on_disconnect", default: true),
                    certificateSubject: subject.isEmpty ? nil : subject)
                session.allowedAccounts = try s.strings("allowed_accounts") ?? []
                session.options = try fixSessionOptions(&s, defaults: defaults)
                try s.finish()
                return session
            }
        } else {
            c.fix.sessions = c.fix.sessions.map {
                var session = $0
                session.options = defaults
                return session
            }
        }
        try fix.finish()

        var ouch = try top.section("ouch")
        c.ouch.listen = try address(&ouch, "listen", c.ouch.listen)
        c.ouch.loginTimeoutMilliseconds = try ouch.int(
            "login_timeout_ms", default: c.ouch.loginTimeoutMilliseconds, range: 100...600_000)
        c.ouch.maxMessagesPerSecond = try ouch.int(
            "max_messages_per_second", default: c.ouch.maxMessagesPerSecond, range: 0...10_000_000)
        if let users = try ouch.tables("users") {
            c.ouch.users = try users.map { u in
                var u = u
                let subject = try u.string("certificate_subject", default: "")
                let user = OUCHUserSettings(
                    username: try required(&u, "username"),
                    account: try required(&u, "account"),
                    password: try required(&u, "password"),
                    cancelOnDisconnect: try u.bool("cancel_on_disconnect", default: true),
                    certificateSubject: subject.isEmpty ? nil : subject)
                try u.finish()
                return user
            }
        }
        try ouch.finish()

        var md = try top.section("market_data")
        c.marketData.group = try address(&md, "group", c.marketData.group)
        c.marketData.interface = try md.string("interface", default: c.marketData.interface)
        c.marketData.ttl = try md.int("ttl", default: c.marketData.ttl, range: 0...255)
        c.marketData.session = try md.string("session", default: c.marketData.session)
        c.marketData.retransmission = try address(&md, "retransmission", c.marketData.retransmission)
        c.marketData.snapshot = try address(&md, "snapshot", c.marketData.snapshot)
        c.marketData.maxPacketSize = try md.int("max_packet_size", default: c.marketData.maxPacketSize, range: 84...65_507)
        c.marketData.flushDelayMicroseconds = try md.int(
            "flush_delay_us", default: c.marketData.flushDelayMicroseconds, range: 0...1_000_000)
        c.marketData.retransmissionMaxMessages = try md.int(
            "retransmission_max_messages", default: c.marketData.retransmissionMaxMessages, range: 1...65_535)
        try md.finish()

        var tls = try top.section("tls")
        c.tls.fixListen = try address(&tls, "fix_listen", c.tls.fixListen)
        c.tls.ouchListen = try address(&tls, "ouch_listen", c.tls.ouchListen)
        c.tls.certificate = try tls.string("certificate", default: c.tls.certificate)
        c.tls.privateKey = try tls.string("private_key", default: c.tls.privateKey)
        c.tls.clientCA = try tls.string("client_ca", default: c.tls.clientCA)
        c.tls.ciphers = try tls.string("ciphers", default: c.tls.ciphers)
        c.tls.cipherSuites = try tls.string("ciphersuites", default: c.tls.cipherSuites)
        c.tls.handshakeTimeoutMilliseconds = try tls.int(
            "handshake_timeout_ms", default: c.tls.handshakeTimeoutMilliseconds, range: 100...600_000)
        if c.tls.certificate.isEmpty != c.tls.privateKey.isEmpty {
            throw ConfigurationError(
                key: c.tls.certificate.isEmpty ? "tls.certificate" : "tls.private_key", value: "\"\"",
                expected: "a PEM file: tls.certificate and tls.private_key go together (both empty: TLS off)")
        }
        try tls.finish()

        var shm = try top.section("shared_memory")
        c.sharedMemory.signalsPath = try shm.string("signals", default: c.sharedMemory.signalsPath)
        c.sharedMemory.fillsPath = try shm.string("fills", default: c.sharedMemory.fillsPath)
        c.sharedMemory.enabled = try shm.bool("enabled", default: c.sharedMemory.enabled)
        c.sharedMemory.capacity = try shm.int("capacity", default: c.sharedMemory.capacity, range: 16...(1 << 24))
        if c.sharedMemory.capacity & (c.sharedMemory.capacity - 1) != 0 {
            throw ConfigurationError(key: "shared_memory.capacity", value: String(c.sharedMemory.capacity), expected: "a power of two")
        }
        c.sharedMemory.strategyAccount = try shm.string("strategy_account", default: c.sharedMemory.strategyAccount)
        c.sharedMemory.waitStrategy = try shm.choice("wait_strategy", default: c.sharedMemory.waitStrategy)
        c.sharedMemory.spinCount = try shm.int("spin_count", default: c.sharedMemory.spinCount, range: 0...100_000_000)
        c.sharedMemory.pollIntervalMicroseconds = try shm.int(
            "poll_interval_us", default: c.sharedMemory.pollIntervalMicroseconds, range: 1...1_000_000)
        c.sharedMemory.idlePollIntervalMicroseconds = try shm.int(
            "idle_poll_interval_us", default: max(c.sharedMemory.idlePollIntervalMicroseconds, c.sharedMemory.pollIntervalMicroseconds),
            range: c.sharedMemory.pollIntervalMicroseconds...1_000_000)
        c.sharedMemory.idleAfterMilliseconds = try shm.int(
            "idle_after_ms", default: c.sharedMemory.idleAfterMilliseconds, range: 0...3_600_000)
        try shm.finish()

        if let symbols = try top.tables("symbols") {
            c.symbols = try symbols.map { s in
                var s = s
                let name: String = try required(&s, "name")
                let tickText = try s.string("tick", default: "0.01")
                guard let tick = Price(parsing: tickText), tick.raw > 0 else {
                    throw ConfigurationError(
                        key: s.keyPath("tick"), value: "\"\(tickText)\"",
                        expected: "a positive decimal price with at most 4 decimals, as a string (\"0.01\")")
                }
                let lot = try s.int("lot", default: 100, range: 1...1_000_000)
                let referenceText = try s.string("reference_price", default: "")
                var reference: Price?
                if !referenceText.isEmpty {
                    guard let price = Price(parsing: referenceText), price.raw > 0 else {
                        throw ConfigurationError(
                            key: s.keyPath("reference_price"), value: "\"\(referenceText)\"",
                            expected: "a positive decimal price with at most 4 decimals, as a string (\"150.00\")")
                    }
                    reference = price
                }
                try s.finish()
                return SymbolSettings(name: name, tick: tick, lot: UInt32(lot), referencePrice: reference)
            }
        }

        if let accounts = try top.tables("accounts") {
            c.accounts = try accounts.map { a in
                var a = a
                let name: String = try required(&a, "name")
                let stpText = try a.string("self_trade_prevention", default: "cancel-newest")
                guard let stp = SelfTradePrevention(configurationName: stpText) else {
                    throw ConfigurationError(
                        key: a.keyPath("self_trade_prevention"), value: "\"\(stpText)\"",
                        expected: "\"cancel-newest\", \"cancel-oldest\" or \"cancel-both\"")
                }
                var limits = RiskLimits()
                limits.maxOrderQuantity = Int64(try a.int("max_order_quantity", default: 0, range: 0...Int(Int64.max)))
                limits.maxOrderNotional = try amount(&a, "max_order_notional")
                limits.priceCollarBasisPoints = Int64(try a.int("price_collar_bps", default: 0, range: 0...1_000_000))
                limits.maxOpenOrders = Int64(try a.int("max_open_orders", default: 0, range: 0...Int(Int64.max)))
                limits.maxGrossPosition = Int64(try a.int("max_gross_position", default: 0, range: 0...Int(Int64.max)))
                limits.maxNetPosition = Int64(try a.int("max_net_position", default: 0, range: 0...Int(Int64.max)))
                limits.maxTotalExposure = try amount(&a, "max_total_exposure")
                let restricted = try a.strings("restricted_symbols") ?? []
                try a.finish()
                return AccountSettings(name: name, selfTradePrevention: stp, limits: limits, restrictedSymbols: restricted)
            }
        }
        try top.finish()
        try c.validate()
        return c
    }

    /// Checks that the parts agree with each other: names unique and known, symbol names
    /// that fit ITCH's 8 characters, and no demo password on a non-loopback listener.
    public func validate() throws {
        func unique(_ names: [String], _ key: String) throws {
            var seen = Set<String>()
            for (i, n) in names.enumerated() where !seen.insert(n).inserted {
                throw ConfigurationError(key: "\(key)[\(i)]", value: "\"\(n)\"", expected: "a name not used before")
            }
        }
        if symbols.isEmpty {
            throw ConfigurationError(key: "symbols", value: "[]", expected: "at least one symbol")
        }
        if symbols.count > Int(UInt16.max) || accounts.count > Int(UInt16.max) {
            throw ConfigurationError(key: "symbols/accounts", value: "too many", expected: "at most 65535 of each")
        }
        for (i, s) in symbols.enumerated() {
            let ok = (1...8).contains(s.name.utf8.count)
                && s.name.utf8.allSatisfy { (0x21...0x7E).contains($0) }
            if !ok {
                throw ConfigurationError(
                    key: "symbols[\(i)].name", value: "\"\(s.name)\"",
                    expected: "1 to 8 printable ASCII characters without spaces (ITCH Stock field)")
            }
        }
        try unique(symbols.map(\.name), "symbols")
        try unique(accounts.map(\.name), "accounts")
        try unique(fix.sessions.map(\.senderCompID), "fix.sessions")
        try unique(ouch.users.map { $0.username.uppercased() }, "ouch.users")
        let accountNames = Set(accounts.map(\.name))
        let symbolNames = Set(symbols.map(\.name))
        for (i, a) in accounts.enumerated() {
            for (j, s) in a.restrictedSymbols.enumerated() where !symbolNames.contains(s) {
                throw ConfigurationError(
                    key: "accounts[\(i)].restricted_symbols[\(j)]", value: "\"\(s)\"", expected: "one of the [[symbols]] names")
            }
        }

        for (i, s) in fix.sessions.enumerated() where !accountNames.contains(s.account) {
            throw ConfigurationError(
                key: "fix.sessions[\(i)].account", value: "\"\(s.account)\"", expected: "one of the [[accounts]] names")
        }
        for (i, s) in fix.sessions.enumerated() {
            for (j, name) in s.allowedAccounts.enumerated() where !accountNames.contains(name) {
                throw ConfigurationError(
                    key: "fix.sessions[\(i)].allowed_accounts[\(j)]", value: "\"\(name)\"",
                    expected: "one of the [[accounts]] names")
            }
        }
        for (i, u) in ouch.users.enumerated() {
            if !accountNames.contains(u.account) {
                throw ConfigurationError(
                    key: "ouch.users[\(i)].account", value: "\"\(u.account)\"", expected: "one of the [[accounts]] names")
            }
            if !(1...6).contains(u.username.utf8.count) {
                throw ConfigurationError(
                    key: "ouch.users[\(i)].username", value: "\"\(u.username)\"",
                    expected: "1 to 6 characters (SoupBinTCP Username)")
            }
            if !(1...10).contains(u.password.utf8.count) {
                throw ConfigurationError(
                    key: "ouch.users[\(i)].password", value: "(hidden)", expected: "1 to 10 characters (SoupBinTCP Password)")
            }
        }
        if !marketData.session.isEmpty && (marketData.session.utf8.count != 10 || MoldUDP64Session(marketData.session) == nil) {
            throw ConfigurationError(
                key: "market_data.session", value: "\"\(marketData.session)\"",
                expected: "exactly 10 printable ASCII characters (MoldUDP64 Session), or \"\" for CIFT + YYMMDD")
        }
        if !sharedMemory.strategyAccount.isEmpty && !accounts.contains(where: { $0.name == sharedMemory.strategyAccount }) {
            throw ConfigurationError(
                key: "shared_memory.strategy_account", value: "\"\(sharedMemory.strategyAccount)\"",
                expected: "one of the [[accounts]] names, or \"\" for the last one")
        }
        let demoPassword = "demo"
        let demoInForce = fix.sessions.contains { $0.password.lowercased() == demoPassword }
            || ouch.users.contains { $0.password.lowercased() == demoPassword }
        // The feed's request ports answer anyone who can reach them (retransmissions,
        // snapshots of the whole book): a demo setup keeps them on this machine too.
        for (key, address) in [("market_data.retransmission", marketData.retransmission), ("market_data.snapshot", marketData.snapshot)]
            where demoInForce && !address.isLoopback {
            throw ConfigurationError(key: key, value: "\"\(address)\"", expected: "a loopback address while demo passwords are configured")
        }
        if tls.isEnabled {
            for (key, address) in [("tls.fix_listen", tls.fixListen), ("tls.ouch_listen", tls.ouchListen)] where !address.isLoopback
                && (fix.sessions.contains { $0.password.lowercased() == demoPassword } || ouch.users.contains { $0.password.lowercased() == demoPassword }) {
                throw ConfigurationError(key: key, value: "\"\(address)\"", expected: "a loopback address while demo passwords are configured")
            }
        }
        if !fix.listen.isLoopback && fix.sessions.contains(where: { $0.password.lowercased() == demoPassword }) {
            throw ConfigurationError(
                key: "fix.listen", value: "\"\(fix.listen)\"",
                expected: "a loopback address (127.x.x.x) while a FIX session has the demo password")
        }
        if !ouch.listen.isLoopback && ouch.users.contains(where: { $0.password.lowercased() == demoPassword }) {
            throw ConfigurationError(
                key: "ouch.listen", value: "\"\(ouch.listen)\"",
                expected: "a loopback address (127.x.x.x) while an OUCH user has the demo password")
        }
    }

    private static func required(_ s: inout TOMLSection, _ key: String) throws -> String {
        let v = try s.string(key, default: "")
        if v.isEmpty {
            throw ConfigurationError(key: s.keyPath(key), value: "(missing)", expected: "a non-empty string")
        }
        return v
    }

    private static func powerOfTwo(_ s: inout TOMLSection, _ key: String, _ fallback: Int) throws -> Int {
        let v = try s.int(key, default: fallback, range: 2...(1 << 30))
        guard v & (v - 1) == 0 else {
            throw ConfigurationError(key: s.keyPath(key), value: String(v), expected: "a power of two")
        }
        return v
    }

    private static func address(_ s: inout TOMLSection, _ key: String, _ fallback: ListenAddress) throws -> ListenAddress {
        let text = try s.string(key, default: fallback.description)
        guard let a = ListenAddress(parsing: text) else {
            throw ConfigurationError(key: s.keyPath(key), value: "\"\(text)\"", expected: "\"a.b.c.d:port\" (IPv4 and a port from 0 to 65535; 0 picks a free port)")
        }
        return a
    }
}

/// A currency amount given as a decimal string ("1000000.00"), in 4-implied-decimal
/// units; absent or "0" is 0 (no limit).
func amount(_ section: inout TOMLSection, _ key: String) throws -> Int64 {
    let text = try section.string(key, default: "0")
    guard let value = Price(parsing: text), value.raw >= 0 else {
        throw ConfigurationError(
            key: section.keyPath(key), value: "\"\(text)\"",
            expected: "a non-negative decimal amount with at most 4 decimals, as a string (\"1000000.00\")")
    }
    return value.raw
}

/// The FIX validation and session options of `[fix]` (defaults) or one
/// `[[fix.sessions]]` entry (overrides), QuickFIX's names in snake_case.
private func fixSessionOptions(
    _ t: inout TOMLSection, defaults d: GatewayConfiguration.FIXSessionOptions, isSession: Bool = true
) throws
    -> GatewayConfiguration.FIXSessionOptions
{
    var o = d
    o.validateUserDefinedFields = try t.bool("validate_user_defined_fields", default: d.validateUserDefinedFields)
    o.allowUnknownMessageFields = try t.bool("allow_unknown_message_fields", default: d.allowUnknownMessageFields)
    o.validateFieldsOutOfOrder = try t.bool("validate_fields_out_of_order", default: d.validateFieldsOutOfOrder)
    o.rejectInvalidMessage = try t.bool("reject_invalid_message", default: d.rejectInvalidMessage)
    o.checkLatency = try t.bool("check_latency", default: d.checkLatency)
    o.resetOnLogon = try t.bool("reset_on_logon", default: d.resetOnLogon)
    o.resetOnLogout = try t.bool("reset_on_logout", default: d.resetOnLogout)
    o.resetOnDisconnect = try t.bool("reset_on_disconnect", default: d.resetOnDisconnect)
    o.refreshOnLogon = try t.bool("refresh_on_logon", default: d.refreshOnLogon)
    o.resendRequestChunkSize = try t.int("resend_request_chunk_size", default: d.resendRequestChunkSize, range: 0...1_000_000)
    o.messageLog = try t.bool("message_log", default: d.messageLog)
    // [fix] has its own max_latency_seconds (the acceptor-wide value); a session's
    // entry may set one for itself.
    if isSession {
        let seconds = try t.int("max_latency_seconds", default: -1, range: -1...86_400)
        if seconds >= 0 { o.maxLatencySeconds = seconds }
    }
    return o
}
