import GatewayCore

/// Where the engine puts the events of a command, in order, as it produces them.
///
/// The engine is generic over the sink (`process(_:sequence:into:)` is `@inlinable`),
/// so a concrete sink's `emit` is specialised and inlined into the engine: no
/// existential, no closure, no allocation on the way out. `emit` runs on the engine
/// thread in the middle of a command and must not call back into the engine.
public protocol EventSink {
    mutating func emit(_ event: Event)
}

/// A sink that keeps every event in an array: for tests, tools and recovery checks,
/// not for the engine thread (appending allocates as the array grows).
public struct EventRecorder: EventSink {
    public var events: [Event]

    public init() { events = [] }

    public mutating func emit(_ event: Event) { events.append(event) }

    /// Returns the events recorded so far and starts again with an empty list.
    public mutating func take() -> [Event] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }
}

/// A sink that only counts: for replaying a journal into an engine whose events have
/// already been delivered.
public struct EventCounter: EventSink {
    public var count: Int = 0
    public init() {}
    @inlinable public mutating func emit(_ event: Event) { count &+= 1 }
}
