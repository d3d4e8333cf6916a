#if canImport(Glibc)
import Glibc
#endif

/// The process ids of every running child, in a fixed array that a signal handler may
/// read: on SIGINT, SIGTERM or SIGHUP the harness kills every child before it exits,
/// so an interrupted run leaves no process behind. (A normal or failing run stops its
/// children itself; see ``ChildProcess/stop(graceSeconds:)``.)
public enum ChildProcessRegistry {
    static let capacity = 16
    nonisolated(unsafe) static let pids: UnsafeMutablePointer<Int32> = {
        let p = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        p.initialize(repeating: 0, count: capacity)
        return p
    }()
    nonisolated(unsafe) static var lock = pthread_mutex_t()
    nonisolated(unsafe) static var installed = false

    static func add(_ pid: Int32) {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        installSignalHandlers()
        for i in 0..<capacity where pids[i] == 0 {
            pids[i] = pid
            return
        }
    }

    static func remove(_ pid: Int32) {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        for i in 0..<capacity where pids[i] == pid { pids[i] = 0 }
    }

    private static func installSignalHandlers() {
        guard !installed else { return }
        installed = true
        _ = pids
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { received in
                // Async-signal-safe: kill(2) on a fixed array, then _exit(2).
                for i in 0..<ChildProcessRegistry.capacity {
                    let pid = ChildProcessRegistry.pids[i]
                    if pid > 0 { kill(pid, SIGKILL) }
                }
                _exit(128 + received)
            }
        }
    }
}
