import FIX
import Foundation
import GatewayCore
import Network
import OUCH
import TLS

// Each module's configuration as the gateway's configuration gives it: the adapters
// between `GatewayConfiguration` and the modules' own types, in one place.

extension NetworkConfiguration {
    init(gateway c: GatewayConfiguration) throws {
        self.init(
            backend: c.network.backend, maxConnections: c.network.maxConnections,
            maxSendBufferBytes: c.network.maxSendBufferBytes,
            maxIdleWaitMilliseconds: c.network.maxIdleWaitMilliseconds, spinTurns: c.network.spinTurns)
        tlsHandshakeTimeoutMilliseconds = c.tls.handshakeTimeoutMilliseconds
        try validate()
    }
}

extension OUCHServerConfiguration {
    /// The OUCH server's view of the gateway configuration: users bound to accounts, the
    /// symbol directory, today's session. OUCH user k (0-based) is engine session
    /// `ouchSessionBase + k`, so that FIX sessions (numbered from 1) never share a number
    /// with an OUCH user: cancel-on-disconnect is by session number. `now`: the start's
    /// time, which names the day's session.
    init(gateway c: GatewayConfiguration, source: UInt8, dataDirectory: String, now: Timestamp) throws {
        let users = try c.ouch.users.enumerated().map { i, u in
            OUCHUser(
                username: u.username, password: u.password, account: try c.account(named: u.account, key: "ouch.users[\(i)].account"),
                session: GatewayConfiguration.ouchSessionBase + UInt16(i),
                cancelOnDisconnect: u.cancelOnDisconnect, certificateSubject: u.certificateSubject)
        }
        let symbols = c.symbolDirectory.map { OUCHSymbolEntry(name: $1.name, index: $0, tick: $1.tick) }
        // One SoupBinTCP session per UTC day, its stores in <data>/ouch/<YYYYMMDD>: a restart
        // within the day continues the session and its sequenced streams.
        let day = OUCHSessionDay(now)
        self.init(
            users: users, symbols: symbols, sessionName: day.sessionName,
            dataDirectory: day.directory(under: dataDirectory), source: source)
        loginTimeout = .milliseconds(c.ouch.loginTimeoutMilliseconds)
        // Paced well before the slow-consumer limit (see FIXAcceptorConfiguration's).
        paceOutputBytes = max(c.network.maxSendBufferBytes / 4, 4096)
        maxMessagesPerSecond = c.ouch.maxMessagesPerSecond
        // The server's own rules, named as the gateway's file names them (`ouch.users[0]`).
        do {
            try validate()
        } catch {
            var named = error
            if named.key.hasPrefix("users[") { named.key = "ouch." + named.key }
            throw named
        }
    }
}

extension FIXAcceptorConfiguration {
    /// `fix.dictionary` as given when it exists there; a relative path that does not (the
    /// default `fix-dictionaries/FIX44.xml`, with the gateway started from elsewhere) is
    /// looked for in the folders above the running executable, where a checkout's build
    /// puts it, so the binary works from any directory.
    static func locate(dictionary path: String) -> String {
        guard !path.hasPrefix("/"), !FileManager.default.fileExists(atPath: path) else { return path }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.resolvingSymlinksInPath().deletingLastPathComponent()
        if let executable = Bundle.main.executablePath {
            folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        }
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent(path).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return path
    }

    /// The FIX acceptor's view of the gateway configuration: each session's client CompID,
    /// which is also the Username (553) its Logon must carry, with its Password (554); the
    /// venue's dictionary; stores under `storeDirectory`.
    init(gateway c: GatewayConfiguration, storeDirectory: String) throws {
        let dictionary: FIXDictionary
        do {
            dictionary = try FIXDictionaryLoader.load(contentsOf: URL(fileURLWithPath: Self.locate(dictionary: c.fix.dictionary)))
        } catch {
            throw ConfigurationError(
                key: "fix.dictionary", value: c.fix.dictionary, expected: "a readable FIX 4.4 dictionary in QuickFIX XML (\(error))")
        }
        self.init(
            sessions: c.fix.sessions.map {
                var session = FIXSessionConfiguration(
                    clientCompID: $0.senderCompID, ourCompID: c.fix.compID, username: $0.senderCompID,
                    password: $0.password, certificateSubject: $0.certificateSubject)
                let o = $0.options
                session.validation = FIXValidationOptions(
                    validateUserDefinedFields: o.validateUserDefinedFields,
                    allowUnknownMessageFields: o.allowUnknownMessageFields,
                    validateFieldsOutOfOrder: o.validateFieldsOutOfOrder)
                session.rejectInvalidMessage = o.rejectInvalidMessage
                // max_latency_seconds 0 (either level) turns the check off, as before.
                session.checkLatency = o.checkLatency && o.maxLatencySeconds != 0
                session.maximumLatencyNanoseconds = o.maxLatencySeconds.map { Int64($0) * 1_000_000_000 }
                session.resetOnLogon = o.resetOnLogon
                session.resetOnLogout = o.resetOnLogout
                session.resetOnDisconnect = o.resetOnDisconnect
                session.refreshOnLogon = o.refreshOnLogon
                session.resendRequestChunkSize = o.resendRequestChunkSize
                return session
            },
            storeDirectory: storeDirectory, dictionary: dictionary,
            schedule: c.fix.sessionStartSecondsUTC.flatMap { start in
                c.fix.sessionEndSecondsUTC.map { FIXSessionSchedule(start: start, end: $0) }
            },
            maximumLatencyNanoseconds: c.fix.maxLatencySeconds == 0 ? nil : Int64(c.fix.maxLatencySeconds) * 1_000_000_000)
        // Paced from the store well before the slow-consumer limit: that limit is for a
        // peer that does not read, not for a burst the gateway makes itself.
        paceOutputBytes = max(c.network.maxSendBufferBytes / 4, 4096)
        logonTimeoutNanoseconds = Int64(c.fix.logonTimeoutMilliseconds) * 1_000_000
    }
}

extension TLSConfiguration {
    /// The TLS listeners' configuration from the gateway's `[tls]`.
    init(gateway c: GatewayConfiguration) {
        self.init(
            certificatePath: c.tls.certificate, privateKeyPath: c.tls.privateKey,
            clientCAPath: c.tls.clientCA.isEmpty ? nil : c.tls.clientCA,
            cipherList: c.tls.ciphers, cipherSuites: c.tls.cipherSuites)
    }
}
