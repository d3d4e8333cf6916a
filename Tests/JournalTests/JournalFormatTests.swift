import XCTest
import Journal

/// Golden vectors from specs/journal.md, byte for byte.
final class JournalFormatTests: XCTestCase {
    static let goldenHeader = hexBytes("""
        43 49 46 54 4a 52 4e 4c 01 00 40 00 01 00 00 00
        01 00 00 00 00 00 00 00 00 00 2a 36 fe 9c 97 17
        00 00 00 04 00 00 00 00 92 10 00 00 01 00 00 00
        00 00 00 00 00 00 00 00 00 00 00 00 a8 e9 35 e8
        """)
    static let goldenRecordPadded = hexBytes("""
        0c 00 00 00 84 5b 7e 48 01 00 00 00 00 00 00 00
        42 55 59 20 31 30 30 20 41 41 50 4c 00 00 00 00
        """)
    static let goldenRecordUnpadded = hexBytes("""
        08 00 00 00 33 86 79 61 02 00 00 00 00 00 00 00
        43 58 4c 20 30 30 30 31
        """)
    static let goldenHeaderFields = JournalFileHeader(
        fileIndex: 1, firstSequence: 1, createdAtNanoseconds: 1_700_000_000_000_000_000,
        maxFileSize: 67_108_864, writerProcessID: 4242, durability: .fsync)

    func testCRC32CCheckValues() {
        let check = Array("123456789".utf8)
        check.withUnsafeBytes {
            XCTAssertEqual(CRC32C.checksum($0), 0xE306_9283)
            XCTAssertEqual(CRC32C.tableChecksum($0), 0xE306_9283)
        }
        [UInt8](repeating: 0, count: 32).withUnsafeBytes {
            XCTAssertEqual(CRC32C.checksum($0), 0x8A91_36AA)
        }
        [UInt8]().withUnsafeBytes { XCTAssertEqual(CRC32C.checksum($0), 0) }
    }

    func testCRC32CExtendsAcrossPieces() {
        let bytes = Array("123456789".utf8)
        bytes.withUnsafeBytes { all in
            for split in 0...all.count {
                let first = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: all[..<split]))
                XCTAssertEqual(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: all[split...]), extending: first), 0xE306_9283)
            }
        }
    }

    func testCRC32CInstructionMatchesTableAtEveryAlignmentAndLength() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<1100).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes.withUnsafeBytes { all in
            for start in 0..<16 {
                for length in stride(from: 0, through: 1000, by: 13) {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
                    XCTAssertEqual(CRC32C.checksum(slice, extending: 0x1234_5678), CRC32C.tableChecksum(slice, extending: 0x1234_5678))
                }
            }
        }
        #if arch(x86_64)
        // The build machines have SSE4.2; if this fails the fast path is not in use.
        XCTAssertTrue(CRC32C.isHardwareAccelerated)
        #endif
    }

    func testHeaderEncodesToGoldenBytes() {
        XCTAssertEqual(Self.goldenHeaderFields.encoded, Self.goldenHeader)
    }

    func testHeaderDecodesFromGoldenBytes() throws {
        let decoded = try Self.goldenHeader.withUnsafeBytes { try JournalFileHeader.decode($0).get() }
        XCTAssertEqual(decoded, Self.goldenHeaderFields)
        XCTAssertEqual(decoded.durability, .fsync)
    }

    func testHeaderOffsetsMatchTheSpec() {
        XCTAssertEqual(JournalFormat.HeaderOffset.magic, 0)
        XCTAssertEqual(JournalFormat.HeaderOffset.version, 8)
        XCTAssertEqual(JournalFormat.HeaderOffset.headerLength, 10)
        XCTAssertEqual(JournalFormat.HeaderOffset.fileIndex, 12)
        XCTAssertEqual(JournalFormat.HeaderOffset.firstSequence, 16)
        XCTAssertEqual(JournalFormat.HeaderOffset.createdAt, 24)
        XCTAssertEqual(JournalFormat.HeaderOffset.maxFileSize, 32)
        XCTAssertEqual(JournalFormat.HeaderOffset.writerProcessID, 40)
        XCTAssertEqual(JournalFormat.HeaderOffset.durability, 44)
        XCTAssertEqual(JournalFormat.HeaderOffset.reserved, 48)
        XCTAssertEqual(JournalFormat.HeaderOffset.checksum, 60)
        XCTAssertEqual(JournalFormat.headerLength, 64)
        XCTAssertEqual(JournalFormat.RecordOffset.length, 0)
        XCTAssertEqual(JournalFormat.RecordOffset.checksum, 4)
        XCTAssertEqual(JournalFormat.RecordOffset.sequence, 8)
        XCTAssertEqual(JournalFormat.RecordOffset.payload, 16)
        XCTAssertEqual(JournalFormat.maxPayloadLength, 1_048_576)
    }

    func testHeaderProblemsAreNamed() {
        func decode(_ mutate: (inout [UInt8]) -> Void) -> JournalProblem? {
            var bytes = Self.goldenHeader
            mutate(&bytes)
            return bytes.withUnsafeBytes {
                if case .failure(let problem) = JournalFileHeader.decode($0) { return problem }
                return nil
            }
        }
        XCTAssertNil(decode { _ in })
        XCTAssertEqual(decode { $0.removeLast(4) }, .shortHeader(available: 60))
        XCTAssertEqual(decode { $0 = [UInt8](repeating: 0, count: 64) }, .zeroHeader)
        XCTAssertEqual(decode { $0[0] = UInt8(ascii: "X") }, .badMagic)
        XCTAssertEqual(decode { $0[8] = 2 }, .unsupportedVersion(2))
        XCTAssertEqual(decode { $0[10] = 80 }, .badHeaderLength(80))
        XCTAssertEqual(decode { $0[16] ^= 1 }, .headerChecksumMismatch(stored: 0xE835_E9A8, computed: {
            var bytes = Self.goldenHeader
            bytes[16] ^= 1
            return bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<60])) }
        }()))
    }

    func testRecordsEncodeToGoldenBytes() {
        XCTAssertEqual(JournalRecordCodec.encoded(sequence: 1, payload: Array("BUY 100 AAPL".utf8)), Self.goldenRecordPadded)
        XCTAssertEqual(JournalRecordCodec.encoded(sequence: 2, payload: Array("CXL 0001".utf8)), Self.goldenRecordUnpadded)
    }

    func testRecordsDecodeFromGoldenBytes() {
        let file = Self.goldenHeader + Self.goldenRecordPadded + Self.goldenRecordUnpadded
        file.withUnsafeBytes { image in
            guard case .intact(let first) = JournalRecordCodec.decode(in: image, at: 64) else {
                return XCTFail("first record not intact")
            }
            XCTAssertEqual(first.sequence, 1)
            XCTAssertEqual(Array(first.payload), Array("BUY 100 AAPL".utf8))
            XCTAssertEqual(first.size, 32)
            guard case .intact(let second) = JournalRecordCodec.decode(in: image, at: 96) else {
                return XCTFail("second record not intact")
            }
            XCTAssertEqual(second.sequence, 2)
            XCTAssertEqual(Array(second.payload), Array("CXL 0001".utf8))
            XCTAssertEqual(second.size, 24)
        }
    }

    func testRecordProblemsAreNamed() {
        func decode(_ mutate: (inout [UInt8]) -> Void) -> JournalProblem? {
            var bytes = Self.goldenRecordPadded
            mutate(&bytes)
            return bytes.withUnsafeBytes {
                if case .damaged(let problem) = JournalRecordCodec.decode(in: $0, at: 0) { return problem }
                return nil
            }
        }
        XCTAssertNil(decode { _ in })
        XCTAssertEqual(decode { $0.removeLast(20) }, .shortRecordHeader(available: 12))
        XCTAssertEqual(decode { $0[0] = 0 }, .badLength(0))
        XCTAssertEqual(decode { $0[3] = 0x01 }, .badLength(0x0100_000C))
        XCTAssertEqual(decode { $0.removeLast(1) }, .shortRecord(needed: 32, available: 31))
        XCTAssertEqual(decode { $0[8] = 9 }.map { if case .checksumMismatch(stored: 0x487E_5B84, _) = $0 { true } else { false } }, true)
        XCTAssertEqual(decode { $0[31] = 1 }, .nonZeroPadding)
    }

    func testRecordSizeIsPaddedToEight() {
        XCTAssertEqual(JournalFormat.recordSize(payloadLength: 1), 24)
        XCTAssertEqual(JournalFormat.recordSize(payloadLength: 8), 24)
        XCTAssertEqual(JournalFormat.recordSize(payloadLength: 9), 32)
        XCTAssertEqual(JournalFormat.recordSize(payloadLength: 12), 32)
    }

    func testFileNames() {
        XCTAssertEqual(JournalFormat.fileName(index: 1), "journal-000001.cjl")
        XCTAssertEqual(JournalFormat.fileName(index: 123_456), "journal-123456.cjl")
        XCTAssertEqual(JournalFormat.fileName(index: 1_234_567), "journal-1234567.cjl")
        XCTAssertEqual(JournalFormat.fileIndex(fromName: "journal-000042.cjl"), 42)
        XCTAssertEqual(JournalFormat.fileIndex(fromName: "journal-1234567.cjl"), 1_234_567)
        XCTAssertNil(JournalFormat.fileIndex(fromName: "journal-42.cjl"))
        XCTAssertNil(JournalFormat.fileIndex(fromName: "journal-000000.cjl"))
        XCTAssertNil(JournalFormat.fileIndex(fromName: "journal-0000001.cjl"))
        XCTAssertNil(JournalFormat.fileIndex(fromName: "journal-00000a.cjl"))
        XCTAssertNil(JournalFormat.fileIndex(fromName: "quarantine-20250101T000000Z"))
    }

    func testDurabilityParsesConfigurationStrings() throws {
        XCTAssertEqual(try JournalDurability(configurationValue: "write"), .write)
        XCTAssertEqual(try JournalDurability(configurationValue: "fsync"), .fsync)
        for bad in ["FSYNC", "fsnyc", "", " write"] {
            let error = journalError { _ = try JournalDurability(configurationValue: bad) }
            XCTAssertEqual(error, .unknownDurability(bad))
            let text = error.map { "\($0)" } ?? ""
            XCTAssertTrue(text.contains("\"\(bad)\"") && text.contains("\"write\"") && text.contains("\"fsync\""), text)
        }
    }

    func testGoldenFileRecovers() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let journal = temporary.journal()
        try FileManager.default.createDirectory(atPath: journal, withIntermediateDirectories: false)
        try writeBytes(Self.goldenHeader + Self.goldenRecordPadded + Self.goldenRecordUnpadded, to: journalFilePath(journal, 1))
        let (report, records) = try recoverAll(journal)
        XCTAssertNil(report.truncation)
        XCTAssertEqual(records.map(\.0), [1, 2])
        XCTAssertEqual(records.map(\.1), [Array("BUY 100 AAPL".utf8), Array("CXL 0001".utf8)])
        XCTAssertEqual(report.nextSequence, 3)
        XCTAssertEqual(report.fileBytes, 120)
    }

    func testWriterProducesGoldenRecordBytes() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let journal = temporary.journal()
        let writer = try JournalWriter(
            configuration: JournalConfiguration(directory: journal, durability: .fsync), nextSequence: 1)
        try Array("BUY 100 AAPL".utf8).withUnsafeBytes { try writer.append(sequence: 1, payload: $0) }
        try Array("CXL 0001".utf8).withUnsafeBytes { try writer.append(sequence: 2, payload: $0) }
        try writer.close()
        let bytes = try readBytes(journalFilePath(journal, 1))
        XCTAssertEqual(Array(bytes[64...]), Self.goldenRecordPadded + Self.goldenRecordUnpadded)
        let header = try bytes.withUnsafeBytes { try JournalFileHeader.decode($0).get() }
        XCTAssertEqual(header.fileIndex, 1)
        XCTAssertEqual(header.firstSequence, 1)
        XCTAssertEqual(header.durability, .fsync)
        XCTAssertEqual(header.maxFileSize, UInt64(JournalConfiguration.defaultMaxFileSize))
        XCTAssertEqual(header.writerProcessID, UInt32(ProcessInfo.processInfo.processIdentifier))
    }
}
