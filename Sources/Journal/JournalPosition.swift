import POSIX
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where one record is: its file, its offset there, its sequence and stored checksum.
/// A snapshot names the last record it covers this way, so that a restart can check,
/// with one read, that the journal beside it is the one it was taken from, and continue
/// after it without reading the files before (specs/snapshots.md).
public struct JournalPosition: Equatable, Sendable, CustomStringConvertible {
    public var fileIndex: UInt32
    /// Byte offset of the record in its file.
    public var offset: Int
    public var sequence: UInt64
    /// The record's checksum field as stored.
    public var checksum: UInt32

    public init(fileIndex: UInt32, offset: Int, sequence: UInt64, checksum: UInt32) {
        self.fileIndex = fileIndex
        self.offset = offset
        self.sequence = sequence
        self.checksum = checksum
    }

    public var description: String {
        "sequence \(sequence) at \(JournalFormat.fileName(index: fileIndex)) offset \(offset)"
    }
}

extension JournalRecovery {
    /// Why the journal does not hold the record `position` names (nil: it does, intact,
    /// with that sequence and checksum).
    public static func mismatch(of position: JournalPosition, directory: String) -> String? {
        let path = FileSystem.join(directory, JournalFormat.fileName(index: position.fileIndex))
        guard let descriptor = try? FileDescriptor.open(path, flags: O_RDONLY) else {
            return "\(path) cannot be opened"
        }
        defer { try? descriptor.close() }
        let head = UnsafeMutableRawBufferPointer.allocate(byteCount: JournalFormat.recordHeaderLength, alignment: 8)
        defer { head.deallocate() }
        guard position.offset >= JournalFormat.headerLength,
              (try? descriptor.readFully(into: head, at: position.offset)) == head.count
        else { return "\(path) ends before offset \(position.offset)" }
        let length = UnsafeRawBufferPointer(head).loadLittleEndian(at: JournalFormat.RecordOffset.length, as: UInt32.self)
        guard length >= 1, length <= JournalFormat.maxPayloadLength else {
            return "no record at offset \(position.offset) of \(path)"
        }
        let size = JournalFormat.recordSize(payloadLength: Int(length))
        let record = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
        defer { record.deallocate() }
        guard (try? descriptor.readFully(into: record, at: position.offset)) == size else {
            return "the record at offset \(position.offset) of \(path) is cut short"
        }
        switch JournalRecordCodec.decode(in: UnsafeRawBufferPointer(record), at: 0) {
        case .damaged(let problem):
            return "the record at offset \(position.offset) of \(path) is damaged: \(problem)"
        case .intact(let found):
            let stored = UnsafeRawBufferPointer(record).loadLittleEndian(at: JournalFormat.RecordOffset.checksum, as: UInt32.self)
            guard found.sequence == position.sequence, stored == position.checksum else {
                return "the record at offset \(position.offset) of \(path) is sequence \(found.sequence) with checksum "
                    + "\(stored), not sequence \(position.sequence) with checksum \(position.checksum)"
            }
            return nil
        }
    }
}
