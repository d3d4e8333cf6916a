import Atomics
import CCiftSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A named operating-system thread, optionally pinned to one core, that runs
/// one closure and can be joined: how the gateway starts its engine, journal
/// and market-data threads.
///
/// `start` returns only after the new thread has named itself and, when a core
/// is given, pinned itself; a core the process may not use is an error from
/// `start`, and `body` never runs. Threads the body creates inherit the pin.
///
/// ## Contract
/// `join()` is called at most once, from any thread but the started one. A
/// handle dropped without `join()` detaches its thread.
public final class PinnedThread: @unchecked Sendable {
    /// The name as given; the kernel keeps its first 15 bytes.
    public let name: String
    /// The core the thread is pinned to, or nil when the scheduler decides.
    public let core: Int?

    private let thread: pthread_t
    private let joined = ManagedAtomic<Bool>(false)

    private init(name: String, core: Int?, thread: pthread_t) {
        self.name = name
        self.core = core
        self.thread = thread
    }

    deinit {
        // Relaxed: deinit runs after every other use of the handle.
        if !joined.load(ordering: .relaxed) {
            pthread_detach(thread)
        }
    }

    /// Starts a thread named `name` (the first 15 bytes, as Linux keeps), pins
    /// it to `core` when one is given, and runs `body` on it.
    ///
    /// - Throws: `PinnedThreadStartError` naming the thread and the reason: a
    ///   core this process may not use (naming the allowed ones), or the
    ///   system refusing another thread.
    public static func start(
        name: String, core: Int? = nil, body: @escaping @Sendable () -> Void
    ) throws(PinnedThreadStartError) -> PinnedThread {
        if let core {
            do {
                try ThreadPinning.validate(core: core)
            } catch {
                throw PinnedThreadStartError(threadName: name, reason: .pinning(error))
            }
        }
        let start = ThreadStart(kernelName: kernelName(name), core: core, body: body)
        let argument = Unmanaged.passRetained(start).toOpaque()
        #if canImport(Darwin)
        var created: pthread_t?
        #else
        var created = pthread_t()
        #endif
        let result = pthread_create(&created, nil, { argument in
            let start = Unmanaged<ThreadStart>.fromOpaque(argument!).takeRetainedValue()
            start.run()
            return nil
        }, argument)
        guard result == 0 else {
            Unmanaged<ThreadStart>.fromOpaque(argument).release()
            throw PinnedThreadStartError(threadName: name, reason: .creation(errno: result))
        }
        #if canImport(Darwin)
        let thread = created!
        #else
        let thread = created
        #endif
        if let failure = start.waitForSetUp() {
            pthread_join(thread, nil)
            throw PinnedThreadStartError(threadName: name, reason: .pinning(failure))
        }
        return PinnedThread(name: name, core: core, thread: thread)
    }

    /// Waits until the thread's body has returned. Everything the body wrote
    /// is visible to the caller afterwards (pthread_join synchronises).
    /// At most once; traps on a second call or when called from the thread
    /// itself.
    public func join() {
        // Relaxed: only detects a second join; pthread_join orders the rest.
        let wasJoined = joined.exchange(true, ordering: .relaxed)
        precondition(!wasJoined, "PinnedThread '\(name)' joined twice")
        let result = pthread_join(thread, nil)
        precondition(result == 0, "pthread_join('\(name)') failed: errno \(result) (\(String(cString: strerror(result))))")
    }

    /// The calling thread's name as the kernel holds it (at most 15 bytes).
    /// Corresponds to pthread_getname_np.
    public static func currentThreadName() -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let result = buffer.withUnsafeMutableBufferPointer { cift_thread_get_current_name($0.baseAddress!, Int32($0.count)) }
        guard result == 0 else { return "" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// `name` cut to the 15 bytes Linux keeps, at a character boundary.
    static func kernelName(_ name: String) -> String {
        var kept = ""
        var bytes = 0
        for character in name {
            let length = character.utf8.count
            guard bytes + length <= 15 else { break }
            kept.append(character)
            bytes += length
        }
        return kept
    }
}

/// Why `PinnedThread.start` failed.
public struct PinnedThreadStartError: Error, Equatable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        /// The requested core cannot be used.
        case pinning(ThreadPinningError)
        /// pthread_create refused (EAGAIN: a thread or memory limit).
        case creation(errno: Int32)
    }

    /// The name the thread would have had.
    public let threadName: String
    public let reason: Reason

    public init(threadName: String, reason: Reason) {
        self.threadName = threadName
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .pinning(let error):
            return "cannot start thread '\(threadName)': \(error)"
        case .creation(let errno):
            return "cannot start thread '\(threadName)': pthread_create failed: errno \(errno) (\(String(cString: strerror(errno))))"
        }
    }
}

/// What the new thread needs, and the handshake that tells `start` it is set
/// up. The starter and the new thread each hold a reference.
private final class ThreadStart: @unchecked Sendable {
    static let pending: UInt32 = 0
    static let ready: UInt32 = 1
    static let failed: UInt32 = 2

    let kernelName: String
    let core: Int?
    let body: @Sendable () -> Void

    /// Written by the new thread before it publishes `failed`; read by the
    /// starter after it sees `failed`.
    var failure: ThreadPinningError?

    /// `pending`, then `ready` or `failed`, stored once by the new thread;
    /// also the futex word the starter sleeps on.
    private let outcomeStorage: UnsafeMutablePointer<UnsafeAtomic<UInt32>.Storage>
    private var outcome: UnsafeAtomic<UInt32> { UnsafeAtomic(at: outcomeStorage) }
    private var outcomeAddress: UnsafeMutablePointer<UInt32> {
        UnsafeMutableRawPointer(outcomeStorage).assumingMemoryBound(to: UInt32.self)
    }

    init(kernelName: String, core: Int?, body: @escaping @Sendable () -> Void) {
        self.kernelName = kernelName
        self.core = core
        self.body = body
        outcomeStorage = .allocate(capacity: 1)
        outcomeStorage.initialize(to: UnsafeAtomic<UInt32>.Storage(Self.pending))
    }

    deinit {
        outcomeStorage.deinitialize(count: 1)
        outcomeStorage.deallocate()
    }

    /// On the new thread: name it, pin it, report, then run the body.
    func run() {
        let named = kernelName.withCString { cift_thread_set_current_name($0) }
        precondition(named == 0, "pthread_setname_np('\(kernelName)') failed: errno \(named)")
        if let core {
            do {
                try ThreadPinning.pinCurrentThread(toCore: core)
            } catch {
                failure = error
                report(Self.failed)
                return
            }
        }
        report(Self.ready)
        body()
    }

    private func report(_ value: UInt32) {
        // Releasing: `failure` is written before the starter can see `failed`.
        outcome.store(value, ordering: .releasing)
        Futex.wake(outcomeAddress, count: 1)
    }

    /// On the starter: waits for the report; returns the failure, if any.
    func waitForSetUp() -> ThreadPinningError? {
        while true {
            // Acquiring: pairs with the releasing store in report(_:).
            switch outcome.load(ordering: .acquiring) {
            case Self.ready:
                return nil
            case Self.failed:
                return failure
            default:
                // Any return (woken, value changed, timeout) re-checks above.
                _ = Futex.wait(outcomeAddress, expected: Self.pending, timeoutNanoseconds: 100_000_000)
            }
        }
    }
}

extension PinnedThread {
    /// Lets the calling thread's timed waits fire within `nanoseconds` of their deadline
    /// instead of Linux's default 50 µs: for a thread that polls something nobody can
    /// wake it for (the shared-memory bridge, Python's ring) or sleeps until its next
    /// timer (the market-data thread). Best effort: an error leaves the default.
    public static func setCurrentTimerSlack(nanoseconds: UInt64) {
        _ = cift_thread_set_timer_slack(nanoseconds)
    }

    /// The calling thread's timer slack in nanoseconds (0 when unknown).
    public static var currentTimerSlack: UInt64 { cift_thread_timer_slack() }
}
