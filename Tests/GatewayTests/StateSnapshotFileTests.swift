import Foundation
import GatewayCore
import Journal
import XCTest
@testable import Gateway

/// The snapshot file's layout (specs/snapshots.md, "File"), byte for byte.
final class StateSnapshotFileTests: XCTestCase {
    let file = StateSnapshotFile(
        position: JournalPosition(fileIndex: 3, offset: 0x1234, sequence: 1_000_000, checksum: 0xDEAD_BEEF),
        fingerprint: 0x0102_0304_0506_0708, engineDigest: 0x1112_1314_1516_1718, body: [0xAA, 0xBB, 0xCC])

    func testGoldenBytes() {
        let hex = file.encoded().map { String(format: "%02x", $0) }.joined()
        let expected = [
            "43494654534e4150",  // "CIFTSNAP"
            "0100", "4000",  // version 1, header length 64
            "03000000",  // journal file index 3
            "40420f0000000000",  // sequence 1,000,000
            "3412000000000000",  // record offset 0x1234
            "efbeadde", "00000000",  // record checksum, reserved
            "0807060504030201",  // configuration fingerprint
            "1817161514131211",  // engine digest
            "0300000000000000",  // body length 3
            "aabbcc",  // body
        ].joined()
        XCTAssertEqual(String(hex.prefix(expected.count)), expected)
        // The trailer: CRC-32C of everything before it.
        let bytes = file.encoded()
        let crc = bytes.dropLast(4).withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer($0)) }
        XCTAssertEqual(Array(bytes.suffix(4)), withUnsafeBytes(of: crc.littleEndian) { Array($0) })
        XCTAssertEqual(bytes.count, 64 + 3 + 4)
    }

    func testRoundTripAndEveryDamageIsRefused() throws {
        let bytes = file.encoded()
        XCTAssertEqual(try bytes.withUnsafeBytes { try StateSnapshotFile(decoding: $0) }, file)
        for index in bytes.indices {
            var damaged = bytes
            damaged[index] ^= 0x01
            XCTAssertThrowsError(try damaged.withUnsafeBytes { try StateSnapshotFile(decoding: $0) }, "byte \(index)")
        }
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try Array(bytes[..<length]).withUnsafeBytes { try StateSnapshotFile(decoding: $0) }, "cut at \(length)")
        }
    }

    func testTheDirectoryKeepsTheNewestAndNamesThemBySequence() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cift-snapdir-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let snapshots = SnapshotDirectory(dataDirectory: directory)
        // A `.tmp` a killed writer left behind is neither read nor kept.
        try FileManager.default.createDirectory(atPath: snapshots.path, withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: snapshots.path + "/" + SnapshotDirectory.fileName(sequence: 99_999) + ".tmp"))
        XCTAssertEqual(snapshots.files().count, 0)
        for sequence: UInt64 in [5, 900, 70, 12_000] {
            var f = file
            f.position.sequence = sequence
            try snapshots.write(f, keep: 2)
        }
        XCTAssertEqual(snapshots.files().map(\.sequence), [12_000, 900])
        XCTAssertEqual(SnapshotDirectory.fileName(sequence: 42), "snapshot-00000000000000000042.csn")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: snapshots.path).filter { $0.hasSuffix(".tmp") }, [])
    }
}
