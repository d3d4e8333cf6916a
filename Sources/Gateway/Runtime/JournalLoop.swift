import Atomics
import GatewayCore
import Journal
import Rings

/// The journal writer as an agent: drains the engine's journal ring in batches, writes
/// each batch with one system call (and one fdatasync in fsync mode: group commit), then
/// publishes the new durable sequence and wakes the engine so the batch's events can leave.
///
/// On a runner of its own the write is off the per-order critical path: the engine goes
/// on matching the next commands while this thread waits for the kernel. In a composite
/// it runs right after the engine, in the same cycle.
final class JournalLoop: Agent, @unchecked Sendable {
    let ring: SPSCRing<JournalEntry>
    let writer: JournalWriter
    let shared: RuntimeShared
    /// The signal of the thread that runs this agent (the engine rings it).
    let signal: WakeSignal
    let engineSignal: WakeSignal
    let maxBatch: Int
    private let scratch = UnsafeMutableRawPointer.allocate(byteCount: CommandRecord.size, alignment: 8)
    /// Set (releasing) once the agent has finished (stopped with its ring empty, or failed).
    let finished = ManagedAtomic(false)
    private var done = false

    let roleName = "journal"

    init(ring: SPSCRing<JournalEntry>, writer: JournalWriter, shared: RuntimeShared, signal: WakeSignal, engineSignal: WakeSignal) {
        self.ring = ring
        self.writer = writer
        self.shared = shared
        self.signal = signal
        self.engineSignal = engineSignal
        self.maxBatch = max(1, ring.capacity)
    }

    deinit { scratch.deallocate() }

    var isFinished: Bool { done }

    func hasPendingWork() -> Bool {
        !done && (!ring.isEmpty || shared.stopJournal.load(ordering: .acquiring))
    }

    func doWork(nowNanoseconds: Int64) -> Int {
        guard !done else { return 0 }
        var last: UInt64 = 0
        let payload = UnsafeRawBufferPointer(start: scratch, count: CommandRecord.size)
        var failure: Error?
        let taken = ring.drain(maxCount: maxBatch) { entry in
            guard failure == nil else { return }
            CommandRecord.encode(entry.command, into: scratch)
            do {
                try writer.append(sequence: entry.sequence, payload: payload)
            } catch {
                failure = error
            }
            last = entry.sequence
        }
        if taken > 0 {
            do {
                if let failure { throw failure }
                try writer.flush()
            } catch {
                fail(error)
                return taken
            }
            // Releasing: the write above happens-before any thread that sees this value.
            shared.durableSequence.store(last &+ 1, ordering: .releasing)
            engineSignal.wake()
            return taken
        }
        // Acquiring: pairs with the runtime's releasing store after the engine finished.
        if shared.stopJournal.load(ordering: .acquiring) && ring.isEmpty { finish() }
        return 0
    }

    private func finish() {
        done = true
        finished.store(true, ordering: .releasing)
    }

    private func fail(_ error: Error) {
        shared.journalError = error
        shared.journalFailed.store(true, ordering: .releasing)
        engineSignal.wake()
        Log.error("journal write failed, the engine stops taking orders: \(error)")
        finish()
    }
}
