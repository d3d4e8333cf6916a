import Foundation
import GatewayCore
import OUCH
import XCTest
import TestSupport

/// The answer index beside each sequenced stream (specs/soupbintcp.md, "Answer index"):
/// which engine command each message answers, kept in step with the stream across
/// crashes, so that recovery appends exactly the answers the stream lacks.
final class OUCHAnswerIndexTests: XCTestCase {
    var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory("answers")
    }

    override func tearDown() {
        directory.remove()
    }

    func open(newStoreBaseline: UInt64 = 0) throws -> OUCHSessionStore {
        try OUCHSessionStore(
            directory: directory.path + "/day", username: "OUCH01", session: "20251120", newStoreBaseline: newStoreBaseline)
    }

    var streamPath: String { directory.path + "/day/OUCH01.seq" }
    var indexPath: String { directory.path + "/day/OUCH01.ans" }

    func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// The index's bytes for a stream of a Canceled answering command 9 and a System
    /// Event answering none, as specs/soupbintcp.md shows them.
    func testIndexLayoutIsTheSpecExample() throws {
        let store = try open(newStoreBaseline: 4)
        XCTAssertTrue(store.append(Golden.orderCanceled, answering: 9))
        XCTAssertTrue(store.append(Golden.systemEvent))
        try store.flush()
        let expected = unhex(
            """
            4349465453414e53 0000000000000004
            0000000000000009
            0000000000000000
            """)
        XCTAssertEqual(hex(try bytes(indexPath)), hex(expected))
    }

    /// Reopened for recovery, the stream holds every answer up to its last command and
    /// as many answers to that command as it stored; appending a held answer does nothing.
    func testRecoveryAppendsOnlyTheAnswersTheStreamLacks() throws {
        do {
            let store = try open()
            store.append(Golden.orderCanceled, answering: 3)
            store.append(Golden.orderCanceled, answering: 5)
            store.append(Golden.systemEvent)
            store.append(Golden.orderCanceled, answering: 5)
            try store.flush()
            store.close()
        }
        let store = try open()
        XCTAssertEqual(store.messageCount, 4)
        XCTAssertEqual(store.answers.highWater, 5)
        XCTAssertEqual(store.answers.storedAtHighWater, 2)
        store.beginRecovery()
        XCTAssertFalse(store.append(Golden.orderCanceled, answering: 3))
        XCTAssertFalse(store.append(Golden.orderCanceled, answering: 5))
        XCTAssertFalse(store.append(Golden.orderCanceled, answering: 5))
        XCTAssertTrue(store.append(Golden.orderCanceled, answering: 5), "command 5's third answer was missing")
        XCTAssertTrue(store.append(Golden.orderCanceled, answering: 6))
        XCTAssertEqual(store.messageCount, 6)
        try store.flush()
        store.close()
        let reopened = try open()
        XCTAssertEqual(reopened.messageCount, 6)
        XCTAssertEqual(reopened.answers.highWater, 6)
        XCTAssertEqual(try bytes(indexPath).count, 16 + 6 * 8)
    }

    /// A crash after the index entries were written and before the packets: the entries
    /// of packets that never made it are cut, so replay appends those answers again.
    func testEntriesWithoutTheirPacketsAreCut() throws {
        do {
            let store = try open()
            store.append(Golden.orderCanceled, answering: 3)
            try store.flush()
            store.close()
        }
        // The index says two more messages answering 4; the stream has none of them.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: indexPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(unhex("0000000000000004 0000000000000004")))
        try handle.close()
        let store = try open()
        XCTAssertEqual(store.messageCount, 1)
        XCTAssertEqual(try bytes(indexPath).count, 16 + 8)
        store.beginRecovery()
        XCTAssertTrue(store.append(Golden.orderCanceled, answering: 4))
    }

    /// A stream longer than its index (a power loss between the two fdatasyncs of a
    /// synchronous store; none of those packets was sent) is cut back to the index.
    func testPacketsWithoutEntriesAreCut() throws {
        do {
            let store = try open()
            store.append(Golden.orderCanceled, answering: 3)
            store.append(Golden.orderCanceled, answering: 4)
            try store.flush()
            store.close()
        }
        let index = try bytes(indexPath)
        try Data(index.prefix(16 + 8)).write(to: URL(fileURLWithPath: indexPath))
        let store = try open()
        XCTAssertEqual(store.messageCount, 1)
        XCTAssertGreaterThan(store.truncatedBytes, 0)
        store.beginRecovery()
        XCTAssertTrue(store.append(Golden.orderCanceled, answering: 4))
    }

    /// A stream written before indexes existed gets an index of untagged entries and
    /// the baseline of a new stream.
    func testAStreamWithoutAnIndexGetsOne() throws {
        do {
            let store = try open()
            store.append(Golden.orderCanceled, answering: 3)
            store.append(Golden.orderCanceled, answering: 4)
            try store.flush()
            store.close()
        }
        try FileManager.default.removeItem(atPath: indexPath)
        let store = try open(newStoreBaseline: EngineAnswerMark.unsettled)
        XCTAssertEqual(store.messageCount, 2)
        XCTAssertEqual(try bytes(indexPath).count, 16 + 2 * 8)
        XCTAssertTrue(store.answers.isUnsettled)
        try store.settleBaseline(10)
        XCTAssertEqual(Array(try bytes(indexPath)[8..<16]), [0, 0, 0, 0, 0, 0, 0, 10])
        XCTAssertFalse(store.append(Golden.orderCanceled, answering: 10))
        XCTAssertTrue(store.append(Golden.orderCanceled, answering: 11))
    }
}
