/// How long the shared-memory bridge may sleep between looks at the signals ring.
///
/// Python cannot wake the bridge, so the bridge polls: every `activeNanoseconds`
/// (`shared_memory.poll_interval_us`) while records come, so a strategy that sends
/// often is read within that interval; once no record has come for `idleAfterNanoseconds`
/// (`shared_memory.idle_after_ms`), every `idleNanoseconds`
/// (`shared_memory.idle_poll_interval_us`), so a gateway with no Python attached does not
/// wake ten thousand times a second on a 2-core machine. The first record after a quiet
/// spell waits at most the idle interval; the next ones are back to the active one.
///
/// A value type with no clock of its own: the bridge thread feeds it the time.
struct BridgePollBackoff: Equatable {
    let activeNanoseconds: Int64
    let idleNanoseconds: Int64
    let idleAfterNanoseconds: Int64
    /// When the bridge last had work (a record, or an answer from the engine).
    private(set) var lastWorkAt: Int64
    /// The sleep currently in force.
    private(set) var current: Int64

    init(activeNanoseconds: Int64, idleNanoseconds: Int64, idleAfterNanoseconds: Int64, now: Int64) {
        precondition(activeNanoseconds > 0 && idleNanoseconds >= activeNanoseconds && idleAfterNanoseconds >= 0,
                     "BridgePollBackoff: 0 < active <= idle, idleAfter >= 0")
        self.activeNanoseconds = activeNanoseconds
        self.idleNanoseconds = idleNanoseconds
        self.idleAfterNanoseconds = idleAfterNanoseconds
        lastWorkAt = now
        current = activeNanoseconds
    }

    /// The bridge had work at `now`: back to the active interval. Returns whether the
    /// sleep changed.
    mutating func worked(now: Int64) -> Bool {
        lastWorkAt = now
        guard current != activeNanoseconds else { return false }
        current = activeNanoseconds
        return true
    }

    /// The bridge is about to sleep at `now`: the idle interval once it has been quiet
    /// long enough. Returns whether the sleep changed.
    mutating func idle(now: Int64) -> Bool {
        guard current != idleNanoseconds, now &- lastWorkAt >= idleAfterNanoseconds else { return false }
        current = idleNanoseconds
        return true
    }
}
