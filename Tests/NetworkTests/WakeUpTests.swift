import Network
import Rings
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The loop's sleep: timers run without traffic, and another thread's
/// `wakeSignal.wake()` gets a parked loop to run its turn at once.
final class WakeUpTests: XCTestCase {
    /// With `maxIdleWaitMilliseconds` = 60 s and no spinning, a parked loop
    /// would next run its turn a minute later; every command below runs
    /// within the 10 s deadline, so only the wake-up (an eventfd write,
    /// made because the loop announced parking) can have ended each park.
    ///
    /// Allowed outcomes of each wake: the loop is found parked and its
    /// eventfd written; or the loop was between announcing and re-checking,
    /// and its re-check finds the command (no write). Not allowed: a park
    /// that times out.
    func testAnotherThreadWakesAParkedLoop() throws {
        let base = NetworkConfiguration(maxConnections: 2, maxIdleWaitMilliseconds: 60_000, spinTurns: 0)
        for configuration in TestBackends.all(base) {
            let backend = TestBackends.name(configuration)
            let harness = try LoopHarness(configuration)
            for round in 0..<20 {
                XCTAssertTrue(waitUntil { harness.wakeSignal.isConsumerParked }, "\(backend): round \(round): the loop never parked")
                let turnsBefore = harness.handler.turns
                let ran = harness.onLoop { _ in true }
                XCTAssertEqual(ran, true, "\(backend): round \(round)")
                XCTAssertGreaterThan(harness.handler.turns, turnsBefore, backend)
            }
            let statistics = harness.wakeSignal.statistics
            XCTAssertGreaterThan(statistics.wakeSystemCalls, 0, "\(backend): no eventfd write at all")
            XCTAssertGreaterThan(statistics.woken, 0, backend)
            XCTAssertEqual(statistics.timedOut, 0, "\(backend): a park ran into its 60 s timeout")
            XCTAssertNil(harness.stop(), backend)
        }
    }

    /// Without traffic or wake-ups the turn still runs, at least every
    /// `maxIdleWaitMilliseconds`, so handler timers fire.
    func testTheTurnRunsWithoutTraffic() throws {
        for configuration in TestBackends.all(NetworkConfiguration(maxConnections: 2, maxIdleWaitMilliseconds: 10, spinTurns: 0)) {
            let backend = TestBackends.name(configuration)
            let harness = try LoopHarness(configuration)
            let start = harness.handler.turns
            XCTAssertTrue(waitUntil { harness.handler.turns >= start + 20 }, "\(backend): \(harness.handler.turns - start) turns")
            XCTAssertGreaterThan(harness.wakeSignal.statistics.timedOut, 0, "\(backend): the idle turns came from park timeouts")
            XCTAssertNil(harness.stop(), backend)
        }
    }

    /// `requestStop()` from another thread ends a loop parked for a minute.
    func testStopWakesAParkedLoop() throws {
        for configuration in TestBackends.all(NetworkConfiguration(maxConnections: 2, maxIdleWaitMilliseconds: 60_000, spinTurns: 0)) {
            let backend = TestBackends.name(configuration)
            let harness = try LoopHarness(configuration)
            XCTAssertTrue(waitUntil { harness.wakeSignal.isConsumerParked }, backend)
            let stopped = Box(false)
            let stopper = try PinnedThread.start(name: "test-stopper") {
                harness.stop()
                stopped.value = true
            }
            stopper.join()
            XCTAssertTrue(stopped.value, backend)
            XCTAssertEqual(harness.wakeSignal.statistics.timedOut, 0, backend)
        }
    }
}
