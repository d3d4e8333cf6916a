import CPerfSupport
import Foundation
import Rings

#if canImport(Glibc)
import Glibc
#endif

/// Where the servers of a run sit (`cift-perf load --server-cores LIST`): the gateway and
/// the QuickFIX acceptor are started under `taskset -c LIST`, and the floor's echo thread
/// pins itself to the first core of the list. The clients are wherever cift-perf itself
/// was put (`taskset -c 0 cift-perf ...`). On a 2-core VM placement moves a round trip
/// from 14 to 50 µs (shared/notes-linux.md), so every compared target gets the same.
public enum ServerPlacement {
    /// Set once by the command line before any target starts; read when starting them.
    nonisolated(unsafe) public static var cores: String?

    /// `executable arguments` as started: under `taskset -c cores` when set.
    static func command(_ executable: String, _ arguments: [String]) -> (String, [String]) {
        guard let cores else { return (executable, arguments) }
        return ("/usr/bin/taskset", ["-c", cores, executable] + arguments)
    }

    /// Pins the calling thread (an echo server's) to the first core of the list, if any.
    /// That core is usually outside cift-perf's own mask (`taskset -c 0 cift-perf ...`
    /// keeps the clients off the servers' CPU), so this does not go through
    /// `ThreadPinning`, which refuses cores the process was not given: the floor's echo
    /// must run where the gateway and QuickFIX run, or the floor is a same-core round trip
    /// the servers never get.
    static func pinCurrentThread() {
        guard let first = cores?.split(whereSeparator: { $0 == "," || $0 == "-" }).first, let core = Int(first) else { return }
        let result = cift_perf_pin_current_thread(Int32(core))
        if result != 0 {
            Progress.write("floor: could not pin the echo thread to CPU \(core): errno \(result)\n")
        }
    }

    /// A one-line statement of where things ran, for the report.
    public static var description: String {
        let client = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }?
            .split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "?"
        return "clients on CPUs \(client); servers (gateway, QuickFIX, floor echo) on \(cores.map { "CPUs \($0)" } ?? "any CPU (not pinned)")"
    }
}
