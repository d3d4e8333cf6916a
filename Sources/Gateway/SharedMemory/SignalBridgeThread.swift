import Atomics
import GatewayCore
import Rings

/// The thread that runs the `SignalBridge`. Python cannot wake it, so it polls: it
/// spins while there is work, then parks on its port's signal (which the engine rings
/// when it has events for it) for at most `pollInterval`, and looks at the signals
/// ring again. `shared_memory.wait_strategy` chooses how eagerly.
final class SignalBridgeThread: @unchecked Sendable {
    let bridge: SignalBridge
    let idler: ConsumerIdler
    /// Releasing store by `stop`; acquiring load here. Checked only when the port has
    /// nothing left, so every answer the engine released reaches the fills ring.
    private let stopRequested = ManagedAtomic(false)
    private var thread: PinnedThread?

    init(bridge: SignalBridge, waitStrategy: WaitStrategy) {
        self.bridge = bridge
        idler = ConsumerIdler(strategy: waitStrategy, signal: bridge.port.signal)
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
                continue
            }
            // Acquiring: pairs with `stop`'s releasing store.
            if stopRequested.load(ordering: .acquiring) && bridge.port.outboundIsEmpty { return }
            idler.idle()
        }
    }
}
