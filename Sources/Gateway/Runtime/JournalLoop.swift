import Atomics
import GatewayCore
import Journal
import Rings

/// The journal thread: drains the engine's journal ring in batches, writes each batch
/// with one system call (and one fdatasync in fsync mode: group commit), then publishes
/// the new durable sequence and wakes the engine so the batch's events can leave.
///
/// Keeping the write here keeps it off the per-order critical path: the engine goes on
/// matching the next commands while this thread waits for the kernel.
final class JournalLoop: @unchecked Sendable {
    let ring: SPSCRing<JournalEntry>
    let writer: JournalWriter
    let shared: RuntimeShared
    let signal: WakeSignal
    let engineSignal: WakeSignal
    let idler: ConsumerIdler
    let maxBatch: Int
    private let scratch = UnsafeMutableRawPointer.allocate(byteCount: CommandRecord.size, alignment: 8)

    init(
        ring: SPSCRing<JournalEntry>, writer: JournalWriter, shared: RuntimeShared,
        signal: WakeSignal, engineSignal: WakeSignal, waitStrategy: WaitStrategy
    ) {
        self.ring = ring
        self.writer = writer
        self.shared = shared
        self.signal = signal
        self.engineSignal = engineSignal
        self.idler = ConsumerIdler(strategy: waitStrategy, signal: signal)
        self.maxBatch = max(1, ring.capacity)
    }

    deinit { scratch.deallocate() }

    func run() {
        while true {
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
                    return
                }
                // Releasing: the write above happens-before any thread that sees this value.
                shared.durableSequence.store(last &+ 1, ordering: .releasing)
                engineSignal.wake()
                idler.reset()
                continue
            }
            if shared.stopJournal.load(ordering: .acquiring) && ring.isEmpty {
                return
            }
            idler.idle()
        }
    }

    private func fail(_ error: Error) {
        shared.journalError = error
        shared.journalFailed.store(true, ordering: .releasing)
        engineSignal.wake()
        Log.error("journal write failed, the engine stops taking orders: \(error)")
    }
}
