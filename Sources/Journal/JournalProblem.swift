/// What is wrong with the bytes at one place in a journal file.
public enum JournalProblem: Error, Equatable, Sendable, CustomStringConvertible {
    // File header (offset 0).

    /// The file is shorter than a header.
    case shortHeader(available: Int)
    /// The 64 header bytes are all zero.
    case zeroHeader
    /// Offset 0 does not hold "CIFTJRNL".
    case badMagic
    /// Offset 8 holds a version this reader does not know.
    case unsupportedVersion(UInt16)
    /// Offset 10 does not hold 64.
    case badHeaderLength(UInt16)
    /// The CRC-32C at offset 60 does not match header bytes 0..<60.
    case headerChecksumMismatch(stored: UInt32, computed: UInt32)
    /// The index at offset 12 differs from the one in the file name.
    case fileIndexMismatch(named: UInt32, inHeader: UInt32)
    /// The first sequence at offset 16 is 0 (sequences start at 1).
    case zeroFirstSequence

    // Between files.

    /// A file index is missing from the directory (e.g. 1, 2, 4).
    case fileIndexGap(expected: UInt32, found: UInt32)
    /// The header's first sequence is not one more than the last sequence of
    /// the previous file.
    case firstSequenceMismatch(expected: UInt64, inHeader: UInt64)

    // Records.

    /// Fewer than 16 bytes remain for a record header.
    case shortRecordHeader(available: Int)
    /// The length field is 0 or above `JournalFormat.maxPayloadLength`.
    case badLength(UInt32)
    /// The record (with padding) runs past the end of the file.
    case shortRecord(needed: Int, available: Int)
    /// The stored CRC-32C does not match length, sequence and payload.
    case checksumMismatch(stored: UInt32, computed: UInt32)
    /// A padding byte after the payload is not zero.
    case nonZeroPadding
    /// An intact record (its checksum verifies) has the wrong sequence.
    case sequenceGap(expected: UInt64, found: UInt64)

    /// Whether a crash in the middle of a write can leave this: a short or
    /// zeroed header, a short record, a zero or wild length, a bad checksum.
    /// Such damage at the very end of the last file is a torn tail; anything
    /// else (wrong magic, version, index, sequence) is never a tear.
    public var canBeTornWrite: Bool {
        switch self {
        case .shortHeader, .zeroHeader, .shortRecordHeader, .badLength, .shortRecord,
             .checksumMismatch, .nonZeroPadding:
            return true
        case .badMagic, .unsupportedVersion, .badHeaderLength, .headerChecksumMismatch,
             .fileIndexMismatch, .zeroFirstSequence, .fileIndexGap, .firstSequenceMismatch,
             .sequenceGap:
            return false
        }
    }

    /// Whether this is a failed record checksum (for reports).
    public var isChecksumFailure: Bool {
        switch self {
        case .checksumMismatch, .headerChecksumMismatch: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .shortHeader(let available):
            return "short file header (\(available) of \(JournalFormat.headerLength) bytes)"
        case .zeroHeader:
            return "file header is all zero bytes"
        case .badMagic:
            return "bad magic (expected \"CIFTJRNL\" at offset 0)"
        case .unsupportedVersion(let version):
            return "unsupported format version \(version) (this reader knows \(JournalFormat.version))"
        case .badHeaderLength(let length):
            return "bad header length \(length) (expected \(JournalFormat.headerLength))"
        case .headerChecksumMismatch(let stored, let computed):
            return "header checksum mismatch (stored \(hex32(stored)), computed \(hex32(computed)))"
        case .fileIndexMismatch(let named, let inHeader):
            return "file index \(inHeader) in the header does not match \(named) in the file name"
        case .zeroFirstSequence:
            return "first sequence in the header is 0"
        case .fileIndexGap(let expected, let found):
            return "file index gap: expected \(JournalFormat.fileName(index: expected)), found \(JournalFormat.fileName(index: found))"
        case .firstSequenceMismatch(let expected, let inHeader):
            return "sequence gap between files: header says first sequence \(inHeader), expected \(expected)"
        case .shortRecordHeader(let available):
            return "short record header (\(available) of \(JournalFormat.recordHeaderLength) bytes)"
        case .badLength(let length):
            return "bad record length \(length) (must be 1...\(JournalFormat.maxPayloadLength))"
        case .shortRecord(let needed, let available):
            return "short record (\(needed) bytes needed, \(available) in the file)"
        case .checksumMismatch(let stored, let computed):
            return "record checksum mismatch (stored \(hex32(stored)), computed \(hex32(computed)))"
        case .nonZeroPadding:
            return "non-zero padding after the payload"
        case .sequenceGap(let expected, let found):
            return "sequence gap: record has sequence \(found), expected \(expected)"
        }
    }
}

func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
