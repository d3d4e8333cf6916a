import Rings

/// A thread that lives for the whole benchmark and runs one job per request: started
/// (named and, when possible, pinned) in the benchmark's setup, so no thread is created
/// or destroyed inside a measured iteration.
///
/// Between jobs it sleeps on a semaphore, so it leaves its core to the coordinator.
/// The benchmark thread calls ``begin(_:)`` and ``finish()`` (or ``run(_:)``); the job
/// code selects what the body does. Everything the benchmark thread writes before
/// `begin` is visible to the job, and everything the job writes is visible after
/// `finish` (the semaphores order memory).
public final class BenchmarkWorker: @unchecked Sendable {
    public let name: String
    /// The core the thread is pinned to, or nil when pinning failed and it runs
    /// wherever the scheduler puts it (a note was printed).
    public private(set) var core: Int?

    private let go = Semaphore()
    private let done = Semaphore()
    /// Written by the benchmark thread before `go.post()`; read by the worker after `go.wait()`.
    private var job = 0
    private var stopping = false
    private var thread: PinnedThread?

    /// Starts the thread pinned to `core`; if that core cannot be used, starts it
    /// unpinned and prints why.
    public init(name: String, core: Int, body: @escaping @Sendable (_ job: Int) -> Void) {
        self.name = name
        let loop: @Sendable () -> Void = { [go, done, unowned self] in
            while true {
                go.wait()
                if self.stopping { return }
                body(self.job)
                done.post()
            }
        }
        do {
            thread = try PinnedThread.start(name: name, core: core, body: loop)
            self.core = core
        } catch {
            printNote("note: \(error); '\(name)' runs unpinned, figures from this run are not comparable to pinned ones")
            thread = try! PinnedThread.start(name: name, core: nil, body: loop)
            self.core = nil
        }
    }

    /// Hands job `job` to the thread and returns at once.
    public func begin(_ job: Int) {
        self.job = job
        go.post()
    }

    /// Waits until the job handed over by the last `begin` has finished.
    public func finish() {
        done.wait()
    }

    /// `begin` then `finish`.
    public func run(_ job: Int) {
        begin(job)
        finish()
    }

    /// Ends the thread and joins it. Call once, from the benchmark thread, with no job running.
    public func stop() {
        stopping = true
        go.post()
        thread?.join()
        thread = nil
    }

    /// "pinned to core N" or "unpinned", for notes.
    public var placement: String {
        core.map { "pinned to core \($0)" } ?? "unpinned"
    }
}
