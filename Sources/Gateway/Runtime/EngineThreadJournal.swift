import GatewayCore
import Journal

/// The journal written by the engine thread itself (`journal.writer = "engine-thread"`):
/// each command's record is appended to the writer's buffer before the command is
/// matched, and the turn's records go to the file with one `write` before the turn's
/// events are released.
///
/// Why: with the journal thread, every acknowledgement waits for two wake-ups (engine →
/// journal, journal → engine) around a `write` of a few microseconds; on a 2-core machine
/// each wake-up costs tens of microseconds (perf/RESULTS.md, "Where the journal is
/// written"). Here the `write` is on the engine thread instead: the engine pauses for it
/// once per turn (a batch of up to `engine.batch_size` commands per port), which is cheaper
/// than the two hand-offs whenever a turn is small. With `durability = "fsync"` the pause
/// would be an fdatasync, so the configuration refuses that pairing.
///
/// Threading: the engine thread only (built before it starts, closed after it stops).
final class EngineThreadJournal {
    let writer: JournalWriter
    let shared: RuntimeShared
    private let scratch = UnsafeMutableRawPointer.allocate(byteCount: CommandRecord.size, alignment: 8)
    /// One past the last sequence appended and not yet written.
    private var appendedThrough: UInt64?
    private var failure: Error?

    init(writer: JournalWriter, shared: RuntimeShared) {
        self.writer = writer
        self.shared = shared
    }

    deinit { scratch.deallocate() }

    /// Appends `command`'s record to the writer's buffer (no system call unless the buffer
    /// is full, which a turn's batch never makes it).
    @inline(__always)
    func append(_ command: Command, sequence: UInt64) {
        guard failure == nil else { return }
        CommandRecord.encode(command, into: scratch)
        do {
            try writer.append(sequence: sequence, payload: UnsafeRawBufferPointer(start: scratch, count: CommandRecord.size))
            appendedThrough = sequence &+ 1
        } catch {
            failure = error
        }
    }

    /// Writes what was appended; then every command below the new durable sequence may be
    /// acknowledged. On failure, the runtime hears of it as of a journal-thread failure.
    func commit() {
        guard let through = appendedThrough else { return }
        appendedThrough = nil
        do {
            if let failure { throw failure }
            try writer.flush()
        } catch {
            shared.journalError = error
            // Releasing: `journalError` is written before anyone sees the flag.
            shared.journalFailed.store(true, ordering: .releasing)
            Log.error("journal write failed, the engine stops taking orders: \(error)")
            return
        }
        // Releasing: the write above happens-before any thread that reads this value (the
        // engine reads it itself; the runtime's stop reads it after joining).
        shared.durableSequence.store(through, ordering: .releasing)
    }
}
