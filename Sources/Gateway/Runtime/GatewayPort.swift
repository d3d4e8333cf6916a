/// The engine's order-entry ports as the gateway wires them (specs/threading.md): each
/// producer by name, so that the wiring never indexes ``EngineRuntime/ports`` by number.
/// A port's index is its place in `EngineRuntime.ports`; its `OrderOrigin.source` is
/// ``EngineRuntime/source(ofPort:)`` (source 0 is the venue itself).
enum GatewayPort: Int, CaseIterable {
    /// The order-entry stage: FIX and OUCH sessions.
    case orderEntry = 0
    /// The venue's own commands (end of day), from whichever thread asks, under the
    /// runtime's admin lock; nobody waits for its events.
    case venue = 1
    /// The shared-memory bridge: Python signals and risk limits.
    case bridge = 2

    /// The engine source of the port's commands.
    var source: UInt8 { EngineRuntime.source(ofPort: rawValue) }

    /// Whether the port hears of venue-wide events (end of day, halts): order entry
    /// does, to tell its sessions; the venue's port and the bridge do not.
    var receivesBroadcasts: Bool { self == .orderEntry }
}

extension EngineRuntime {
    /// The port the gateway wired as `port`.
    func port(_ port: GatewayPort) -> OrderEntryPort { ports[port.rawValue] }
}
