/// What `NetworkLoop.close` did.
public enum CloseResult: Sendable, Equatable {
    /// The connection is now closing; the handler hears `closed` after its
    /// current callback returns.
    case closing
    /// It was already closing (for an earlier reason, which is the one the
    /// handler hears).
    case alreadyClosing
    /// The identifier names no connection of this loop (stale or never
    /// issued); nothing happened.
    case unknownConnection
}
