/// Encoding and checking of single records
/// (offsets in `JournalFormat.RecordOffset`).
public enum JournalRecordCodec {
    /// An intact record found in a file image.
    public struct Record {
        public var sequence: UInt64
        /// The payload bytes, inside the file image.
        public var payload: UnsafeRawBufferPointer
        /// Bytes the record occupies, padding included.
        public var size: Int
    }

    /// The result of reading one record.
    public enum Decoded {
        case intact(Record)
        case damaged(JournalProblem)
    }

    /// The record checksum: CRC-32C of the length field (record bytes 0..<4)
    /// followed by sequence and payload (bytes 8..<16+length).
    @inline(__always)
    static func checksum(recordStart: UnsafeRawPointer, payloadLength: Int) -> UInt32 {
        let lengthCRC = CRC32C.checksum(UnsafeRawBufferPointer(start: recordStart, count: 4))
        return CRC32C.checksum(
            UnsafeRawBufferPointer(
                start: recordStart + JournalFormat.RecordOffset.sequence,
                count: 8 + payloadLength),
            extending: lengthCRC)
    }

    /// Writes one record at `destination` (which must have
    /// `JournalFormat.recordSize(payloadLength:)` bytes): header, payload,
    /// zero padding, checksum. Returns the bytes written. Allocates nothing.
    @inline(__always)
    public static func encode(sequence: UInt64, payload: UnsafeRawBufferPointer, into destination: UnsafeMutableRawPointer) -> Int {
        let length = payload.count
        let size = JournalFormat.recordSize(payloadLength: length)
        let record = UnsafeMutableRawBufferPointer(start: destination, count: size)
        record.storeLittleEndian(UInt32(length), at: JournalFormat.RecordOffset.length)
        record.storeLittleEndian(sequence, at: JournalFormat.RecordOffset.sequence)
        if let source = payload.baseAddress, length > 0 {
            (destination + JournalFormat.RecordOffset.payload).copyMemory(from: source, byteCount: length)
        }
        let paddingStart = JournalFormat.RecordOffset.payload + length
        if paddingStart < size {
            (destination + paddingStart).initializeMemory(as: UInt8.self, repeating: 0, count: size - paddingStart)
        }
        record.storeLittleEndian(
            checksum(recordStart: UnsafeRawPointer(destination), payloadLength: length),
            at: JournalFormat.RecordOffset.checksum)
        return size
    }

    /// One record as bytes (tests, tools).
    public static func encoded(sequence: UInt64, payload: [UInt8]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: JournalFormat.recordSize(payloadLength: payload.count))
        bytes.withUnsafeMutableBytes { destination in
            payload.withUnsafeBytes { _ = encode(sequence: sequence, payload: $0, into: destination.baseAddress!) }
        }
        return bytes
    }

    /// Reads the record at `offset` of a file image and checks, in order:
    /// 16 header bytes present, length in 1...maxPayloadLength, the whole
    /// padded record present, checksum, zero padding. The sequence is
    /// returned, not judged.
    public static func decode(in file: UnsafeRawBufferPointer, at offset: Int) -> Decoded {
        let available = file.count - offset
        guard available >= JournalFormat.recordHeaderLength else {
            return .damaged(.shortRecordHeader(available: available))
        }
        let length32 = file.loadLittleEndian(at: offset + JournalFormat.RecordOffset.length, as: UInt32.self)
        guard length32 >= 1, length32 <= JournalFormat.maxPayloadLength else {
            return .damaged(.badLength(length32))
        }
        let length = Int(length32)
        let size = JournalFormat.recordSize(payloadLength: length)
        guard size <= available else { return .damaged(.shortRecord(needed: size, available: available)) }
        let start = file.baseAddress! + offset
        let stored = file.loadLittleEndian(at: offset + JournalFormat.RecordOffset.checksum, as: UInt32.self)
        let computed = checksum(recordStart: start, payloadLength: length)
        guard stored == computed else { return .damaged(.checksumMismatch(stored: stored, computed: computed)) }
        let paddingStart = offset + JournalFormat.RecordOffset.payload + length
        for index in paddingStart..<(offset + size) where file[index] != 0 {
            return .damaged(.nonZeroPadding)
        }
        return .intact(Record(
            sequence: file.loadLittleEndian(at: offset + JournalFormat.RecordOffset.sequence, as: UInt64.self),
            payload: UnsafeRawBufferPointer(start: start + JournalFormat.RecordOffset.payload, count: length),
            size: size))
    }

    /// The first offset after `damageOffset` (8-aligned, relative to the file)
    /// holding an intact record whose sequence could follow the damage:
    /// at least `expectedSequence` and at most `expectedSequence` plus the
    /// number of minimum-size records that fit between the damage and that
    /// offset. Nil when there is none: the damage runs to the end of the file.
    ///
    /// This is the test that separates a torn tail from corruption in the
    /// middle. The sequence bound is checked before the checksum, so scanning
    /// zeros or garbage costs a few loads per 8 bytes.
    public static func nextIntactRecord(in file: UnsafeRawBufferPointer, after damageOffset: Int, expectedSequence: UInt64?) -> Int? {
        var offset = damageOffset + JournalFormat.recordAlignment
        while offset + JournalFormat.recordHeaderLength <= file.count {
            defer { offset += JournalFormat.recordAlignment }
            let length = file.loadLittleEndian(at: offset + JournalFormat.RecordOffset.length, as: UInt32.self)
            guard length >= 1, length <= JournalFormat.maxPayloadLength,
                  JournalFormat.recordSize(payloadLength: Int(length)) <= file.count - offset
            else { continue }
            let sequence = file.loadLittleEndian(at: offset + JournalFormat.RecordOffset.sequence, as: UInt64.self)
            guard sequence != 0 else { continue }
            if let expected = expectedSequence {
                let maximumSkipped = UInt64((offset - damageOffset) / JournalFormat.minimumRecordSize + 1)
                guard sequence >= expected, sequence - expected <= maximumSkipped else { continue }
            }
            if case .intact = decode(in: file, at: offset) { return offset }
        }
        return nil
    }
}
