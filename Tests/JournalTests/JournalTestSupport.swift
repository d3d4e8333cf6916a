import Foundation
import POSIX
import XCTest
import Journal

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL
    var path: String { url.path }

    init(_ label: String = "journal") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("cift-\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }

    /// A journal directory inside this one (not yet created).
    func journal(_ name: String = "journal") -> String {
        url.appendingPathComponent(name).path
    }
}

/// The payload the tests write for a sequence: 1 to 50 bytes that depend on it.
func testPayload(_ sequence: UInt64) -> [UInt8] {
    let length = 1 + Int(sequence * 7 % 50)
    return (0..<length).map { UInt8(truncatingIfNeeded: sequence &* 31 &+ UInt64($0)) }
}

/// Appends sequences `range` with `testPayload` and flushes.
func appendTestRecords(_ writer: JournalWriter, _ range: ClosedRange<UInt64>, flushEvery: Int = 10) throws {
    var sinceFlush = 0
    for sequence in range {
        try testPayload(sequence).withUnsafeBytes { try writer.append(sequence: sequence, payload: $0) }
        sinceFlush += 1
        if sinceFlush == flushEvery {
            try writer.flush()
            sinceFlush = 0
        }
    }
    try writer.flush()
}

/// Writes a journal with sequences `range` and closes it.
func writeJournal(
    _ directory: String, _ range: ClosedRange<UInt64>,
    durability: JournalDurability = .write, maxFileSize: Int = JournalConfiguration.defaultMaxFileSize
) throws {
    let writer = try JournalWriter(
        configuration: JournalConfiguration(directory: directory, durability: durability, maxFileSize: maxFileSize),
        nextSequence: range.lowerBound)
    try appendTestRecords(writer, range)
    try writer.close()
}

/// Recovers and returns the report and every record delivered.
func recoverAll(
    _ directory: String, options: JournalRecoveryOptions = JournalRecoveryOptions()
) throws -> (report: JournalRecoveryReport, records: [(UInt64, [UInt8])]) {
    var records: [(UInt64, [UInt8])] = []
    let report = try JournalRecovery.recover(directory: directory, options: options) { sequence, payload in
        records.append((sequence, Array(payload)))
    }
    return (report, records)
}

/// Asserts that `records` are exactly `range` with `testPayload`.
func assertTestRecords(
    _ records: [(UInt64, [UInt8])], _ range: ClosedRange<UInt64>?,
    file: StaticString = #filePath, line: UInt = #line
) {
    guard let range else {
        XCTAssertTrue(records.isEmpty, "expected no records, got \(records.count)", file: file, line: line)
        return
    }
    XCTAssertEqual(records.map(\.0), Array(range), file: file, line: line)
    for (sequence, payload) in records where payload != testPayload(sequence) {
        XCTFail("payload of sequence \(sequence) differs", file: file, line: line)
        return
    }
}

func journalFilePath(_ directory: String, _ index: UInt32) -> String {
    directory + "/" + JournalFormat.fileName(index: index)
}

func readBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func writeBytes(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Offsets of every record in a journal file image, in order.
func recordOffsets(_ bytes: [UInt8]) -> [Int] {
    var offsets: [Int] = []
    var offset = JournalFormat.headerLength
    while offset + JournalFormat.recordHeaderLength <= bytes.count {
        let length = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
        offsets.append(offset)
        offset += JournalFormat.recordSize(payloadLength: length)
    }
    return offsets
}

/// Every regular file under `directory` (recursively) with its bytes.
func snapshot(_ directory: String) throws -> [String: [UInt8]] {
    var result: [String: [UInt8]] = [:]
    let enumerator = FileManager.default.enumerator(atPath: directory)
    while let relative = enumerator?.nextObject() as? String {
        var isDirectory: ObjCBool = false
        let path = directory + "/" + relative
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            result[relative] = try readBytes(path)
        }
    }
    return result
}

/// Hex bytes as written in specs/journal.md ("43 49 46 ...", whitespace ignored).
func hexBytes(_ text: String) -> [UInt8] {
    text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { UInt8($0, radix: 16)! }
}

extension XCTestCase {
    /// Runs `body` and returns the `JournalError` it throws, failing if it throws none or another error.
    func journalError(
        file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void
    ) -> JournalError? {
        do {
            try body()
            XCTFail("expected a JournalError", file: file, line: line)
            return nil
        } catch let error as JournalError {
            return error
        } catch {
            XCTFail("expected a JournalError, got \(error)", file: file, line: line)
            return nil
        }
    }

    /// Runs `body` and returns the `SystemCallError` it throws, failing if it throws none
    /// or another error.
    func systemCallError(
        file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void
    ) -> SystemCallError? {
        do {
            try body()
            XCTFail("expected a SystemCallError", file: file, line: line)
            return nil
        } catch let error as SystemCallError {
            return error
        } catch {
            XCTFail("expected a SystemCallError, got \(error)", file: file, line: line)
            return nil
        }
    }
}
