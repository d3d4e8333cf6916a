import GatewayCore
import Rings

/// The engine's side of the feed: the ring the engine pushes durable market-data events
/// to (engine thread the only producer, the market-data thread the only consumer) and
/// the signal of the market-data thread, which the engine wakes after a batch.
public final class MarketDataPort: @unchecked Sendable {
    public let ring: SPSCRing<Event>
    public let signal: WakeSignal

    init(ring: SPSCRing<Event>, signal: WakeSignal) {
        self.ring = ring
        self.signal = signal
    }
}
