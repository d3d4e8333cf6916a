import Rings

/// How the gateway's stages (agents) are put on threads (specs/threading.md, "Threading
/// modes"), after Aeron's `ThreadingMode`. The stages, their rings and the durability
/// gate are the same in every mode; only the composition changes.
public enum ThreadingMode: String, Sendable, CaseIterable {
    /// A thread per stage: order entry, engine (pinned to `engine.core`), journal writer
    /// (unless the engine writes it), market data, shared-memory bridge. For machines
    /// with a core per stage, where each can busy-spin on its own.
    case dedicated
    /// Order entry and the engine (and the journal when the engine writes it) in one
    /// duty cycle on one thread pinned to `engine.core`; the journal writer, market data
    /// and the bridge in one duty cycle on another.
    case split
    /// Every stage in one duty cycle on one thread pinned to `engine.core`, sleeping in
    /// the network loop's `io_uring_enter` until a socket, a wake-up or the earliest
    /// deadline: no hand-off between stages ever crosses a core.
    case shared

    /// Whether the engine takes commands on order entry's own thread, in the same duty
    /// cycle: then it cannot take a command before order entry's turn has ended, and
    /// order entry may finish a read's writes (the FIX inbound numbers) at the turn's
    /// end rather than before each command.
    public var engineSharesOrderEntryThread: Bool { self != .dedicated }

    /// The mode that runs, and why.
    public struct Choice: Sendable, Equatable {
        public let mode: ThreadingMode
        public let reason: String
    }

    /// The configured mode, or for `auto` (nil) the one that suits `cpus` (the CPUs the process
    /// may use, from `sched_getaffinity`): `shared` on one or two (a wake-up across cores
    /// costs about a whole same-core round trip there, perf/RESULTS.md), `split` on three,
    /// `dedicated` on four or more (a core per busy stage).
    public static func choose(configured: ThreadingMode?, cpus: Int) -> Choice {
        if let mode = configured {
            return Choice(mode: mode, reason: "threading.mode = \"\(mode.rawValue)\"")
        }
        let auto = "threading.mode = \"auto\" with \(cpus) CPU\(cpus == 1 ? "" : "s") available to the process"
        switch cpus {
        case ...2:
            return Choice(mode: .shared, reason: auto + ": every stage on one thread, so no hand-off pays a cross-core wake-up")
        case 3:
            return Choice(mode: .split, reason: auto + ": network and engine on one thread, the rest on another")
        default:
            return Choice(mode: .dedicated, reason: auto + ": a thread per stage")
        }
    }

    /// The choice for this process.
    public static func choose(configured: ThreadingMode?) -> Choice {
        choose(configured: configured, cpus: ThreadPinning.availableCores())
    }
}
