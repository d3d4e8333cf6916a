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
    @inline(__always)
    public func submit(_ command: Command) -> Bool {
        guard inbound.tryPush(command) else { return false }
        engineSignal.wake()
        return true
    }

    /// Hands each waiting event to `body`, at most `maxCount`; returns how many.
    @inline(__always)
    public func pollEvents(maxCount: Int, _ body: (Event) -> Void) -> Int {
        outbound.drain(maxCount: maxCount, body)
    }

    /// True when no command of this port is waiting for the engine.
    public var inboundIsEmpty: Bool { inbound.isEmpty }
}
