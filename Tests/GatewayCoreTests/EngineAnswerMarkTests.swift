import GatewayCore
import XCTest

/// What a session store holds of the engine's answers, and what recovery appends.
final class EngineAnswerMarkTests: XCTestCase {
    func testABaselineHoldsEverythingUpToItAndNothingAfter() {
        var mark = EngineAnswerMark(baseline: 10)
        mark.beginRecovery()
        XCTAssertTrue(mark.holdsAnswer(to: 1))
        XCTAssertTrue(mark.holdsAnswer(to: 9))
        XCTAssertTrue(mark.holdsAnswer(to: 10), "the baseline's own command was answered before the store began")
        XCTAssertFalse(mark.holdsAnswer(to: 11))
        XCTAssertFalse(mark.holdsAnswer(to: 0))
    }

    /// Recovery counts off the stored answers to the last command, in order, and the
    /// answers appended after them are recorded as usual.
    func testStoredAnswersToTheLastCommandAreCountedOff() {
        var mark = EngineAnswerMark(baseline: 0)
        for sequence: UInt64 in [2, 0, 4, 4] { mark.record(sequence) }
        XCTAssertEqual(mark.highWater, 4)
        XCTAssertEqual(mark.storedAtHighWater, 2)
        mark.beginRecovery()
        XCTAssertTrue(mark.holdsAnswer(to: 2))
        XCTAssertTrue(mark.holdsAnswer(to: 4))
        XCTAssertTrue(mark.holdsAnswer(to: 4))
        XCTAssertFalse(mark.holdsAnswer(to: 4))
        mark.record(4)
        XCTAssertEqual(mark.storedAtHighWater, 3)
        XCTAssertFalse(mark.holdsAnswer(to: 4))
        XCTAssertFalse(mark.holdsAnswer(to: 5))
        mark.record(5)
        XCTAssertEqual(mark.highWater, 5)
        XCTAssertEqual(mark.storedAtHighWater, 1)
    }

    /// Outside recovery every answer is new, even one to the high-water command (its
    /// events can reach the store in two turns).
    func testWithoutRecoveryTheHighWaterCommandStillTakesAnswers() {
        var mark = EngineAnswerMark(baseline: 0)
        mark.record(7)
        XCTAssertFalse(mark.holdsAnswer(to: 7))
    }

    func testAnUnsettledMarkHoldsEverythingUntilSettledOnce() {
        var mark = EngineAnswerMark(baseline: EngineAnswerMark.unsettled)
        XCTAssertTrue(mark.isUnsettled)
        XCTAssertTrue(mark.holdsAnswer(to: 1))
        XCTAssertTrue(mark.holdsAnswer(to: UInt64.max - 1))
        mark.record(3)
        XCTAssertTrue(mark.isUnsettled, "nothing is recorded before the baseline is known")
        XCTAssertTrue(mark.settle(baseline: 20))
        XCTAssertFalse(mark.settle(baseline: 30))
        XCTAssertEqual(mark.highWater, 20)
        XCTAssertFalse(mark.holdsAnswer(to: 21))
    }
}
