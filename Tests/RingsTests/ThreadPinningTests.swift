import Rings
import XCTest

/// Pinning threads to cores. Every pin happens on a thread the test starts,
/// never on the test runner's own thread (threads it started later would
/// inherit the pin).
final class ThreadPinningTests: XCTestCase {
    func testAllowedCoresAreAscendingAndCounted() {
        let cores = ThreadPinning.allowedCores()
        XCTAssertFalse(cores.isEmpty)
        XCTAssertEqual(cores, cores.sorted())
        XCTAssertEqual(Set(cores).count, cores.count)
        XCTAssertEqual(ThreadPinning.availableCores(), cores.count)
        XCTAssertTrue(cores.allSatisfy { $0 >= 0 })
    }

    /// Core 0 (when this process may use it) and every other allowed core:
    /// after pinning, the thread's affinity is that one core and it runs there.
    func testPinToEachAllowedCore() throws {
        var cores = ThreadPinning.allowedCores()
        if cores.contains(0) {
            cores.removeAll { $0 == 0 }
            cores.insert(0, at: 0)
        }
        for core in cores {
            let observed = Shared<(error: String?, affinity: [Int], running: Int?)>((nil, [], nil))
            let thread = startThread("pin-\(core)") {
                do {
                    try ThreadPinning.pinCurrentThread(toCore: core)
                    observed.value = (nil, ThreadPinning.currentThreadAffinity(), ThreadPinning.currentCore())
                } catch {
                    observed.value = ("\(error)", [], nil)
                }
            }
            thread.join()
            XCTAssertNil(observed.value.error, "core \(core)")
            XCTAssertEqual(observed.value.affinity, [core])
            XCTAssertEqual(observed.value.running, core)
        }
    }

    func testPinToACoreThatDoesNotExistNamesItAndTheAvailableOnes() {
        let allowed = ThreadPinning.allowedCores()
        for core in [9999, -1, 1 << 40, ThreadPinning.availableCores() + 64] {
            let observed = Shared<(error: ThreadPinningError?, before: [Int], after: [Int])>((nil, [], []))
            let thread = startThread("pin-bad") {
                let before = ThreadPinning.currentThreadAffinity()
                var failure: ThreadPinningError?
                do throws(ThreadPinningError) {
                    try ThreadPinning.pinCurrentThread(toCore: core)
                } catch {
                    failure = error
                }
                observed.value = (failure, before, ThreadPinning.currentThreadAffinity())
            }
            thread.join()
            XCTAssertEqual(observed.value.error, .coreNotAvailable(core: core, available: allowed))
            XCTAssertEqual(observed.value.after, observed.value.before, "a refused pin changes nothing")
            let text = observed.value.error.map(String.init(describing:)) ?? ""
            XCTAssertTrue(text.contains("core \(core)"), text)
            XCTAssertTrue(text.contains(CPUList.format(allowed)), text)
        }
        XCTAssertThrowsError(try ThreadPinning.validate(core: 9999)) { error in
            XCTAssertEqual(
                String(describing: error),
                "cannot pin a thread to core 9999: this process may use cores \(CPUList.format(allowed)) (\(allowed.count) available)")
        }
        XCTAssertNoThrow(try ThreadPinning.validate(core: allowed[0]))
    }

    func testCPUListFormat() {
        XCTAssertEqual(CPUList.format([]), "none")
        XCTAssertEqual(CPUList.format([0]), "0")
        XCTAssertEqual(CPUList.format([0, 1]), "0-1")
        XCTAssertEqual(CPUList.format([0, 1, 2, 3, 6, 8, 9]), "0-3,6,8-9")
    }
}
