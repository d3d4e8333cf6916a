import Rings

/// The wake signals of a threading mode: one per thread, named by the stages that thread
/// runs. A producer rings the signal of its consumer's thread; when producer and
/// consumer share a thread the signal is theirs too, and its `wake()` finds the thread
/// running (a fence and a load, no system call).
struct ThreadSignals {
    let orderEntry: WakeSignal
    let engine: WakeSignal
    let journal: WakeSignal
    let marketData: WakeSignal
    let bridge: WakeSignal
    /// The venue's own port: nobody waits for its events, so no thread sleeps on it.
    let venue = WakeSignal()

    /// The signal the engine rings when it has events for `port`'s producer.
    func signal(of port: GatewayPort) -> WakeSignal {
        switch port {
        case .orderEntry: orderEntry
        case .venue: venue
        case .bridge: bridge
        }
    }

    init(_ mode: ThreadingMode) {
        switch mode {
        case .dedicated:
            orderEntry = WakeSignal()
            engine = WakeSignal()
            journal = WakeSignal()
            marketData = WakeSignal()
            bridge = WakeSignal()
        case .split:
            let engineThread = WakeSignal()
            let otherThread = WakeSignal()
            orderEntry = engineThread
            engine = engineThread
            journal = otherThread
            marketData = otherThread
            bridge = otherThread
        case .shared:
            let thread = WakeSignal()
            orderEntry = thread
            engine = thread
            journal = thread
            marketData = thread
            bridge = thread
        }
    }
}
