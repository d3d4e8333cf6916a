import Atomics
import Rings
import XCTest

final class PinnedThreadTests: XCTestCase {
    /// `join()` returns after the body, and everything the body wrote is
    /// visible to the joiner.
    func testBodyRunsAndJoinSeesItsWrites() throws {
        let result = Shared([Int]())
        let thread = try PinnedThread.start(name: "cift-test") {
            result.value = Array(0..<1_000)
        }
        thread.join()
        XCTAssertEqual(result.value, Array(0..<1_000))
        XCTAssertEqual(thread.name, "cift-test")
        XCTAssertNil(thread.core)
    }

    /// The kernel keeps 15 bytes of a name; longer names are cut at a
    /// character boundary.
    func testThreadIsNamed() throws {
        let cases = [
            ("cift-engine", "cift-engine"),
            ("cift-market-data-publisher", "cift-market-dat"),
            ("cift-ééééééééé", "cift-ééééé"),  // é is 2 bytes: 5 + 5 × 2 = 15
        ]
        for (name, expected) in cases {
            let seen = Shared("")
            let thread = try PinnedThread.start(name: name) { seen.value = PinnedThread.currentThreadName() }
            thread.join()
            XCTAssertEqual(seen.value, expected, name)
            XCTAssertLessThanOrEqual(seen.value.utf8.count, 15)
        }
    }

    /// `start` returns only once the thread is pinned, and the body runs on
    /// that core.
    func testStartOnACore() throws {
        let core = ThreadPinning.allowedCores().last!
        let seen = Shared<([Int], Int?)>(([], nil))
        let thread = try PinnedThread.start(name: "cift-pinned", core: core) {
            seen.value = (ThreadPinning.currentThreadAffinity(), ThreadPinning.currentCore())
        }
        thread.join()
        XCTAssertEqual(thread.core, core)
        XCTAssertEqual(seen.value.0, [core])
        XCTAssertEqual(seen.value.1, core)
    }

    /// A core the process may not use fails `start`, naming the thread, the
    /// core and the allowed cores, and the body never runs.
    func testStartOnACoreThatDoesNotExistThrowsAndRunsNothing() {
        let ran = ManagedAtomic(false)
        XCTAssertThrowsError(try PinnedThread.start(name: "cift-engine", core: 9999) {
            // Relaxed: read after start has failed; no thread should ever get here.
            ran.store(true, ordering: .relaxed)
        }) { error in
            let allowed = ThreadPinning.allowedCores()
            XCTAssertEqual(
                error as? PinnedThreadStartError,
                PinnedThreadStartError(threadName: "cift-engine", reason: .pinning(.coreNotAvailable(core: 9999, available: allowed))))
            let text = String(describing: error)
            XCTAssertTrue(text.contains("'cift-engine'"), text)
            XCTAssertTrue(text.contains("core 9999"), text)
            XCTAssertTrue(text.contains(CPUList.format(allowed)), text)
        }
        XCTAssertFalse(ran.load(ordering: .relaxed))
    }

    /// Many short threads, started and joined in turn, and a handle dropped
    /// without `join()` (it detaches).
    func testManyThreadsAndADroppedHandle() throws {
        let counter = ManagedAtomic(0)
        var threads: [PinnedThread] = []
        for index in 0..<32 {
            threads.append(try PinnedThread.start(name: "cift-many-\(index)") {
                // Relaxed: a count, read after join.
                counter.wrappingIncrement(ordering: .relaxed)
            })
        }
        threads.forEach { $0.join() }
        XCTAssertEqual(counter.load(ordering: .relaxed), 32)

        let done = ManagedAtomic(false)
        _ = try PinnedThread.start(name: "cift-detached") {
            // Releasing: pairs with the acquiring load below.
            done.store(true, ordering: .releasing)
        }
        // Acquiring: pairs with the releasing store in the detached thread.
        while !done.load(ordering: .acquiring) {
            sched_yield()
        }
    }

    func testTimerSlackIsTheThreadsOwn() throws {
        let seen = ManagedAtomic<UInt64>(0)
        let thread = try PinnedThread.start(name: "cift-slack") {
            PinnedThread.setCurrentTimerSlack(nanoseconds: 1_000)
            seen.store(PinnedThread.currentTimerSlack, ordering: .releasing)
        }
        thread.join()
        XCTAssertEqual(seen.load(ordering: .acquiring), 1_000)
        XCTAssertNotEqual(PinnedThread.currentTimerSlack, 1_000, "the starting thread keeps its own")
    }
}
