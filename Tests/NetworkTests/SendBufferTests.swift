@testable import Network
import XCTest
import TestSupport

/// The circular send buffer and the slot queue, without sockets.
final class SendBufferTests: XCTestCase {
    func withBuffer(capacity: Int, _ body: (inout SendBuffer) -> Void) {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        defer { memory.deallocate() }
        var buffer = SendBuffer(base: memory, capacity: capacity)
        body(&buffer)
    }

    func testAppendRefusesWhatDoesNotFitAndCopiesNothing() {
        withBuffer(capacity: 10) { buffer in
            XCTAssertTrue([UInt8]([1, 2, 3, 4, 5, 6]).withUnsafeBytes { buffer.append($0) })
            XCTAssertFalse([UInt8]([7, 8, 9, 10, 11]).withUnsafeBytes { buffer.append($0) })
            XCTAssertEqual(buffer.count, 6)
            XCTAssertTrue([UInt8]([7, 8, 9, 10]).withUnsafeBytes { buffer.append($0) })
            XCTAssertEqual(Array(buffer.firstRun), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        }
    }

    /// Every fill level and every wrap point: what comes out is what went
    /// in, in order, and a run never crosses the end of the memory.
    func testBytesComeOutInOrderAcrossTheWrap() {
        withBuffer(capacity: 16) { buffer in
            var random = TestRandom(seed: 3)
            var written = 0
            var read = 0
            for _ in 0..<2_000 {
                let length = random.next(in: 0...16)
                let bytes = pattern(1, count: length, from: written)
                if bytes.withUnsafeBytes({ buffer.append($0) }) {
                    written += length
                } else {
                    XCTAssertGreaterThan(buffer.count + length, 16)
                }
                let run = buffer.firstRun
                XCTAssertLessThanOrEqual(run.count, buffer.count)
                let take = random.next(in: 0...run.count)
                XCTAssertEqual(Array(run.prefix(take)), pattern(1, count: take, from: read))
                buffer.consume(take)
                read += take
                XCTAssertEqual(buffer.count, written - read)
            }
        }
    }

    func testEmptyingStartsAgainAtTheFront() {
        withBuffer(capacity: 8) { buffer in
            _ = [UInt8]([1, 2, 3, 4, 5, 6]).withUnsafeBytes { buffer.append($0) }
            buffer.consume(6)
            _ = [UInt8]([7, 8, 9, 10, 11, 12, 13, 14]).withUnsafeBytes { buffer.append($0) }
            XCTAssertEqual(Array(buffer.firstRun), [7, 8, 9, 10, 11, 12, 13, 14], "one run: the head went back to 0")
            buffer.removeAll()
            XCTAssertTrue(buffer.isEmpty)
        }
    }

    func testTheSlotQueueHoldsEachSlotOnceInOrderAndKeepsWhatIsQueuedDuringAPass() {
        let queue = SlotQueue(capacity: 4)
        for slot in [2, 0, 2, 3] { queue.insert(slot) }
        XCTAssertEqual(queue.count, 3)
        let pending = queue.count
        var seen: [Int] = []
        for index in 0..<pending {
            let slot = queue.slot(at: index)
            seen.append(slot)
            if slot == 0 { queue.insert(0) }  // queued again while processed
            if slot == 3 { queue.insert(1) }
        }
        queue.removeFirst(pending)
        XCTAssertEqual(seen, [2, 0, 3])
        XCTAssertEqual((0..<queue.count).map { queue.slot(at: $0) }, [0, 1])
        queue.removeFirst(queue.count)
        XCTAssertTrue(queue.isEmpty)
        queue.insert(0)
        XCTAssertTrue(queue.contains(0))
    }
}
