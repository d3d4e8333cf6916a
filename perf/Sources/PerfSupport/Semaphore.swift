#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A POSIX counting semaphore in memory of its own: how the benchmark thread hands a
/// run to a worker and waits for it without spinning (on two cores a spinning
/// coordinator would take a core from the threads being measured).
///
/// `post` and `wait` order memory (POSIX lists both among the functions that
/// synchronise memory): what one thread wrote before `post` is visible to the thread
/// that returns from the matching `wait`. Neither allocates.
/// Corresponds to sem_init / sem_post / sem_wait / sem_destroy.
public final class Semaphore: @unchecked Sendable {
    private let semaphore: UnsafeMutablePointer<sem_t>

    public init() {
        semaphore = .allocate(capacity: 1)
        let result = sem_init(semaphore, 0, 0)
        precondition(result == 0, "sem_init failed: errno \(errno)")
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    public func post() {
        let result = sem_post(semaphore)
        precondition(result == 0, "sem_post failed: errno \(errno)")
    }

    /// Blocks until a `post`; retries when a signal interrupts the wait.
    public func wait() {
        while sem_wait(semaphore) != 0 {
            let error = errno
            precondition(error == EINTR, "sem_wait failed: errno \(error)")
        }
    }
}
