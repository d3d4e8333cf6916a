import Foundation
import Gateway
import GatewayCore
import OUCH
import XCTest
import SoupBinTCP

/// Password guessing and connection hoarding from one host (issue 14, part 3): failed
/// logins lock a CompID or username out (and, at a higher count, the source address),
/// refused before the credentials are looked at; one address can hold only so many of
/// the places of connections waiting to log in.
final class LoginThrottleGatewayTests: XCTestCase {
    var directory = ""

    override func setUp() { directory = makeTemporaryDirectory("login-throttle") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func testRepeatedWrongPasswordsLockTheUserOutOfFIXAndOUCH() throws {
        var c = testGatewayConfiguration(directory, dataDirectory: directory + "/data")
        c.network.loginFailuresBeforeLockout = 3
        let gateway = try GatewayServer(configuration: c)
        defer { gateway.stop() }

        for attempt in 1...3 {
            let guesser = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1")
            guesser.logon(password: "guess\(attempt)")
            let logout = guesser.expect("5")
            XCTAssertEqual(logout?[58]?.hasPrefix("Invalid username or password"), true, "\(String(describing: logout))")
            XCTAssertEqual(logout?[58]?.contains("locked out"), attempt == 3, "the third failure begins the lock-out")
        }
        // The right password is refused while the lock-out lasts, with the same kind of answer.
        let owner = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1")
        owner.logon()
        let refused = owner.expect("5")
        XCTAssertEqual(refused?[58]?.contains("too many failed logins"), true, "\(String(describing: refused))")
        // Another session from the same address is not locked out.
        let other = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT2")
        other.logon()
        XCTAssertNotNil(other.expect("A"))
        // After the lock-out (1 s) the owner logs on.
        usleep(1_100_000)
        let later = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1")
        later.logon()
        XCTAssertNotNil(later.expect("A"))

        for _ in 1...3 {
            let guesser = try OUCHTestClient(port: gateway.ouchPort)
            guesser.login("OUCH01", "nope")
            XCTAssertEqual(guesser.next(), .loginRejected(SoupBinTCPLoginRejectReason.notAuthorized))
        }
        let ouchOwner = try OUCHTestClient(port: gateway.ouchPort)
        ouchOwner.login("OUCH01")
        XCTAssertEqual(ouchOwner.next(), .loginRejected(SoupBinTCPLoginRejectReason.notAuthorized),
                       "locked out: the right password is refused too")
        XCTAssertNotNil(try OUCHTestClient(port: gateway.ouchPort).loginAccepted("OUCH02"))
        usleep(1_100_000)
        XCTAssertNotNil(try OUCHTestClient(port: gateway.ouchPort).loginAccepted("OUCH01"))
    }

    func testOneAddressHoldsOnlySoManyConnectionsWaitingToLogIn() throws {
        var c = testGatewayConfiguration(directory, dataDirectory: directory + "/data")
        c.network.maxPendingLogins = 10
        c.network.maxPendingLoginsPerAddress = 2
        let gateway = try GatewayServer(configuration: c)
        defer { gateway.stop() }
        let idle = try (0..<2).map { _ in try OUCHTestClient(port: gateway.ouchPort) }
        usleep(200_000)
        let third = try OUCHTestClient(port: gateway.ouchPort)
        XCTAssertEqual(third.next(seconds: 2), .closed, "a third waiting connection from 127.0.0.1 is closed at once")
        let fix = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1")
        XCTAssertTrue(fix.closedByPeer(within: 2), "FIX connections count against the same address")
        // One of the two logs in: its place frees for the next.
        idle[0].loginAccepted("OUCH01")
        XCTAssertNotNil(try OUCHTestClient(port: gateway.ouchPort).loginAccepted("OUCH02"))
        withExtendedLifetime(idle) {}
    }
}
