#if canImport(Glibc)
import Glibc
#endif

/// A debug-build check that a single-threaded object (the engine, a stage's state) is
/// only ever used by one thread: the first thread to ``check(_:)`` owns it, and a call
/// from any other thread traps naming the object. Release builds compile it to nothing,
/// so it costs the hot path nothing where latency is measured.
public struct OwningThreadCheck {
    #if DEBUG
    private var owner: pthread_t?
    #endif

    public init() {}

    /// Traps (debug builds) unless the calling thread owns the object.
    @inline(__always)
    public mutating func check(_ what: @autoclosure () -> String) {
        precondition(isOwner(), "\(what()) used on a second thread")
    }

    /// Whether the calling thread owns the object; the first caller becomes its owner.
    /// Always true in release builds.
    @inline(__always)
    public mutating func isOwner() -> Bool {
        #if DEBUG
        let current = pthread_self()
        guard let owner else {
            owner = current
            return true
        }
        return pthread_equal(owner, current) != 0
        #else
        return true
        #endif
    }
}
