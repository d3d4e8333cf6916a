import Foundation

/// Starts a built `cift-gateway` for a run: writes its configuration (see
/// ``GatewayConfigFile``) into `directory`, runs `cift-gateway run --config`, and
/// waits for its "ready" line.
public enum GatewayProcess {
    public static func start(
        executable: String, dictionary: String?, settings: [String] = [], directory: String
    ) throws -> (ChildProcess, HostPort) {
        let (child, listeners) = try startWithListeners(
            executable: executable, dictionary: dictionary, settings: settings, directory: directory)
        return (child, listeners.fix)
    }

    /// Where a started gateway listens and publishes.
    public struct Listeners: Sendable {
        public var fix: HostPort
        public var ouch: HostPort
        /// `market_data.group`: 239.192.0.1 on a free UDP port.
        public var marketDataGroup: HostPort
        /// `market_data.interface`.
        public var marketDataInterface: String
        /// `tls.fix_listen` / `tls.ouch_listen` when the gateway was started with TLS.
        public var tlsFIX: HostPort?
        public var tlsOUCH: HostPort?
    }

    /// As ``start(executable:dictionary:settings:directory:)``, and also the OUCH
    /// listener and the market-data group (on a free port; retransmission and snapshot
    /// on port 0, picked by the kernel).
    public static func startWithListeners(
        executable: String, dictionary: String?, settings: [String] = [], directory: String, tls: TLSCertificates? = nil
    ) throws -> (ChildProcess, Listeners) {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw HarnessError("--gateway \(executable): not an executable file")
        }
        let defaults = try Self.defaultConfiguration(executable: executable, directory: directory)
        let dictionaryPath = try dictionary ?? Self.findDictionary(near: executable)
        let fix = HostPort(host: "127.0.0.1", port: try TCPListener.freePort())
        var config = GatewayConfigFile()
        config.set("", "data_dir", string: directory + "/data")
        config.set("fix", "listen", string: fix.description)
        config.set("fix", "dictionary", string: dictionaryPath)
        let ouch = HostPort(host: "127.0.0.1", port: try TCPListener.freePort())
        let group = HostPort(host: "239.192.0.1", port: try UDPPort.free())
        config.set("ouch", "listen", string: ouch.description)
        config.set("market_data", "group", string: group.description)
        config.set("market_data", "interface", string: "127.0.0.1")
        config.set("market_data", "retransmission", string: "127.0.0.1:0")
        config.set("market_data", "snapshot", string: "127.0.0.1:0")
        config.set("shared_memory", "signals", string: directory + "/shm-signals")
        config.set("shared_memory", "fills", string: directory + "/shm-fills")
        var tlsFIX: HostPort?
        var tlsOUCH: HostPort?
        if let tls {
            // TLS listeners on free ports, client certificates required (the venue's setup).
            tlsFIX = HostPort(host: "127.0.0.1", port: try TCPListener.freePort())
            tlsOUCH = HostPort(host: "127.0.0.1", port: try TCPListener.freePort())
            config.set("tls", "certificate", string: tls.serverCertificate)
            config.set("tls", "private_key", string: tls.serverKey)
            config.set("tls", "client_ca", string: tls.ca)
            config.set("tls", "fix_listen", string: tlsFIX!.description)
            config.set("tls", "ouch_listen", string: tlsOUCH!.description)
        }
        for assignment in settings { try config.set(assignment: assignment) }
        let path = directory + "/gateway.toml"
        try config.render(defaults: defaults).write(toFile: path, atomically: true, encoding: .utf8)
        let (command, arguments) = ServerPlacement.command(executable, ["run", "--config", path])
        let child = try ChildProcess(name: "cift-gateway", executable: command, arguments: arguments, logDirectory: directory)
        do {
            try child.waitForOutput(seconds: 60) { $0.contains("ready in") }
        } catch {
            child.stop()
            throw error
        }
        return (child, Listeners(fix: fix, ouch: ouch, marketDataGroup: group, marketDataInterface: "127.0.0.1",
                                 tlsFIX: tlsFIX, tlsOUCH: tlsOUCH))
    }

    /// The output of `cift-gateway config`: the embedded default configuration.
    static func defaultConfiguration(executable: String, directory: String) throws -> String {
        // Placed as the gateway will be: `config` checks the engine's core as `run` does.
        let (command, arguments) = ServerPlacement.command(executable, ["config"])
        let child = try ChildProcess(name: "cift-gateway-config", executable: command, arguments: arguments, logDirectory: directory)
        let deadline = Date().addingTimeInterval(30)
        while child.isRunning && Date() < deadline { usleep(10_000) }
        child.stop()
        let text = child.standardOutput
        guard text.contains("[fix]") else {
            throw HarnessError("`\(executable) config` printed no configuration:\n\(text)\(child.standardError)")
        }
        return text
    }

    /// fix-dictionaries/FIX44.xml in the checkout the binary was built in (the first
    /// folder above it that has one).
    static func findDictionary(near executable: String) throws -> String {
        var url = URL(fileURLWithPath: executable).standardizedFileURL.deletingLastPathComponent()
        while url.path != "/" {
            let candidate = url.appendingPathComponent("fix-dictionaries/FIX44.xml").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            url.deleteLastPathComponent()
        }
        throw HarnessError("no fix-dictionaries/FIX44.xml above \(executable); pass --gateway-dictionary")
    }
}
