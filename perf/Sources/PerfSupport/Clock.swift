import POSIX

/// Monotonic nanoseconds (clock_gettime(CLOCK_MONOTONIC), served by the vDSO on Linux
/// without a system call when the clock source is the TSC). The gateway's own reader,
/// re-exported so every benchmark times with the same call.
@inlinable
public func nowNanoseconds() -> Int64 {
    MonotonicClock.nanoseconds()
}

/// Fills `samples` with the duration of back-to-back clock reads: what a timed
/// region costs when it holds nothing. Reported beside every per-operation latency so
/// the reader can subtract it.
public func measureTimerOverhead(into samples: LatencySamples, count: Int) {
    for _ in 0..<count {
        let start = nowNanoseconds()
        let end = nowNanoseconds()
        samples.append(end &- start)
    }
}
