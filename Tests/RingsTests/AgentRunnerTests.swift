import Atomics
import Foundation
@testable import Rings
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Agents, composites, runners and waiters: the duty cycle runs members in order and
/// skips finished ones; a runner ends when its agent is finished; a sleeping runner
/// wakes for a producer's signal, for its earliest deadline and for a watched descriptor.
final class AgentRunnerTests: XCTestCase {
    /// An agent whose work is a counter others feed, which records the order it ran in.
    final class CountingAgent: Agent, @unchecked Sendable {
        let roleName: String
        let queued = ManagedAtomic(0)
        let stop = ManagedAtomic(false)
        let handled = ManagedAtomic(0)
        var log: (String) -> Void = { _ in }
        var deadline: Int64?
        let deadlinesMet = ManagedAtomic(0)
        private(set) var isFinished = false

        init(_ name: String) { roleName = name }

        func doWork(nowNanoseconds: Int64) -> Int {
            log(roleName)
            var work = 0
            if let d = deadline, nowNanoseconds >= d {
                deadline = nil
                deadlinesMet.wrappingIncrement(ordering: .releasing)
                work += 1
            }
            let n = queued.exchange(0, ordering: .acquiring)
            if n > 0 {
                handled.wrappingIncrement(by: n, ordering: .releasing)
                return work + n
            }
            if work == 0 && stop.load(ordering: .acquiring) { isFinished = true }
            return work
        }

        func hasPendingWork() -> Bool { queued.load(ordering: .acquiring) > 0 || stop.load(ordering: .acquiring) }
        func nextDeadline(nowNanoseconds: Int64) -> Int64? { deadline }
    }

    func testACompositeRunsItsMembersInOrderAndSkipsFinishedOnes() {
        let a = CountingAgent("a"), b = CountingAgent("b"), c = CountingAgent("c")
        var order: [String] = []
        for agent in [a, b, c] { agent.log = { order.append($0) } }
        let composite = CompositeAgent([a, b, c])
        XCTAssertEqual(composite.roleName, "a+b+c")
        a.queued.store(2, ordering: .relaxed)
        c.queued.store(1, ordering: .relaxed)
        XCTAssertEqual(composite.doWork(nowNanoseconds: 0), 3)
        XCTAssertEqual(order, ["a", "b", "c"])
        b.stop.store(true, ordering: .relaxed)
        XCTAssertEqual(composite.doWork(nowNanoseconds: 0), 0)
        XCTAssertTrue(b.isFinished)
        XCTAssertFalse(composite.isFinished)
        order = []
        _ = composite.doWork(nowNanoseconds: 0)
        XCTAssertEqual(order, ["a", "c"], "a finished member is not called again")
        order = []
        XCTAssertEqual(composite.doWork(except: a, nowNanoseconds: 0), 0)
        XCTAssertEqual(order, ["c"])
        a.deadline = 50
        c.deadline = 20
        XCTAssertEqual(composite.nextDeadline(nowNanoseconds: 0), 20, "the earliest member deadline")
    }

    /// Two stages on one parked thread: a producer on another thread wakes it through the
    /// one signal; the thread ends once both stages are finished, in whatever order.
    func testARunnerOfTwoStagesWakesForEitherAndEndsWhenBothAreFinished() throws {
        let signal = WakeSignal()
        let a = CountingAgent("a"), b = CountingAgent("b")
        let runner = AgentRunner(name: "test-runner", core: nil, agent: CompositeAgent([a, b])) { _ in
            SignalWaiter(strategy: .spinThenPark(spins: 0, parkTimeout: .seconds(1)), signal: signal)
        }
        try runner.start()
        for i in 1...100 {
            (i % 2 == 0 ? a : b).queued.wrappingIncrement(ordering: .releasing)
            signal.wake()
            if i % 10 == 0 { usleep(2_000) }
        }
        let deadline = Date().addingTimeInterval(10)
        while a.handled.load(ordering: .acquiring) + b.handled.load(ordering: .acquiring) < 100 && Date() < deadline { usleep(1_000) }
        XCTAssertEqual(a.handled.load(ordering: .acquiring) + b.handled.load(ordering: .acquiring), 100)
        b.stop.store(true, ordering: .releasing)
        signal.wake()
        usleep(20_000)
        XCTAssertFalse(runner.hasEnded, "a still runs")
        a.queued.wrappingIncrement(ordering: .releasing)
        signal.wake()
        a.stop.store(true, ordering: .releasing)
        signal.wake()
        runner.join()
        XCTAssertTrue(runner.hasEnded)
        XCTAssertEqual(a.handled.load(ordering: .acquiring), 51, "work queued before the stop was done")
    }

    /// A parked runner comes back at its agent's deadline, with nobody waking it: timers
    /// need no thread of their own. The park timeout is a second, the deadline 20 ms.
    func testAParkedRunnerWakesAtTheEarliestDeadline() throws {
        let signal = WakeSignal()
        let timer = CountingAgent("timer")
        timer.deadline = AgentClock.nanoseconds() + 20_000_000
        let runner = AgentRunner(name: "test-timer", core: nil, agent: timer) { _ in
            SignalWaiter(strategy: .spinThenPark(spins: 0, parkTimeout: .seconds(1)), signal: signal)
        }
        let started = Date()
        try runner.start()
        while timer.deadlinesMet.load(ordering: .acquiring) == 0 && Date().timeIntervalSince(started) < 5 { usleep(1_000) }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(timer.deadlinesMet.load(ordering: .acquiring), 1)
        XCTAssertLessThan(elapsed, 0.9, "woke at the deadline, not at the 1 s park timeout")
        timer.stop.store(true, ordering: .releasing)
        signal.wake()
        runner.join()
    }

    /// An agent whose `onStart` throws fails the runner's start with its error; the
    /// thread has ended and the members started before it were closed again.
    func testAFailedStartClosesWhatStartedAndThrows() {
        final class Failing: Agent {
            struct Refused: Error {}
            let roleName = "failing"
            func onStart() throws { throw Refused() }
            func doWork(nowNanoseconds: Int64) -> Int { 0 }
            func hasPendingWork() -> Bool { false }
            var isFinished: Bool { false }
        }
        final class Closing: Agent {
            let roleName = "closing"
            var closed = false
            func doWork(nowNanoseconds: Int64) -> Int { 0 }
            func hasPendingWork() -> Bool { false }
            var isFinished: Bool { false }
            func onClose() { closed = true }
        }
        let first = Closing()
        let runner = AgentRunner(name: "test-fail", core: nil, agent: CompositeAgent([first, Failing()])) { _ in
            SignalWaiter(strategy: .default, signal: WakeSignal())
        }
        XCTAssertThrowsError(try runner.start()) { XCTAssertTrue($0 is Failing.Refused) }
        XCTAssertTrue(runner.hasEnded)
        XCTAssertFalse(runner.didStart)
        XCTAssertTrue(first.closed)
    }
}
