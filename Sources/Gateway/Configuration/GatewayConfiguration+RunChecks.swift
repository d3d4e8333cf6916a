import FIX
import Foundation
import GatewayCore
import OUCH
import Rings
import TLS

extension GatewayConfiguration {
    /// What `run` refuses beyond the file's own rules, checked without starting anything:
    /// the engine's core exists for this process, no two TCP listeners share an address,
    /// the OUCH users and symbols are what the SoupBinTCP server accepts, the FIX
    /// dictionary loads, and the TLS certificate and key (when set) are usable.
    /// `cift-gateway config` runs it too, so a file it passes is one `run` starts with;
    /// `GatewayServer` runs it first, so both say the same thing.
    public func checkForRun() throws {
        if let core = engine.core {
            do {
                try ThreadPinning.validate(core: core)
            } catch {
                throw ConfigurationError(key: "engine.core", value: "\(core)", expected: "a core this process may use (\(error))")
            }
        }
        try checkListenersAreDistinct()
        _ = try OUCHServerConfiguration(gateway: self, source: 1, dataDirectory: dataDirectory + "/ouch", now: .zero)
        _ = try FIXAcceptorConfiguration(gateway: self, storeDirectory: dataDirectory + "/fix")
        if tls.isEnabled {
            do {
                _ = try TLSContext(server: TLSConfiguration(gateway: self))
            } catch {
                throw ConfigurationError(key: "tls", value: "\"\(tls.certificate)\"", expected: "a usable certificate and key (\(error))")
            }
        }
    }

    /// Two TCP listeners on one address would fail at bind, the second naming neither key.
    func checkListenersAreDistinct() throws {
        var listeners: [(String, ListenAddress)] = [
            ("fix.listen", fix.listen), ("ouch.listen", ouch.listen), ("market_data.snapshot", marketData.snapshot),
        ]
        if tls.isEnabled { listeners += [("tls.fix_listen", tls.fixListen), ("tls.ouch_listen", tls.ouchListen)] }
        for (i, (key, address)) in listeners.enumerated() where address.port != 0 {
            for (otherKey, other) in listeners[..<i] where other.port == address.port
                && (other.host == address.host || other.host == "0.0.0.0" || address.host == "0.0.0.0")
            {
                throw ConfigurationError(key: key, value: "\"\(address)\"", expected: "an address no other listener uses (\(otherKey) is \"\(other)\")")
            }
        }
    }
}
