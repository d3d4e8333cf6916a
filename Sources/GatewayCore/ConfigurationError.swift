/// A configuration the gateway refuses to start with. Always names the key, the value
/// it found and what it expected, so an operator can fix the file without reading code.
/// Shared by every module that checks settings (the gateway's TOML, the OUCH server).
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// Dotted path of the key, e.g. `engine.core` or `symbols[2].tick`.
    public var key: String
    /// The offending value as written (or a short description of it).
    public var value: String
    /// What would have been accepted.
    public var expected: String

    public init(key: String, value: String, expected: String) {
        self.key = key
        self.value = value
        self.expected = expected
    }

    public var description: String {
        "configuration: \(key) = \(value): expected \(expected)"
    }
}
