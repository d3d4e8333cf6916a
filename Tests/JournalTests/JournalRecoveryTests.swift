import Foundation
import XCTest
import Journal

final class JournalRecoveryTests: XCTestCase {
    var temporary: TemporaryDirectory!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory("recovery")
    }

    override func tearDown() {
        temporary.remove()
    }

    /// A one-file journal with sequences 1...count; returns the file's bytes.
    private func makeJournal(_ journal: String, count: UInt64 = 10) throws -> [UInt8] {
        try writeJournal(journal, 1...count)
        return try readBytes(journalFilePath(journal, 1))
    }

    func testMissingDirectoryIsAnEmptyJournal() throws {
        let (report, records) = try recoverAll(temporary.journal("absent"))
        XCTAssertTrue(records.isEmpty)
        XCTAssertEqual(report.files, [])
        XCTAssertNil(report.nextSequence)
        XCTAssertNil(report.truncation)
    }

    func testTornLastRecordAtEveryLength() throws {
        let original = try makeJournal(temporary.journal("original"))
        let offsets = recordOffsets(original)
        let lastOffset = offsets.last!
        let lastSize = original.count - lastOffset
        XCTAssertGreaterThan(lastSize, 16, "the last record should have a payload and padding to cut into")

        for cut in 0..<lastSize {
            let journal = temporary.journal("torn-\(cut)")
            try FileManager.default.createDirectory(atPath: journal, withIntermediateDirectories: false)
            let path = journalFilePath(journal, 1)
            try writeBytes(Array(original[..<(lastOffset + cut)]), to: path)

            let (report, records) = try recoverAll(journal)
            assertTestRecords(records, 1...9)
            XCTAssertEqual(report.nextSequence, 10)
            if cut == 0 {
                XCTAssertNil(report.truncation, "a file ending on a record boundary is whole")
            } else {
                let truncation = try XCTUnwrap(report.truncation, "cut \(cut)")
                XCTAssertEqual(truncation.kind, .tornTail)
                XCTAssertEqual(truncation.path, path)
                XCTAssertEqual(truncation.offset, lastOffset)
                XCTAssertEqual(truncation.discardedBytes, cut)
                XCTAssertFalse(truncation.fileRemoved)
                if cut < 16 {
                    XCTAssertEqual(truncation.problem, .shortRecordHeader(available: cut))
                } else {
                    XCTAssertEqual(truncation.problem, .shortRecord(needed: lastSize, available: cut))
                }
            }
            XCTAssertEqual(try readBytes(path).count, lastOffset, "cut \(cut): truncated at the torn record")

            let writer = try JournalWriter(configuration: JournalConfiguration(directory: journal), nextSequence: 10)
            try appendTestRecords(writer, 10...15)
            try writer.close()
            let (again, all) = try recoverAll(journal)
            assertTestRecords(all, 1...15)
            XCTAssertNil(again.truncation)
        }
    }

    func testFlippedByteInTheLastRecordIsATornTail() throws {
        let original = try makeJournal(temporary.journal("original"))
        let lastOffset = recordOffsets(original).last!
        for position in lastOffset..<original.count {
            let journal = temporary.journal("flip-\(position)")
            try FileManager.default.createDirectory(atPath: journal, withIntermediateDirectories: false)
            var bytes = original
            bytes[position] ^= 0x5A
            try writeBytes(bytes, to: journalFilePath(journal, 1))

            let (report, records) = try recoverAll(journal)
            assertTestRecords(records, 1...9)
            let truncation = try XCTUnwrap(report.truncation, "byte \(position)")
            XCTAssertEqual(truncation.kind, .tornTail, "byte \(position)")
            XCTAssertEqual(truncation.offset, lastOffset)
            XCTAssertTrue(truncation.problem.canBeTornWrite, "byte \(position): \(truncation.problem)")
            XCTAssertEqual(try readBytes(journalFilePath(journal, 1)), Array(original[..<lastOffset]))
        }
    }

    func testFlippedByteInAMiddleRecordStopsWithItsOffset() throws {
        let journal = temporary.journal()
        var bytes = try makeJournal(journal)
        let offsets = recordOffsets(bytes)
        let path = journalFilePath(journal, 1)
        bytes[offsets[4] + 17] ^= 0x01  // a payload byte of sequence 5
        try writeBytes(bytes, to: path)

        let error = journalError { _ = try recoverAll(journal) }
        guard case .corruption(let corruption)? = error else {
            return XCTFail("expected corruption, got \(String(describing: error))")
        }
        XCTAssertEqual(corruption.path, path)
        XCTAssertEqual(corruption.offset, offsets[4])
        XCTAssertEqual(corruption.placement, .intactRecordFollows(offset: offsets[5]))
        guard case .checksumMismatch = corruption.problem else { return XCTFail("\(corruption.problem)") }
        let text = "\(error!)"
        XCTAssertTrue(text.contains(path) && text.contains("offset \(offsets[4])") && text.contains("checksum"), text)
        XCTAssertEqual(try readBytes(path), bytes, "recovery without the option changes nothing")
    }

    func testQuarantineKeepsTheJournalUpToMiddleCorruption() throws {
        let journal = temporary.journal()
        var bytes = try makeJournal(journal)
        let offsets = recordOffsets(bytes)
        let path = journalFilePath(journal, 1)
        bytes[offsets[4] + 9] ^= 0xFF  // the sequence field of sequence 5
        try writeBytes(bytes, to: path)

        let (report, records) = try recoverAll(journal, options: JournalRecoveryOptions(middleCorruption: .quarantine))
        assertTestRecords(records, 1...4)
        XCTAssertEqual(report.nextSequence, 5)
        let truncation = try XCTUnwrap(report.truncation)
        XCTAssertEqual(truncation.kind, .middleCorruption(.intactRecordFollows(offset: offsets[5])))
        XCTAssertEqual(truncation.offset, offsets[4])
        XCTAssertEqual(truncation.discardedBytes, bytes.count - offsets[4])
        XCTAssertEqual(truncation.quarantinedFiles, [JournalFormat.fileName(index: 1)])
        let quarantine = try XCTUnwrap(truncation.quarantineDirectory)
        XCTAssertTrue(quarantine.hasPrefix(journal + "/quarantine-"), quarantine)
        XCTAssertEqual(try readBytes(quarantine + "/" + JournalFormat.fileName(index: 1)), bytes, "original bytes kept")
        XCTAssertEqual(try readBytes(path), Array(bytes[..<offsets[4]]))

        let writer = try JournalWriter(configuration: JournalConfiguration(directory: journal), nextSequence: 5)
        try appendTestRecords(writer, 5...12)
        try writer.close()
        let (again, all) = try recoverAll(journal)
        assertTestRecords(all, 1...12)
        XCTAssertNil(again.truncation, "the quarantine directory is not read as journal")
    }

    func testDamageInAnEarlierFileIsMiddleCorruptionAndQuarantineMovesLaterFiles() throws {
        let journal = temporary.journal()
        try writeJournal(journal, 1...300, maxFileSize: 4096)
        let first = try readBytes(journalFilePath(journal, 1))
        let files = try recoverAll(journal).report.files
        XCTAssertGreaterThanOrEqual(files.count, 3)
        // The last record of file 1 torn: nothing follows it in that file, but it is not the last file.
        let lastOffset = recordOffsets(first).last!
        try writeBytes(Array(first[..<(lastOffset + 20)]), to: journalFilePath(journal, 1))

        let error = journalError { _ = try recoverAll(journal) }
        XCTAssertEqual(error, .corruption(JournalCorruption(
            path: journalFilePath(journal, 1), offset: lastOffset,
            problem: .shortRecord(needed: first.count - lastOffset, available: 20), placement: .notLastFile)))

        let (report, records) = try recoverAll(journal, options: JournalRecoveryOptions(middleCorruption: .quarantine))
        let lastKept = files[0].lastSequence! - 1
        assertTestRecords(records, 1...lastKept)
        XCTAssertEqual(report.files.count, 1)
        XCTAssertEqual(report.nextSequence, lastKept + 1)
        let truncation = try XCTUnwrap(report.truncation)
        XCTAssertEqual(truncation.quarantinedFiles, files.map(\.name))
        for file in files.dropFirst() {
            XCTAssertFalse(FileManager.default.fileExists(atPath: journalFilePath(journal, file.index)))
            XCTAssertTrue(FileManager.default.fileExists(atPath: truncation.quarantineDirectory! + "/" + file.name))
        }
    }

    func testZeroFilledTailIsCutOff() throws {
        let journal = temporary.journal()
        let bytes = try makeJournal(journal)
        let path = journalFilePath(journal, 1)
        try writeBytes(bytes + [UInt8](repeating: 0, count: 8192), to: path)

        let (report, records) = try recoverAll(journal)
        assertTestRecords(records, 1...10)
        let truncation = try XCTUnwrap(report.truncation)
        XCTAssertEqual(truncation.kind, .tornTail)
        XCTAssertEqual(truncation.offset, bytes.count)
        XCTAssertEqual(truncation.problem, .badLength(0))
        XCTAssertEqual(truncation.discardedBytes, 8192)
        XCTAssertTrue(truncation.zeroFilled)
        XCTAssertEqual(try readBytes(path), bytes)
    }

    func testZeroedLastRecordsAreCutOff() throws {
        let journal = temporary.journal()
        var bytes = try makeJournal(journal)
        let offsets = recordOffsets(bytes)
        for index in offsets[7]..<bytes.count { bytes[index] = 0 }
        try writeBytes(bytes, to: journalFilePath(journal, 1))
        let (report, records) = try recoverAll(journal)
        assertTestRecords(records, 1...7)
        XCTAssertEqual(report.truncation?.offset, offsets[7])
        XCTAssertEqual(report.truncation?.zeroFilled, true)
    }

    func testSequenceGapIsAnError() throws {
        let journal = temporary.journal()
        try FileManager.default.createDirectory(atPath: journal, withIntermediateDirectories: false)
        let header = JournalFileHeader(
            fileIndex: 1, firstSequence: 1, createdAtNanoseconds: 0, maxFileSize: 4096,
            writerProcessID: 1, durability: .write)
        var bytes = header.encoded
        for sequence: UInt64 in [1, 2, 4] {
            bytes += JournalRecordCodec.encoded(sequence: sequence, payload: testPayload(sequence))
        }
        try writeBytes(bytes, to: journalFilePath(journal, 1))
        let gapOffset = recordOffsets(bytes)[2]

        let error = journalError { _ = try recoverAll(journal) }
        XCTAssertEqual(error, .corruption(JournalCorruption(
            path: journalFilePath(journal, 1), offset: gapOffset,
            problem: .sequenceGap(expected: 3, found: 4), placement: .notATornWrite)))

        let (report, records) = try recoverAll(journal, options: JournalRecoveryOptions(middleCorruption: .quarantine))
        assertTestRecords(records, 1...2)
        XCTAssertEqual(report.nextSequence, 3)
    }

    func testSequenceGapBetweenFilesIsAnError() throws {
        let journal = temporary.journal()
        try writeJournal(journal, 1...300, maxFileSize: 4096)
        let files = try recoverAll(journal).report.files
        // Rewrite file 2's header with a first sequence one too high (and a valid checksum).
        let path = journalFilePath(journal, 2)
        var bytes = try readBytes(path)
        var header = try bytes.withUnsafeBytes { try JournalFileHeader.decode($0).get() }
        header.firstSequence += 1
        bytes.replaceSubrange(0..<64, with: header.encoded)
        try writeBytes(bytes, to: path)

        XCTAssertEqual(journalError { _ = try recoverAll(journal) }, .corruption(JournalCorruption(
            path: path, offset: 0,
            problem: .firstSequenceMismatch(expected: files[1].firstSequence, inHeader: files[1].firstSequence + 1),
            placement: .notATornWrite)))
    }

    func testMissingFileIndexIsAnError() throws {
        let journal = temporary.journal()
        try writeJournal(journal, 1...300, maxFileSize: 4096)
        try FileManager.default.removeItem(atPath: journalFilePath(journal, 2))
        XCTAssertEqual(journalError { _ = try recoverAll(journal) }, .corruption(JournalCorruption(
            path: journalFilePath(journal, 3), offset: 0,
            problem: .fileIndexGap(expected: 2, found: 3), placement: .notATornWrite)))
    }

    func testTornHeaderOfTheLastFileRemovesIt() throws {
        let journal = temporary.journal()
        try writeJournal(journal, 1...20)
        for torn in [[UInt8](), Array(JournalFileHeader(
            fileIndex: 2, firstSequence: 21, createdAtNanoseconds: 0, maxFileSize: 4096,
            writerProcessID: 1, durability: .write).encoded[..<30]), [UInt8](repeating: 0, count: 4096)] {
            let path = journalFilePath(journal, 2)
            try writeBytes(torn, to: path)
            let (report, records) = try recoverAll(journal)
            assertTestRecords(records, 1...20)
            let truncation = try XCTUnwrap(report.truncation)
            XCTAssertEqual(truncation.kind, .tornTail)
            XCTAssertEqual(truncation.path, path)
            XCTAssertTrue(truncation.fileRemoved)
            XCTAssertEqual(truncation.discardedBytes, torn.count)
            XCTAssertFalse(FileManager.default.fileExists(atPath: path))
            XCTAssertEqual(report.nextSequence, 21)
        }
        let writer = try JournalWriter(configuration: JournalConfiguration(directory: journal), nextSequence: 21)
        try appendTestRecords(writer, 21...25)
        try writer.close()
        assertTestRecords(try recoverAll(journal).records, 1...25)
    }

    func testCorruptHeaderIsMiddleCorruption() throws {
        let journal = temporary.journal()
        try writeJournal(journal, 1...10)
        let path = journalFilePath(journal, 1)
        var bytes = try readBytes(path)
        bytes[20] ^= 0x10
        try writeBytes(bytes, to: path)
        let error = journalError { _ = try recoverAll(journal) }
        guard case .corruption(let corruption)? = error, case .headerChecksumMismatch = corruption.problem else {
            return XCTFail("expected a header checksum error, got \(String(describing: error))")
        }
        XCTAssertEqual(corruption.offset, 0)
        XCTAssertEqual(corruption.placement, .notATornWrite)
    }

    func testQuarantineMovesAFileWithACorruptHeaderWhole() throws {
        let journal = temporary.journal()
        try writeJournal(journal, 1...300, maxFileSize: 4096)
        let files = try recoverAll(journal).report.files
        let path = journalFilePath(journal, 2)
        var bytes = try readBytes(path)
        bytes[3] = UInt8(ascii: "X")  // magic
        try writeBytes(bytes, to: path)

        XCTAssertEqual(journalError { _ = try recoverAll(journal) }, .corruption(JournalCorruption(
            path: path, offset: 0, problem: .badMagic, placement: .notATornWrite)))
        let (report, records) = try recoverAll(journal, options: JournalRecoveryOptions(middleCorruption: .quarantine))
        assertTestRecords(records, 1...files[0].lastSequence!)
        XCTAssertEqual(report.files.map(\.name), [files[0].name])
        let truncation = try XCTUnwrap(report.truncation)
        XCTAssertTrue(truncation.fileRemoved)
        XCTAssertEqual(truncation.discardedBytes, bytes.count)
        XCTAssertEqual(truncation.quarantinedFiles, files.dropFirst().map(\.name))
        XCTAssertEqual(try readBytes(truncation.quarantineDirectory! + "/" + files[1].name), bytes)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testNonCanonicalJournalFileNameIsAnError() throws {
        let journal = temporary.journal()
        try writeJournal(journal, 1...3)
        try writeBytes([1, 2, 3], to: journal + "/journal-2.cjl")
        XCTAssertEqual(journalError { _ = try recoverAll(journal) }, .unexpectedFileName(path: journal + "/journal-2.cjl"))
    }

    func testErrorsFromTheRecordClosureStopRecovery() throws {
        struct Stop: Error {}
        let journal = temporary.journal()
        try writeJournal(journal, 1...10)
        var seen: [UInt64] = []
        XCTAssertThrowsError(try JournalRecovery.recover(directory: journal) { sequence, _ in
            seen.append(sequence)
            if sequence == 3 { throw Stop() }
        }) { XCTAssertTrue($0 is Stop) }
        XCTAssertEqual(seen, [1, 2, 3])
    }

    func testReportDescribesTheTruncation() throws {
        let journal = temporary.journal()
        let bytes = try makeJournal(journal)
        try writeBytes(bytes + [UInt8](repeating: 0, count: 100), to: journalFilePath(journal, 1))
        let report = try JournalRecovery.recover(directory: journal)
        let text = "\(report)"
        XCTAssertTrue(text.contains("10 record(s)") && text.contains("sequences 1...10") && text.contains("next sequence 11"), text)
        XCTAssertTrue(text.contains("torn tail") && text.contains("offset \(bytes.count)") && text.contains("100 bytes, all zero"), text)
    }
}
