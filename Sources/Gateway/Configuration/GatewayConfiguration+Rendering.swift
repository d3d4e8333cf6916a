import Foundation
import FIX
import GatewayCore

extension GatewayConfiguration {
    /// The configuration as a TOML file that ``parse(toml:)`` reads back to the same value:
    /// `cift-gateway config` prints it, so an operator can start from the defaults.
    public func renderTOML() -> String {
        func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var out: [String] = []
        out.append("# CIFT Gateway configuration. Every key is optional; absent keys take these defaults.")
        out.append("data_dir = \(q(dataDirectory))")
        out.append("")
        out.append("[threading]")
        out.append("mode = \(q(ThreadingModeSetting(threading.mode).rawValue))  # auto | dedicated | split | shared")
        out.append("")
        out.append("[engine]")
        out.append("core = \(engine.core ?? -1)  # -1: not pinned")
        out.append("wait_strategy = \(q(engine.waitStrategy.rawValue))  # busy-spin | spin-yield | spin-park")
        out.append("spin_count = \(engine.spinCount)")
        out.append("max_orders = \(engine.maxOrders)")
        out.append("max_price_levels_per_side = \(engine.maxPriceLevelsPerSide)")
        out.append("inbound_ring_capacity = \(engine.inboundRingCapacity)")
        out.append("outbound_ring_capacity = \(engine.outboundRingCapacity)")
        out.append("pending_event_capacity = \(engine.pendingEventCapacity)")
        out.append("batch_size = \(engine.batchSize)")
        out.append("")
        out.append("[session]")
        let endOfDay = session.endOfDayMinutesUTC.map { String(format: "%02d:%02d", $0 / 60, $0 % 60) } ?? ""
        out.append("end_of_day = \(q(endOfDay))  # UTC HH:MM; empty: no scheduled end of day")
        out.append("")
        out.append("[network]")
        out.append("backend = \(q(NetworkBackendSetting(network.backend).rawValue))  # auto | io_uring | epoll")
        out.append("max_connections = \(network.maxConnections)")
        out.append("max_pending_logins = \(network.maxPendingLogins)  # of those, waiting to log in at once")
        out.append("max_pending_logins_per_address = \(network.maxPendingLoginsPerAddress)  # of those, from one source address")
        out.append("login_failures_before_lockout = \(network.loginFailuresBeforeLockout)  # per CompID, username and address; then 1 s, 2 s, 4 s …")
        out.append("login_lockout_max_seconds = \(network.loginLockoutMaxSeconds)")
        out.append("max_send_buffer_bytes = \(network.maxSendBufferBytes)")
        out.append("spin_turns = \(network.spinTurns)")
        out.append("max_idle_wait_ms = \(network.maxIdleWaitMilliseconds)")
        out.append("")
        out.append("[journal]")
        out.append("durability = \(q(journal.durability.rawValue))  # write | fsync")
        out.append("max_file_bytes = \(journal.maxFileBytes)")
        out.append("ring_capacity = \(journal.ringCapacity)")
        out.append("wait_strategy = \(q(journal.waitStrategy.rawValue))")
        out.append("spin_count = \(journal.spinCount)")
        out.append("writer = \(q(journal.writer.rawValue))  # journal-thread | engine-thread (durability = \"write\" only)")
        out.append("snapshot_every_commands = \(journal.snapshotEveryCommands)  # 0: no snapshots")
        out.append("snapshots_kept = \(journal.snapshotsKept)")
        out.append("")
        out.append("[fix]")
        out.append("listen = \(q(fix.listen.description))")
        out.append("comp_id = \(q(fix.compID))")
        out.append("dictionary = \(q(fix.dictionary))")
        out.append("max_latency_seconds = \(fix.maxLatencySeconds)  # SendingTime accuracy; 0: not checked")
        out.append("logon_timeout_ms = \(fix.logonTimeoutMilliseconds)  # a connection without a valid Logon by then is closed")
        out.append("max_messages_per_second = \(fix.maxMessagesPerSecond)  # D/F/G/q per session; 0: no limit")
        let hours = fix.sessionStartSecondsUTC.map { FIXSessionSchedule.formatTimeOfDay($0) } ?? ""
        let closes = fix.sessionEndSecondsUTC.map { FIXSessionSchedule.formatTimeOfDay($0) } ?? ""
        out.append("session_start = \(q(hours))  # UTC HH:MM:SS; empty (with session_end): always open")
        out.append("session_end = \(q(closes))  # a new session day starts sequence numbers again from 1")
        out.append("message_log_directory = \(q(fix.messageLogDirectory))  # empty: <data dir>/fix-messages")
        out.append("# validation and session options (QuickFIX names); defaults for every [[fix.sessions]] entry")
        renderFIXOptions(fix.sessionDefaults, into: &out, session: false)
        for s in fix.sessions {
            out.append("")
            out.append("[[fix.sessions]]")
            out.append("sender_comp_id = \(q(s.senderCompID))")
            out.append("account = \(q(s.account))")
            out.append("password = \(q(s.password))")
            out.append("cancel_on_disconnect = \(s.cancelOnDisconnect)")
            if let subject = s.certificateSubject { out.append("certificate_subject = \(q(subject))") }
            if !s.allowedAccounts.isEmpty {
                out.append("allowed_accounts = [\(s.allowedAccounts.map(q).joined(separator: ", "))]")
            }
            if s.options != fix.sessionDefaults { renderFIXOptions(s.options, into: &out, session: true) }
        }
        out.append("")
        out.append("[ouch]")
        out.append("listen = \(q(ouch.listen.description))")
        out.append("login_timeout_ms = \(ouch.loginTimeoutMilliseconds)")
        out.append("max_messages_per_second = \(ouch.maxMessagesPerSecond)  # Enter/Replace/Cancel/Modify per user; 0: no limit")
        for u in ouch.users {
            out.append("")
            out.append("[[ouch.users]]")
            out.append("username = \(q(u.username))")
            out.append("account = \(q(u.account))")
            out.append("password = \(q(u.password))")
            out.append("cancel_on_disconnect = \(u.cancelOnDisconnect)")
            if let subject = u.certificateSubject { out.append("certificate_subject = \(q(subject))") }
        }
        out.append("")
        out.append("[market_data]")
        out.append("group = \(q(marketData.group.description))")
        out.append("interface = \(q(marketData.interface))")
        out.append("ttl = \(marketData.ttl)")
        out.append("session = \(q(marketData.session))  # 10 characters; empty: CIFT + YYMMDD of the day")
        out.append("retransmission = \(q(marketData.retransmission.description))")
        out.append("snapshot = \(q(marketData.snapshot.description))")
        out.append("max_packet_size = \(marketData.maxPacketSize)  # UDP payload, MoldUDP64 header included")
        out.append("flush_delay_us = \(marketData.flushDelayMicroseconds)  # a message waits at most this for company; 0: a packet carries one cycle's messages")
        out.append("retransmission_max_messages = \(marketData.retransmissionMaxMessages)  # per request")
        out.append("")
        out.append("[tls]  # off unless certificate and private_key are set; scripts/make-test-certificates.sh makes a test PKI")
        out.append("fix_listen = \(q(tls.fixListen.description))")
        out.append("ouch_listen = \(q(tls.ouchListen.description))")
        out.append("certificate = \(q(tls.certificate))")
        out.append("private_key = \(q(tls.privateKey))")
        out.append("client_ca = \(q(tls.clientCA))  # set: clients must present a certificate this CA signed")
        out.append("ciphers = \(q(tls.ciphers))  # TLS 1.2")
        out.append("ciphersuites = \(q(tls.cipherSuites))  # TLS 1.3")
        out.append("handshake_timeout_ms = \(tls.handshakeTimeoutMilliseconds)")
        out.append("")
        out.append("[shared_memory]")
        out.append("enabled = \(sharedMemory.enabled)")
        out.append("signals = \(q(sharedMemory.signalsPath))")
        out.append("fills = \(q(sharedMemory.fillsPath))")
        out.append("capacity = \(sharedMemory.capacity)  # slots per ring, a power of two")
        out.append("strategy_account = \(q(sharedMemory.strategyAccount))  # the account signals trade for; empty: the last of the accounts")
        out.append("wait_strategy = \(q(sharedMemory.waitStrategy.rawValue))  # the bridge thread's")
        out.append("spin_count = \(sharedMemory.spinCount)  # empty turns before it sleeps")
        out.append("poll_interval_us = \(sharedMemory.pollIntervalMicroseconds)  # longest sleep between looks at the signals ring")
        out.append("idle_poll_interval_us = \(sharedMemory.idlePollIntervalMicroseconds)  # the same once no record has come for idle_after_ms")
        out.append("idle_after_ms = \(sharedMemory.idleAfterMilliseconds)")
        for s in symbols {
            out.append("")
            out.append("[[symbols]]  # stock locate \(symbolIndex(named: s.name)!.rawValue)")
            out.append("name = \(q(s.name))")
            out.append("tick = \(q(s.tick.description))")
            out.append("lot = \(s.lot)")
            if let reference = s.referencePrice { out.append("reference_price = \(q(reference.description))") }
        }
        for a in accounts {
            out.append("")
            out.append("[[accounts]]")
            out.append("name = \(q(a.name))")
            out.append("self_trade_prevention = \(q(a.selfTradePrevention.configurationName))")
            let l = a.limits
            out.append("max_order_quantity = \(l.maxOrderQuantity)  # 0: no limit (every risk limit)")
            out.append("max_order_notional = \(q(Price(raw: l.maxOrderNotional).description))")
            out.append("price_collar_bps = \(l.priceCollarBasisPoints)")
            out.append("max_open_orders = \(l.maxOpenOrders)")
            out.append("max_gross_position = \(l.maxGrossPosition)")
            out.append("max_net_position = \(l.maxNetPosition)")
            out.append("max_total_exposure = \(q(Price(raw: l.maxTotalExposure).description))")
            out.append("restricted_symbols = [" + a.restrictedSymbols.map { q($0) }.joined(separator: ", ") + "]")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The start-up banner: listeners, sessions, symbol directory. Demo passwords are
    /// shown (they are public); any other password is not.
    public func startupSummary() -> String {
        func pw(_ p: String) -> String { p.lowercased() == "demo" ? "demo" : "(configured)" }
        var out: [String] = []
        out.append("CIFT Gateway configuration")
        out.append("  data directory     \(dataDirectory)")
        out.append("  engine             core \(engine.core.map(String.init) ?? "not pinned"), wait \(engine.waitStrategy.rawValue), max orders \(engine.maxOrders)")
        out.append("  journal            durability \(journal.durability), written by the \(journal.writer == .engineThread ? "engine thread" : "journal thread"), roll at \(journal.maxFileBytes) bytes, "
            + (journal.snapshotEveryCommands == 0 ? "no snapshots" : "a snapshot every \(journal.snapshotEveryCommands) commands"))
        let hoursText = fix.sessionStartSecondsUTC.flatMap { start in
            fix.sessionEndSecondsUTC.map { "sessions \(FIXSessionSchedule.formatTimeOfDay(start))-\(FIXSessionSchedule.formatTimeOfDay($0)) UTC" }
        } ?? "sessions always open"
        out.append("  FIX 4.4            \(fix.listen) (CompID \(fix.compID), \(hoursText))")
        for s in fix.sessions {
            out.append("    session          \(s.senderCompID) -> \(fix.compID)  account \(s.account)  password \(pw(s.password))  cancel-on-disconnect \(s.cancelOnDisconnect ? "on" : "off")")
        }
        out.append("  OUCH 5.0 / SoupBinTCP 4.1  \(ouch.listen)")
        for u in ouch.users {
            out.append("    user             \(u.username)  account \(u.account)  password \(pw(u.password))  cancel-on-disconnect \(u.cancelOnDisconnect ? "on" : "off")")
        }
        out.append("  ITCH 5.0 / MoldUDP64  \(marketData.group) via \(marketData.interface) ttl \(marketData.ttl), session \(marketData.session.isEmpty ? "CIFT+YYMMDD" : marketData.session)")
        out.append("    retransmission   \(marketData.retransmission)/udp   snapshots \(marketData.snapshot)/tcp")
        out.append("  shared memory      \(sharedMemory.signalsPath) (in), \(sharedMemory.fillsPath) (out)")
        out.append("Symbol directory")
        out.append("  locate  symbol    tick      lot")
        for (i, s) in symbols.enumerated() {
            let locate = String(i + 1)
            out.append("  " + locate.padding(toLength: 6, withPad: " ", startingAt: 0) + "  "
                + s.name.padding(toLength: 8, withPad: " ", startingAt: 0) + "  "
                + s.tick.description.padding(toLength: 8, withPad: " ", startingAt: 0) + "  \(s.lot)")
        }
        out.append("Accounts")
        for (i, a) in accounts.enumerated() {
            let l = a.limits
            var risk: [String] = []
            if l.maxOrderQuantity > 0 { risk.append("max qty \(l.maxOrderQuantity)") }
            if l.maxOrderNotional > 0 { risk.append("max notional \(Price(raw: l.maxOrderNotional))") }
            if l.priceCollarBasisPoints > 0 { risk.append("collar \(l.priceCollarBasisPoints) bps") }
            if l.maxOpenOrders > 0 { risk.append("max open \(l.maxOpenOrders)") }
            if l.maxGrossPosition > 0 { risk.append("max gross \(l.maxGrossPosition)") }
            if l.maxNetPosition > 0 { risk.append("max net \(l.maxNetPosition)") }
            if l.maxTotalExposure > 0 { risk.append("max exposure \(Price(raw: l.maxTotalExposure))") }
            if !a.restrictedSymbols.isEmpty { risk.append("restricted " + a.restrictedSymbols.joined(separator: ",")) }
            out.append("  \(i + 1)  \(a.name)  self-trade prevention \(a.selfTradePrevention.configurationName)  risk: "
                       + (risk.isEmpty ? "no limits" : risk.joined(separator: ", ")))
        }
        return out.joined(separator: "\n")
    }
}

extension SelfTradePrevention {
    /// The name used in configuration files and printed at start-up.
    public var configurationName: String {
        switch self {
        case .cancelNewest: "cancel-newest"
        case .cancelOldest: "cancel-oldest"
        case .cancelBoth: "cancel-both"
        }
    }

    public init?(configurationName: String) {
        guard let mode = SelfTradePrevention.allCases.first(where: { $0.configurationName == configurationName }) else {
            return nil
        }
        self = mode
    }
}

/// The FIX validation and session option keys, as `[fix]` defaults or one session's own.
private func renderFIXOptions(_ o: GatewayConfiguration.FIXSessionOptions, into out: inout [String], session: Bool) {
    out.append("validate_user_defined_fields = \(o.validateUserDefinedFields)")
    out.append("allow_unknown_message_fields = \(o.allowUnknownMessageFields)")
    out.append("validate_fields_out_of_order = \(o.validateFieldsOutOfOrder)")
    out.append("reject_invalid_message = \(o.rejectInvalidMessage)")
    out.append("check_latency = \(o.checkLatency)")
    if session, let seconds = o.maxLatencySeconds { out.append("max_latency_seconds = \(seconds)") }
    out.append("reset_on_logon = \(o.resetOnLogon)")
    out.append("reset_on_logout = \(o.resetOnLogout)")
    out.append("reset_on_disconnect = \(o.resetOnDisconnect)")
    out.append("refresh_on_logon = \(o.refreshOnLogon)")
    out.append("resend_request_chunk_size = \(o.resendRequestChunkSize)")
    out.append("message_log = \(o.messageLog)")
}
