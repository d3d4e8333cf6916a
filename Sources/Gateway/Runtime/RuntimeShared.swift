import Atomics

/// The few words the runtime's threads share besides their rings. Each says who writes it.
final class RuntimeShared: @unchecked Sendable {
    /// Every command with a lower sequence number is in the journal file (and fsynced in
    /// fsync mode). Written by the journal thread only (releasing, after the write);
    /// read by the engine thread (acquiring) before it lets an acknowledgement go.
    let durableSequence: ManagedAtomic<UInt64>
    /// Set by the runtime (releasing) once producers have stopped; the engine thread
    /// finishes what is queued and returns.
    let stopEngine = ManagedAtomic(false)
    /// Set by the runtime after the engine thread has returned; the journal thread
    /// writes what is left and returns.
    let stopJournal = ManagedAtomic(false)
    /// Set by the journal thread (releasing) when a write failed: the engine stops taking
    /// commands, since it could no longer acknowledge them honestly. `journalError` is
    /// written before the flag and read only after it is seen set.
    let journalFailed = ManagedAtomic(false)
    nonisolated(unsafe) var journalError: Error?
    /// Every event of every command up to this sequence has been pushed onto its outbound
    /// rings (none is waiting for durability or ring room). Written by the engine thread
    /// (releasing, after the pushes); read (acquiring) by the order-entry and market-data
    /// stages, which say when they have stored all of it (``AnswerWatermarks``).
    let releasedThrough: ManagedAtomic<UInt64>

    /// Per port: set (releasing) by the runtime when the port's owner has gone and will
    /// never drain its ring again; read (acquiring) by the engine, which then drops that
    /// port's events instead of waiting for room that will never come.
    let abandoned: [ManagedAtomic<Bool>]

    init(durableSequence: UInt64, portCount: Int) {
        self.durableSequence = ManagedAtomic(durableSequence)
        // At start every replayed command's answers are where recovery put them.
        releasedThrough = ManagedAtomic(durableSequence - 1)
        abandoned = (0..<portCount).map { _ in ManagedAtomic(false) }
    }

    @inline(__always)
    func isAbandoned(_ port: Int) -> Bool { abandoned[port].load(ordering: .acquiring) }
}
