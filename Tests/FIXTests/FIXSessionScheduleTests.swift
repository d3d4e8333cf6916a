import FIX
import Foundation
import GatewayCore
import XCTest

/// Session hours and session days (specs/fix44.md, "Session schedule") and the
/// SendingTime accuracy rule.
final class FIXSessionScheduleTests: XCTestCase {
    /// 2024-01-02 00:00:00 UTC, a Tuesday: day 19,724 since 1970-01-01.
    static let midnight = Timestamp(nanoseconds: 1_704_153_600_000_000_000)
    static let hour: Int64 = 3600 * second

    func at(_ hours: Double, day: Int64 = 0) -> Timestamp {
        Timestamp(nanoseconds: Self.midnight.rawValue + day * 24 * Self.hour + Int64(hours * Double(Self.hour)))
    }

    // MARK: The schedule's arithmetic

    func testDaytimeWindow() {
        let s = FIXSessionSchedule(start: 8 * 3600, end: 17 * 3600)
        XCTAssertEqual(s.sessionDay(at: at(9)), 19_724)
        XCTAssertTrue(s.isOpen(at: at(8)))
        XCTAssertTrue(s.isOpen(at: at(16.99)))
        XCTAssertFalse(s.isOpen(at: at(17)))
        XCTAssertFalse(s.isOpen(at: at(7.99)))
        // Before 08:00 the most recent session day is yesterday's, which has closed.
        XCTAssertEqual(s.sessionDay(at: at(7.99)), 19_723)
        XCTAssertEqual(s.closingTime(ofDay: 19_724), at(17))
    }

    func testOvernightWindowBelongsToTheDayItOpened() {
        let s = FIXSessionSchedule(start: 22 * 3600, end: 21 * 3600)
        XCTAssertEqual(s.openSeconds, 23 * 3600)
        XCTAssertEqual(s.sessionDay(at: at(23)), 19_724)
        XCTAssertEqual(s.sessionDay(at: at(20, day: 1)), 19_724)
        XCTAssertTrue(s.isOpen(at: at(20.99, day: 1)))
        XCTAssertFalse(s.isOpen(at: at(21.5, day: 1)))
        XCTAssertEqual(s.sessionDay(at: at(22, day: 1)), 19_725)
        XCTAssertTrue(s.isOpen(at: at(22, day: 1)))
    }

    func testEqualStartAndEndIsA24HourDay() {
        let s = FIXSessionSchedule(start: 6 * 3600, end: 6 * 3600)
        XCTAssertEqual(s.openSeconds, 24 * 3600)
        XCTAssertTrue(s.isOpen(at: at(5.99)))
        XCTAssertEqual(s.sessionDay(at: at(5.99)), 19_723)
        XCTAssertEqual(s.sessionDay(at: at(6)), 19_724)
    }

    func testTimeOfDayParsing() {
        XCTAssertEqual(FIXSessionSchedule.parseTimeOfDay("08:30:15"), 8 * 3600 + 30 * 60 + 15)
        XCTAssertEqual(FIXSessionSchedule.parseTimeOfDay("23:59"), 23 * 3600 + 59 * 60)
        for bad in ["24:00:00", "8:30", "08:60", "08:30:60", "", "ab:cd", "08:30:00:00", "+8:30"] {
            XCTAssertNil(FIXSessionSchedule.parseTimeOfDay(bad), bad)
        }
        XCTAssertEqual(FIXSessionSchedule.formatTimeOfDay(8 * 3600 + 5), "08:00:05")
    }

    // MARK: The acceptor

    func harness(_ schedule: FIXSessionSchedule?, now: Timestamp, directory: String? = nil) throws -> FIXSessionHarness {
        try FIXSessionHarness(directory: directory, schedule: schedule, now: now)
    }

    func testLogonOutsideSessionHoursRefused() throws {
        let h = try harness(FIXSessionSchedule(start: 8 * 3600, end: 17 * 3600), now: at(18))
        defer { h.removeDirectory() }
        h.acceptor.opened(1, now: h.now)
        h.receive(h.logonMessage())
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["5"])
        XCTAssertEqual(sent[0][58], "Outside of session hours")
        XCTAssertEqual(h.io.closed.map(\.connection), [1])
        XCTAssertEqual(h.acceptor.store(session: 0).nextSenderSeqNum, 1)
    }

    func testEndOfSessionDayLogsOutAndNextDayStartsFromOne() throws {
        let schedule = FIXSessionSchedule(start: 8 * 3600, end: 17 * 3600)
        // Logged on at 16:59:30, so that the heartbeat timers stay quiet until 17:00.
        let h = try harness(schedule, now: Timestamp(nanoseconds: at(17).rawValue - 30 * second))
        defer { h.removeDirectory() }
        h.logOn()
        h.receive(h.newOrder())
        _ = try h.sendExecutionReport("E1")
        XCTAssertEqual(h.acceptor.store(session: 0).sessionDay, 19_724)
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 3)
        XCTAssertEqual(h.acceptor.store(session: 0).nextSenderSeqNum, 3)
        h.drain()

        // 17:00: Logout "End of session day"; their Logout closes the connection.
        h.now = Timestamp(nanoseconds: at(17).rawValue - second)
        h.acceptor.tick(now: h.now, io: &h.io)
        XCTAssertTrue(h.drain().isEmpty)
        XCTAssertTrue(h.acceptor.isLoggedOn(session: 0))
        h.tick(after: second)
        let logout = h.drain()
        XCTAssertEqual(logout.map { $0[35] }, ["5"])
        XCTAssertEqual(logout[0][58], "End of session day")
        h.receive(h.message("5"))
        XCTAssertEqual(h.io.closed.map(\.connection), [1])
        XCTAssertFalse(h.acceptor.isLoggedOn(session: 0))
        // The same day's numbers are kept until the next day opens (Logon, ER, Logout).
        XCTAssertEqual(h.acceptor.store(session: 0).nextSenderSeqNum, 4)

        // Next morning: the idle session's store rolls at 08:00, before any Logon.
        h.now = at(8, day: 1)
        h.acceptor.tick(now: h.now, io: &h.io)
        XCTAssertEqual(h.acceptor.store(session: 0).sessionDay, 19_725)
        XCTAssertEqual(h.acceptor.store(session: 0).nextSenderSeqNum, 1)
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 1)
        XCTAssertEqual(h.acceptor.store(session: 0).messageCount, 0)
        h.clientSeq = 1
        let reply = h.logOn(connection: 2)
        XCTAssertEqual(reply[34], "1")
        XCTAssertNil(reply[141])
    }

    func testRestartOnANewSessionDayResetsAtLogon() throws {
        let schedule = FIXSessionSchedule(start: 8 * 3600, end: 17 * 3600)
        let first = try harness(schedule, now: at(9))
        first.logOn()
        first.receive(first.newOrder())
        _ = first.drain()  // the turn ends: the stores are written
        let directory = first.directory
        defer { first.removeDirectory() }

        // The gateway was down overnight; it starts again the next day at 10:00 and
        // the first thing to happen is the Logon.
        let second = try harness(schedule, now: at(10, day: 1), directory: directory)
        XCTAssertEqual(second.acceptor.store(session: 0).sessionDay, 19_724)
        XCTAssertEqual(second.acceptor.store(session: 0).nextTargetSeqNum, 3)
        let reply = second.logOn()
        XCTAssertEqual(reply[34], "1")
        XCTAssertEqual(second.acceptor.store(session: 0).sessionDay, 19_725)
        XCTAssertEqual(second.acceptor.store(session: 0).nextTargetSeqNum, 2)
        XCTAssertTrue(second.io.applications.isEmpty)

        // And a restart within that same day keeps the day's numbers.
        let third = try harness(schedule, now: at(11, day: 1), directory: directory)
        third.clientSeq = 2
        let again = third.logOn()
        XCTAssertEqual(again[34], "2")
    }

    func testNoScheduleNeverResets() throws {
        let h = try harness(nil, now: at(9))
        defer { h.removeDirectory() }
        h.logOn()
        h.receive(h.message("5"))
        XCTAssertEqual(h.drain().map { $0[35] }, ["5"])
        XCTAssertFalse(h.acceptor.isLoggedOn(session: 0))
        h.now = at(9, day: 30)
        h.acceptor.tick(now: h.now, io: &h.io)
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 3)
        XCTAssertEqual(h.acceptor.store(session: 0).sessionDay, 0)
        // Logon 1, Logout 2: the next Logon is our 3.
        XCTAssertEqual(h.logOn(connection: 2)[34], "3")
    }

    // MARK: SendingTime accuracy

    func testSendingTimeOutsideToleranceRejectedWithReason10ThenLogout() throws {
        let h = try FIXSessionHarness(maximumLatency: 120 * second)
        defer { h.removeDirectory() }
        h.logOn()
        // 119 s late is accepted; 121 s early is not.
        h.receive(h.message("0", sendingTime: Timestamp(nanoseconds: h.now.rawValue - 119 * second)))
        XCTAssertTrue(h.drain().isEmpty)
        h.receive(h.message("0", sendingTime: Timestamp(nanoseconds: h.now.rawValue + 121 * second)))
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["3", "5"])
        XCTAssertEqual(sent[0][45], "3")
        XCTAssertEqual(sent[0][371], "52")
        XCTAssertEqual(sent[0][372], "0")
        XCTAssertEqual(sent[0][373], "10")
        XCTAssertEqual(sent[1][58], "SendingTime accuracy problem")
        XCTAssertEqual(h.io.closed.map(\.connection), [1])
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 4)
    }

    func testLogonWithInaccurateSendingTimeRefused() throws {
        let h = try FIXSessionHarness(maximumLatency: 120 * second)
        defer { h.removeDirectory() }
        h.acceptor.opened(1, now: h.now)
        h.receive(h.logonMessage(sendingTime: Timestamp(nanoseconds: h.now.rawValue - 600 * second)))
        let sent = h.drain()
        XCTAssertEqual(sent.map { $0[35] }, ["5"])
        XCTAssertEqual(sent[0][58], "SendingTime accuracy problem")
        XCTAssertFalse(h.acceptor.isLoggedOn(session: 0))
        XCTAssertEqual(h.acceptor.store(session: 0).nextTargetSeqNum, 1)
    }
}
