#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM (stop) and SIGHUP (reload the TLS certificates), taken
/// synchronously: blocked in every thread (threads inherit the mask, so this must run
/// before any thread starts) and collected with `sigtimedwait`, so no handler runs in
/// the middle of the engine's work.
public enum ShutdownSignals {
    private static func set() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGHUP)
        return set
    }

    /// Blocks SIGINT and SIGTERM in the calling thread (and the threads it starts later).
    public static func block() {
        var s = set()
        pthread_sigmask(SIG_BLOCK, &s, nil)
    }

    /// Waits up to `milliseconds` for SIGINT, SIGTERM or SIGHUP; returns the signal or nil.
    public static func wait(milliseconds: Int) -> Int32? {
        var s = set()
        var timeout = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        let signal = sigtimedwait(&s, nil, &timeout)
        return signal > 0 ? signal : nil
    }
}
