import Foundation
import POSIX
import XCTest
import Journal

final class JournalInspectorTests: XCTestCase {
    var temporary: TemporaryDirectory!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory("inspect")
    }

    override func tearDown() {
        temporary.remove()
    }

    func testCleanJournalReportsEachFileAndRecord() throws {
        let journal = temporary.journal()
        try writeJournal(journal, 1...300, durability: .fsync, maxFileSize: 4096)
        var text = ""
        let inspection = try JournalInspector.inspect(
            directory: journal, options: JournalInspectionOptions(listRecords: true, payloadPrefixBytes: 4),
            describe: { payload in payload.count > 40 ? "long" : nil }, to: &text)
        XCTAssertTrue(inspection.isClean)
        XCTAssertEqual(inspection.recordCount, 300)
        XCTAssertEqual(inspection.firstSequence, 1)
        XCTAssertEqual(inspection.lastSequence, 300)
        let files = try recoverAll(journal).report.files
        XCTAssertEqual(inspection.fileCount, files.count)
        for file in files {
            XCTAssertTrue(text.contains("\(file.name): \(file.length) bytes"), text)
            XCTAssertTrue(text.contains("records \(file.recordCount), sequences \(file.firstSequence)...\(file.lastSequence!)"), text)
        }
        XCTAssertTrue(text.contains("durability fsync, max file size 4096"), text)
        // Sequence 1: 8 bytes, payload starts 1f 20 21 22.
        XCTAssertTrue(text.contains("  seq 1  offset 64  length 8  1f202122…\n"), text)
        // Sequence 6: 43 bytes, described.
        XCTAssertTrue(text.contains("  seq 6  offset ") && text.contains("length 43  ") && text.contains("…  long\n"), text)
        XCTAssertTrue(text.hasSuffix("summary: \(files.count) file(s), 300 record(s), sequences 1...300; no problems\n"), text)
    }

    func testReportsChecksumFailuresAndNeverChangesFiles() throws {
        let journal = temporary.journal()
        try writeJournal(journal, 1...20)
        let path = journalFilePath(journal, 1)
        var bytes = try readBytes(path)
        let offsets = recordOffsets(bytes)
        bytes[offsets[5] + 16] ^= 0x80                       // checksum failure in the middle
        bytes += Array(JournalRecordCodec.encoded(sequence: 21, payload: testPayload(21))[..<10])  // torn tail
        try writeBytes(bytes, to: path)
        let before = try snapshot(journal)

        let text = try JournalInspector.report(directory: journal, options: JournalInspectionOptions(listRecords: true))
        let inspection = try JournalInspector.inspect(directory: journal, to: &String.discard)

        XCTAssertEqual(try snapshot(journal), before, "inspection must not modify the journal")
        XCTAssertTrue(text.contains("CHECKSUM FAILURE at offset \(offsets[5]): record checksum mismatch"), text)
        XCTAssertTrue(text.contains("intact record follows at offset \(offsets[6])"), text)
        XCTAssertTrue(text.contains("TORN TAIL at offset \(bytes.count - 10): short record header (10 of 16 bytes)"), text)
        XCTAssertTrue(text.contains("recovery truncates here"), text)
        XCTAssertFalse(text.contains("  seq 6  "), "the damaged record is not listed")
        XCTAssertTrue(text.contains("  seq 7  "), "inspection resumes after the damage")
        XCTAssertEqual(inspection.recordCount, 19)
        XCTAssertEqual(inspection.checksumFailures, 1)
        XCTAssertTrue(inspection.hasCorruption)
        XCTAssertEqual(inspection.findings.map(\.kind), [.corruption, .tornTail])
        XCTAssertEqual(inspection.findings.map(\.offset), [offsets[5], bytes.count - 10])
        XCTAssertTrue(text.contains("1 checksum failure(s); torn tail (recovery cuts it off); 1 corruption(s)"), text)
    }

    func testTornTailIsReportedNotTruncated() throws {
        let journal = temporary.journal()
        try writeJournal(journal, 1...5)
        let path = journalFilePath(journal, 1)
        let bytes = try readBytes(path) + [UInt8](repeating: 0, count: 512)
        try writeBytes(bytes, to: path)
        let text = try JournalInspector.report(directory: journal)
        XCTAssertEqual(try readBytes(path), bytes)
        XCTAssertTrue(text.contains("TORN TAIL at offset \(bytes.count - 512): bad record length 0"), text)
        XCTAssertTrue(text.contains("512 bytes to the end of the file, all zero"), text)
        // Inspection and recovery agree on where the tail starts.
        XCTAssertEqual(try JournalRecovery.recover(directory: journal).truncation?.offset, bytes.count - 512)
    }

    func testReportsProblemsAcrossFiles() throws {
        let journal = temporary.journal()
        try writeJournal(journal, 1...300, maxFileSize: 4096)
        try FileManager.default.removeItem(atPath: journalFilePath(journal, 2))
        try writeBytes([UInt8](repeating: 0xEE, count: 20), to: journalFilePath(journal, 9999))
        let before = try snapshot(journal)
        var text = ""
        let inspection = try JournalInspector.inspect(directory: journal, to: &text)
        XCTAssertEqual(try snapshot(journal), before)
        XCTAssertTrue(text.contains("CORRUPTION at offset 0: file index gap: expected journal-000002.cjl, found journal-000003.cjl"), text)
        XCTAssertTrue(text.contains("CORRUPTION at offset 0: sequence gap between files"), text)
        XCTAssertTrue(text.contains("TORN TAIL at offset 0: short file header (20 of 64 bytes); recovery removes this file"), text)
        XCTAssertTrue(inspection.hasCorruption)
    }

    func testMissingDirectoryThrowsNamingTheCall() {
        let missing = temporary.journal("absent")
        XCTAssertEqual(systemCallError { _ = try JournalInspector.report(directory: missing) },
                       SystemCallError(call: "opendir", errno: ENOENT, subject: missing))
    }
}

extension String {
    /// A sink for reports a test does not read.
    nonisolated(unsafe) static var discard = ""
}
