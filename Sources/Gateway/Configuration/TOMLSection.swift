import GatewayCore
import TOMLKit

/// Reads one TOML table strictly: every key the gateway knows is read through it, and
/// ``finish()`` refuses whatever is left, so a misspelt key is an error rather than a
/// silently ignored setting.
struct TOMLSection {
    let table: TOMLTable
    /// Dotted path of this table, for error messages ("" for the root).
    let path: String
    private(set) var consumed: Set<String> = []

    init(_ table: TOMLTable, path: String) {
        self.table = table
        self.path = path
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private mutating func value(_ key: String) -> TOMLValueConvertible? {
        consumed.insert(key)
        return table[key]
    }

    mutating func string(_ key: String, default fallback: String) throws -> String {
        guard let v = value(key) else { return fallback }
        guard let s = v.string else {
            throw ConfigurationError(key: keyPath(key), value: v.debugDescription, expected: "a string")
        }
        return s
    }

    /// A string that must be one of `Choice`'s spellings (its raw values), turned into the
    /// typed value here, once, at load: an unknown spelling is an error naming them all.
    mutating func choice<Choice: RawRepresentable & CaseIterable>(
        _ key: String, default fallback: Choice
    ) throws -> Choice where Choice.RawValue == String {
        let text = try string(key, default: fallback.rawValue)
        guard let value = Choice(rawValue: text) else {
            let spellings = Choice.allCases.map { "\"\($0.rawValue)\"" }
            throw ConfigurationError(
                key: keyPath(key), value: "\"\(text)\"",
                expected: spellings.dropLast().joined(separator: ", ") + " or " + spellings.last!)
        }
        return value
    }

    mutating func int(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let v = value(key) else { return fallback }
        guard let i = v.int else {
            throw ConfigurationError(key: keyPath(key), value: v.debugDescription, expected: "an integer")
        }
        guard range.contains(i) else {
            throw ConfigurationError(
                key: keyPath(key), value: String(i),
                expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return i
    }

    mutating func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let v = value(key) else { return fallback }
        guard let b = v.bool else {
            throw ConfigurationError(key: keyPath(key), value: v.debugDescription, expected: "true or false")
        }
        return b
    }

    /// An array of strings, or nil when absent.
    mutating func strings(_ key: String) throws -> [String]? {
        guard let v = value(key) else { return nil }
        guard let array = v.array else {
            throw ConfigurationError(key: keyPath(key), value: v.debugDescription, expected: "an array of strings")
        }
        return try array.enumerated().map { i, element in
            guard let s = element.string else {
                throw ConfigurationError(key: "\(keyPath(key))[\(i)]", value: element.debugDescription, expected: "a string")
            }
            return s
        }
    }

    /// A sub-table; an absent one reads as empty so every key takes its default.
    mutating func section(_ key: String) throws -> TOMLSection {
        guard let v = value(key) else { return TOMLSection(TOMLTable(), path: keyPath(key)) }
        guard let t = v.table else {
            throw ConfigurationError(key: keyPath(key), value: v.debugDescription, expected: "a table")
        }
        return TOMLSection(t, path: keyPath(key))
    }

    /// An array of tables (`[[name]]`), or nil when absent so the caller keeps its default list.
    mutating func tables(_ key: String) throws -> [TOMLSection]? {
        guard let v = value(key) else { return nil }
        guard let array = v.array else {
            throw ConfigurationError(key: keyPath(key), value: v.debugDescription, expected: "an array of tables")
        }
        var out: [TOMLSection] = []
        for (i, element) in array.enumerated() {
            guard let t = element.table else {
                throw ConfigurationError(
                    key: "\(keyPath(key))[\(i)]", value: element.debugDescription, expected: "a table")
            }
            out.append(TOMLSection(t, path: "\(keyPath(key))[\(i)]"))
        }
        return out
    }

    /// Refuses every key that was not read.
    func finish() throws {
        for key in table.keys.sorted() where !consumed.contains(key) {
            throw ConfigurationError(
                key: keyPath(key), value: table[key]?.debugDescription ?? "",
                expected: "no such key (unknown keys are refused; see the README's configuration table)")
        }
    }
}
