import Foundation
import POSIX
@testable import Rings
import XCTest
import TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The shared-memory ring against specs/shm-ring.md: the golden bytes, create
/// and attach (and every header mismatch), full, wrap-around, torn slots,
/// restarts, and records crossing threads and processes.
final class SharedMemoryRingTests: XCTestCase {
    var scratch: ScratchDirectory!

    override func setUp() {
        scratch = ScratchDirectory()
    }

    override func tearDown() {
        scratch = nil
    }

    // MARK: Golden vectors

    func testGoldenHeaderAfterThreePublishedAndTwoConsumed() throws {
        let path = scratch.file("signals")
        let ring = try SharedMemoryRing.createOrAttach(path: path, kind: .signals, capacity: 1024)
        for index in 0..<3 as Range<UInt64> {
            XCTAssertTrue(ring.publishTestRecord(index))
        }
        for index in 0..<2 as Range<UInt64> {
            let record = try XCTUnwrap(ring.peek())
            XCTAssertTrue(isRecord(record, index: index))
            ring.consume()
        }

        var expected = [UInt8](repeating: 0, count: 384)
        let firstLines = hexBytes("""
            4349 4654 5249 4e47 0100 0000 4000 0000
            0004 0000 0000 0000 0100 0000 8001 0000
            """)
        expected.replaceSubrange(0..<32, with: firstLines)
        expected[0x80] = 0x03
        expected[0x100] = 0x02

        let bytes = fileBytes(path)
        XCTAssertEqual(bytes.count, 384 + 1024 * 64)
        XCTAssertEqual(Array(bytes.prefix(384)), expected)
        XCTAssertEqual(ring.producerIndex, 3)
        XCTAssertEqual(ring.consumerIndex, 2)
    }

    func testGoldenRecordOneLayout() throws {
        let path = scratch.file("signals")
        let ring = try SharedMemoryRing.createOrAttach(path: path, kind: .signals, capacity: 1024)
        // The spec's record 1: a passive signal from model 7 to reach +300 AAPL,
        // limit 150.2500, TTL 500 ms, tag 0x0102030405060708, created
        // 1,763,700,000,000,000,000 ns. Bytes 0–7 are left to the ring.
        XCTAssertTrue(ring.tryPublish { slot in
            slot[8] = 1  // kind: signal
            slot[9] = 2  // target type: position
            slot[10] = 0  // side: none for a position target
            slot[11] = 0  // urgency: passive
            slot.storeBytes(of: UInt32(7).littleEndian, toByteOffset: 12, as: UInt32.self)
            for (offset, byte) in "AAPL    ".utf8.enumerated() { slot[16 + offset] = byte }
            slot.storeBytes(of: Int64(300).littleEndian, toByteOffset: 24, as: Int64.self)
            slot.storeBytes(of: Int64(1_502_500).littleEndian, toByteOffset: 32, as: Int64.self)
            slot.storeBytes(of: UInt32(500).littleEndian, toByteOffset: 40, as: UInt32.self)
            slot.storeBytes(of: UInt64(0x0102_0304_0506_0708).littleEndian, toByteOffset: 48, as: UInt64.self)
            slot.storeBytes(of: UInt64(1_763_700_000_000_000_000).littleEndian, toByteOffset: 56, as: UInt64.self)
        })
        let golden = hexBytes("""
            01 00 00 00 00 00 00 00  01 02 00 00 07 00 00 00
            41 41 50 4c 20 20 20 20  2c 01 00 00 00 00 00 00
            24 ed 16 00 00 00 00 00  f4 01 00 00 00 00 00 00
            08 07 06 05 04 03 02 01  00 40 5b 36 ce eb 79 18
            """)
        XCTAssertEqual(golden.count, 64)
        XCTAssertEqual(Array(fileBytes(path)[384..<448]), golden)
        let record = try XCTUnwrap(ring.peek())
        XCTAssertEqual(Array(record), golden)
    }

    func testSequenceBytesOverwriteWhatFillPutThereAndStaleBytesAreZeroed() throws {
        let path = scratch.file("fills")
        let ring = try SharedMemoryRing.createOrAttach(path: path, kind: .fills, capacity: 1)
        XCTAssertTrue([UInt8](repeating: 0xAB, count: 64).withUnsafeBytes { ring.tryPublish(bytes: $0) })
        let first = try XCTUnwrap(ring.peek())
        XCTAssertEqual(Array(first), [1, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0xAB, count: 56))
        ring.consume()
        // The same slot one lap later: only the two bytes given, the rest zero.
        XCTAssertTrue([UInt8]([9, 9, 9, 9, 9, 9, 9, 9, 0x11, 0x22]).withUnsafeBytes { ring.tryPublish(bytes: $0) })
        let second = try XCTUnwrap(ring.peek())
        XCTAssertEqual(Array(second), [2, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x22] + [UInt8](repeating: 0, count: 54))
    }

    // MARK: Create and attach

    func testCreateWritesTheHeaderWithMode0600AndZeroIndices() throws {
        let path = scratch.file("fills")
        let ring = try SharedMemoryRing.createOrAttach(path: path, kind: .fills, capacity: 16)
        XCTAssertEqual(ring.capacity, 16)
        XCTAssertEqual(ring.kind, .fills)
        XCTAssertEqual(ring.producerIndex, 0)
        XCTAssertEqual(ring.consumerIndex, 0)
        XCTAssertEqual(ring.overflowCount, 0)
        XCTAssertEqual(ring.freeSlots, 16)
        XCTAssertNil(ring.peek())

        var status = stat()
        XCTAssertEqual(stat(path, &status), 0)
        XCTAssertEqual(status.st_mode & 0o777, 0o600)
        let bytes = fileBytes(path)
        XCTAssertEqual(bytes.count, 384 + 16 * 64)
        XCTAssertEqual(Array(bytes[0..<8]), Array("CIFTRING".utf8))
        XCTAssertEqual(readLE(bytes, at: 8, as: UInt32.self), 1)
        XCTAssertEqual(readLE(bytes, at: 12, as: UInt32.self), 64)
        XCTAssertEqual(readLE(bytes, at: 16, as: UInt64.self), 16)
        XCTAssertEqual(readLE(bytes, at: 24, as: UInt32.self), 2)
        XCTAssertEqual(readLE(bytes, at: 28, as: UInt32.self), 384)
        XCTAssertEqual(Array(bytes[32...]), [UInt8](repeating: 0, count: bytes.count - 32))
        // No temporary file is left beside it.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["fills"])
    }

    func testRestartWithUnreadRecordsKeepsIndicesAndRecords() throws {
        let path = scratch.file("signals")
        do {
            // A producer and a consumer mapping the same file, as two processes would.
            let producer = try SharedMemoryRing.createOrAttach(path: path, kind: .signals, capacity: 8)
            let consumer = try SharedMemoryRing.attach(path: path, kind: .signals)
            for index in 0..<5 as Range<UInt64> {
                XCTAssertTrue(producer.publishTestRecord(index))
            }
            for index in 0..<2 as Range<UInt64> {
                XCTAssertTrue(isRecord(try XCTUnwrap(consumer.peek()), index: index))
                consumer.consume()
            }
        }
        // Restart: both objects are gone (unmapped, closed); the file remains.
        let restarted = try SharedMemoryRing.createOrAttach(path: path, kind: .signals, capacity: 8)
        XCTAssertEqual(restarted.producerIndex, 5)
        XCTAssertEqual(restarted.consumerIndex, 2)
        XCTAssertEqual(restarted.freeSlots, 5)
        let tool = try SharedMemoryRing.attach(path: path, kind: .signals)
        XCTAssertEqual(tool.capacity, 8)
        XCTAssertEqual(tool.producerIndex, 5)

        for index in 2..<5 as Range<UInt64> {
            XCTAssertTrue(isRecord(try XCTUnwrap(restarted.peek()), index: index), "record \(index) after the restart")
            restarted.consume()
        }
        XCTAssertNil(restarted.peek())
        // The producer side continues the numbering.
        XCTAssertTrue(restarted.publishTestRecord(5))
        XCTAssertTrue(isRecord(try XCTUnwrap(restarted.peek()), index: 5))
        restarted.consume()
        XCTAssertEqual(restarted.consumerIndex, 6)
    }

    func testSkipMovesTheConsumerForwardOnlyAndNeverPastTheProducer() throws {
        let path = scratch.file("signals")
        let ring = try SharedMemoryRing.createOrAttach(path: path, kind: .signals, capacity: 8)
        for index in 0..<6 as Range<UInt64> {
            XCTAssertTrue(ring.publishTestRecord(index))
        }
        XCTAssertTrue(isRecord(try XCTUnwrap(ring.peek()), index: 0))
        ring.consume()

        // The journal applied sequences up to 4: resume at record 4 (sequence 5).
        XCTAssertEqual(try ring.skip(to: 4), 3)
        XCTAssertEqual(ring.consumerIndex, 4)
        XCTAssertTrue(isRecord(try XCTUnwrap(ring.peek()), index: 4))
        // Backwards or in place: nothing changes, and the peek stays valid.
        XCTAssertEqual(try ring.skip(to: 2), 0)
        XCTAssertEqual(try ring.skip(to: 4), 0)
        XCTAssertEqual(ring.consumerIndex, 4)
        ring.consume()

        assertRingError(.skipBeyondProducer(path: path, requested: 7, producerIndex: 6)) { () throws(SharedMemoryRingError) in
            try ring.skip(to: 7)
        }
        XCTAssertEqual(ring.consumerIndex, 5)
        XCTAssertEqual(try ring.skip(to: 6), 1)
        XCTAssertNil(ring.peek())
        XCTAssertEqual(ring.freeSlots, 8)
        XCTAssertEqual(
            SharedMemoryRingError.skipBeyondProducer(path: "/x", requested: 7, producerIndex: 6).description,
            "/x: cannot skip the consumer to 7: the producer has published only 6 records")
    }

    func testInvalidCapacityIsRefusedAndNoFileIsCreated() {
        let path = scratch.file("fills")
        for capacity in [0, -1, 3, 1000, (1 << 32) + 1, 1 << 33] {
            assertRingError(.invalidCapacity(path: path, capacity: capacity)) { () throws(SharedMemoryRingError) in
                try SharedMemoryRing.createOrAttach(path: path, kind: .fills, capacity: capacity)
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertEqual(
            SharedMemoryRingError.invalidCapacity(path: "/dev/shm/cift-fills", capacity: 1000).description,
            "/dev/shm/cift-fills: ring capacity must be a power of two from 1 to 4294967296, got 1000")
    }

    func testAttachToMissingFileIsAnErrorNamingIt() {
        let path = scratch.file("absent")
        assertRingError(.systemCall(SystemCallError(call: "open(O_RDWR)", errno: ENOENT, subject: path))) { () throws(SharedMemoryRingError) in
            try SharedMemoryRing.attach(path: path, kind: .signals)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    /// Creates a 16-slot signals ring holding 3 unread records, applies
    /// `damage` to the closed file, and returns its path and bytes after.
    func damagedRing(_ name: String, _ damage: (String) -> Void) throws -> (String, [UInt8]) {
        let path = scratch.file(name)
        do {
            let ring = try SharedMemoryRing.createOrAttach(path: path, kind: .signals, capacity: 16)
            for index in 0..<3 as Range<UInt64> {
                XCTAssertTrue(ring.publishTestRecord(index))
            }
        }
        damage(path)
        return (path, fileBytes(path))
    }

    /// Both ways of opening throw `expected`, and the file is unchanged.
    func assertBothOpensFail(
        _ path: String, _ before: [UInt8], _ expected: SharedMemoryRingError, attachExpected: SharedMemoryRingError? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        assertRingError(expected, { () throws(SharedMemoryRingError) in
            try SharedMemoryRing.createOrAttach(path: path, kind: .signals, capacity: 16)
        }, file: file, line: line)
        assertRingError(attachExpected ?? expected, { () throws(SharedMemoryRingError) in
            try SharedMemoryRing.attach(path: path, kind: .signals)
        }, file: file, line: line)
        XCTAssertEqual(fileBytes(path), before, "the file was changed", file: file, line: line)
    }

    func testWrongMagicIsNamedAndTheFileIsNotReset() throws {
        let (path, before) = try damagedRing("magic") { writeRaw($0, at: 0, Array("CIFTRINX".utf8)) }
        let found = UInt64(littleEndian: Array("CIFTRINX".utf8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let expected = SharedMemoryRingError.headerMismatch(path: path, field: .magic, found: found, expected: SharedMemoryRingLayout.magic)
        assertBothOpensFail(path, before, expected)
        XCTAssertEqual(
            expected.description,
            "\(path): header field magic is \"CIFTRINX\" (43 49 46 54 52 49 4e 58), expected \"CIFTRING\" (43 49 46 54 52 49 4e 47); the file was left unchanged (remove it, or fix the configuration, if it is not the ring you meant)")
    }

    func testWrongVersionIsNamed() throws {
        let (path, before) = try damagedRing("version") { writeRaw($0, at: 8, UInt32(2)) }
        let expected = SharedMemoryRingError.headerMismatch(path: path, field: .version, found: 2, expected: 1)
        assertBothOpensFail(path, before, expected)
        XCTAssertTrue(expected.description.hasPrefix("\(path): header field version is 2, expected 1;"), expected.description)
    }

    func testWrongRecordSizeIsNamed() throws {
        let (path, before) = try damagedRing("record-size") { writeRaw($0, at: 12, UInt32(128)) }
        let expected = SharedMemoryRingError.headerMismatch(path: path, field: .recordSize, found: 128, expected: 64)
        assertBothOpensFail(path, before, expected)
        XCTAssertTrue(expected.description.hasPrefix("\(path): header field record size is 128, expected 64;"), expected.description)
    }

    func testWrongHeaderSizeIsNamed() throws {
        let (path, before) = try damagedRing("header-size") { writeRaw($0, at: 28, UInt32(512)) }
        assertBothOpensFail(path, before, .headerMismatch(path: path, field: .headerSize, found: 512, expected: 384))
    }

    func testWrongCapacityIsNamed() throws {
        let (path, before) = try damagedRing("capacity") { _ in }
        assertRingError(.headerMismatch(path: path, field: .capacity, found: 16, expected: 32)) { () throws(SharedMemoryRingError) in
            try SharedMemoryRing.createOrAttach(path: path, kind: .signals, capacity: 32)
        }
        XCTAssertEqual(fileBytes(path), before)
        XCTAssertTrue(
            SharedMemoryRingError.headerMismatch(path: path, field: .capacity, found: 16, expected: 32).description
                .hasPrefix("\(path): header field capacity is 16, expected 32;"))

        // A capacity in the header that is not a power of two.
        writeRaw(path, at: 16, UInt64(12))
        let damaged = fileBytes(path)
        assertBothOpensFail(
            path, damaged, .headerMismatch(path: path, field: .capacity, found: 12, expected: 16),
            attachExpected: .invalidHeaderCapacity(path: path, found: 12))
    }

    func testWrongKindIsNamed() throws {
        let (path, before) = try damagedRing("kind") { _ in }
        let expected = SharedMemoryRingError.headerMismatch(path: path, field: .kind, found: 1, expected: 2)
        assertRingError(expected) { () throws(SharedMemoryRingError) in
            try SharedMemoryRing.createOrAttach(path: path, kind: .fills, capacity: 16)
        }
        assertRingError(expected) { () throws(SharedMemoryRingError) in
            try SharedMemoryRing.attach(path: path, kind: .fills)
        }
        XCTAssertEqual(fileBytes(path), before)
        XCTAssertTrue(expected.description.hasPrefix("\(path): header field kind is signals (1), expected fills (2);"), expected.description)
    }

    func testWrongFileSizeIsNamed() throws {
        let (path, before) = try damagedRing("size") { XCTAssertEqual(truncate($0, off_t(384 + 8 * 64)), 0) }
        assertBothOpensFail(path, before, .fileSize(path: path, found: 384 + 8 * 64, expected: 384 + 16 * 64))

        let (short, shortBefore) = try damagedRing("short") { XCTAssertEqual(truncate($0, 100), 0) }
        assertBothOpensFail(
            short, shortBefore, .fileSize(path: short, found: 100, expected: 384 + 16 * 64),
            attachExpected: .fileSize(path: short, found: 100, expected: 384))
    }

    func testImpossibleIndicesAreRefused() throws {
        let (path, before) = try damagedRing("head-past-tail") { writeRaw($0, at: 256, UInt64(4)) }
        assertBothOpensFail(path, before, .corruptIndices(path: path, head: 4, tail: 3, capacity: 16))

        let (overfull, overfullBefore) = try damagedRing("overfull") { writeRaw($0, at: 128, UInt64(17)) }
        assertBothOpensFail(overfull, overfullBefore, .corruptIndices(path: overfull, head: 0, tail: 17, capacity: 16))
    }

    // MARK: Publishing and consuming

    func testFullRingRefusesAndOverwritesNothing() throws {
        let path = scratch.file("fills")
        let ring = try SharedMemoryRing.createOrAttach(path: path, kind: .fills, capacity: 4)
        for index in 0..<4 as Range<UInt64> {
            XCTAssertEqual(ring.freeSlots, 4 - Int(index))
            XCTAssertTrue(ring.publishTestRecord(index))
        }
        XCTAssertEqual(ring.freeSlots, 0)
        let before = fileBytes(path)
        var called = false
        XCTAssertFalse(ring.tryPublish { _ in called = true })
        XCTAssertFalse(called, "fill ran on a full ring")
        XCTAssertFalse([UInt8](repeating: 0xFF, count: 64).withUnsafeBytes { ring.tryPublish(bytes: $0) })
        XCTAssertEqual(fileBytes(path), before)
        XCTAssertEqual(ring.producerIndex, 4)

        // The producer records what it had to drop.
        ring.incrementOverflowCount()
        ring.incrementOverflowCount()
        XCTAssertEqual(ring.overflowCount, 2)
        XCTAssertEqual(readLE(fileBytes(path), at: 32, as: UInt64.self), 2)

        XCTAssertTrue(isRecord(try XCTUnwrap(ring.peek()), index: 0))
        ring.consume()
        XCTAssertEqual(ring.freeSlots, 1)
        XCTAssertTrue(ring.publishTestRecord(4))
        XCTAssertFalse(ring.publishTestRecord(5))
        for index in 1..<5 as Range<UInt64> {
            XCTAssertTrue(isRecord(try XCTUnwrap(ring.peek()), index: index))
            ring.consume()
        }
        XCTAssertNil(ring.peek())
    }

    func testWrapAroundPastCapacity() throws {
        for capacity in [1, 2, 4, 8] {
            let ring = try SharedMemoryRing.createOrAttach(path: scratch.file("wrap-\(capacity)"), kind: .fills, capacity: capacity)
            var published: UInt64 = 0
            var consumed: UInt64 = 0
            var generator = SplitMix64(seed: UInt64(capacity))
            // Random batches of publishes and consumes, about 20 laps of the slots.
            while consumed < UInt64(capacity * 20 + 3) {
                for _ in 0..<generator.upTo(capacity + 1) {
                    if ring.publishTestRecord(published) {
                        published += 1
                    } else {
                        XCTAssertEqual(published - consumed, UInt64(capacity), "refused while not full")
                    }
                }
                for _ in 0..<generator.upTo(capacity + 1) {
                    guard let record = ring.peek() else {
                        XCTAssertEqual(published, consumed, "nothing returned while records were published")
                        break
                    }
                    XCTAssertTrue(isRecord(record, index: consumed), "capacity \(capacity): record \(consumed)")
                    ring.consume()
                    consumed += 1
                }
                XCTAssertEqual(ring.producerIndex, published)
                XCTAssertEqual(ring.consumerIndex, consumed)
            }
            XCTAssertGreaterThan(ring.producerIndex, UInt64(capacity) * 20)
        }
    }

    func testTornRecordUnderAnAdvancedTailIsNotReturned() throws {
        let path = scratch.file("signals")
        let ring = try SharedMemoryRing.createOrAttach(path: path, kind: .signals, capacity: 8)
        XCTAssertTrue(ring.publishTestRecord(0))
        XCTAssertTrue(ring.publishTestRecord(1))
        // A producer that advanced tail over slot 2 without finishing it: the
        // slot holds sequence 99 (a stale or half-written record), tail is 3.
        let slot2 = 384 + 2 * 64
        writeRaw(path, at: slot2, UInt64(99))
        writeRaw(path, at: slot2 + 8, [UInt8](repeating: 0xEE, count: 56))
        writeRaw(path, at: 128, UInt64(3))

        for index in 0..<2 as Range<UInt64> {
            XCTAssertTrue(isRecord(try XCTUnwrap(ring.peek()), index: index))
            ring.consume()
        }
        XCTAssertEqual(ring.producerIndex, 3)
        XCTAssertNil(ring.peek(), "a slot whose sequence is not head + 1 was returned")
        XCTAssertNil(ring.peek(), "a retry returned it")
        XCTAssertEqual(ring.consumerIndex, 2)

        // The producer finishes the record (sequence 3 written last): now it is read.
        var record = [UInt8](repeating: 0, count: 64)
        record.withUnsafeMutableBytes { fillPayload($0, index: 2) }
        writeRaw(path, at: slot2 + 8, Array(record[8...]))
        writeRaw(path, at: slot2, UInt64(3))
        XCTAssertTrue(isRecord(try XCTUnwrap(ring.peek()), index: 2))
        ring.consume()
        XCTAssertEqual(ring.consumerIndex, 3)
        XCTAssertNil(ring.peek())
    }

    /// A producer that moves its tail backwards (below records the consumer has read
    /// ahead) is recorded and not obeyed: the bridge's `release(through:)` of a record
    /// read before the move trapped the whole gateway.
    func testTailMovedBackwardsIsRecordedAndNotObeyed() throws {
        let path = scratch.file("signals")
        let ring = try SharedMemoryRing.createOrAttach(path: path, kind: .signals, capacity: 8)
        for index in 0..<4 as Range<UInt64> { XCTAssertTrue(ring.publishTestRecord(index)) }
        XCTAssertNil(ring.producerMovedTailBackwards)
        for ahead in 0..<4 as Range<UInt64> {
            XCTAssertTrue(isRecord(try XCTUnwrap(ring.peek(ahead: ahead)), index: ahead))
        }
        XCTAssertNil(ring.peek(ahead: 4), "only four were published")

        writeRaw(path, at: 128, UInt64(1))
        XCTAssertNil(ring.peek(ahead: 4), "a refresh that sees the backwards tail")
        XCTAssertEqual(ring.producerMovedTailBackwards, 1)
        ring.release(through: 4)
        XCTAssertEqual(ring.consumerIndex, 4)
        XCTAssertNil(ring.peek())
        XCTAssertEqual(ring.producerMovedTailBackwards, 1, "the first backwards value is the one kept")

        // Through `peek()` too, and with the tail put below the consumer's head.
        let other = scratch.file("signals2")
        let ring2 = try SharedMemoryRing.createOrAttach(path: other, kind: .signals, capacity: 8)
        for index in 0..<2 as Range<UInt64> { XCTAssertTrue(ring2.publishTestRecord(index)) }
        XCTAssertNotNil(ring2.peek())
        ring2.consume()
        XCTAssertNotNil(ring2.peek())
        ring2.consume()
        writeRaw(other, at: 128, UInt64(0))
        XCTAssertNil(ring2.peek())
        XCTAssertEqual(ring2.producerMovedTailBackwards, 0)
        XCTAssertEqual(ring2.consumerIndex, 2)
    }

    func testTwoThreadsMoveAMillionRecordsInOrder() throws {
        let ring = try SharedMemoryRing.createOrAttach(path: scratch.file("threads"), kind: .fills, capacity: 1024)
        let total = Stress.count(1_000_000)
        let log = Shared(ReceiveLog(first: 1))
        let consumer = startThread("shm-consumer") {
            let backoff = makeBackoff()
            var received = 0
            while received < total {
                guard let record = ring.peek() else {
                    backoff.idle()
                    continue
                }
                backoff.reset()
                log.value.record(record.loadUnaligned(as: Message.self))
                ring.consume()
                received += 1
            }
        }
        let producer = startThread("shm-producer") {
            let backoff = makeBackoff()
            var index: UInt64 = 0
            while index < UInt64(total) {
                // The whole slot is a Message whose first word is its sequence,
                // the same number the ring writes there.
                let published = ring.tryPublish { slot in
                    slot.storeBytes(of: Message(index + 1), as: Message.self)
                }
                if published {
                    index += 1
                    backoff.reset()
                } else {
                    backoff.idle()
                }
            }
        }
        producer.join()
        consumer.join()
        log.value.assertComplete(total, "shared-memory ring, two threads")
        XCTAssertEqual(ring.producerIndex, UInt64(total))
        XCTAssertEqual(ring.consumerIndex, UInt64(total))
    }

    // MARK: Another process

    /// The producer the Python side would be, in a few lines: it attaches,
    /// checks the magic, and for each record waits for room (50 µs sleeps),
    /// writes the slot with the sequence in bytes 0–7, then stores `tail` with
    /// one aligned 8-byte ctypes store.
    static let pythonProducer = """
        import ctypes, mmap, os, struct, sys, time
        path, count = sys.argv[1], int(sys.argv[2])
        fd = os.open(path, os.O_RDWR)
        mm = mmap.mmap(fd, 0, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        assert mm[0:8] == b'CIFTRING', mm[0:8]
        cap = struct.unpack_from('<Q', mm, 16)[0]
        tail_word = ctypes.c_uint64.from_buffer(mm, 128)
        head_word = ctypes.c_uint64.from_buffer(mm, 256)
        tail = tail_word.value
        deadline = time.monotonic() + 60
        for i in range(count):
            while tail - head_word.value >= cap:
                if time.monotonic() > deadline:
                    sys.exit('timed out waiting for room')
                time.sleep(0.00005)
            off = 384 + (tail % cap) * 64
            for word in range(1, 8):
                struct.pack_into('<Q', mm, off + 8 * word, (tail * 0x9E3779B97F4A7C15 + word) & 0xFFFFFFFFFFFFFFFF)
            struct.pack_into('<Q', mm, off, tail + 1)
            tail += 1
            tail_word.value = tail
        del tail_word, head_word
        mm.close()
        os.close(fd)
        """

    func testPythonProcessProducesTenThousandRecordsThroughDevShm() throws {
        let path = "/dev/shm/cift-test-signals-\(getpid())-\(UUID().uuidString)"
        defer { unlink(path) }
        let ring = try SharedMemoryRing.createOrAttach(path: path, kind: .signals, capacity: 256)
        let total = 10_000

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.pythonProducer, path, String(total)]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let deadline = Date().addingTimeInterval(60)
        var consumed: UInt64 = 0
        var wrong = 0
        while consumed < UInt64(total) && Date() < deadline {
            guard let record = ring.peek() else {
                if !process.isRunning && ring.producerIndex == consumed { break }
                usleep(50)
                continue
            }
            if !isRecord(record, index: consumed) {
                wrong += 1
            }
            ring.consume()
            consumed += 1
        }
        while process.isRunning && Date() < deadline {
            usleep(1_000)
        }
        XCTAssertFalse(process.isRunning, "the Python producer did not finish within 60 s")
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, "python3: \(stderr)")
        XCTAssertEqual(consumed, UInt64(total))
        XCTAssertEqual(wrong, 0, "records out of order or with the wrong bytes")
        XCTAssertEqual(ring.producerIndex, UInt64(total))
        XCTAssertEqual(ring.consumerIndex, UInt64(total))
        XCTAssertNil(ring.peek())
    }
}
