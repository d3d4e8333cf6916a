import CCiftSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The door to futex(2) for this module: one place that turns its errno
/// values into outcomes. EAGAIN, ETIMEDOUT and EINTR are outcomes; EFAULT and
/// EINVAL mean the word's address or the arguments are wrong (our bug), so
/// they trap with the call and errno named.
enum Futex {
    /// Why `wait` returned. In every case the caller re-checks its condition.
    enum WaitOutcome: Equatable {
        /// Woken by `wake` (or spuriously, which futex(2) allows).
        case woken
        /// The word no longer held `expected` when the call began.
        case valueChanged
        /// The timeout passed.
        case timedOut
        /// A signal handler ran.
        case interrupted
    }

    /// Sleeps while `word` holds `expected`, at most `timeoutNanoseconds`
    /// (negative: no limit). Corresponds to futex(FUTEX_WAIT_PRIVATE).
    static func wait(_ word: UnsafeMutablePointer<UInt32>, expected: UInt32, timeoutNanoseconds: Int64) -> WaitOutcome {
        let result = cift_futex_wait(word, expected, timeoutNanoseconds)
        switch result {
        case 0: return .woken
        case EAGAIN: return .valueChanged
        case ETIMEDOUT: return .timedOut
        case EINTR: return .interrupted
        default: fatalError("futex(FUTEX_WAIT_PRIVATE) failed: errno \(result) (\(String(cString: strerror(result))))")
        }
    }

    /// Wakes up to `count` threads waiting on `word`; returns how many were
    /// woken. Corresponds to futex(FUTEX_WAKE_PRIVATE).
    @discardableResult
    static func wake(_ word: UnsafeMutablePointer<UInt32>, count: Int32) -> Int {
        let result = cift_futex_wake(word, count)
        guard result >= 0 else {
            fatalError("futex(FUTEX_WAKE_PRIVATE) failed: errno \(-result) (\(String(cString: strerror(-result))))")
        }
        return Int(result)
    }
}
