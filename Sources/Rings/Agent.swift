/// A stage of the gateway as a unit of work with a non-blocking duty cycle, after
/// Agrona's `Agent`: the engine, the journal writer, an order-entry network loop, the
/// market-data publisher, the shared-memory bridge. Which thread runs which agent is a
/// deployment choice (`AgentRunner`, `CompositeAgent`, the gateway's threading mode);
/// the agent never knows, and never blocks.
///
/// ## Contract
/// Every method is called on the thread that runs the agent, one at a time, from
/// `onStart` to `onClose`. The agent's producers and consumers on other threads reach
/// it only through rings and the `WakeSignal` of the thread that runs it (the runner's
/// signal, handed to the agent when it is built).
public protocol Agent: AnyObject {
    /// A short name for thread names and logs: `engine`, `journal`, `order-entry`.
    var roleName: String { get }

    /// Once, on the running thread, before the first `doWork`: what must be created on
    /// that thread (an io_uring instance). A throw fails the runner's start with it.
    func onStart() throws

    /// One duty cycle: do what is ready and return how much was done (0: nothing, and
    /// the runner may idle). Never blocks; a system call it makes is one that returns at
    /// once (a non-blocking socket call, a `pwrite` of a batch).
    func doWork(nowNanoseconds: Int64) -> Int

    /// Whether `doWork` has something to do now: asked after the runner has announced
    /// that it will sleep (see `WakeSignal`), so a producer that published before the
    /// announcement is seen here and one that publishes after it wakes the sleeper.
    /// Cheap and non-blocking (a few acquire loads).
    func hasPendingWork() -> Bool

    /// The monotonic time (nanoseconds) by which `doWork` must run again even if
    /// nothing arrives: a heartbeat, a partial packet's flush, a poll of something that
    /// cannot wake the thread. Nil: no timer.
    func nextDeadline(nowNanoseconds: Int64) -> Int64?

    /// True once the agent was asked to stop (by its own flag) and has done everything
    /// it owed; the runner stops calling `doWork` and, when every agent of a thread is
    /// finished, the thread ends.
    var isFinished: Bool { get }

    /// Once, on the running thread, after the agent finished or the runner stopped.
    func onClose()
}

extension Agent {
    public func onStart() throws {}
    public func nextDeadline(nowNanoseconds: Int64) -> Int64? { nil }
    public func onClose() {}
}
