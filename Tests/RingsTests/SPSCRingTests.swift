@testable import Rings
import XCTest
import TestSupport

/// Single-thread behaviour of the ring at its edges: capacity validation, full
/// and empty, wrap of the slot array and of the 64-bit indices, batches,
/// claim/publish and peek/consume.
final class SPSCRingTests: XCTestCase {
    static let capacities = [1, 2, 4, 8, 1024]

    func testCapacityMustBeAPowerOfTwoFromOne() throws {
        for capacity in [1, 2, 4, 1024, 1 << 20] {
            XCTAssertEqual(try SPSCRing<UInt64>(capacity: capacity).capacity, capacity)
        }
        for capacity in [0, -1, -4, 3, 6, 1000, (1 << 32) + 1, 1 << 33, Int.max] {
            XCTAssertThrowsError(try SPSCRing<UInt64>(capacity: capacity), "capacity \(capacity)") { error in
                XCTAssertEqual(error as? RingCapacityError, RingCapacityError(requestedCapacity: capacity))
            }
        }
    }

    func testCapacityErrorNamesTheValueAndTheNearestPowersOfTwo() {
        XCTAssertEqual(
            RingCapacityError(requestedCapacity: 1000).description,
            "ring capacity must be a power of two from 1 to 4294967296, got 1000 (nearest: 512 or 1024)")
        XCTAssertEqual(
            RingCapacityError(requestedCapacity: 0).description,
            "ring capacity must be a power of two from 1 to 4294967296, got 0")
        XCTAssertEqual(
            RingCapacityError(requestedCapacity: 1 << 33).description,
            "ring capacity must be a power of two from 1 to 4294967296, got 8589934592 (largest: 4294967296)")
    }

    func testEmptyRing() throws {
        for capacity in Self.capacities {
            let ring = try SPSCRing<Message>(capacity: capacity)
            XCTAssertTrue(ring.isEmpty)
            XCTAssertEqual(ring.count, 0)
            XCTAssertNil(ring.tryPop())
            XCTAssertEqual(ring.drain(maxCount: 10) { _ in XCTFail("drained from an empty ring") }, 0)
            XCTAssertEqual(ring.peek(upTo: 10).count, 0)
            ring.consume(0)
        }
    }

    /// Exactly `capacity` pushes succeed, the next fails and writes nothing;
    /// one pop makes room for exactly one more.
    func testFullEdge() throws {
        for capacity in Self.capacities {
            let ring = try SPSCRing<Message>(capacity: capacity)
            for sequence in 0..<UInt64(capacity) {
                XCTAssertTrue(ring.tryPush(Message(sequence)), "capacity \(capacity), push \(sequence)")
            }
            XCTAssertEqual(ring.count, capacity)
            XCTAssertFalse(ring.tryPush(Message(999_999)), "capacity \(capacity): push into a full ring")
            XCTAssertEqual(ring.claim(upTo: 5).count, 0)
            ring.publish(0)
            XCTAssertEqual(ring.count, capacity)

            XCTAssertEqual(ring.tryPop(), Message(0))
            XCTAssertTrue(ring.tryPush(Message(UInt64(capacity))))
            XCTAssertFalse(ring.tryPush(Message(999_999)))

            var log = ReceiveLog(first: 1)
            while let message = ring.tryPop() { log.record(message) }
            log.assertComplete(capacity, "capacity \(capacity)")
            XCTAssertTrue(ring.isEmpty)
            XCTAssertNil(ring.tryPop())
        }
    }

    /// Many laps around the slot array with every fill level, so each slot is
    /// written and read many times and every wrap position is crossed.
    func testSlotWrapAtEveryFillLevel() throws {
        for capacity in Self.capacities {
            let ring = try SPSCRing<Message>(capacity: capacity)
            var nextPush: UInt64 = 0
            var log = ReceiveLog()
            for fill in 1...capacity {
                for _ in 0..<3 {
                    for _ in 0..<fill {
                        XCTAssertTrue(ring.tryPush(Message(nextPush)))
                        nextPush += 1
                    }
                    XCTAssertEqual(ring.count, fill)
                    for _ in 0..<fill {
                        guard let message = ring.tryPop() else { return XCTFail("capacity \(capacity): empty too early") }
                        log.record(message)
                    }
                    XCTAssertNil(ring.tryPop())
                }
            }
            log.assertComplete(Int(nextPush), "capacity \(capacity)")
        }
    }

    /// `push(contentsOf:)` takes what fits, from the front, across the wrap.
    func testBatchPushTakesWhatFits() throws {
        let ring = try SPSCRing<Message>(capacity: 8)
        let batch = (0..<UInt64(12)).map(Message.init)
        batch.withUnsafeBufferPointer { elements in
            XCTAssertEqual(ring.push(contentsOf: UnsafeBufferPointer(rebasing: elements[0..<5])), 5)
            XCTAssertEqual(ring.push(contentsOf: UnsafeBufferPointer(rebasing: elements[5..<12])), 3, "only 3 slots left")
            XCTAssertEqual(ring.push(contentsOf: UnsafeBufferPointer(rebasing: elements[8..<12])), 0, "full")
            XCTAssertEqual(ring.push(contentsOf: UnsafeBufferPointer(rebasing: elements[8..<8])), 0, "nothing offered")
        }
        var log = ReceiveLog()
        XCTAssertEqual(ring.drain(maxCount: 6) { log.record($0) }, 6)
        // head is at 6, tail at 8: the next batch of 6 wraps after 2 slots.
        batch.withUnsafeBufferPointer { elements in
            XCTAssertEqual(ring.push(contentsOf: UnsafeBufferPointer(rebasing: elements[8..<12])), 4)
        }
        XCTAssertEqual(ring.drain(maxCount: 100) { log.record($0) }, 6)
        log.assertComplete(12, "batch")
    }

    /// `drain` hands elements over in order, at most `maxCount`, and frees
    /// their slots.
    func testDrainRespectsMaxCount() throws {
        let ring = try SPSCRing<UInt64>(capacity: 4)
        for value in 0..<UInt64(4) { XCTAssertTrue(ring.tryPush(value)) }
        var seen: [UInt64] = []
        XCTAssertEqual(ring.drain(maxCount: 0) { seen.append($0) }, 0)
        XCTAssertEqual(ring.drain(maxCount: 3) { seen.append($0) }, 3)
        XCTAssertEqual(seen, [0, 1, 2])
        XCTAssertTrue(ring.tryPush(4))
        XCTAssertTrue(ring.tryPush(5))
        XCTAssertTrue(ring.tryPush(6))
        XCTAssertFalse(ring.tryPush(7))
        XCTAssertEqual(ring.drain(maxCount: 10) { seen.append($0) }, 4)
        XCTAssertEqual(seen, [0, 1, 2, 3, 4, 5, 6])
    }

    /// A claim is contiguous: it stops at the end of the slot array, and the
    /// consumer sees nothing of it before `publish`.
    func testClaimStopsAtTheWrapAndIsInvisibleUntilPublished() throws {
        let ring = try SPSCRing<UInt64>(capacity: 8)
        for value in 0..<UInt64(6) { XCTAssertTrue(ring.tryPush(value)) }
        XCTAssertEqual(ring.drain(maxCount: 6) { _ in }, 6)

        let first = ring.claim(upTo: 5)
        XCTAssertEqual(first.count, 2, "slots 6 and 7, then the array ends")
        first[0] = 6
        first[1] = 7
        XCTAssertNil(ring.tryPop(), "claimed but unpublished slots are not visible")
        ring.publish(2)

        let second = ring.claim(upTo: 5)
        XCTAssertEqual(second.count, 5, "slots 0 to 4")
        for index in 0..<3 { second[index] = 8 + UInt64(index) }
        ring.publish(3)

        var seen: [UInt64] = []
        while let value = ring.tryPop() { seen.append(value) }
        XCTAssertEqual(seen, [6, 7, 8, 9, 10])

        XCTAssertEqual(ring.claim(upTo: 100).count, 5, "the rest of the array: slots 3 to 7")
        ring.publish(0)
        XCTAssertTrue(ring.isEmpty, "publish(0) abandons the claim")
    }

    /// A peek is contiguous and consumes nothing until `consume`.
    func testPeekStopsAtTheWrapAndConsumesNothingUntilConsume() throws {
        let ring = try SPSCRing<UInt64>(capacity: 4)
        for value in 0..<UInt64(3) { XCTAssertTrue(ring.tryPush(value)) }
        XCTAssertEqual(ring.drain(maxCount: 3) { _ in }, 3)
        for value in 3..<UInt64(7) { XCTAssertTrue(ring.tryPush(value)) }

        let first = ring.peek(upTo: 10)
        XCTAssertEqual(Array(first), [3], "slot 3, then the array ends")
        ring.consume(0)
        XCTAssertEqual(ring.count, 4, "consume(0) consumes nothing")
        XCTAssertEqual(Array(ring.peek(upTo: 10)), [3])
        ring.consume(1)

        let second = ring.peek(upTo: 2)
        XCTAssertEqual(Array(second), [4, 5])
        ring.consume(1)
        XCTAssertEqual(ring.tryPop(), 5)
        XCTAssertEqual(ring.tryPop(), 6)
        XCTAssertNil(ring.tryPop())
    }

    /// The 64-bit indices cannot wrap in practice (584 years at 10^9 per
    /// second), but the arithmetic is modular anyway: start just below 2^64
    /// and cross it with every operation.
    func testIndicesWrapAround64Bits() throws {
        for capacity in [1, 4, 1024] {
            let start = UInt64.max - UInt64(capacity) * 3
            let ring = try SPSCRing<Message>(capacity: capacity, initialIndex: start)
            var next: UInt64 = 0
            var log = ReceiveLog()
            var random = SplitMix64(seed: UInt64(capacity))
            for _ in 0..<(capacity * 12) {
                let batch = (0..<UInt64(random.upTo(capacity))).map { Message(next + $0) }
                let pushed = batch.withUnsafeBufferPointer { ring.push(contentsOf: $0) }
                next += UInt64(pushed)
                XCTAssertLessThanOrEqual(ring.count, capacity)
                _ = ring.drain(maxCount: random.upTo(capacity)) { log.record($0) }
            }
            while let message = ring.tryPop() { log.record(message) }
            log.assertComplete(Int(next), "capacity \(capacity) across 2^64")
            XCTAssertGreaterThan(next, UInt64(capacity) * 3, "the test crossed the wrap")
        }
    }

    /// Rings of one-byte and odd-sized records pack slots at their stride.
    func testSmallAndOddSizedElements() throws {
        struct Odd: Equatable { var a: UInt8; var b: UInt16; var c: UInt8 }
        let bytes = try SPSCRing<UInt8>(capacity: 2)
        XCTAssertTrue(bytes.tryPush(0xAB))
        XCTAssertTrue(bytes.tryPush(0xCD))
        XCTAssertFalse(bytes.tryPush(0xEF))
        XCTAssertEqual(bytes.tryPop(), 0xAB)
        XCTAssertEqual(bytes.tryPop(), 0xCD)

        let odd = try SPSCRing<Odd>(capacity: 4)
        for index in 0..<UInt8(10) {
            XCTAssertTrue(odd.tryPush(Odd(a: index, b: UInt16(index) * 300, c: ~index)))
            XCTAssertEqual(odd.tryPop(), Odd(a: index, b: UInt16(index) * 300, c: ~index))
        }
    }
}
