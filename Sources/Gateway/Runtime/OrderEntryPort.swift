import GatewayCore
import Rings

/// One producer's connection to the engine: its inbound command ring and the outbound
/// ring its events come back on. An I/O thread (or the crash drill's order source)
/// holds one; it is the only producer of `submit` and the only consumer of `pollEvents`.
public final class OrderEntryPort: @unchecked Sendable {
    /// The `OrderOrigin.source` value commands from this port must carry.
    public let source: UInt8
    let inbound: SPSCRing<Command>
    let outbound: SPSCRing<Event>
    let engineSignal: WakeSignal
    /// The port owner's signal: the engine wakes it when events arrive.
    public let signal: WakeSignal

    init(source: UInt8, inbound: SPSCRing<Command>, outbound: SPSCRing<Event>, engineSignal: WakeSignal, signal: WakeSignal) {
        self.source = source
        self.inbound = inbound
        self.outbound = outbound
        self.engineSignal = engineSignal
        self.signal = signal
    }

    /// Queues a command for the engine. False when the inbound ring is full: the caller
    /// stops reading from its sockets until there is room (TCP pushes back on the client).
    ///
    /// `wake: false` leaves waking the engine to the caller, who then calls ``wakeEngine()``
    /// once per batch (an I/O loop turn): a parked engine's wake-up costs a fence and a
    /// futex call, which a batch should pay once, not per command.
    @inline(__always)
    public func submit(_ command: Command, wake: Bool = true) -> Bool {
        guard inbound.tryPush(command) else { return false }
        if wake { engineSignal.wake() }
        return true
    }

    /// Wakes the engine if it is parked; after a batch of `submit(_:wake: false)`.
    @inline(__always)
    public func wakeEngine() { engineSignal.wake() }

    /// Hands each waiting event to `body`, at most `maxCount`; returns how many.
    @inline(__always)
    public func pollEvents(maxCount: Int, _ body: (Event) -> Void) -> Int {
        outbound.drain(maxCount: maxCount, body)
    }

    /// True when no command of this port is waiting for the engine.
    public var inboundIsEmpty: Bool { inbound.isEmpty }

    /// True when no event is waiting for this port's owner.
    public var outboundIsEmpty: Bool { outbound.isEmpty }
}
