import Foundation
import Rings
import XCTest

/// The first thread to use a single-threaded object owns it; in debug builds a second
/// thread is told it does not (and `check` traps on that), in release builds the check
/// is compiled out.
final class OwningThreadCheckTests: XCTestCase {
    func testTheFirstThreadOwnsItAndASecondDoesNot() {
        let box = Box()
        XCTAssertTrue(box.check.isOwner())
        XCTAssertTrue(box.check.isOwner(), "the owner may call as often as it likes")
        let done = expectation(description: "second thread")
        let thread = Thread {
            box.secondThreadIsOwner = box.check.isOwner()
            done.fulfill()
        }
        thread.start()
        wait(for: [done], timeout: 10)
        #if DEBUG
        XCTAssertEqual(box.secondThreadIsOwner, false)
        #else
        XCTAssertEqual(box.secondThreadIsOwner, true, "compiled out")
        #endif
        XCTAssertTrue(box.check.isOwner(), "the owner keeps it")
    }

    private final class Box: @unchecked Sendable {
        var check = OwningThreadCheck()
        var secondThreadIsOwner: Bool?
    }
}
