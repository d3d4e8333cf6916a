/// When a flushed batch counts as journaled.
///
/// Configuration strings are exactly "write" and "fsync".
public enum JournalDurability: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Each flush is one write to the file. The records survive a killed
    /// process (they are in the kernel's page cache) but not a power loss.
    case write
    /// Each flush is one write followed by one fdatasync (group commit: one
    /// sync per flush, never per record), new files and the directory are
    /// synced as they are created. The records survive a power loss.
    case fsync

    /// Parses a configuration value: "write" or "fsync", nothing else.
    /// Throws `JournalError.unknownDurability` naming the value and the choices.
    public init(configurationValue value: String) throws {
        guard let durability = JournalDurability(rawValue: value) else {
            throw JournalError.unknownDurability(value)
        }
        self = durability
    }

    public var description: String { rawValue }

    /// The code stored at `JournalFormat.HeaderOffset.durability`.
    var headerCode: UInt32 {
        switch self {
        case .write: return 0
        case .fsync: return 1
        }
    }

    init?(headerCode: UInt32) {
        switch headerCode {
        case 0: self = .write
        case 1: self = .fsync
        default: return nil
        }
    }
}
