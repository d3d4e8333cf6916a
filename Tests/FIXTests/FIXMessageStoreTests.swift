import FIX
import Foundation
import GatewayCore
import POSIX
import XCTest

final class FIXMessageStoreTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "fixstore-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    var path: String { FIXMessageStore.path(directory: directory, name: "CIFT-BANK1") }

    func fileBytes() throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// The golden layout of specs/fix44.md, "Message store".
    static let golden: [UInt8] =
        Array("CIFTFIXS".utf8) + [0x00, 0x02, 0x00, 0x28, 0, 0, 0, 0]
        + [0, 0, 0, 0, 0, 0, 0, 3]          // next outbound MsgSeqNum 3
        + [0, 0, 0, 0, 0, 0, 0, 5]          // next expected inbound 5
        + [0, 0, 0, 0, 0, 0, 0, 0]          // engine baseline 0
        + [0, 0, 0, 0, 0, 0, 0, 1, 0x41, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]  // 1: administrative, no bytes, answers none
        + [0, 0, 0, 0, 0, 0, 0, 2, 0x50, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 7, 0x61, 0x62, 0x63]  // 2: application "abc", answers command 7

    /// The same file before it is reopened: outbound number 1 in the header.
    static var goldenWhileRunning: [UInt8] {
        var bytes = golden
        bytes[16...23] = [0, 0, 0, 0, 0, 0, 0, 1]
        return bytes
    }

    func write(_ store: FIXMessageStore) throws {
        try [UInt8]("logon".utf8).withUnsafeBytes { try store.append(administrative: true, message: $0) }
        try [UInt8]("abc".utf8).withUnsafeBytes { try store.append(administrative: false, answering: 7, message: $0) }
        try store.setNextTargetSeqNum(5)
        try store.flush()
    }

    /// Written behind: appends and the inbound number stay in memory until `flush`, which
    /// writes them (the golden bytes); `message` and `close` flush by themselves.
    func testWritesWaitForFlush() throws {
        let store = try FIXMessageStore(directory: directory, name: "CIFT-BANK1")
        let created = try fileBytes()
        try [UInt8]("logon".utf8).withUnsafeBytes { try store.append(administrative: true, message: $0) }
        try [UInt8]("abc".utf8).withUnsafeBytes { try store.append(administrative: false, answering: 7, message: $0) }
        try store.setNextTargetSeqNum(5)
        XCTAssertTrue(store.hasUnwrittenData)
        XCTAssertEqual(try fileBytes(), created, "nothing written before the flush")
        try store.flush()
        XCTAssertFalse(store.hasUnwrittenData)
        XCTAssertEqual(try fileBytes(), Self.goldenWhileRunning)

        // A pending record is read back through a flush of its own; close flushes too.
        try [UInt8]("xyz".utf8).withUnsafeBytes { try store.append(administrative: false, message: $0) }
        XCTAssertEqual(try store.message(3), .application(Array("xyz".utf8)))
        XCTAssertFalse(store.hasUnwrittenData)
        try store.setNextTargetSeqNum(6)
        store.close()
        let reopened = try FIXMessageStore(directory: directory, name: "CIFT-BANK1")
        XCTAssertEqual(reopened.nextSenderSeqNum, 4)
        XCTAssertEqual(reopened.nextTargetSeqNum, 6)
    }

    /// A message larger than the pending buffer goes to the file at once, after what was
    /// pending, and reads back whole.
    func testMessageLargerThanTheBufferIsWrittenInOrder() throws {
        let store = try FIXMessageStore(directory: directory, name: "CIFT-BANK1")
        try [UInt8]("small".utf8).withUnsafeBytes { try store.append(administrative: false, message: $0) }
        let huge = (0..<(FIXMessageStore.pendingCapacity + 100)).map { UInt8(truncatingIfNeeded: $0) }
        try huge.withUnsafeBytes { try store.append(administrative: false, message: $0) }
        try [UInt8]("after".utf8).withUnsafeBytes { try store.append(administrative: false, message: $0) }
        store.close()
        let reopened = try FIXMessageStore(directory: directory, name: "CIFT-BANK1")
        XCTAssertEqual(reopened.messageCount, 3)
        XCTAssertEqual(try reopened.message(1), .application(Array("small".utf8)))
        XCTAssertEqual(try reopened.message(2), .application(huge))
        XCTAssertEqual(try reopened.message(3), .application(Array("after".utf8)))
    }

    func testNewStoreStartsAtOne() throws {
        let store = try FIXMessageStore(directory: directory, name: "CIFT-BANK1")
        XCTAssertEqual(store.nextSenderSeqNum, 1)
        XCTAssertEqual(store.nextTargetSeqNum, 1)
        XCTAssertEqual(store.messageCount, 0)
        XCTAssertEqual(try fileBytes(), Array(Self.golden[0..<16]) + [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]
                       + [0, 0, 0, 0, 0, 0, 0, 0])
    }

    func testGoldenFileLayout() throws {
        let store = try FIXMessageStore(directory: directory, name: "CIFT-BANK1")
        try write(store)
        // While it runs, the header's outbound number stays as created (the records
        // count); opening the file writes it from the records.
        XCTAssertEqual(try fileBytes(), Self.goldenWhileRunning)
        XCTAssertEqual(store.nextSenderSeqNum, 3)
        _ = try FIXMessageStore(directory: directory, name: "CIFT-BANK1")
        XCTAssertEqual(try fileBytes(), Self.golden)
        XCTAssertEqual(try store.message(1), .administrative)
        XCTAssertEqual(try store.message(2), .application(Array("abc".utf8)))
        XCTAssertNil(try store.message(3))
    }

    func testSessionDayIsHeaderBytes12To15AndSurvivesReopenAndReset() throws {
        let store = try FIXMessageStore(directory: directory, name: "CIFT-BANK1")
        try write(store)
        try store.setSessionDay(19_724)  // 0x4D0C
        var expected = Self.goldenWhileRunning
        expected[12...15] = [0, 0, 0x4D, 0x0C]
        XCTAssertEqual(try fileBytes(), expected)
        let reopened = try FIXMessageStore(directory: directory, name: "CIFT-BANK1")
        XCTAssertEqual(reopened.sessionDay, 19_724)
        try reopened.reset(sessionDay: 19_725)
        // The new cycle carries answers after the last one given (command 7).
        XCTAssertEqual(try fileBytes(), Array(Self.golden[0..<12]) + [0, 0, 0x4D, 0x0D]
                       + [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1] + [0, 0, 0, 0, 0, 0, 0, 7])
        XCTAssertEqual(try FIXMessageStore(directory: directory, name: "CIFT-BANK1").sessionDay, 19_725)
    }

    /// Files it must not start afresh are refused with what they are; a failed call names
    /// the call, errno and the file.
    func testRefusesFilesThatAreNotItsOwn() throws {
        func openError() -> FIXMessageStoreError? {
            do throws(FIXMessageStoreError) {
                _ = try FIXMessageStore(directory: directory, name: "CIFT-BANK1")
                return nil
            } catch {
                return error
            }
        }
        var other = Self.golden
        other[0...7] = ArraySlice("NOTASTOR".utf8)
        try Data(other).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(openError(), .notAStore(path: path, kind: "FIX message store", reason: "bad magic"))
        var older = Self.golden
        older[9] = 1
        try Data(older).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(openError(), .unsupportedVersion(path: path, kind: "FIX message store", found: 1, supported: 2))
        XCTAssertTrue("\(openError()!)".contains("is a version 1 FIX message store"))
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        XCTAssertEqual(openError(), .systemCall(SystemCallError(call: "open", errno: EISDIR, subject: path)))
    }

    func testReopenKeepsEverything() throws {
        try write(try FIXMessageStore(directory: directory, name: "CIFT-BANK1"))
        let store = try FIXMessageStore(directory: directory, name: "CIFT-BANK1")
        XCTAssertEqual(store.nextSenderSeqNum, 3)
        XCTAssertEqual(store.nextTargetSeqNum, 5)
        XCTAssertEqual(store.truncatedBytes, 0)
        XCTAssertEqual(try store.message(2), .application(Array("abc".utf8)))
    }

    func testTornTailTruncatedOnReopen() throws {
        try write(try FIXMessageStore(directory: directory, name: "CIFT-BANK1"))
        // A crash in the middle of record 3: its header and one byte of ten.
        let torn: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 3, 0x50, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 9, 0x7A]
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(torn))
        try handle.close()
        let store = try FIXMessageStore(directory: directory, name: "CIFT-BANK1")
        XCTAssertEqual(store.truncatedBytes, torn.count)
        XCTAssertEqual(store.messageCount, 2)
        XCTAssertEqual(store.nextSenderSeqNum, 3)
        XCTAssertEqual(try fileBytes(), Self.golden)
        try [UInt8]("xyz".utf8).withUnsafeBytes { try store.append(administrative: false, message: $0) }
        XCTAssertEqual(try store.message(3), .application(Array("xyz".utf8)))
    }

    func testRecordWrittenButHeaderBehindIsRepaired() throws {
        try write(try FIXMessageStore(directory: directory, name: "CIFT-BANK1"))
        // A crash after the record but before the header update: next outbound still 2.
        var bytes = try fileBytes()
        bytes[23] = 2
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let store = try FIXMessageStore(directory: directory, name: "CIFT-BANK1")
        XCTAssertEqual(store.nextSenderSeqNum, 3)
    }

    func testResetDropsMessagesAndRestartsAtOne() throws {
        let store = try FIXMessageStore(directory: directory, name: "CIFT-BANK1")
        try write(store)
        try store.reset()
        XCTAssertEqual(store.nextSenderSeqNum, 1)
        XCTAssertEqual(store.nextTargetSeqNum, 1)
        XCTAssertNil(try store.message(1))
        XCTAssertEqual(try fileBytes().count, FIXMessageStore.headerLength)
    }

    /// Each record keeps the engine command it answers; reopened for recovery, the
    /// store says which replayed answers it holds: all before its last command, and as
    /// many answers to that command as it stored, counted off in order.
    func testRecoveryMeetsTheStoredAnswersAgainAndOnlyThose() throws {
        do {
            let store = try FIXMessageStore(directory: directory, name: "CIFT-BANK1")
            try [UInt8]("hb".utf8).withUnsafeBytes { try store.append(administrative: true, message: $0) }
            for answering: UInt64 in [5, 7, 7] {
                try [UInt8]("er".utf8).withUnsafeBytes { try store.append(administrative: false, answering: answering, message: $0) }
            }
            try [UInt8]("rej".utf8).withUnsafeBytes { try store.append(administrative: false, message: $0) }
            store.close()
        }
        let store = try FIXMessageStore(directory: directory, name: "CIFT-BANK1")
        XCTAssertEqual(store.answers.highWater, 7)
        XCTAssertEqual(store.answers.storedAtHighWater, 2)
        store.beginRecovery()
        XCTAssertTrue(store.holdsAnswer(to: 3))
        XCTAssertTrue(store.holdsAnswer(to: 5))
        XCTAssertTrue(store.holdsAnswer(to: 7))
        XCTAssertTrue(store.holdsAnswer(to: 7))
        XCTAssertFalse(store.holdsAnswer(to: 7), "command 7's third answer is missing")
        XCTAssertFalse(store.holdsAnswer(to: 8))
        XCTAssertFalse(store.holdsAnswer(to: 0), "a message that answers no command is never held")

        // Opened outside recovery (RefreshOnLogon), every answer from now on is new.
        store.close()
        let refreshed = try FIXMessageStore(directory: directory, name: "CIFT-BANK1")
        XCTAssertFalse(refreshed.holdsAnswer(to: 7))
    }

    /// A store created before the journal's end is known holds every answer until it
    /// is settled; the baseline is header bytes 32…39, kept across reopen and reset.
    func testUnsettledStoreHoldsEverythingUntilSettled() throws {
        let store = try FIXMessageStore(directory: directory, name: "CIFT-BANK1", newStoreBaseline: EngineAnswerMark.unsettled)
        XCTAssertEqual(Array(try fileBytes()[32..<40]), [UInt8](repeating: 0xFF, count: 8))
        XCTAssertTrue(store.holdsAnswer(to: 1))
        XCTAssertTrue(store.holdsAnswer(to: 1_000_000))
        try store.settleBaseline(41)
        XCTAssertEqual(Array(try fileBytes()[32..<40]), [0, 0, 0, 0, 0, 0, 0, 41])
        XCTAssertTrue(store.holdsAnswer(to: 41))
        XCTAssertFalse(store.holdsAnswer(to: 42))
        try store.settleBaseline(99)
        XCTAssertEqual(store.answers.highWater, 41, "a settled store keeps its baseline")
        store.close()
        let reopened = try FIXMessageStore(directory: directory, name: "CIFT-BANK1", newStoreBaseline: EngineAnswerMark.unsettled)
        XCTAssertEqual(reopened.answers.highWater, 41)
    }

    func testVersion1StoreIsRefusedWithTheWayOut() throws {
        var old = Array("CIFTFIXS".utf8) + [0x00, 0x01, 0x00, 0x20]
        old += [UInt8](repeating: 0, count: 20)
        try Data(old).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try FIXMessageStore(directory: directory, name: "CIFT-BANK1")) { error in
            XCTAssertTrue("\(error)".contains("version 1"), "\(error)")
            XCTAssertTrue("\(error)".contains("move the file aside"), "\(error)")
        }
    }

    func testNotAStoreIsRefused() throws {
        try Data(repeating: 0x55, count: 40).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try FIXMessageStore(directory: directory, name: "CIFT-BANK1"))
    }
}
