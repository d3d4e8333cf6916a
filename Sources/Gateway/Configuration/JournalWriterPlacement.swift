/// Which thread writes the journal (`journal.writer`).
public enum JournalWriterPlacement: String, Sendable, CaseIterable {
    /// The engine hands each command to the journal thread through a ring and carries on
    /// matching (group commit; the only choice with `durability = "fsync"`).
    case journalThread = "journal-thread"
    /// The engine writes each turn's records itself before releasing the turn's events:
    /// two thread hand-offs fewer per acknowledgement.
    case engineThread = "engine-thread"
}
