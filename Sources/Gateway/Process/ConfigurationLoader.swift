import GatewayCore
import Foundation

/// Turns `--config FILE` (or its absence) into a checked configuration.
public enum ConfigurationLoader {
    /// The embedded default when `path` is nil; otherwise the file on top of it.
    public static func load(path: String?) throws -> GatewayConfiguration {
        guard let path else { return .embeddedDefault }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(key: "--config", value: path, expected: "a readable UTF-8 TOML file (\(error.localizedDescription))")
        }
        return try GatewayConfiguration.parse(toml: text)
    }
}
