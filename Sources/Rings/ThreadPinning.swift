import CCiftSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU affinity of the calling thread. The cores a process may use are the
/// ones its main thread was allowed when the process started (`taskset`,
/// cgroup cpusets and offline CPUs restrict them); pinning a thread to any
/// other core is refused with an error naming the core and the allowed ones.
public enum ThreadPinning {
    /// How many cores this process may use. At least 1.
    public static func availableCores() -> Int {
        let cores = allowedCores()
        if !cores.isEmpty {
            return cores.count
        }
        return Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// The cores this process may use, ascending. Empty where the platform
    /// has no CPU affinity (not Linux). Corresponds to sched_getaffinity.
    public static func allowedCores() -> [Int] {
        cpuList { buffer, capacity in cift_process_allowed_cpus(buffer, capacity) }
    }

    /// The calling thread's current affinity, ascending: one core once it is
    /// pinned. Corresponds to pthread_getaffinity_np.
    public static func currentThreadAffinity() -> [Int] {
        cpuList { buffer, capacity in cift_thread_current_affinity(buffer, capacity) }
    }

    /// The core the calling thread is running on at this instant, or nil where
    /// the platform cannot tell. Corresponds to sched_getcpu.
    public static func currentCore() -> Int? {
        let cpu = cift_thread_current_cpu()
        return cpu >= 0 ? Int(cpu) : nil
    }

    /// Checks that `core` is one this process may use, without pinning
    /// anything: for validating configuration before threads start.
    ///
    /// - Throws: `ThreadPinningError.coreNotAvailable` naming the core and the
    ///   allowed ones, `.notSupported` where the platform has no CPU affinity.
    public static func validate(core: Int) throws(ThreadPinningError) {
        try check(core: core, allowed: allowedCores())
    }

    private static func check(core: Int, allowed: [Int]) throws(ThreadPinningError) {
        guard !allowed.isEmpty || cift_cpu_set_size() > 0 else {
            throw .notSupported
        }
        guard allowed.contains(core) else {
            throw .coreNotAvailable(core: core, available: allowed)
        }
    }

    /// Restricts the calling thread to `core`, for the rest of its life or
    /// until it is pinned again. Threads it creates afterwards inherit the
    /// restriction.
    ///
    /// - Throws: `ThreadPinningError.coreNotAvailable` when `core` is not one
    ///   of `allowedCores()` (or the kernel refuses it, e.g. after a cpuset
    ///   change), `.notSupported` where the platform has no CPU affinity.
    /// Corresponds to CPU_ZERO + CPU_SET + pthread_setaffinity_np.
    public static func pinCurrentThread(toCore core: Int) throws(ThreadPinningError) {
        let allowed = allowedCores()
        try check(core: core, allowed: allowed)
        guard let cpu = Int32(exactly: core) else {
            throw .coreNotAvailable(core: core, available: allowed)
        }
        let result = cift_thread_pin_current(cpu)
        switch result {
        case 0:
            return
        case EINVAL:
            throw .coreNotAvailable(core: core, available: allowed)
        case ENOSYS:
            throw .notSupported
        case EFAULT:
            fatalError("pthread_setaffinity_np(core \(core)) failed: EFAULT (a bad cpu_set_t pointer is a bug in cift_thread.c)")
        default:
            throw .systemCallFailed(call: "pthread_setaffinity_np(core \(core))", errno: result)
        }
    }

    /// Runs a C function that lists CPUs into a buffer and returns how many
    /// there are (or -errno); an error gives an empty list.
    private static func cpuList(_ fill: (UnsafeMutablePointer<Int32>, Int32) -> Int32) -> [Int] {
        let capacity = Swift.max(Int(cift_cpu_set_size()), 1)
        let cpus = [Int32](unsafeUninitializedCapacity: capacity) { buffer, initializedCount in
            let count = fill(buffer.baseAddress!, Int32(capacity))
            initializedCount = count > 0 ? Swift.min(Int(count), capacity) : 0
        }
        return cpus.map(Int.init)
    }
}

/// Why a thread could not be pinned.
public enum ThreadPinningError: Error, Equatable, CustomStringConvertible {
    /// `core` is not one this process may use; `available` are the ones it may.
    case coreNotAvailable(core: Int, available: [Int])
    /// The platform has no CPU affinity (not Linux).
    case notSupported
    /// An unexpected errno from the named call.
    case systemCallFailed(call: String, errno: Int32)

    public var description: String {
        switch self {
        case .coreNotAvailable(let core, let available):
            return "cannot pin a thread to core \(core): this process may use cores \(CPUList.format(available)) (\(available.count) available)"
        case .notSupported:
            return "cannot pin threads on this platform: it has no CPU affinity (the gateway pins threads on Linux only)"
        case .systemCallFailed(let call, let errno):
            return "\(call) failed: errno \(errno) (\(String(cString: strerror(errno))))"
        }
    }
}

/// The Linux cpulist notation ("0-3,6"), as in /proc/self/status and taskset.
public enum CPUList {
    /// Formats ascending core numbers, collapsing runs into ranges; "none" for
    /// an empty list.
    public static func format(_ cores: [Int]) -> String {
        guard var start = cores.first else { return "none" }
        var parts: [String] = []
        var previous = start
        for core in cores.dropFirst() {
            if core == previous + 1 {
                previous = core
                continue
            }
            parts.append(start == previous ? "\(start)" : "\(start)-\(previous)")
            start = core
            previous = core
        }
        parts.append(start == previous ? "\(start)" : "\(start)-\(previous)")
        return parts.joined(separator: ",")
    }
}
