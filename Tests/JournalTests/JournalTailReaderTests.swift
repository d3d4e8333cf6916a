import Foundation
import XCTest
@testable import Journal

/// Following a journal that is being written, and resuming recovery after a record
/// (specs/snapshots.md): what the snapshot thread and a restart from a snapshot rely on.
final class JournalTailReaderTests: XCTestCase {
    var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory("tail") }
    override func tearDown() { temporary.remove() }

    func testFollowsAWriterAcrossFileRollsReadingOnlyWhatItIsTold() throws {
        let journal = temporary.journal()
        // 4 KiB files: a few dozen records each, so the reader crosses many rolls.
        let writer = try JournalWriter(
            configuration: JournalConfiguration(directory: journal, maxFileSize: 4096, bufferCapacity: 4096), nextSequence: 1)
        let reader = try JournalTailReader(directory: journal, after: nil)
        var seen: [UInt64] = []
        var payloadsMatch = true
        func take(through last: UInt64, limit: Int = .max) throws -> Int {
            try reader.read(through: last, limit: limit) { sequence, payload in
                seen.append(sequence)
                payloadsMatch = payloadsMatch && Array(payload) == testPayload(sequence)
            }
        }
        XCTAssertEqual(try take(through: 100), 0, "an empty journal has nothing yet")
        var written: UInt64 = 0
        for round in 1...20 {
            let next = written + UInt64(round * 7)
            try appendTestRecords(writer, (written + 1)...next)
            written = next
            // Told less than was written: it stops there, and the rest comes next time.
            _ = try take(through: written - 3, limit: 50)
            _ = try take(through: written - 3)
            XCTAssertEqual(seen.last, written - 3)
        }
        XCTAssertEqual(try take(through: written), 3)
        try writer.close()
        XCTAssertEqual(seen, Array(1...written))
        XCTAssertTrue(payloadsMatch)
        XCTAssertGreaterThan(try JournalDirectory.journalFiles(journal).count, 10)
        XCTAssertEqual(reader.position?.sequence, written)

        // A reader started after a record sees only what follows it, and checks that the
        // record it starts from is there.
        let resumed = try JournalTailReader(directory: journal, after: try position(of: 500, in: journal))
        var after: [UInt64] = []
        try resumed.read(through: written) { sequence, _ in after.append(sequence) }
        XCTAssertEqual(after, Array(501...written))
        var wrong = try position(of: 500, in: journal)
        wrong.sequence = 499
        XCTAssertThrowsError(try JournalTailReader(directory: journal, after: wrong).read(through: written) { _, _ in })
    }

    func testRecoveryResumesAfterARecordWithoutReadingTheFilesBeforeIt() throws {
        let journal = temporary.journal()
        try writeJournal(journal, 1...2_000, maxFileSize: 8192)
        let files = try JournalDirectory.journalFiles(journal)
        XCTAssertGreaterThan(files.count, 10)
        let resume = try position(of: 1_234, in: journal)
        let last = try position(of: 2_000, in: journal)
        // The files before the resume point's are not read: damage there goes unnoticed.
        try Data(repeating: 0xAB, count: 100).write(to: URL(fileURLWithPath: files[0].path))
        var sequences: [UInt64] = []
        let report = try JournalRecovery.recover(directory: journal, resumingAfter: resume) { sequence, payload in
            XCTAssertEqual(Array(payload), testPayload(sequence))
            sequences.append(sequence)
        }
        XCTAssertEqual(sequences, Array(1_235...2_000))
        XCTAssertEqual(report.nextSequence, 2_001)
        XCTAssertEqual(report.resumedAfter, 1_234)
        XCTAssertLessThan(report.files.count, files.count)

        // Resuming after the very last record: nothing to replay, the next sequence follows it.
        var none = 0
        XCTAssertEqual(try JournalRecovery.recover(directory: journal, resumingAfter: last) { _, _ in none += 1 }.nextSequence, 2_001)
        XCTAssertEqual(none, 0)

        // A resume point the journal does not hold as recorded is refused before any record.
        for bad in [JournalPosition(fileIndex: resume.fileIndex, offset: resume.offset, sequence: resume.sequence, checksum: resume.checksum ^ 1),
                    JournalPosition(fileIndex: resume.fileIndex, offset: resume.offset + 8, sequence: resume.sequence, checksum: resume.checksum),
                    JournalPosition(fileIndex: 999, offset: 64, sequence: 5_000, checksum: 0)] {
            var delivered = 0
            XCTAssertThrowsError(try JournalRecovery.recover(directory: journal, resumingAfter: bad) { _, _ in delivered += 1 }) { error in
                guard case JournalError.resumePointMissing = error else { return XCTFail("\(error)") }
            }
            XCTAssertEqual(delivered, 0)
            XCTAssertNotNil(JournalRecovery.mismatch(of: bad, directory: journal))
        }
        XCTAssertNil(JournalRecovery.mismatch(of: resume, directory: journal))
    }

    /// Where record `sequence` is, as a tail reader reports it.
    func position(of sequence: UInt64, in journal: String) throws -> JournalPosition {
        let reader = try JournalTailReader(directory: journal, after: nil)
        try reader.read(through: sequence) { _, _ in }
        return try XCTUnwrap(reader.position)
    }
}
