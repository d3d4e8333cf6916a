/// What `NetworkLoop.send` did with the bytes. Back-pressure is a value: a
/// send is never dropped silently and never blocks the loop.
public enum SendResult: Sendable, Equatable {
    /// Copied into the connection's send buffer; it goes out this turn.
    case queued
    /// Not queued: with these bytes the connection's pending output would
    /// exceed `maxSendBufferBytes`. The connection is being closed with
    /// `CloseReason.slowConsumer`; the handler hears `closed` after its
    /// current callback returns.
    case slowConsumer
    /// Not queued: the connection is closing (the handler closed it, the peer
    /// closed, an error, or an earlier slow-consumer verdict).
    case closed
    /// Not queued: the identifier names no connection of this loop (its
    /// connection closed and the slot was released or reused).
    case unknownConnection
}
