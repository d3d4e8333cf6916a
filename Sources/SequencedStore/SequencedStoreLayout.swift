/// What a store's owner tells ``SequencedFileStore`` about its file: the header, and how
/// to find where each record ends. Everything else (opening, locking, recovering the
/// torn tail, buffering, writing, syncing, reading back) is the store's.
public struct SequencedStoreLayout {
    /// What the file is, for errors ("FIX message store").
    public var kind: String
    /// Bytes before the first record.
    public var headerLength: Int
    /// Writes the header of a new file (the buffer is `headerLength` zero bytes).
    public var newHeader: (UnsafeMutableRawBufferPointer) -> Void
    /// Checks the header of an existing, non-empty file; throws what is wrong with it
    /// (``SequencedStoreError/notAStore(path:kind:reason:)``,
    /// ``SequencedStoreError/unsupportedVersion(path:kind:found:supported:)``,
    /// ``SequencedStoreError/wrongOwner(path:expected:found:)``). The bytes are the
    /// file's first `headerLength`, or all of a shorter file: one the closure lets
    /// through is taken as a header torn while it was created, and started afresh.
    public var checkHeader: (_ header: UnsafeRawBufferPointer, _ path: String) throws(SequencedStoreError) -> Void
    /// The length of record `index` (0-based), which starts at the start of `bytes`: its
    /// own header and its payload. nil when `bytes` end inside it, or when it is not a
    /// record (its length or number is impossible): the file's end is torn there, and the
    /// store cuts it off.
    public var recordLength: (_ bytes: UnsafeRawBufferPointer, _ index: Int) -> Int?
    /// Set when every record has this length (an index of fixed entries): records the
    /// owner hands over are then counted without reading them.
    public var fixedRecordLength: Int?

    public init(
        kind: String, headerLength: Int, newHeader: @escaping (UnsafeMutableRawBufferPointer) -> Void,
        checkHeader: @escaping (UnsafeRawBufferPointer, String) throws(SequencedStoreError) -> Void,
        recordLength: @escaping (UnsafeRawBufferPointer, Int) -> Int?, fixedRecordLength: Int? = nil
    ) {
        self.fixedRecordLength = fixedRecordLength
        self.kind = kind
        self.headerLength = headerLength
        self.newHeader = newHeader
        self.checkHeader = checkHeader
        self.recordLength = recordLength
    }
}
