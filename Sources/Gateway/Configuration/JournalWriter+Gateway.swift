import GatewayCore
import Journal

extension JournalWriter {
    /// Opens the gateway's journal in `directory`, continuing at `nextSequence` (from recovery).
    public static func open(directory: String, configuration c: GatewayConfiguration, nextSequence: UInt64) throws -> JournalWriter {
        let durability = c.journal.durability
        // The buffer holds a whole journal ring's worth of records, so one drained batch is
        // one write (and one fdatasync in fsync mode) rather than several automatic flushes.
        let recordBytes = JournalFormat.recordHeaderLength + CommandRecord.size
        let buffer = max(JournalConfiguration.defaultBufferCapacity, c.journal.ringCapacity * recordBytes)
        return try JournalWriter(
            configuration: JournalConfiguration(
                directory: directory, durability: durability, maxFileSize: c.journal.maxFileBytes, bufferCapacity: buffer),
            nextSequence: nextSequence)
    }
}
