import Atomics
import GatewayCore
import Rings

/// The thread that runs the `SignalBridge`. Python cannot wake it, so it polls: it
/// spins while there is work, then parks on its port's signal (which the engine rings
/// when it has events for it) for at most the poll interval, and looks at the signals
/// ring again. `shared_memory.wait_strategy` chooses how eagerly; `BridgePollBackoff`
/// lengthens the interval while no record comes.
final class SignalBridgeThread: @unchecked Sendable {
    let bridge: SignalBridge
    let idler: ConsumerIdler
    /// Releasing store by `stop`; acquiring load here. Checked only when the port has
    /// nothing left, so every answer the engine released reaches the fills ring.
    private let stopRequested = ManagedAtomic(false)
    private var thread: PinnedThread?

    /// The poll interval in force (bridge thread only).
    private var backoff: BridgePollBackoff

    init(bridge: SignalBridge, waitStrategy: WaitStrategy, backoff: BridgePollBackoff) {
        self.bridge = bridge
        idler = ConsumerIdler(strategy: waitStrategy, signal: bridge.port.signal)
        self.backoff = backoff
    }

    func start() throws {
        thread = try PinnedThread.start(name: "cift-shm-bridge", core: nil) { [self] in run() }
    }

    /// After the engine has stopped.
    func stop() {
        stopRequested.store(true, ordering: .releasing)
        bridge.port.signal.wake()
        thread?.join()
        thread = nil
    }

    private func run() {
        // Its park is a timed wait (Python cannot wake it): no 50 µs of slack on top.
        PinnedThread.setCurrentTimerSlack(nanoseconds: 1_000)
        while true {
            if bridge.turn() {
                idler.reset()
                if backoff.worked(now: monotonicNanoseconds()) { idler.setParkTimeout(nanoseconds: backoff.current) }
                continue
            }
            // Acquiring: pairs with `stop`'s releasing store.
            if stopRequested.load(ordering: .acquiring) && bridge.port.outboundIsEmpty { return }
            if backoff.idle(now: monotonicNanoseconds()) { idler.setParkTimeout(nanoseconds: backoff.current) }
            idler.idle()
        }
    }
}
