import Foundation
import POSIX
import XCTest
import Journal

final class JournalWriterTests: XCTestCase {
    var temporary: TemporaryDirectory!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory("writer")
    }

    override func tearDown() {
        temporary.remove()
    }

    func testRoundTripAcrossRolledFiles() throws {
        let journal = temporary.journal()
        let writer = try JournalWriter(
            configuration: JournalConfiguration(directory: journal, maxFileSize: 4096, bufferCapacity: 4096),
            nextSequence: 1)
        try appendTestRecords(writer, 1...2000, flushEvery: 7)
        XCTAssertEqual(writer.flushedThroughSequence, 2000)
        XCTAssertEqual(writer.nextSequence, 2001)
        let filesCreated = writer.statistics.filesCreated
        try writer.close()

        let (report, records) = try recoverAll(journal)
        assertTestRecords(records, 1...2000)
        XCTAssertNil(report.truncation)
        XCTAssertGreaterThan(report.files.count, 10)
        XCTAssertEqual(UInt64(report.files.count), filesCreated)
        XCTAssertEqual(report.firstSequence, 1)
        XCTAssertEqual(report.lastSequence, 2000)
        XCTAssertEqual(report.recordCount, 2000)
        XCTAssertEqual(report.nextSequence, 2001)
        XCTAssertEqual(report.payloadBytes, (1...2000).map { testPayload(UInt64($0)).count }.reduce(0, +))

        // Files are numbered without gaps, each within the size limit, each
        // header's first sequence one past the previous file's last.
        var expectedFirst: UInt64 = 1
        for (position, file) in report.files.enumerated() {
            XCTAssertEqual(file.index, UInt32(position + 1))
            XCTAssertEqual(file.name, JournalFormat.fileName(index: file.index))
            XCTAssertLessThanOrEqual(file.length, 4096)
            XCTAssertEqual(file.firstSequence, expectedFirst)
            XCTAssertGreaterThan(file.recordCount, 0)
            expectedFirst = file.lastSequence! + 1
            let onDisk = try readBytes(journalFilePath(journal, file.index))
            XCTAssertEqual(onDisk.count, file.length)
        }
    }

    func testRollsWhenTheNextRecordWouldExceedTheMaximum() throws {
        let journal = temporary.journal()
        let writer = try JournalWriter(
            configuration: JournalConfiguration(directory: journal, maxFileSize: 4096), nextSequence: 1)
        // 64-byte header + 63 records of 64 bytes = 4096: exactly full, then one more rolls.
        let payload = [UInt8](repeating: 0xAB, count: 48)
        for sequence in UInt64(1)...63 {
            try payload.withUnsafeBytes { try writer.append(sequence: sequence, payload: $0) }
        }
        XCTAssertEqual(writer.currentFileIndex, 1)
        try payload.withUnsafeBytes { try writer.append(sequence: 64, payload: $0) }
        XCTAssertEqual(writer.currentFileIndex, 2)
        try writer.close()
        XCTAssertEqual(try readBytes(journalFilePath(journal, 1)).count, 4096)
        XCTAssertEqual(try readBytes(journalFilePath(journal, 2)).count, 64 + 64)
    }

    func testRecordLargerThanTheFileLimitGetsAFileOfItsOwn() throws {
        let journal = temporary.journal()
        let writer = try JournalWriter(
            configuration: JournalConfiguration(directory: journal, maxFileSize: 4096, bufferCapacity: 16384),
            nextSequence: 1)
        let small = [UInt8](repeating: 1, count: 10)
        let large = [UInt8](repeating: 2, count: 6000)
        try small.withUnsafeBytes { try writer.append(sequence: 1, payload: $0) }
        try large.withUnsafeBytes { try writer.append(sequence: 2, payload: $0) }
        try small.withUnsafeBytes { try writer.append(sequence: 3, payload: $0) }
        try writer.close()
        let (report, records) = try recoverAll(journal)
        XCTAssertEqual(records.map(\.1), [small, large, small])
        XCTAssertEqual(report.files.map(\.recordCount), [1, 1, 1])
    }

    func testOneWriteAndNoSyncPerFlushInWriteMode() throws {
        let writer = try JournalWriter(configuration: JournalConfiguration(directory: temporary.journal()), nextSequence: 1)
        for batch in 0..<5 {
            for sequence in UInt64(batch * 100 + 1)...UInt64(batch * 100 + 100) {
                try testPayload(sequence).withUnsafeBytes { try writer.append(sequence: sequence, payload: $0) }
            }
            XCTAssertEqual(try writer.flush(), UInt64(batch * 100 + 100))
        }
        XCTAssertEqual(try writer.flush(), 500, "an empty flush changes nothing")
        XCTAssertEqual(writer.statistics.flushes, 5)
        XCTAssertEqual(writer.statistics.writeCalls, 5)
        XCTAssertEqual(writer.statistics.dataSyncs, 0)
        XCTAssertEqual(writer.statistics.recordsAppended, 500)
        try writer.close()
    }

    func testFsyncModeSyncsOncePerFlushAndRoundTrips() throws {
        let journal = temporary.journal()
        let writer = try JournalWriter(
            configuration: JournalConfiguration(directory: journal, durability: .fsync, maxFileSize: 8192),
            nextSequence: 1)
        for batch in 0..<10 {
            for sequence in UInt64(batch * 50 + 1)...UInt64(batch * 50 + 50) {
                try testPayload(sequence).withUnsafeBytes { try writer.append(sequence: sequence, payload: $0) }
            }
            try writer.flush()
        }
        let statistics = writer.statistics
        // Rolls flush too, so count flushes rather than batches; one write and one sync each.
        XCTAssertEqual(statistics.dataSyncs, statistics.flushes)
        XCTAssertEqual(statistics.writeCalls, statistics.flushes)
        XCTAssertGreaterThanOrEqual(statistics.flushes, 10)
        XCTAssertGreaterThan(statistics.filesCreated, 1)
        try writer.close()

        let (report, records) = try recoverAll(journal)
        assertTestRecords(records, 1...500)
        XCTAssertNil(report.truncation)
        let header = try readBytes(journalFilePath(journal, 1)).withUnsafeBytes { try JournalFileHeader.decode($0).get() }
        XCTAssertEqual(header.durability, .fsync)
    }

    func testFullBufferFlushesAutomatically() throws {
        let journal = temporary.journal()
        let writer = try JournalWriter(
            configuration: JournalConfiguration(directory: journal, bufferCapacity: 4096), nextSequence: 1)
        let payload = [UInt8](repeating: 7, count: 100)  // 120-byte records: 34 fit in 4096
        for sequence in UInt64(1)...34 {
            try payload.withUnsafeBytes { try writer.append(sequence: sequence, payload: $0) }
        }
        XCTAssertEqual(writer.statistics.flushes, 0)
        XCTAssertEqual(writer.bufferedByteCount, 34 * 120)
        XCTAssertEqual(try readBytes(journalFilePath(journal, 1)).count, 64, "nothing written before the buffer is full")

        try payload.withUnsafeBytes { try writer.append(sequence: 35, payload: $0) }
        XCTAssertEqual(writer.statistics.automaticFlushes, 1)
        XCTAssertEqual(writer.flushedThroughSequence, 34)
        XCTAssertEqual(writer.bufferedByteCount, 120)
        XCTAssertEqual(try readBytes(journalFilePath(journal, 1)).count, 64 + 34 * 120)

        for sequence in UInt64(36)...1000 {
            try payload.withUnsafeBytes { try writer.append(sequence: sequence, payload: $0) }
            XCTAssertLessThanOrEqual(writer.bufferedByteCount, 4096)
        }
        try writer.close()
        let (_, records) = try recoverAll(journal)
        XCTAssertEqual(records.map(\.0), Array(1...1000))
    }

    func testLargestPayloadTheBufferTakes() throws {
        let writer = try JournalWriter(
            configuration: JournalConfiguration(directory: temporary.journal(), bufferCapacity: 4096), nextSequence: 1)
        XCTAssertEqual(writer.configuration.maxPayloadLength, 4080)
        try [UInt8](repeating: 1, count: 4080).withUnsafeBytes { try writer.append(sequence: 1, payload: $0) }
        let error = journalError {
            try [UInt8](repeating: 1, count: 4081).withUnsafeBytes { try writer.append(sequence: 2, payload: $0) }
        }
        XCTAssertEqual(error, .payloadTooLarge(length: 4081, limit: 4080))
        try writer.close()
    }

    func testRejectsOutOfOrderAndEmptyAppends() throws {
        let writer = try JournalWriter(configuration: JournalConfiguration(directory: temporary.journal()), nextSequence: 10)
        XCTAssertEqual(writer.flushedThroughSequence, 9)
        let payload: [UInt8] = [1, 2, 3]
        XCTAssertEqual(journalError { try payload.withUnsafeBytes { try writer.append(sequence: 11, payload: $0) } },
                       .sequenceOutOfOrder(expected: 10, got: 11))
        XCTAssertEqual(journalError { try [UInt8]().withUnsafeBytes { try writer.append(sequence: 10, payload: $0) } },
                       .emptyPayload)
        try payload.withUnsafeBytes { try writer.append(sequence: 10, payload: $0) }
        XCTAssertEqual(journalError { try payload.withUnsafeBytes { try writer.append(sequence: 10, payload: $0) } },
                       .sequenceOutOfOrder(expected: 11, got: 10))
        try writer.close()
        XCTAssertEqual(journalError { try payload.withUnsafeBytes { try writer.append(sequence: 11, payload: $0) } },
                       .writerClosed)
        XCTAssertEqual(journalError { try writer.flush() }, .writerClosed)
    }

    func testContinuesTheLastFileAfterReopening() throws {
        let journal = temporary.journal()
        try writeJournal(journal, 1...100)
        let writer = try JournalWriter(configuration: JournalConfiguration(directory: journal), nextSequence: 101)
        XCTAssertEqual(writer.currentFileIndex, 1)
        XCTAssertEqual(writer.statistics.filesCreated, 0)
        try appendTestRecords(writer, 101...150)
        try writer.close()
        let (report, records) = try recoverAll(journal)
        assertTestRecords(records, 1...150)
        XCTAssertEqual(report.files.count, 1)
    }

    func testEmptyJournalStartsAtTheGivenSequence() throws {
        let journal = temporary.journal()
        try writeJournal(journal, 5000...5009)
        let (report, records) = try recoverAll(journal)
        assertTestRecords(records, 5000...5009)
        XCTAssertEqual(report.files.first?.firstSequence, 5000)
    }

    func testHeaderOnlyJournalReportsItsFirstSequence() throws {
        let journal = temporary.journal()
        try JournalWriter(configuration: JournalConfiguration(directory: journal), nextSequence: 77).close()
        let (report, records) = try recoverAll(journal)
        XCTAssertTrue(records.isEmpty)
        XCTAssertEqual(report.files.count, 1)
        XCTAssertNil(report.firstSequence)
        XCTAssertEqual(report.nextSequence, 77)
        XCTAssertEqual(journalError { _ = try JournalWriter(configuration: JournalConfiguration(directory: journal), nextSequence: 1) },
                       .resumeMismatch(path: journalFilePath(journal, 1), journalNextSequence: 77, requested: 1))
        try JournalWriter(configuration: JournalConfiguration(directory: journal), nextSequence: 77).close()
    }

    func testRefusesToResumeAtTheWrongSequence() throws {
        let journal = temporary.journal()
        try writeJournal(journal, 1...20)
        for wrong: UInt64 in [1, 20, 22] {
            let error = journalError {
                _ = try JournalWriter(configuration: JournalConfiguration(directory: journal), nextSequence: wrong)
            }
            XCTAssertEqual(error, .resumeMismatch(path: journalFilePath(journal, 1), journalNextSequence: 21, requested: wrong))
        }
    }

    func testRefusesATornTailUntilRecovered() throws {
        let journal = temporary.journal()
        try writeJournal(journal, 1...20)
        let path = journalFilePath(journal, 1)
        let bytes = try readBytes(path)
        let lastOffset = recordOffsets(bytes).last!
        try writeBytes(Array(bytes[..<(lastOffset + 5)]), to: path)
        let error = journalError {
            _ = try JournalWriter(configuration: JournalConfiguration(directory: journal), nextSequence: 20)
        }
        XCTAssertEqual(error, .needsRecovery(path: path, offset: lastOffset, problem: .shortRecordHeader(available: 5)))
        XCTAssertEqual(try recoverAll(journal).report.nextSequence, 20)
        try JournalWriter(configuration: JournalConfiguration(directory: journal), nextSequence: 20).close()
    }

    func testSecondWriterIsLockedOut() throws {
        let journal = temporary.journal()
        let first = try JournalWriter(configuration: JournalConfiguration(directory: journal), nextSequence: 1)
        XCTAssertEqual(journalError { _ = try JournalWriter(configuration: JournalConfiguration(directory: journal), nextSequence: 1) },
                       .directoryLocked(path: journal))
        XCTAssertEqual(journalError { _ = try JournalRecovery.recover(directory: journal) }, .directoryLocked(path: journal))
        try first.close()
        _ = try JournalRecovery.recover(directory: journal)
    }

    func testCreatesMissingParentDirectories() throws {
        let journal = temporary.journal("a/b/c")
        try writeJournal(journal, 1...3, durability: .fsync)
        assertTestRecords(try recoverAll(journal).records, 1...3)
    }

    func testRejectsInvalidConfiguration() {
        XCTAssertEqual(journalError {
            _ = try JournalWriter(configuration: JournalConfiguration(directory: temporary.journal(), maxFileSize: 100), nextSequence: 1)
        }, .invalidConfiguration("maxFileSize 100 is below 4096 bytes"))
        XCTAssertEqual(journalError {
            _ = try JournalWriter(configuration: JournalConfiguration(directory: temporary.journal(), bufferCapacity: 10), nextSequence: 1)
        }, .invalidConfiguration("bufferCapacity 10 is below 4096 bytes"))
        XCTAssertEqual(journalError {
            _ = try JournalWriter(configuration: JournalConfiguration(directory: temporary.journal()), nextSequence: 0)
        }, .invalidConfiguration("next sequence must be at least 1"))
    }

    func testSystemCallErrorsNameTheCallAndErrno() throws {
        // A regular file where the journal directory should be.
        let blocker = temporary.journal("blocker")
        try writeBytes([1], to: blocker)
        let error = systemCallError {
            _ = try JournalWriter(configuration: JournalConfiguration(directory: blocker + "/journal"), nextSequence: 1)
        }
        XCTAssertEqual(error, SystemCallError(call: "mkdir", errno: ENOTDIR, subject: blocker + "/journal"))
        XCTAssertTrue("\(error!)".contains("mkdir(\(blocker)/journal) failed: Not a directory (errno \(ENOTDIR))"), "\(error!)")
    }
}
