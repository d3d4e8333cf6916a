@testable import Network
import XCTest

/// The connection table without sockets: slots, generations, stale
/// identifiers, first-in first-out reuse.
final class ConnectionTableTests: XCTestCase {
    func testIdentifiersPackSlotAndGeneration() {
        let id = ConnectionID(slot: 513, generation: 7)
        XCTAssertEqual(id.slot, 513)
        XCTAssertEqual(id.generation, 7)
        XCTAssertEqual(id.rawValue, 7 << 16 | 513)
        XCTAssertEqual(ConnectionID(rawValue: id.rawValue), id)
        XCTAssertEqual(id.description, "513:7")
    }

    func testOpenHandsOutEverySlotOnceThenRefuses() {
        let table = ConnectionTable(capacity: 3, sendBufferCapacity: 16)
        let ids = (0..<3).compactMap { table.open(descriptor: Int32(10 + $0), listener: ListenerID(rawValue: 0)) }
        XCTAssertEqual(ids.map(\.slot), [0, 1, 2])
        XCTAssertEqual(ids.map(\.generation), [1, 1, 1], "generation 0 is never issued")
        XCTAssertNil(table.open(descriptor: 99, listener: ListenerID(rawValue: 0)))
        XCTAssertEqual(table.inUse, 3)
        for id in ids {
            XCTAssertEqual(table.index(of: id), id.slot)
            XCTAssertEqual(table.slots[id.slot].state, .open)
            XCTAssertEqual(table.slots[id.slot].descriptor, Int32(10 + id.slot))
        }
    }

    func testAReleasedIdentifierIsStaleAndItsSlotComesBackWithANewGeneration() {
        let table = ConnectionTable(capacity: 1, sendBufferCapacity: 16)
        let first = table.open(descriptor: 5, listener: ListenerID(rawValue: 0))!
        table.release(first.slot)
        XCTAssertNil(table.index(of: first), "released: the identifier names nothing")
        XCTAssertEqual(table.inUse, 0)
        let second = table.open(descriptor: 6, listener: ListenerID(rawValue: 1))!
        XCTAssertEqual(second.slot, first.slot)
        XCTAssertEqual(second.generation, first.generation + 1)
        XCTAssertNil(table.index(of: first), "reused: the old identifier still names nothing")
        XCTAssertEqual(table.index(of: second), second.slot)
        XCTAssertEqual(table.slots[second.slot].listener, ListenerID(rawValue: 1))
    }

    func testFreedSlotsAreReusedFirstInFirstOut() {
        let table = ConnectionTable(capacity: 4, sendBufferCapacity: 16)
        let ids = (0..<4).map { table.open(descriptor: Int32($0), listener: ListenerID(rawValue: 0))! }
        for slot in [2, 0, 3] { table.release(ids[slot].slot) }
        let reused = (0..<3).map { _ in table.open(descriptor: 9, listener: ListenerID(rawValue: 0))!.slot }
        XCTAssertEqual(reused, [2, 0, 3], "the slot released longest ago comes back first")
    }

    func testTheGenerationWrapsAroundSkippingZero() {
        let table = ConnectionTable(capacity: 1, sendBufferCapacity: 16)
        var last = ConnectionID(rawValue: 0)
        for _ in 0..<65_536 {
            last = table.open(descriptor: 1, listener: ListenerID(rawValue: 0))!
            XCTAssertNotEqual(last.generation, 0)
            table.release(last.slot)
        }
        // 65,535 non-zero generations, so the 65,536th open is generation 1 again.
        XCTAssertEqual(last.generation, 1)
    }

    func testIdentifiersOutsideTheTableOrNeverIssuedNameNothing() {
        let table = ConnectionTable(capacity: 2, sendBufferCapacity: 16)
        XCTAssertNil(table.index(of: ConnectionID(rawValue: 0)))
        XCTAssertNil(table.index(of: ConnectionID(slot: 1, generation: 1)), "a free slot")
        let id = table.open(descriptor: 3, listener: ListenerID(rawValue: 0))!
        XCTAssertNil(table.index(of: ConnectionID(slot: 7, generation: id.generation)), "beyond the table")
        XCTAssertNil(table.index(of: ConnectionID(slot: id.slot, generation: id.generation + 1)), "a generation not yet issued")
    }

    func testEachSlotHasItsOwnSendBufferAndAReopenedSlotStartsEmpty() {
        let table = ConnectionTable(capacity: 2, sendBufferCapacity: 8)
        let a = table.open(descriptor: 1, listener: ListenerID(rawValue: 0))!
        let b = table.open(descriptor: 2, listener: ListenerID(rawValue: 0))!
        XCTAssertTrue([UInt8](repeating: 1, count: 8).withUnsafeBytes { table.slots[a.slot].send.append($0) })
        XCTAssertTrue([UInt8](repeating: 2, count: 3).withUnsafeBytes { table.slots[b.slot].send.append($0) })
        XCTAssertEqual(Array(table.slots[a.slot].send.firstRun), [UInt8](repeating: 1, count: 8))
        XCTAssertEqual(Array(table.slots[b.slot].send.firstRun), [2, 2, 2])
        table.release(a.slot)
        table.release(b.slot)
        _ = table.open(descriptor: 3, listener: ListenerID(rawValue: 0))!
        let reopened = table.open(descriptor: 4, listener: ListenerID(rawValue: 0))!
        XCTAssertTrue(table.slots[reopened.slot].send.isEmpty)
        XCTAssertFalse(table.slots[reopened.slot].closeReported)
        XCTAssertEqual(table.slots[reopened.slot].sendInFlight, 0)
    }
}
