import Foundation
import Gateway
import GatewayCore
import OUCH
import XCTest

/// Connections that have not logged in have a bound of their own
/// (`network.max_pending_logins`), FIX and OUCH together: one more is closed at once, a
/// logged-in session is not touched, and a place frees when a waiting connection logs in
/// or goes (issue 14: 254 idle connections used to refuse every new login).
final class PendingLoginTests: XCTestCase {
    var directory = ""

    override func setUp() { directory = makeTemporaryDirectory("pending-logins") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func testConnectionsWaitingToLogInHaveTheirOwnBound() throws {
        var c = testGatewayConfiguration(directory, dataDirectory: directory + "/data")
        c.network.maxPendingLogins = 4
        let gateway = try GatewayServer(configuration: c)
        defer { gateway.stop() }
        let session = try OUCHTestClient(port: gateway.ouchPort)
        session.loginAccepted("OUCH01")

        // Four connections that say nothing: two OUCH, two FIX.
        let idleOUCH = try (0..<2).map { _ in try OUCHTestClient(port: gateway.ouchPort) }
        let idleFIX = try (0..<2).map { i in try FIXTestClient(port: gateway.fixPort, sender: "CLIENT\(i + 1)") }
        usleep(200_000)
        let fifth = try OUCHTestClient(port: gateway.ouchPort)
        XCTAssertEqual(fifth.next(seconds: 2), .closed, "a fifth connection waiting to log in is closed at once")
        let sixth = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT3")
        XCTAssertTrue(sixth.closedByPeer(within: 2), "FIX connections count in the same bound")

        // The logged-in session is served meanwhile.
        session.send(OUCHEnterOrder.limit(1, OUCHSide.buy, 100, "AAPL", 1_000_000))
        guard case .orderAccepted = session.nextMessage() else { return XCTFail("the session was not served") }

        // A waiting connection logs in: its place frees, and the next connection may log in.
        idleOUCH[0].loginAccepted("OUCH02")
        let next = try OUCHTestClient(port: gateway.ouchPort)
        next.loginAccepted("OUCH03")
        withExtendedLifetime((idleOUCH, idleFIX)) {}
        XCTAssertFalse(gateway.hasFailed)
    }
}
