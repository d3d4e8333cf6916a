/// How far a session's outbound store (an OUCH user's sequenced stream, a FIX session's
/// message store) has answered the engine: which answers to journaled commands it
/// already holds, so that recovery can append, exactly once and in order, every answer
/// a crash kept out of it.
///
/// Every stored message that answers an engine event is tagged with the journal
/// sequence of the command that caused the event (``Event/sequence``); other messages
/// (a session reject, a heartbeat) with 0. Answers reach a store in engine order, so
/// what a store holds is always every answer up to some point, and the point is two
/// numbers: the highest sequence answered (``highWater``) and how many answers to that
/// sequence are stored (one command can cause several: an accept and its fills). A
/// store that holds no answer starts from a baseline: the journal's last sequence when
/// the store was created or reset, because the answers before it belong to an earlier
/// session day or sequence-number cycle.
///
/// Journal replay (specs/recovery.md) hands each replayed event's answers to
/// ``holdsAnswer(to:)``: an answer to a command before the high-water mark, or one of
/// the first ``storedAtHighWater`` answers to the command at it, is already stored and is
/// skipped; every later one is missing and is appended. After recovery every event
/// comes from a new command, above the mark, and the check costs one comparison.
public struct EngineAnswerMark: Sendable, Equatable {
    /// The baseline of a store created before the journal's end was known: it holds
    /// every answer so far (nothing older is its to carry) until ``settle(baseline:)``
    /// gives it the journal's last sequence.
    public static let unsettled = UInt64.max

    /// The highest engine sequence answered in the store, or its baseline.
    public private(set) var highWater: UInt64
    /// Answers to command ``highWater`` in the store (0 at a baseline).
    public private(set) var storedAtHighWater: Int
    /// Answers to command ``highWater`` that recovery has still to meet again.
    private var unmatched: Int
    /// True while ``highWater`` is a baseline: every answer to that command belongs to
    /// an earlier store.
    private var atBaseline: Bool

    /// A store with no answers yet, that carries the answers to commands after
    /// `baseline`.
    public init(baseline: UInt64) {
        highWater = baseline
        storedAtHighWater = 0
        unmatched = 0
        atBaseline = true
    }

    /// A stored answer to command `sequence` (0: not an answer, ignored). Called for
    /// each message read back when a store opens, and for each one appended.
    public mutating func record(_ sequence: UInt64) {
        guard sequence != 0, highWater != Self.unsettled else { return }
        if sequence > highWater {
            highWater = sequence
            storedAtHighWater = 1
            unmatched = 0
            atBaseline = false
        } else if sequence == highWater {
            storedAtHighWater += 1
        }
    }

    /// Journal replay is about to meet every answer again: the first
    /// ``storedAtHighWater`` answers to the high-water command are already stored. Only
    /// recovery calls this; a store opened at any other time (a FIX RefreshOnLogon)
    /// expects new answers only.
    public mutating func beginRecovery() {
        unmatched = storedAtHighWater
    }

    /// Whether an answer to command `sequence`, about to be stored, is one the store
    /// already holds (and is to be skipped). Counts off the stored answers to the
    /// high-water command as replay meets them again. `sequence` 0 (not an answer) is
    /// never held.
    public mutating func holdsAnswer(to sequence: UInt64) -> Bool {
        if sequence == 0 || sequence > highWater { return false }
        if sequence < highWater || atBaseline { return true }
        guard unmatched > 0 else { return false }
        unmatched -= 1
        return true
    }

    /// Gives an unsettled store its baseline once the journal's last sequence is known;
    /// a settled mark is left as it is. Returns true when it changed.
    @discardableResult
    public mutating func settle(baseline: UInt64) -> Bool {
        guard highWater == Self.unsettled else { return false }
        highWater = baseline
        storedAtHighWater = 0
        unmatched = 0
        atBaseline = true
        return true
    }

    /// Whether the baseline is still unknown.
    public var isUnsettled: Bool { highWater == Self.unsettled }
}
