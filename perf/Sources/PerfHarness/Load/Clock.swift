import GatewayCore
import POSIX

/// Monotonic nanoseconds (clock_gettime(CLOCK_MONOTONIC), vDSO): the harness's one clock.
@inlinable
public func nowNanoseconds() -> Int64 { MonotonicClock.nanoseconds() }
