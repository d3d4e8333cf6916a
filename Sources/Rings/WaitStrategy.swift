/// What a consumer thread does on a turn where none of its rings had work.
/// Chosen per consumer from configuration; run by that consumer's
/// `ConsumerIdler`.
///
/// A "turn" is one poll of every ring the consumer reads. The idler counts
/// consecutive empty turns; finding work resets the count.
public enum WaitStrategy: Sendable, Equatable, CustomStringConvertible {
    /// Poll forever with a CPU pause hint between turns: the lowest latency,
    /// and a whole core burnt. Only for a consumer pinned to a core of its own.
    case busySpin

    /// `spins` empty turns with a pause hint, then `sched_yield()` on every
    /// further empty turn. Still never sleeps; gives the core away only when
    /// another runnable thread wants it.
    case spinThenYield(spins: Int)

    /// `spins` empty turns with a pause hint, then park on a futex until a
    /// producer calls `WakeSignal.wake()`, or `parkTimeout` passes (so a
    /// shutdown flag is noticed even without a wake-up). A wake-up costs the
    /// producer a system call and the consumer about 10 µs on a VM.
    case spinThenPark(spins: Int, parkTimeout: Duration)

    /// Empty turns spent spinning before yielding or parking when the
    /// configuration does not say: about 50–100 µs of polling, several times
    /// the cost of a wake-up.
    public static let defaultSpins = 1_000

    /// The park timeout when the configuration does not say. It bounds how late
    /// a parked consumer notices a flag that was set without a wake-up.
    public static let defaultParkTimeout: Duration = .milliseconds(1)

    /// The longest accepted park timeout.
    public static let maximumParkTimeout: Duration = .seconds(1)

    /// The strategy a consumer gets when configuration names none. On a
    /// machine with few cores a consumer must leave room for the other threads,
    /// so the default parks.
    public static let `default`: WaitStrategy = .spinThenPark(spins: defaultSpins, parkTimeout: defaultParkTimeout)

    /// Whether a consumer using this strategy can sleep, i.e. whether its
    /// producers must call `WakeSignal.wake()` after publishing.
    public var parks: Bool {
        if case .spinThenPark = self { return true }
        return false
    }

    /// The configuration spelling, which `init(configValue:)` parses back.
    public var configValue: String {
        switch self {
        case .busySpin:
            return "busy-spin"
        case .spinThenYield(let spins):
            return "spin-yield:spins=\(spins)"
        case .spinThenPark(let spins, let parkTimeout):
            return "spin-park:spins=\(spins),timeout-us=\(Self.microseconds(parkTimeout))"
        }
    }

    public var description: String { configValue }

    /// Parses a configuration value:
    ///
    /// - `busy-spin`
    /// - `spin-yield`, or `spin-yield:spins=N`
    /// - `spin-park`, or `spin-park:spins=N,timeout-us=N` (either key may be left out)
    ///
    /// Spins are 0 or more; the park timeout is 1 µs to 1 s. Surrounding
    /// white space is ignored; names and keys are lower case.
    ///
    /// - Throws: `WaitStrategyConfigError`, whose description names the value
    ///   and lists the accepted ones.
    public init(configValue: String) throws(WaitStrategyConfigError) {
        let text = configValue[...].trimmingWhitespace
        let name: Substring
        let parameterText: Substring?
        if let colon = text.firstIndex(of: ":") {
            name = text[..<colon]
            parameterText = text[text.index(after: colon)...]
        } else {
            name = text
            parameterText = nil
        }

        let acceptedKeys: [String]
        switch name {
        case "busy-spin": acceptedKeys = []
        case "spin-yield": acceptedKeys = ["spins"]
        case "spin-park": acceptedKeys = ["spins", "timeout-us"]
        default: throw .unknownStrategy(configValue)
        }

        var parameters: [String: Int] = [:]
        if let parameterText {
            guard !acceptedKeys.isEmpty else {
                throw .unexpectedParameters(strategy: String(name), value: configValue)
            }
            for pair in parameterText.split(separator: ",", omittingEmptySubsequences: false) {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(parts[0].trimmingWhitespace)
                guard acceptedKeys.contains(key) else {
                    throw .unknownParameter(strategy: String(name), key: key, accepted: acceptedKeys)
                }
                guard parameters[key] == nil else {
                    throw .duplicateParameter(strategy: String(name), key: key)
                }
                let rawValue = parts.count == 2 ? String(parts[1].trimmingWhitespace) : ""
                guard let value = Int(rawValue) else {
                    throw .invalidParameterValue(strategy: String(name), key: key, value: rawValue)
                }
                parameters[key] = value
            }
        }

        let spins = parameters["spins"] ?? Self.defaultSpins
        guard spins >= 0 else {
            throw .invalidParameterValue(strategy: String(name), key: "spins", value: String(spins))
        }
        switch name {
        case "busy-spin":
            self = .busySpin
        case "spin-yield":
            self = .spinThenYield(spins: spins)
        default:
            var parkTimeout = Self.defaultParkTimeout
            if let microseconds = parameters["timeout-us"] {
                guard microseconds >= 1, microseconds <= Self.microseconds(Self.maximumParkTimeout) else {
                    throw .invalidParameterValue(strategy: String(name), key: "timeout-us", value: String(microseconds))
                }
                parkTimeout = .microseconds(microseconds)
            }
            self = .spinThenPark(spins: spins, parkTimeout: parkTimeout)
        }
    }

    /// The strategies by their configuration names, for configuration files that keep
    /// the spin count and timeout under their own keys (parsed once, at load).
    public enum Kind: String, Sendable, CaseIterable {
        case busySpin = "busy-spin"
        case spinYield = "spin-yield"
        case spinPark = "spin-park"
    }

    /// Builds a strategy of `kind` with separately configured numbers. `spins` is ignored
    /// by `busy-spin`; `parkTimeout` is used by `spin-park` only.
    ///
    /// - Throws: `WaitStrategyConfigError` for spins below 0, or a timeout outside 1 µs
    ///   to 1 s.
    public init(_ kind: Kind, spins: Int, parkTimeout: Duration = defaultParkTimeout) throws(WaitStrategyConfigError) {
        switch kind {
        case .busySpin:
            self = .busySpin
        case .spinYield:
            guard spins >= 0 else {
                throw .invalidParameterValue(strategy: kind.rawValue, key: "spins", value: String(spins))
            }
            self = .spinThenYield(spins: spins)
        case .spinPark:
            guard spins >= 0 else {
                throw .invalidParameterValue(strategy: kind.rawValue, key: "spins", value: String(spins))
            }
            guard parkTimeout >= .microseconds(1), parkTimeout <= Self.maximumParkTimeout else {
                throw .invalidParameterValue(
                    strategy: kind.rawValue, key: "timeout-us", value: String(Self.microseconds(parkTimeout)))
            }
            self = .spinThenPark(spins: spins, parkTimeout: parkTimeout)
        }
    }

    /// The same from a bare name (`busy-spin`, `spin-yield`, `spin-park`).
    ///
    /// - Throws: `WaitStrategyConfigError` for an unknown name, a name with
    ///   `:parameters`, or numbers ``init(_:spins:parkTimeout:)`` refuses.
    public init(configuration name: String, spins: Int, parkTimeout: Duration = defaultParkTimeout) throws(WaitStrategyConfigError) {
        let trimmed = String(name[...].trimmingWhitespace)
        guard !trimmed.contains(":") else {
            throw .bareNameExpected(name)
        }
        guard let kind = Kind(rawValue: trimmed) else { throw .unknownStrategy(trimmed) }
        try self.init(kind, spins: spins, parkTimeout: parkTimeout)
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}

/// A wait-strategy configuration value that `WaitStrategy(configValue:)`
/// refused. The description names the value and what is accepted.
public enum WaitStrategyConfigError: Error, Equatable, CustomStringConvertible {
    case unknownStrategy(String)
    case unexpectedParameters(strategy: String, value: String)
    case unknownParameter(strategy: String, key: String, accepted: [String])
    case duplicateParameter(strategy: String, key: String)
    case invalidParameterValue(strategy: String, key: String, value: String)
    /// `init(configuration:spins:parkTimeout:)` got parameters in the name.
    case bareNameExpected(String)

    /// The accepted spellings, for error messages and documentation.
    public static let acceptedValues =
        "busy-spin, spin-yield[:spins=N], spin-park[:spins=N,timeout-us=N] (spins >= 0, timeout-us 1...1000000)"

    public var description: String {
        switch self {
        case .unknownStrategy(let value):
            return "unknown wait strategy '\(value)'; accepted values: \(Self.acceptedValues)"
        case .unexpectedParameters(let strategy, let value):
            return "wait strategy '\(strategy)' takes no parameters, got '\(value)'; accepted values: \(Self.acceptedValues)"
        case .unknownParameter(let strategy, let key, let accepted):
            return "wait strategy '\(strategy)' has no parameter '\(key)'; it accepts: \(accepted.joined(separator: ", "))"
        case .duplicateParameter(let strategy, let key):
            return "wait strategy '\(strategy)' has parameter '\(key)' more than once"
        case .invalidParameterValue(let strategy, let key, let value):
            let expected = key == "spins" ? "an integer >= 0" : "an integer from 1 to 1000000 (microseconds)"
            return "wait strategy '\(strategy)': '\(key)' must be \(expected), got '\(value)'"
        case .bareNameExpected(let value):
            return "wait strategy '\(value)': expected one of busy-spin, spin-yield, spin-park without parameters (the spin count and park timeout are configured separately)"
        }
    }
}

extension Substring {
    fileprivate var trimmingWhitespace: Substring {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else {
            return self[endIndex...]
        }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return self[first...last]
    }
}
