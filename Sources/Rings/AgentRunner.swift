import Atomics

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs one agent (often a `CompositeAgent`) on a thread of its own, pinned or not, and
/// waits with an `AgentWaiter` between cycles that found no work (Agrona's
/// `AgentRunner`). The thread ends when the agent is finished: each stage stops by its
/// own flag, in the order the gateway's stop sequence sets them, so a thread that runs
/// several stages keeps running the others while one is already done.
///
/// `start` returns once the agent's `onStart` has run on the new thread (or throws its
/// error); `join` waits for the thread to end.
public final class AgentRunner: @unchecked Sendable {
    public let name: String
    public let core: Int?
    public let agent: any Agent
    /// Builds the waiter on the runner's thread, after `onStart` (a network loop, which
    /// is the waiter of a thread that runs one, exists only from its `onStart` on).
    private let makeWaiter: (any Agent) throws -> any AgentWaiter
    private var thread: PinnedThread?
    /// Releasing store by the runner when its loop has returned; acquiring loads anywhere.
    private let ended = ManagedAtomic(false)
    // Written by the runner thread before `started` is signalled, read after the wait.
    nonisolated(unsafe) private var startError: Error?
    private let started = StartGate()

    public init(name: String, core: Int?, agent: any Agent, waiter: @escaping (any Agent) throws -> any AgentWaiter) {
        self.name = name
        self.core = core
        self.agent = agent
        self.makeWaiter = waiter
    }

    /// Starts the thread and returns once the agent has started on it; throws what
    /// `onStart` or the waiter threw (the thread has then ended).
    public func start() throws {
        thread = try PinnedThread.start(name: name, core: core) { [self] in run() }
        started.wait()
        if let startError {
            thread?.join()
            thread = nil
            throw startError
        }
        didStart = true
    }

    /// True once `start` has returned without an error (the thread runs, or has run).
    public private(set) var didStart = false

    /// True once the runner's loop has returned (every stage it runs is finished).
    public var hasEnded: Bool { ended.load(ordering: .acquiring) }

    /// Waits for the thread to end (after the agents' stop flags were set). At most once.
    public func join() {
        thread?.join()
        thread = nil
    }

    private func run() {
        // Its sleeps are its timers (heartbeats, packet flushes, polls): no 50 µs of slack.
        PinnedThread.setCurrentTimerSlack(nanoseconds: 1_000)
        let waiter: any AgentWaiter
        do {
            try agent.onStart()
            do {
                waiter = try makeWaiter(agent)
            } catch {
                agent.onClose()
                throw error
            }
        } catch {
            startError = error
            ended.store(true, ordering: .releasing)
            started.open()
            return
        }
        started.open()
        let agent = self.agent
        while true {
            let now = AgentClock.nanoseconds()
            if agent.doWork(nowNanoseconds: now) > 0 {
                waiter.reset()
                continue
            }
            if agent.isFinished { break }
            waiter.idle(nowNanoseconds: now, deadline: agent.nextDeadline(nowNanoseconds: now)) { agent.hasPendingWork() }
        }
        agent.onClose()
        // Releasing: everything the agents wrote happens-before a reader that sees it.
        ended.store(true, ordering: .releasing)
    }
}

/// The monotonic clock agents are given (CLOCK_MONOTONIC, from the vDSO: no system call).
public enum AgentClock {
    @inline(__always)
    public static func nanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }
}

/// A one-shot gate: `wait` returns once `open` was called (a futex-free semaphore is
/// not needed: start-up only).
final class StartGate: @unchecked Sendable {
    private let opened = ManagedAtomic(false)

    func open() {
        // Releasing: what the opener wrote before is visible to the waiter.
        opened.store(true, ordering: .releasing)
    }

    func wait() {
        // Acquiring: pairs with `open`.
        while !opened.load(ordering: .acquiring) { usleep(50) }
    }
}
