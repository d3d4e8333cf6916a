import Foundation

/// The gateway's configuration for a harness run: the embedded default that
/// `cift-gateway config` prints, with the listeners on free loopback ports and every
/// path (data directory, shared memory) inside the run's temporary directory, so a run
/// never meets another gateway's ports or files. Everything else (engine core, wait
/// strategies, journal durability, capacities) stays the gateway's default.
public struct GatewayConfigFile {
    /// `(section, key) -> TOML value` replacements; section "" is the top level.
    public var overrides: [String: String] = [:]

    public init() {}

    public mutating func set(_ section: String, _ key: String, string value: String) {
        overrides[section + "." + key] = "\"" + value.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// A `section.key=value` override from the command line; `value` is TOML as
    /// written (`engine.wait_strategy="busy-spin"`, `engine.core=-1`); a key without a
    /// dot is top-level.
    public mutating func set(assignment: String) throws {
        guard let equals = assignment.firstIndex(of: "=") else {
            throw HarnessError("--gateway-set \(assignment): expected section.key=value")
        }
        let path = assignment[..<equals].trimmingCharacters(in: .whitespaces)
        let value = assignment[assignment.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        let (section, key) = path.lastIndex(of: ".").map { (String(path[..<$0]), String(path[path.index(after: $0)...])) }
            ?? ("", path)
        overrides[section + "." + key] = value
    }

    /// `defaults` (the output of `cift-gateway config`) with the overrides applied line
    /// by line: a `key = value` line in `[section]` whose pair is overridden gets the
    /// new value (its comment is dropped). Fails if an override matched no line, so a
    /// renamed key cannot be silently ignored.
    public func render(defaults: String) throws -> String {
        var section = ""
        var used = Set<String>()
        var out: [String] = []
        for line in defaults.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") {
                let name = trimmed.prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces)
                    .trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
                section = name
                out.append(String(line))
                continue
            }
            if let equals = trimmed.firstIndex(of: "=") {
                let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
                let id = section + "." + key
                if let value = overrides[id] {
                    used.insert(id)
                    out.append("\(key) = \(value)")
                    continue
                }
            }
            out.append(String(line))
        }
        let missing = Set(overrides.keys).subtracting(used)
        guard missing.isEmpty else {
            throw HarnessError("the gateway's default configuration has no key \(missing.sorted().joined(separator: ", "))")
        }
        return out.joined(separator: "\n")
    }
}
