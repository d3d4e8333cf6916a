// The journal's byte layout as named constants. specs/journal.md is the prose
// form of this file; JournalFormatTests checks the golden vectors printed
// there against the encoders here, so the two cannot drift apart.

/// Sizes, offsets and names of the journal file format, version 1.
///
/// All integers are little-endian. A journal is a directory of files named
/// `journal-NNNNNN.cjl`; each file is a 64-byte header followed by records,
/// each record 8-byte aligned.
public enum JournalFormat {
    /// "CIFTJRNL" in ASCII; header offset 0, 8 bytes.
    public static let magic: [UInt8] = Array("CIFTJRNL".utf8)

    /// The format version this module reads and writes; header offset 8.
    public static let version: UInt16 = 1

    /// Bytes in a version 1 file header; the first record starts here.
    public static let headerLength = 64

    /// Every record starts at a multiple of this in the file, and its size is
    /// a multiple of it: payloads are padded with zero bytes.
    public static let recordAlignment = 8

    /// Bytes before the payload of a record: length, checksum, sequence.
    public static let recordHeaderLength = 16

    /// The largest payload a record may carry (1 MiB). A length field above
    /// this is damage, not a record.
    public static let maxPayloadLength = 1 << 20

    /// The smallest record: a 1-byte payload padded to 8.
    public static let minimumRecordSize = recordHeaderLength + recordAlignment

    /// Offsets inside the 64-byte file header.
    public enum HeaderOffset {
        /// 8 bytes, `magic`.
        public static let magic = 0
        /// u16, `JournalFormat.version`.
        public static let version = 8
        /// u16, `JournalFormat.headerLength`.
        public static let headerLength = 10
        /// u32, the index in the file name (1 for journal-000001.cjl).
        public static let fileIndex = 12
        /// u64, the sequence of the first record this file holds or will hold.
        public static let firstSequence = 16
        /// i64, creation time in nanoseconds since the Unix epoch (UTC). Informational.
        public static let createdAt = 24
        /// u64, the writer's configured maximum file size. Informational.
        public static let maxFileSize = 32
        /// u32, process id of the writer that created the file. Informational.
        public static let writerProcessID = 40
        /// u32, durability mode of that writer: 0 write, 1 fsync. Informational.
        public static let durability = 44
        /// 12 bytes written as zero; version 1 readers ignore them.
        public static let reserved = 48
        /// u32, CRC-32C of header bytes 0..<60.
        public static let checksum = 60
    }

    /// Offsets inside a record, from the record's first byte.
    public enum RecordOffset {
        /// u32, payload length in bytes (1...maxPayloadLength), padding excluded.
        public static let length = 0
        /// u32, CRC-32C of bytes 0..<4 (length) followed by bytes
        /// 8..<16+length (sequence and payload). Padding is not covered.
        public static let checksum = 4
        /// u64, the engine sequence number; never 0.
        public static let sequence = 8
        /// `length` bytes of payload, then zero padding to a multiple of 8.
        public static let payload = 16
    }

    /// Bytes a record with this payload length occupies in the file,
    /// padding included.
    @inline(__always)
    public static func recordSize(payloadLength: Int) -> Int {
        recordHeaderLength + ((payloadLength + recordAlignment - 1) & ~(recordAlignment - 1))
    }

    /// File names: "journal-" + the index in decimal, zero-padded to 6 digits, + ".cjl".
    public static let fileNamePrefix = "journal-"
    public static let fileNameSuffix = ".cjl"
    public static let fileIndexDigits = 6

    /// The name of the file with this index: `journal-000001.cjl` for 1.
    public static func fileName(index: UInt32) -> String {
        let digits = String(index)
        let padding = String(repeating: "0", count: max(0, fileIndexDigits - digits.count))
        return fileNamePrefix + padding + digits + fileNameSuffix
    }

    /// The index of a journal file name, or nil when `name` is not exactly
    /// what `fileName(index:)` produces for some index ≥ 1.
    public static func fileIndex(fromName name: String) -> UInt32? {
        guard name.hasPrefix(fileNamePrefix), name.hasSuffix(fileNameSuffix) else { return nil }
        let digits = name.dropFirst(fileNamePrefix.count).dropLast(fileNameSuffix.count)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let index = UInt32(digits), index >= 1, fileName(index: index) == name
        else { return nil }
        return index
    }

    /// Whether `name` looks like it was meant to be a journal file
    /// (prefix and suffix), canonical or not.
    static func looksLikeJournalFile(_ name: String) -> Bool {
        name.hasPrefix(fileNamePrefix) && name.hasSuffix(fileNameSuffix)
    }
}

/// Little-endian integer access for the layout above.
extension UnsafeRawBufferPointer {
    @inline(__always)
    func loadLittleEndian<T: FixedWidthInteger>(at offset: Int, as type: T.Type) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension UnsafeMutableRawBufferPointer {
    @inline(__always)
    func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }
}
