/// How a `JournalWriter` writes.
public struct JournalConfiguration: Equatable, Sendable {
    /// The journal directory; created (with parents) when missing.
    public var directory: String
    /// See `JournalDurability`. Default `.write`.
    public var durability: JournalDurability
    /// A file is rolled when the next record would take it past this many
    /// bytes, header included. A file always takes at least one record, so a
    /// record larger than this gets a file of its own. Default 64 MiB;
    /// at least 4096.
    public var maxFileSize: Int
    /// Bytes of records buffered between flushes: the largest batch one flush
    /// writes, and an upper bound on the record size. Preallocated once.
    /// When an append does not fit, the buffer is flushed first. Default
    /// 1 MiB; at least 4096.
    public var bufferCapacity: Int

    public static let defaultMaxFileSize = 64 << 20
    public static let defaultBufferCapacity = 1 << 20
    public static let minimumSize = 4096

    public init(
        directory: String,
        durability: JournalDurability = .write,
        maxFileSize: Int = JournalConfiguration.defaultMaxFileSize,
        bufferCapacity: Int = JournalConfiguration.defaultBufferCapacity
    ) {
        self.directory = directory
        self.durability = durability
        self.maxFileSize = maxFileSize
        self.bufferCapacity = bufferCapacity
    }

    /// The largest payload `append` accepts with this configuration.
    public var maxPayloadLength: Int {
        min(JournalFormat.maxPayloadLength,
            (bufferCapacity - JournalFormat.recordHeaderLength) & ~(JournalFormat.recordAlignment - 1))
    }

    func validate() throws {
        guard !directory.isEmpty else {
            throw JournalError.invalidConfiguration("directory is empty")
        }
        guard maxFileSize >= Self.minimumSize else {
            throw JournalError.invalidConfiguration("maxFileSize \(maxFileSize) is below \(Self.minimumSize) bytes")
        }
        guard bufferCapacity >= Self.minimumSize else {
            throw JournalError.invalidConfiguration("bufferCapacity \(bufferCapacity) is below \(Self.minimumSize) bytes")
        }
    }
}
