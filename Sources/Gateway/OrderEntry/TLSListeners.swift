import Atomics
import Foundation
import Network
import TLS

/// The I/O thread's TLS listeners: where they listen and the context they start with.
struct TLSListenerSettings: @unchecked Sendable {
    var fix: ListenAddress
    var ouch: ListenAddress
    var context: TLSContext
}

/// Hands a reloaded TLS context from whichever thread reloads (SIGHUP, an admin call)
/// to the I/O thread, which installs it on its TLS listeners at its next turn.
final class TLSReloadMailbox: @unchecked Sendable {
    private let lock = NSLock()
    private var waiting: TLSContext?
    /// Releasing store after `waiting` is set; the I/O thread's acquiring load per turn
    /// is the only cost when nothing waits.
    private let hasMail = ManagedAtomic(false)

    func post(_ context: TLSContext) {
        lock.withLock { waiting = context }
        hasMail.store(true, ordering: .releasing)
    }

    /// The context posted since the last call, if any (I/O thread).
    func take() -> TLSContext? {
        // Acquiring: pairs with `post`'s releasing store.
        guard hasMail.load(ordering: .acquiring) else { return nil }
        hasMail.store(false, ordering: .relaxed)
        return lock.withLock {
            defer { waiting = nil }
            return waiting
        }
    }
}
