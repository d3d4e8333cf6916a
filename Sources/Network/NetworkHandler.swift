/// What a `NetworkLoop` tells its owner. Every method is called on the loop's
/// thread, from inside `NetworkLoop.run`, one at a time; a handler may call
/// the loop's methods (`send`, `close`, `setReadingPaused`, ...) from any of
/// them.
///
/// Order per connection: `opened`, then any number of `received`, then
/// `closed` exactly once. `closed` is never called from inside the handler's
/// own call into the loop: when `send` or `close` decides a connection is
/// closing, the handler hears `closed` after its current callback returns,
/// in the same loop turn. After `closed`, the identifier names no
/// connection.
public protocol NetworkHandler: AnyObject {
    /// A client connected to `listener`.
    func opened(_ connection: ConnectionID, listener: ListenerID, loop: NetworkLoop)

    /// Bytes arrived on `connection`, in order. `bytes` is the loop's receive
    /// buffer, lent for the call only: copy what you keep. Bytes arrive in
    /// pieces the peer did not choose: a message may be split across calls,
    /// and one call may hold several messages.
    func received(_ connection: ConnectionID, bytes: UnsafeRawBufferPointer, loop: NetworkLoop)

    /// `connection` is closed, for `reason`. Its identifier is stale from now
    /// on. Called exactly once per `opened` connection, including at loop
    /// shutdown.
    func closed(_ connection: ConnectionID, reason: CloseReason, loop: NetworkLoop)

    /// Called once per loop turn, at least every `maxIdleWaitMilliseconds`
    /// even without traffic, with the monotonic clock in nanoseconds: drain
    /// the engine's outbound ring into `send`, run timers (heartbeats, login
    /// timeouts). Returns whether it did any work, so the loop keeps polling
    /// instead of parking.
    func turn(loop: NetworkLoop, nowNanoseconds: Int64) -> Bool

    /// Whether work is waiting that `turn` would do (the engine's outbound
    /// ring is not empty). The loop asks after announcing that it is about to
    /// park (see `NetworkLoop.wakeSignal`): a producer that published before
    /// that announcement is seen here, and one that publishes after it finds
    /// the loop parked and wakes it. Must not block; called on the loop's
    /// thread.
    func hasPendingWork() -> Bool

    /// Called on the loop's thread just before the loop hands queued sends to the kernel
    /// (at most once per turn, only when there is something to send): the last moment to
    /// write anything that must be durable before the peer can see the bytes (the FIX
    /// message stores, which are written behind). Does nothing by default.
    func willSend(loop: NetworkLoop)
}

extension NetworkHandler {
    public func willSend(loop: NetworkLoop) {}
}
