import GatewayCore

/// When a FIX session may be logged on, and which session day a moment belongs to.
///
/// A session day opens at `start` (seconds after UTC midnight) and closes at `end`;
/// when `end` is not after `start` the day closes on the next calendar day (an
/// overnight session, e.g. 22:00 → 21:00), and `start == end` is a 24-hour day that
/// rolls over at that time. Each session day is numbered by the UTC date on which it
/// opened (days since 1970-01-01), which is what the message store records: a logon
/// in a later session day starts from MsgSeqNum 1 on both sides (specs/fix44.md,
/// "Session schedule").
public struct FIXSessionSchedule: Sendable, Equatable {
    public static let secondsPerDay: Int64 = 86_400

    /// Seconds after UTC midnight at which a session day opens.
    public var start: Int64
    /// Seconds after UTC midnight at which it closes.
    public var end: Int64

    /// `start` and `end` must be in 0..<86,400.
    public init(start: Int64, end: Int64) {
        precondition((0..<Self.secondsPerDay).contains(start) && (0..<Self.secondsPerDay).contains(end),
                     "FIX session schedule: times are seconds after midnight")
        self.start = start
        self.end = end
    }

    /// How long a session day is open, in seconds (24 hours when start == end).
    public var openSeconds: Int64 {
        let length = (end - start + Self.secondsPerDay) % Self.secondsPerDay
        return length == 0 ? Self.secondsPerDay : length
    }

    /// The session day that opened most recently at or before `now`: the number of
    /// the UTC day on which it opened. Always at least 1 for any time after
    /// 1970-01-02, so 0 can mean "no day recorded" in the store.
    public func sessionDay(at now: Timestamp) -> Int {
        let seconds = floorDivide(now.rawValue, 1_000_000_000)
        return Int(floorDivide(seconds - start, Self.secondsPerDay))
    }

    /// True while the session day that opened most recently is still open.
    public func isOpen(at now: Timestamp) -> Bool {
        now.rawValue < closingTime(ofDay: sessionDay(at: now)).rawValue
    }

    /// When session day `day` closes.
    public func closingTime(ofDay day: Int) -> Timestamp {
        Timestamp(rawValue: (Int64(day) * Self.secondsPerDay + start + openSeconds) * 1_000_000_000)
    }

    /// Parses `HH:MM:SS` (or `HH:MM`) into seconds after midnight; nil if malformed.
    public static func parseTimeOfDay(_ text: String) -> Int64? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
              parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let h = Int64(parts[0]), let m = Int64(parts[1]), h < 24, m < 60
        else { return nil }
        let s = parts.count == 3 ? Int64(parts[2]) ?? 60 : 0
        guard s < 60 else { return nil }
        return h * 3600 + m * 60 + s
    }

    /// `HH:MM:SS` of seconds after midnight.
    public static func formatTimeOfDay(_ seconds: Int64) -> String {
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }

    private func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
