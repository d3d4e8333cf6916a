import GatewayCore
import XCTest

/// Failed logins and the lock-outs they earn (issue 14: 2,900 wrong FIX Logons a second
/// went unthrottled).
final class LoginThrottleTests: XCTestCase {
    let second: Int64 = 1_000_000_000
    let address: UInt32 = 0x0A00_0001

    func testTheFifthFailureLocksTheUserOutForASecondThenTwoThenFourUpToTheLongest() {
        let throttle = LoginThrottle(policy: .init(failuresBeforeLockout: 5, longestLockoutNanoseconds: 4 * second))
        var now: Int64 = 100 * second
        for _ in 1...4 {
            XCTAssertNil(throttle.failed(identity: "CLIENT1", address: address, now: now))
            XCTAssertNil(throttle.lockout(identity: "CLIENT1", address: address, now: now))
        }
        XCTAssertEqual(throttle.failed(identity: "CLIENT1", address: address, now: now)?.remainingNanoseconds, second)
        XCTAssertEqual(throttle.lockout(identity: "CLIENT1", address: address, now: now + second / 2)?.what, "user")
        XCTAssertNil(throttle.lockout(identity: "CLIENT1", address: address, now: now + second), "over after a second")
        XCTAssertNil(throttle.lockout(identity: "CLIENT2", address: address, now: now), "another user is not locked out")
        now += second
        XCTAssertEqual(throttle.failed(identity: "CLIENT1", address: address, now: now)?.remainingNanoseconds, 2 * second)
        now += 2 * second
        XCTAssertEqual(throttle.failed(identity: "CLIENT1", address: address, now: now)?.remainingNanoseconds, 4 * second)
        now += 4 * second
        XCTAssertEqual(throttle.failed(identity: "CLIENT1", address: address, now: now)?.remainingNanoseconds, 4 * second,
                       "never longer than the longest")
        XCTAssertEqual(throttle.lockouts, 4)
        XCTAssertEqual(throttle.failedLogins, 8)
        XCTAssertEqual(throttle.lockedOutLogins, 1)
        XCTAssertTrue(throttle.lockout(identity: "CLIENT1", address: 0, now: now)!.description.contains("locked out for 4 s"))
    }

    func testASuccessClearsTheUserButNotItsAddress() {
        let throttle = LoginThrottle(policy: .init(failuresBeforeLockout: 2, addressFailuresBeforeLockout: 3))
        let now: Int64 = 10 * second
        throttle.failed(identity: "OUCH01", address: address, now: now)
        throttle.succeeded(identity: "OUCH01")
        XCTAssertNil(throttle.failed(identity: "OUCH01", address: address, now: now), "counting starts again")
        // The address has failed twice; a third failure under another user locks it.
        XCTAssertEqual(throttle.failed(identity: "OUCH02", address: address, now: now)?.what, "address")
        XCTAssertEqual(throttle.lockout(identity: "OUCH03", address: address, now: now)?.what, "address",
                       "every user from that address is refused")
        XCTAssertNil(throttle.lockout(identity: "OUCH03", address: address + 1, now: now))
    }

    func testAnUnknownIdentityCountsAgainstItsAddressOnly() {
        let throttle = LoginThrottle(policy: .init(failuresBeforeLockout: 1, addressFailuresBeforeLockout: 3))
        let now: Int64 = 10 * second
        XCTAssertNil(throttle.failed(identity: nil, address: address, now: now))
        XCTAssertNil(throttle.failed(identity: nil, address: address, now: now))
        XCTAssertNotNil(throttle.failed(identity: nil, address: address, now: now))
        XCTAssertNotNil(throttle.lockout(identity: nil, address: address, now: now))
    }

    func testFailuresLongAgoAreForgotten() {
        let throttle = LoginThrottle(policy: .init(failuresBeforeLockout: 2, forgetAfterNanoseconds: 60 * second))
        throttle.failed(identity: "CLIENT1", address: 0, now: 0)
        XCTAssertNil(throttle.failed(identity: "CLIENT1", address: 0, now: 61 * second), "the first failure is forgotten")
        XCTAssertNotNil(throttle.failed(identity: "CLIENT1", address: 0, now: 62 * second))
    }

    func testAddressesRememberedAreBounded() {
        let throttle = LoginThrottle(policy: .init(failuresBeforeLockout: 1, addressFailuresBeforeLockout: 2, maxAddresses: 2))
        throttle.failed(identity: nil, address: 1, now: 1)
        throttle.failed(identity: nil, address: 2, now: 2)
        throttle.failed(identity: nil, address: 3, now: 3)  // forgets address 1, the stalest
        XCTAssertNil(throttle.failed(identity: nil, address: 1, now: 4), "address 1 starts again from one failure")
        XCTAssertNotNil(throttle.failed(identity: nil, address: 3, now: 5), "address 3 was remembered")
    }
}
