#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Nanoseconds since the Unix epoch (UTC). Time enters the engine with each command,
/// stamped by the session that received it, so replaying the journal gives the same
/// events byte for byte.
public struct Timestamp: RawRepresentable, Hashable, Comparable, Sendable, BitwiseCopyable {
    public var rawValue: Int64
    @inlinable public init(rawValue: Int64) { self.rawValue = rawValue }
    @inlinable public init(nanoseconds: Int64) { self.rawValue = nanoseconds }
    @inlinable public static func < (a: Timestamp, b: Timestamp) -> Bool { a.rawValue < b.rawValue }
    public static let zero = Timestamp(rawValue: 0)

    public static let nanosecondsPerDay: Int64 = 86_400 * 1_000_000_000

    /// Nanoseconds since the most recent UTC midnight: the ITCH and OUCH timestamp.
    @inlinable public var nanosecondsSinceMidnight: Int64 {
        let r = rawValue % Timestamp.nanosecondsPerDay
        return r < 0 ? r + Timestamp.nanosecondsPerDay : r
    }
}

/// A source of time for the edges (sessions, runtime). Never used inside the engine.
public protocol Clock: Sendable {
    func now() -> Timestamp
}

/// The system's real-time clock. Corresponds to `clock_gettime(CLOCK_REALTIME)`,
/// which Linux serves from the vDSO without a system call.
public struct SystemClock: Clock {
    public init() {}
    @inlinable public func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(rawValue: Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec))
    }
}
