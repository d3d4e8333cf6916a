import Atomics

/// How far the stages that store answers have stored them: the order-entry stage (the
/// OUCH streams and FIX stores) and the market-data stage (the ITCH store). A snapshot
/// may cover a command only once both have written every answer to it, because a
/// restart from that snapshot replays only the commands after it, and a crash can keep
/// only the answers to replayed commands out of the files (specs/snapshots.md, "Which
/// sequence a snapshot may cover").
///
/// Each stage, on its own thread, reads the engine's `releasedThrough` (acquiring) before
/// it drains its ring; once the ring was empty and its files are written, every event up
/// to that number is in them, and it stores the number (releasing, after the writes).
/// The snapshot thread reads both (acquiring).
final class AnswerWatermarks: @unchecked Sendable {
    /// The engine's "every event up to here is on its ring".
    let released: ManagedAtomic<UInt64>
    let orderEntry: ManagedAtomic<UInt64>
    let marketData: ManagedAtomic<UInt64>

    /// `stored`: what recovery left complete in every file (the snapshot the start-up
    /// loaded, or 0).
    init(released: ManagedAtomic<UInt64>, stored: UInt64) {
        self.released = released
        orderEntry = ManagedAtomic(stored)
        marketData = ManagedAtomic(stored)
    }

    /// The highest sequence whose answers are all in the files.
    var storedThrough: UInt64 {
        // Acquiring: pairs with each stage's releasing store, made after its file writes.
        min(orderEntry.load(ordering: .acquiring), marketData.load(ordering: .acquiring))
    }

    /// A stage's side: `released` read before its ring was drained empty, stored after its
    /// files were written. Never moves backwards.
    static func advance(_ mark: ManagedAtomic<UInt64>, to value: UInt64) {
        // Relaxed read: only this stage writes its mark.
        if value > mark.load(ordering: .relaxed) {
            mark.store(value, ordering: .releasing)
        }
    }
}
