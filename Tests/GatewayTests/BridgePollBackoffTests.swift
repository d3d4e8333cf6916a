@testable import Gateway
import XCTest

/// The shared-memory bridge's poll interval: short while records come, long once the
/// ring has been quiet, short again at the next record.
final class BridgePollBackoffTests: XCTestCase {
    let ms: Int64 = 1_000_000

    func testQuietRingLengthensTheSleepAndWorkShortensItAgain() {
        var b = BridgePollBackoff(activeNanoseconds: 100_000, idleNanoseconds: 1 * ms, idleAfterNanoseconds: 1_000 * ms, now: 0)
        XCTAssertEqual(b.current, 100_000)
        XCTAssertFalse(b.idle(now: 999 * ms), "not quiet for long enough yet")
        XCTAssertEqual(b.current, 100_000)
        XCTAssertTrue(b.idle(now: 1_000 * ms), "quiet for idle_after: the long sleep")
        XCTAssertEqual(b.current, 1 * ms)
        XCTAssertFalse(b.idle(now: 2_000 * ms), "no change to report while it stays quiet")
        XCTAssertTrue(b.worked(now: 2_001 * ms), "a record: back to the short sleep at once")
        XCTAssertEqual(b.current, 100_000)
        XCTAssertFalse(b.worked(now: 2_002 * ms))
        XCTAssertFalse(b.idle(now: 2_500 * ms), "the quiet spell counts from the last work")
        XCTAssertTrue(b.idle(now: 3_002 * ms))
    }

    func testEqualIntervalsNeverChange() {
        var b = BridgePollBackoff(activeNanoseconds: 100_000, idleNanoseconds: 100_000, idleAfterNanoseconds: 0, now: 0)
        XCTAssertFalse(b.idle(now: 10 * ms))
        XCTAssertFalse(b.worked(now: 11 * ms))
        XCTAssertEqual(b.current, 100_000)
    }
}

/// The bridge's name keys: a record's space-padded 8-byte field and the configured name
/// give the same key, without a String per record.
final class SignalNameKeyTests: XCTestCase {
    func testPaddedFieldsAndConfiguredNamesMeet() {
        XCTAssertEqual(SignalRecord.nameKey(Array("AAPL    ".utf8)), SignalRecord.nameKey("AAPL".utf8))
        XCTAssertEqual(SignalRecord.nameKey([UInt8]("ACC1".utf8) + [0, 0, 0, 0]), SignalRecord.nameKey("ACC1".utf8))
        XCTAssertNotEqual(SignalRecord.nameKey("AAPL".utf8), SignalRecord.nameKey("AAP".utf8))
        XCTAssertNotEqual(SignalRecord.nameKey("AB".utf8), SignalRecord.nameKey("BA".utf8))
        XCTAssertEqual(SignalRecord.nameKey("GOOGLEFB".utf8), SignalRecord.nameKey(Array("GOOGLEFB".utf8)))
        XCTAssertNil(SignalRecord.nameKey("TOOLONGNAME".utf8), "a name a record cannot hold")
        XCTAssertEqual(SignalRecord.nameKey(Array("        ".utf8)), 0, "an empty field names nothing configured")
    }
}
