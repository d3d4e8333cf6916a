#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// CLOCK_MONOTONIC in nanoseconds: for intervals, timeouts and deadlines (latency,
/// heartbeats, the network loop's turns). Read through the vDSO, so no system call;
/// never goes backwards and ignores wall-clock changes. Wall-clock time (timestamps on
/// the wire) is GatewayCore's `SystemClock`.
public enum MonotonicClock {
    @inlinable @inline(__always)
    public static func nanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
    }
}
