import Foundation
import POSIX
import SequencedStore
import XCTest

/// The store with a small layout of its own: an 8-byte header (`SEQSTOR1`), records of
/// a 1-byte length then that many payload bytes. Every behaviour the FIX and feed stores
/// rely on, checked on the file's bytes.
final class SequencedFileStoreTests: XCTestCase {
    var directory = ""
    var path: String { directory + "/test.store" }

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "cift-seqstore-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    static let magic = Array("SEQSTOR1".utf8)

    let layout = SequencedStoreLayout(
        kind: "test store", headerLength: 8,
        newHeader: { header in for i in 0..<8 { header[i] = SequencedFileStoreTests.magic[i] } },
        checkHeader: { (header, path) throws(SequencedStoreError) in
            guard header.count == 8 else { return }
            guard header.elementsEqual(SequencedFileStoreTests.magic) else {
                throw .notAStore(path: path, kind: "test store", reason: "bad magic")
            }
        },
        recordLength: { bytes, _ in
            guard let length = bytes.first, length > 0 else { return nil }
            return 1 + Int(length)
        })

    func open(
        lock: Bool = false, buffer: Int = 64, chunk: Int = 1 << 20, recovered: ((String, Int) -> Void)? = nil
    ) throws -> SequencedFileStore {
        try SequencedFileStore(
            path: path, layout: layout, lock: lock, bufferCapacity: buffer, recoveryChunkBytes: chunk,
            recovered: { record, index in
            recovered?(String(decoding: record.dropFirst(), as: UTF8.self), index)
            return true
        })
    }

    func append(_ store: SequencedFileStore, _ text: String) throws {
        let bytes = Array(text.utf8)
        try store.append(length: 1 + bytes.count) { record in
            record[0] = UInt8(bytes.count)
            for (i, b) in bytes.enumerated() { record[1 + i] = b }
        }
    }

    func fileBytes() throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    func testRecordsWaitForFlushThenReadBackAfterAReopen() throws {
        let store = try open()
        XCTAssertEqual(try fileBytes(), Self.magic, "a new file is its header")
        try append(store, "ab")
        try append(store, "c")
        XCTAssertTrue(store.hasPendingRecords)
        XCTAssertEqual(try fileBytes(), Self.magic, "appends are written behind")
        try store.flush()
        XCTAssertFalse(store.hasPendingRecords)
        XCTAssertEqual(try fileBytes(), Self.magic + [2, 0x61, 0x62, 1, 0x63])
        store.close()
        var seen: [String] = []
        let reopened = try open { text, index in
            XCTAssertEqual(index, seen.count)
            seen.append(text)
        }
        XCTAssertEqual(seen, ["ab", "c"])
        XCTAssertEqual(reopened.count, 2)
        XCTAssertEqual(reopened.durableCount, 2)
        XCTAssertEqual(reopened.truncatedBytes, 0)
        var buffer = [UInt8](repeating: 0, count: 8)
        let length = try buffer.withUnsafeMutableBytes { try reopened.read(record: 0, into: $0) }
        XCTAssertEqual(Array(buffer[0..<length]), [2, 0x61, 0x62])
    }

    /// Recovery reads in chunks: records that straddle a chunk's end, and one larger
    /// than a chunk, come back whole; a torn tail is still found and cut.
    func testRecoveryReadsInChunksOfAnySize() throws {
        let store = try open(buffer: 512)
        let texts = (0..<40).map { String(repeating: Character(UnicodeScalar(UInt8(97 + $0 % 26))), count: 1 + $0 * 7 % 23) }
            + [String(repeating: "L", count: 200)]
        for text in texts { try append(store, text) }
        try store.flush()
        store.close()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([9, 0x71]))
        try handle.close()
        for chunk in [16, 17, 31, 64, 1 << 20] {
            var seen: [String] = []
            let reopened = try open(chunk: chunk) { text, _ in seen.append(text) }
            XCTAssertEqual(seen, texts, "chunks of \(chunk) bytes")
            XCTAssertEqual(reopened.count, texts.count)
            XCTAssertEqual(reopened.truncatedBytes, chunk == 16 ? 2 : 0, "the torn tail is cut by the first open only")
            reopened.close()
        }
    }

    func testATornTailIsCutOffOnOpen() throws {
        let store = try open()
        try append(store, "xyz")
        try store.flush()
        store.close()
        // A crash in the middle of the next record: its length says 5, two bytes made it.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([5, 0x71, 0x72]))
        try handle.close()
        let reopened = try open()
        XCTAssertEqual(reopened.count, 1)
        XCTAssertEqual(reopened.truncatedBytes, 3)
        XCTAssertEqual(try fileBytes(), Self.magic + [3, 0x78, 0x79, 0x7A])
    }

    func testARecordLargerThanTheBufferGoesStraightToTheFileAfterWhatIsPending() throws {
        let store = try open(buffer: 16)
        try append(store, "a")
        let big = String(repeating: "z", count: 40)
        try append(store, big)
        XCTAssertFalse(store.hasPendingRecords)
        XCTAssertEqual(try fileBytes(), Self.magic + [1, 0x61, 40] + Array(big.utf8))
        // Header and body handed apart land as one record.
        let head: [UInt8] = [20]
        let body = [UInt8](repeating: 0x79, count: 20)
        try head.withUnsafeBytes { h in try body.withUnsafeBytes { b in _ = try store.append(h, b) } }
        XCTAssertEqual(store.count, 3)
        XCTAssertFalse(store.hasPendingRecords, "21 bytes: past the 16-byte buffer")
        XCTAssertEqual(try fileBytes().suffix(21), ArraySlice(head + body))
    }

    func testReadingAPendingRecordFlushesFirst() throws {
        let store = try open()
        try append(store, "hi")
        var buffer = [UInt8](repeating: 0, count: 3)
        _ = try buffer.withUnsafeMutableBytes { try store.read(record: 0, into: $0) }
        XCTAssertEqual(buffer, [2, 0x68, 0x69])
        XCTAssertFalse(store.hasPendingRecords)
    }

    func testTruncateDropsWrittenAndPendingRecords() throws {
        let store = try open()
        for text in ["a", "b", "c"] { try append(store, text) }
        try store.flush()
        try append(store, "d")
        try store.truncate(fromRecord: 3)  // only the pending one
        try store.flush()
        XCTAssertEqual(try fileBytes(), Self.magic + [1, 0x61, 1, 0x62, 1, 0x63])
        try store.truncate(fromRecord: 1)
        XCTAssertEqual(store.count, 1)
        XCTAssertEqual(try fileBytes(), Self.magic + [1, 0x61])
        try append(store, "e")
        try store.flush()
        XCTAssertEqual(try fileBytes(), Self.magic + [1, 0x61, 1, 0x65])
    }

    func testResetAndHeaderFields() throws {
        let store = try open()
        try append(store, "a")
        try store.flush()
        try store.writeHeader(UnsafeRawBufferPointer(start: [UInt8(0x32)], count: 1), at: 7)
        XCTAssertEqual(try fileBytes(), Array("SEQSTOR2".utf8) + [1, 0x61])
        try store.reset { header in for i in 0..<8 { header[i] = Self.magic[i] } }
        XCTAssertEqual(store.count, 0)
        XCTAssertEqual(try fileBytes(), Self.magic)
    }

    func testRecordsKeptInTheOwnersMemoryAreWrittenWithoutACopy() throws {
        let store = try open()
        let records: [UInt8] = [1, 0x61, 2, 0x62, 0x63]
        XCTAssertEqual(try records.withUnsafeBytes { try store.write(records: $0) }, 2)
        XCTAssertEqual(store.count, 2)
        XCTAssertEqual(store.durableCount, 2)
        XCTAssertEqual(store.length(ofRecord: 1), 3)
        XCTAssertEqual(try fileBytes(), Self.magic + records)
    }

    func testRefusalsNameTheFile() throws {
        try Data(Array("NOTMINE!".utf8)).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try open()) { error in
            XCTAssertEqual(error as? SequencedStoreError, .notAStore(path: self.path, kind: "test store", reason: "bad magic"))
        }
        try FileManager.default.removeItem(atPath: path)
        let first = try open(lock: true)
        XCTAssertThrowsError(try open(lock: true)) { error in
            XCTAssertEqual(error as? SequencedStoreError, .locked(path: self.path))
        }
        first.close()
        XCTAssertNoThrow(try open(lock: true), "closing releases the lock")
        let missing = directory + "/absent/test.store"
        XCTAssertThrowsError(try SequencedFileStore(path: missing, layout: layout)) { error in
            XCTAssertEqual(error as? SequencedStoreError, .systemCall(SystemCallError(call: "open", errno: ENOENT, subject: missing)))
        }
    }
}
