#if canImport(Glibc)
import Glibc
#endif

/// CLOCK_REALTIME in nanoseconds since the epoch: the clock the gateway stamps its
/// commands with, and so the ITCH timestamps (nanoseconds since UTC midnight).
@inline(__always)
public func realtimeNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

public enum ITCHTime {
    public static let nanosecondsPerDay: Int64 = 86_400 * 1_000_000_000

    /// `later − earlier` for two times of day (nanoseconds since UTC midnight), across
    /// midnight when `later` has wrapped.
    @inline(__always)
    public static func difference(_ later: Int64, _ earlier: Int64) -> Int64 {
        var d = (later - earlier) % nanosecondsPerDay
        if d > nanosecondsPerDay / 2 { d -= nanosecondsPerDay }
        if d < -nanosecondsPerDay / 2 { d += nanosecondsPerDay }
        return d
    }

    /// A CLOCK_REALTIME reading as nanoseconds since UTC midnight.
    @inline(__always)
    public static func sinceMidnight(_ realtime: Int64) -> Int64 { realtime % nanosecondsPerDay }
}
