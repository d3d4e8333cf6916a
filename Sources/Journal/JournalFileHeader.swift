/// The 64-byte header at the start of every journal file
/// (offsets in `JournalFormat.HeaderOffset`).
public struct JournalFileHeader: Equatable, Sendable {
    /// The index in the file name: 1 for journal-000001.cjl. Offset 12, u32.
    public var fileIndex: UInt32
    /// The sequence of the first record this file holds or will hold; one
    /// more than the last sequence of the previous file. Offset 16, u64.
    public var firstSequence: UInt64
    /// Creation time, nanoseconds since the Unix epoch (UTC). Offset 24, i64.
    public var createdAtNanoseconds: Int64
    /// The writer's configured maximum file size. Offset 32, u64.
    public var maxFileSize: UInt64
    /// Process id of the writer that created the file. Offset 40, u32.
    public var writerProcessID: UInt32
    /// The writer's durability mode: 0 write, 1 fsync. Offset 44, u32.
    public var durabilityCode: UInt32

    public init(
        fileIndex: UInt32,
        firstSequence: UInt64,
        createdAtNanoseconds: Int64,
        maxFileSize: UInt64,
        writerProcessID: UInt32,
        durability: JournalDurability
    ) {
        self.fileIndex = fileIndex
        self.firstSequence = firstSequence
        self.createdAtNanoseconds = createdAtNanoseconds
        self.maxFileSize = maxFileSize
        self.writerProcessID = writerProcessID
        self.durabilityCode = durability.headerCode
    }

    /// The durability mode, nil for a code this version does not know.
    public var durability: JournalDurability? { JournalDurability(headerCode: durabilityCode) }

    /// Writes the 64 header bytes, checksum included, into `bytes[0..<64]`.
    public func encode(into bytes: UnsafeMutableRawBufferPointer) {
        precondition(bytes.count >= JournalFormat.headerLength, "header needs \(JournalFormat.headerLength) bytes")
        let header = UnsafeMutableRawBufferPointer(rebasing: bytes[0..<JournalFormat.headerLength])
        header.initializeMemory(as: UInt8.self, repeating: 0)
        for (offset, byte) in JournalFormat.magic.enumerated() {
            header[JournalFormat.HeaderOffset.magic + offset] = byte
        }
        header.storeLittleEndian(JournalFormat.version, at: JournalFormat.HeaderOffset.version)
        header.storeLittleEndian(UInt16(JournalFormat.headerLength), at: JournalFormat.HeaderOffset.headerLength)
        header.storeLittleEndian(fileIndex, at: JournalFormat.HeaderOffset.fileIndex)
        header.storeLittleEndian(firstSequence, at: JournalFormat.HeaderOffset.firstSequence)
        header.storeLittleEndian(createdAtNanoseconds, at: JournalFormat.HeaderOffset.createdAt)
        header.storeLittleEndian(maxFileSize, at: JournalFormat.HeaderOffset.maxFileSize)
        header.storeLittleEndian(writerProcessID, at: JournalFormat.HeaderOffset.writerProcessID)
        header.storeLittleEndian(durabilityCode, at: JournalFormat.HeaderOffset.durability)
        let checksum = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: header[0..<JournalFormat.HeaderOffset.checksum]))
        header.storeLittleEndian(checksum, at: JournalFormat.HeaderOffset.checksum)
    }

    /// The 64 header bytes as an array (tests, tools).
    public var encoded: [UInt8] {
        var bytes = [UInt8](repeating: 0, count: JournalFormat.headerLength)
        bytes.withUnsafeMutableBytes { encode(into: $0) }
        return bytes
    }

    /// Decodes and checks a header from the start of a file image: length,
    /// magic, version, header length, checksum, first sequence ≥ 1, in that
    /// order; the first failure is returned. The file-name index is checked
    /// by the caller.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<JournalFileHeader, JournalProblem> {
        guard bytes.count >= JournalFormat.headerLength else {
            return .failure(.shortHeader(available: bytes.count))
        }
        let header = UnsafeRawBufferPointer(rebasing: bytes[0..<JournalFormat.headerLength])
        if header.allSatisfy({ $0 == 0 }) { return .failure(.zeroHeader) }
        guard header[0..<JournalFormat.magic.count].elementsEqual(JournalFormat.magic) else {
            return .failure(.badMagic)
        }
        let version = header.loadLittleEndian(at: JournalFormat.HeaderOffset.version, as: UInt16.self)
        guard version == JournalFormat.version else { return .failure(.unsupportedVersion(version)) }
        let headerLength = header.loadLittleEndian(at: JournalFormat.HeaderOffset.headerLength, as: UInt16.self)
        guard headerLength == JournalFormat.headerLength else { return .failure(.badHeaderLength(headerLength)) }
        let stored = header.loadLittleEndian(at: JournalFormat.HeaderOffset.checksum, as: UInt32.self)
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: header[0..<JournalFormat.HeaderOffset.checksum]))
        guard stored == computed else { return .failure(.headerChecksumMismatch(stored: stored, computed: computed)) }
        var decoded = JournalFileHeader(
            fileIndex: header.loadLittleEndian(at: JournalFormat.HeaderOffset.fileIndex, as: UInt32.self),
            firstSequence: header.loadLittleEndian(at: JournalFormat.HeaderOffset.firstSequence, as: UInt64.self),
            createdAtNanoseconds: header.loadLittleEndian(at: JournalFormat.HeaderOffset.createdAt, as: Int64.self),
            maxFileSize: header.loadLittleEndian(at: JournalFormat.HeaderOffset.maxFileSize, as: UInt64.self),
            writerProcessID: header.loadLittleEndian(at: JournalFormat.HeaderOffset.writerProcessID, as: UInt32.self),
            durability: .write
        )
        decoded.durabilityCode = header.loadLittleEndian(at: JournalFormat.HeaderOffset.durability, as: UInt32.self)
        guard decoded.firstSequence != 0 else { return .failure(.zeroFirstSequence) }
        return .success(decoded)
    }
}
