#if canImport(Glibc)
import Glibc
#endif

/// The clock the loop hands to `NetworkHandler.turn`: CLOCK_MONOTONIC in
/// nanoseconds (vDSO, no system call; never goes backwards, unaffected by
/// wall-clock changes).
enum MonotonicClock {
    @inline(__always)
    static func nanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
