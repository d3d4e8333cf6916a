import Atomics
import GatewayCore
import Rings

/// The `SignalBridge` as an agent. Python cannot wake it, so it polls: each cycle looks
/// at the signals ring and the port's events, and its deadline asks its thread to come
/// back within the poll interval, which `BridgePollBackoff` lengthens while no record
/// comes. The engine rings the signal of the bridge's thread when it has events for it.
final class SignalBridgeAgent: Agent, @unchecked Sendable {
    let bridge: SignalBridge
    /// The wait strategy for a thread of its own (`shared_memory.wait_strategy`).
    let waitStrategy: WaitStrategy
    /// Releasing store by `requestStop`; acquiring load here. Acted on only when the port
    /// has nothing left, so every answer the engine released reaches the fills ring.
    private let stopRequested = ManagedAtomic(false)
    /// Set (releasing) once the agent has finished.
    let finished = ManagedAtomic(false)
    private var done = false
    /// The poll interval in force and when the ring was last looked at (agent's thread).
    private var backoff: BridgePollBackoff
    private var lastLookAt: Int64

    let roleName = "shm-bridge"

    init(bridge: SignalBridge, waitStrategy: WaitStrategy, backoff: BridgePollBackoff) {
        self.bridge = bridge
        self.waitStrategy = waitStrategy
        self.backoff = backoff
        lastLookAt = backoff.lastWorkAt
    }

    /// The signal the engine rings for this port: the signal of the thread that runs it.
    var signal: WakeSignal { bridge.port.signal }

    func doWork(nowNanoseconds: Int64) -> Int {
        guard !done else { return 0 }
        lastLookAt = nowNanoseconds
        if bridge.turn() {
            _ = backoff.worked(now: nowNanoseconds)
            return 1
        }
        // Acquiring: pairs with `requestStop`'s releasing store.
        if stopRequested.load(ordering: .acquiring) && bridge.port.outboundIsEmpty {
            done = true
            finished.store(true, ordering: .releasing)
            return 0
        }
        _ = backoff.idle(now: nowNanoseconds)
        return 0
    }

    func hasPendingWork() -> Bool {
        !done && (bridge.hasWork || stopRequested.load(ordering: .acquiring))
    }

    func nextDeadline(nowNanoseconds: Int64) -> Int64? { done ? nil : lastLookAt &+ backoff.current }

    var isFinished: Bool { done }

    /// After the engine has stopped: the bridge hands on what the engine released, then
    /// finishes. Any thread.
    func requestStop() {
        stopRequested.store(true, ordering: .releasing)
        signal.wake()
    }
}
