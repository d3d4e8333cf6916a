import Foundation
import GatewayCore
import OUCH
import XCTest
import SoupBinTCP
import TestSupport

final class OUCHSessionStoreTests: XCTestCase {
    var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory("store")
    }

    override func tearDown() {
        directory.remove()
    }

    func open(
        _ username: String = "OUCH01", session: String = "20251120", recovered: inout [[UInt8]]
    ) throws -> OUCHSessionStore {
        try OUCHSessionStore(directory: directory.path + "/day", username: username, session: session) {
            recovered.append(Array($0))
        }
    }

    func open(_ username: String = "OUCH01", session: String = "20251120") throws -> OUCHSessionStore {
        var ignored: [[UInt8]] = []
        return try open(username, session: session, recovered: &ignored)
    }

    var file: String { directory.path + "/day/OUCH01.seq" }

    func fileBytes() throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: file))) }

    /// The layout of specs/soupbintcp.md, byte for byte.
    func testFileLayoutIsTheSpecExample() throws {
        let store = try open()
        store.append(Golden.orderCanceled)
        store.append(Golden.systemEvent)
        try store.flush(highWater: 7)
        let expected = unhex(
            """
            43494654534f5550 0001 0040 20203230323531313230 4f5543483031 00000007
            0000000000000000000000000000000000000000000000000000000000000000
            0013 53 43 00002f79c2751000 00000008 000000c8 55
            000b 53 53 00002f79c2751000 53
            """)
        XCTAssertEqual(hex(try fileBytes()), hex(expected))
        XCTAssertEqual(OUCHSessionStore.headerLength, 64)
    }

    func testReopensWithEveryFlushedMessageAndTheHighWaterMark() throws {
        let messages = Golden.outbound.map { $0.0.encodedBytes }
        do {
            let store = try open()
            for (i, message) in messages.enumerated() {
                message.withUnsafeBytes { _ = store.append(message: $0) }
                if i % 3 == 2 { try store.flush(highWater: UInt32(i)) }
            }
            try store.flush(highWater: 99)
            XCTAssertEqual(store.messageCount, messages.count)
            XCTAssertEqual(store.durableCount, messages.count)
        }
        var recovered: [[UInt8]] = []
        let store = try open(recovered: &recovered)
        XCTAssertEqual(recovered, messages)
        XCTAssertEqual(store.messageCount, messages.count)
        XCTAssertEqual(store.durableCount, messages.count)
        XCTAssertEqual(store.persistedHighWater, 99)
        XCTAssertEqual(store.truncatedBytes, 0)
        for (i, message) in messages.enumerated() {
            XCTAssertEqual(try store.message(i + 1), message)
        }
    }

    func testMessagesNotFlushedAreNotDurable() throws {
        do {
            let store = try open()
            store.append(Golden.systemEvent)
            try store.flush()
            store.append(Golden.orderCanceled)
            XCTAssertEqual(store.messageCount, 2)
            XCTAssertEqual(store.durableCount, 1)
            XCTAssertTrue(store.hasUnflushedMessages)
            XCTAssertEqual(try store.message(2), Golden.orderCanceled.encodedBytes)
            XCTAssertThrowsError(try store.withPackets(from: 2, maxBytes: 1000) { _, _ in () })
        }
        var recovered: [[UInt8]] = []
        let store = try open(recovered: &recovered)
        XCTAssertEqual(recovered, [Golden.systemEvent.encodedBytes])
        XCTAssertEqual(store.messageCount, 1)
    }

    /// A crash in the middle of a write leaves part of a packet: reopening cuts it off,
    /// and the next message takes its number.
    func testTruncatesATornTail() throws {
        do {
            let store = try open()
            store.append(Golden.systemEvent)
            store.append(Golden.orderCanceled)
            try store.flush()
        }
        let whole = try fileBytes()
        let torn = SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.sequencedData(Golden.orderAccepted, $0) }
        for cut in [1, 2, 3, 10, torn.count - 1] {
            try Data(whole + torn.prefix(cut)).write(to: URL(fileURLWithPath: file))
            var recovered: [[UInt8]] = []
            let store = try open(recovered: &recovered)
            XCTAssertEqual(recovered.count, 2, "cut after \(cut) bytes")
            XCTAssertEqual(store.truncatedBytes, UInt64(cut))
            XCTAssertEqual(try fileBytes(), whole)
        }
        // Zeros where a packet should be (a power loss in the middle of extending the
        // file), and a packet that is not Sequenced Data: cut as well.
        for tail in [[UInt8](repeating: 0, count: 100), Client.packet(type: UInt8(ascii: "U"), payload: [1, 2, 3])] {
            try Data(whole + tail).write(to: URL(fileURLWithPath: file))
            XCTAssertEqual(try open().messageCount, 2)
            XCTAssertEqual(try fileBytes(), whole)
        }
        // A whole packet whose message does not decode is cut too.
        try Data(whole + Client.packet(type: UInt8(ascii: "S"), payload: [UInt8(ascii: "C"), 1, 2])).write(to: URL(fileURLWithPath: file))
        let store = try open()
        XCTAssertEqual(store.messageCount, 2)
        store.append(Golden.rejected)
        try store.flush()
        XCTAssertEqual(try store.message(3), Golden.rejected.encodedBytes)
    }

    /// A header cut short while the file was being created is written again.
    func testRewritesAHeaderTornAtCreation() throws {
        do { _ = try open() }
        let header = try fileBytes()
        try Data(header.prefix(20)).write(to: URL(fileURLWithPath: file))
        let store = try open()
        XCTAssertEqual(store.messageCount, 0)
        XCTAssertEqual(try fileBytes(), header)
    }

    func testRefusesFilesThatAreNotItsOwn() throws {
        do { _ = try open() }
        XCTAssertThrowsError(try open(session: "20251121")) { error in
            guard case .wrongOwner? = error as? OUCHStoreError else { return XCTFail("\(error)") }
        }
        try FileManager.default.copyItem(atPath: file, toPath: directory.path + "/day/OUCH02.seq")
        XCTAssertThrowsError(try open("OUCH02")) { error in
            guard case .wrongOwner? = error as? OUCHStoreError else { return XCTFail("\(error)") }
        }
        try Data([UInt8](repeating: 0x41, count: 100)).write(to: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try open()) { error in
            XCTAssertEqual(error as? OUCHStoreError, .notAStore(path: self.file, kind: "OUCH session store", reason: "bad magic"))
        }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try open()) { error in
            XCTAssertEqual(error as? OUCHStoreError, .notAStore(path: self.file, kind: "OUCH session store", reason: "3 bytes, shorter than a header"))
        }
    }

    func testAStoreIsOpenOnlyOnce() throws {
        let first = try open()
        XCTAssertThrowsError(try open()) { error in
            // The answer index beside the stream is opened (and locked) first.
            let index = String(self.file.dropLast(".seq".count)) + ".ans"
            XCTAssertEqual(error as? OUCHStoreError, .locked(path: index))
        }
        first.close()
        XCTAssertNoThrow(try open())
    }

    /// Old messages come from the file in slices of whole messages within the byte
    /// budget; those of the last flush come from memory, all at once.
    func testReadsPacketsInBoundedSlicesOfWholeMessages() throws {
        let store = try open()
        var expected: [[UInt8]] = []
        for i in 0..<100 {
            let message = OUCHOrderCanceled(
                timestamp: UInt64(i), userRefNum: UInt32(i), quantity: 1, reason: .userRequested)
            store.append(message)
            expected.append(message.encodedBytes)
            if i % 10 == 9 { try store.flush() }
        }
        var next = 1
        var got: [[UInt8]] = []
        var slices = 0
        while next <= store.durableCount {
            let count = try store.withPackets(from: next, maxBytes: 100) { bytes, count -> Int in
                if next <= 90 { XCTAssertLessThanOrEqual(bytes.count, 100) }
                got.append(contentsOf: ServerPacket.parse(Array(bytes)).compactMap {
                    if case .sequenced(let m) = $0 { return m.encodedBytes }
                    return nil
                })
                return count
            }
            next += count
            slices += 1
        }
        XCTAssertEqual(got, expected)
        // 21-byte packets, 4 per 100-byte slice from the file (1...92), then 93...100, written
        // by the last flush, from memory at once.
        XCTAssertEqual(slices, 24)
        // A budget smaller than one message still yields that message.
        XCTAssertEqual(try store.withPackets(from: 5, maxBytes: 1) { bytes, count in [bytes.count, count] }, [21, 1])
    }

    func testWritesTheHighWaterMarkInPlace() throws {
        let store = try open()
        try store.flush(highWater: 0x0102_0304)
        XCTAssertEqual(Array(try fileBytes()[28..<32]), [1, 2, 3, 4])
        XCTAssertEqual(try fileBytes().count, 64)
        store.close()
        XCTAssertEqual(try open().persistedHighWater, 0x0102_0304)
    }

    func testPathIsTheUpperCaseUserInTheDirectory() {
        XCTAssertEqual(OUCHSessionStore.path(directory: "/d/ouch/20251120", username: "ouch01"), "/d/ouch/20251120/OUCH01.seq")
        XCTAssertEqual(OUCHSessionDay(testStart).description, "20251120")
        XCTAssertEqual(OUCHSessionDay(testStart).directory(under: "/var/cift/"), "/var/cift/ouch/20251120")
        XCTAssertEqual(OUCHSessionDay(Timestamp(rawValue: 0)).description, "19700101")
        XCTAssertEqual(OUCHSessionDay(Timestamp(rawValue: -1)).description, "19691231")
        XCTAssertEqual(OUCHSessionDay(Timestamp(rawValue: 951_782_400 * 1_000_000_000)).description, "20000229")
    }
}
