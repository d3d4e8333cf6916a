import GatewayCore
import OUCH
import XCTest
import SoupBinTCP
import TestSupport

final class OUCHServerLoginTests: XCTestCase {
    var h: ServerHarness!

    override func setUpWithError() throws { h = try ServerHarness() }
    override func tearDown() { h = nil }

    let rejectedA = ServerPacket.loginRejected(SoupBinTCPLoginRejectReason.notAuthorized)
    let rejectedS = ServerPacket.loginRejected(SoupBinTCPLoginRejectReason.sessionNotAvailable)

    // MARK: Login

    func testLogsInWithTheSessionAndTheNextSequenceNumber() {
        XCTAssertEqual(h.login(1), [.loginAccepted(session: "20251120", sequence: 1)])
        XCTAssertTrue(h.io.closes.isEmpty)
        // The exact bytes: the session left-padded to 10, the number to 20.
        h.open(2)
        h.receive(2, Client.login("OUCH02", "Secret"))
        XCTAssertEqual(
            hex(h.io.sent[2] ?? []),
            hex(unhex("001f 41 20203230323531313230 2020202020202020202020202020202020202031")))
    }

    func testUsernameAndPasswordAreCaseInsensitive() {
        XCTAssertEqual(h.login(1, "ouch01", "DEMO"), [.loginAccepted(session: "20251120", sequence: 1)])
        XCTAssertEqual(h.login(2, "OUCH02", "secret"), [.loginAccepted(session: "20251120", sequence: 1)])
        XCTAssertEqual(h.login(3, "OuCh03", "DeMo3"), [.loginAccepted(session: "20251120", sequence: 1)])
    }

    func testWrongPasswordIsNotAuthorized() {
        XCTAssertEqual(h.login(1, "OUCH01", "nope"), [rejectedA])
        XCTAssertEqual(h.closes(1), ["login rejected: wrong password for user 'OUCH01'"])
    }

    func testUnknownUserIsNotAuthorized() {
        XCTAssertEqual(h.login(1, "NOBODY", "demo"), [rejectedA])
        XCTAssertEqual(h.closes(1), ["login rejected: unknown user 'NOBODY'"])
    }

    func testOnlyTheCurrentSessionIsAvailable() {
        h.open(1)
        h.receive(1, Client.login(session: "20251119"))
        XCTAssertEqual(h.take(1), [rejectedS])
        XCTAssertEqual(h.closes(1), ["login rejected: session '20251119' is not available (current: '20251120')"])
        h.open(2)
        h.receive(2, Client.login(session: "20251120"))
        XCTAssertEqual(h.take(2), [.loginAccepted(session: "20251120", sequence: 1)])
    }

    /// A user bound to a client certificate subject logs in only from a connection that
    /// presented it (TLS with client certificates); any other, or none, is `A`.
    func testAUserBoundToACertificateNeedsThatCertificate() throws {
        h = try ServerHarness { $0.users[0].certificateSubject = "CN=CLIENT1,O=CIFT test" }
        h.io.subjects[1] = "CN=CLIENT2,O=CIFT test"
        XCTAssertEqual(h.login(1), [rejectedA])
        XCTAssertEqual(h.closes(1), ["login rejected: certificate does not match user 'OUCH01' (CN=CLIENT2,O=CIFT test)"])
        XCTAssertEqual(h.login(2), [rejectedA])
        XCTAssertEqual(h.closes(2), ["login rejected: certificate does not match user 'OUCH01' (no client certificate)"])
        h.io.subjects[3] = "CN=CLIENT1,O=CIFT test"
        XCTAssertEqual(h.login(3), [.loginAccepted(session: "20251120", sequence: 1)])
        // Users without a binding are unaffected.
        XCTAssertEqual(h.login(4, "OUCH02", "secret"), [.loginAccepted(session: "20251120", sequence: 1)])
    }

    /// A second login for a user already logged in is refused `A`; the first
    /// connection carries on.
    func testASecondConcurrentLoginIsNotAuthorized() {
        h.login(1)
        XCTAssertEqual(h.login(2, "ouch01", "demo"), [rejectedA])
        XCTAssertEqual(h.closes(2), ["login rejected: user 'OUCH01' is already logged in (connection 1)"])
        XCTAssertTrue(h.closes(1).isEmpty)
        h.send(1, enter(1))
        XCTAssertEqual(h.messages(1).map(\.userRefNum), [1])
        // Once the first is gone, the user may log in again.
        h.server.closed(1, now: h.now, io: &h.io)
        XCTAssertEqual(h.login(3), [.loginAccepted(session: "20251120", sequence: 2)])
    }

    func testALoginRequestInPiecesIsOneLogin() {
        h.open(1)
        for byte in Client.login() {
            XCTAssertEqual(h.receive(1, [byte]), .consumed)
        }
        XCTAssertEqual(h.take(1), [.loginAccepted(session: "20251120", sequence: 1)])
    }

    func testLoginTimeout() {
        h.open(1)
        h.advance(milliseconds: 9_999)
        h.server.tick(now: h.now, io: &h.io)
        XCTAssertTrue(h.io.closes.isEmpty)
        h.advance(milliseconds: 1)
        h.server.tick(now: h.now, io: &h.io)
        XCTAssertEqual(h.closes(1), ["no Login Request within 10000 ms"])
        // Bytes after the close are ignored.
        XCTAssertEqual(h.receive(1, Client.login()), .consumed)
        XCTAssertNil(h.io.sent[1])
    }

    func testTheFirstPacketMustBeALoginRequest() {
        h.open(1)
        h.receive(1, Client.heartbeat)
        XCTAssertEqual(
            h.closes(1),
            ["protocol violation: the first packet must be a Login Request ('L'), got Client Heartbeat ('R')"])
        h.open(2)
        h.receive(2, Client.data(enter(1)) + Client.login())
        XCTAssertEqual(
            h.closes(2),
            ["protocol violation: the first packet must be a Login Request ('L'), got Unsequenced Data ('U')"])
        XCTAssertTrue(h.io.commands.isEmpty)
        XCTAssertNil(h.io.sent[2])
    }

    func testGarbageBeforeLoginCloses() {
        h.open(1)
        h.receive(1, Array("GET / HTTP/1.1\r\n".utf8))
        XCTAssertEqual(h.closes(1), ["malformed SoupBinTCP packet: Length 18245 exceeds the maximum 513"])
    }

    func testAMalformedLoginRequestCloses() {
        h.open(1)
        h.receive(1, Client.packet(type: UInt8(ascii: "L"), payload: Array("OUCH01demo".utf8)))
        XCTAssertEqual(h.closes(1), ["malformed Login Request ('L'): 10 payload bytes, expected 51"])
        h.open(2)
        var login = Client.login()
        login[3 + 26] = UInt8(ascii: "#")
        h.receive(2, login)
        XCTAssertEqual(h.closes(2).count, 1)
        XCTAssertTrue(h.closes(2)[0].hasPrefix("malformed Login Request ('L'): Requested Sequence Number"))
    }

    func testALoginRequestAfterLoginCloses() {
        h.login(1)
        h.receive(1, Client.login())
        XCTAssertEqual(h.closes(1), ["protocol violation: Login Request ('L') on a connection already logged in"])
    }

    func testLogoutRequestCloses() {
        h.login(1)
        h.receive(1, Client.logout)
        XCTAssertEqual(h.closes(1), ["logout requested"])
        XCTAssertEqual(h.login(2), [.loginAccepted(session: "20251120", sequence: 1)])
    }

    func testDebugPacketsFromTheClientAreIgnored() {
        h.login(1)
        XCTAssertEqual(h.receive(1, Client.packet(type: UInt8(ascii: "+"), payload: Array("hello".utf8))), .consumed)
        XCTAssertTrue(h.io.closes.isEmpty)
    }

    func testEndOfSessionSendsWhatIsLeftThenZAndRefusesLogins() throws {
        h.login(1)
        h.receive(1, Client.data(enter(1)))
        h.runEngine()
        h.open(2)
        try h.server.endOfSession(now: h.now, io: &h.io)
        let packets = h.take(1)
        XCTAssertEqual(packets.count, 2)
        XCTAssertEqual(packets.last, .endOfSession)
        XCTAssertEqual(h.closes(1), ["end of session"])
        XCTAssertEqual(h.closes(2), ["end of session"])
        XCTAssertEqual(h.login(3), [rejectedS])
        XCTAssertEqual(h.closes(3), ["login rejected: session '20251120' has ended"])
    }

    // MARK: Heartbeats

    func testServerHeartbeatAfterOneSecondWithoutSending() {
        h.login(1)
        h.advance(milliseconds: 999)
        h.turn()
        XCTAssertEqual(h.take(1), [])
        h.advance(milliseconds: 1)
        h.turn()
        XCTAssertEqual(h.take(1), [.heartbeat])
        // Anything sent restarts the interval.
        h.advance(milliseconds: 600)
        h.send(1, enter(1))
        XCTAssertEqual(h.take(1).count, 1)
        h.advance(milliseconds: 999)
        h.turn()
        XCTAssertEqual(h.take(1), [])
        h.advance(milliseconds: 1)
        h.turn()
        XCTAssertEqual(h.take(1), [.heartbeat])
    }

    func testNoHeartbeatsBeforeLogin() {
        h.open(1)
        h.advance(milliseconds: 5_000)
        h.turn()
        XCTAssertNil(h.io.sent[1])
    }

    /// The client's Heartbeat Timeout from its Login Request: silence that long closes
    /// the connection; any packet restarts the clock.
    func testClientHeartbeatTimeoutFromTheLoginRequest() {
        h.login(1, heartbeatTimeout: 5_000)
        for _ in 0..<3 {
            h.advance(milliseconds: 4_999)
            h.turn()
            XCTAssertTrue(h.io.closes.isEmpty)
            h.receive(1, Client.heartbeat)
        }
        h.advance(milliseconds: 5_000)
        h.turn()
        XCTAssertEqual(h.closes(1), ["heartbeat timeout: nothing received for 5000 ms"])
    }

    func testDefaultAndMinimumClientHeartbeatTimeouts() {
        h.login(1, heartbeatTimeout: 0)
        h.login(2, "OUCH02", "Secret", heartbeatTimeout: 200)
        h.login(3, "OUCH03", "demo3", heartbeatTimeout: nil)  // SoupBinTCP 3.0: no field
        h.advance(milliseconds: 999)
        h.turn()
        XCTAssertTrue(h.io.closes.isEmpty)
        h.advance(milliseconds: 1)
        h.turn()
        XCTAssertEqual(h.closes(2), ["heartbeat timeout: nothing received for 1000 ms"])
        h.advance(milliseconds: 13_999)
        h.turn()
        XCTAssertTrue(h.closes(1).isEmpty)
        h.advance(milliseconds: 1)
        h.turn()
        XCTAssertEqual(h.closes(1), ["heartbeat timeout: nothing received for 15000 ms"])
        XCTAssertEqual(h.closes(3), ["heartbeat timeout: nothing received for 15000 ms"])
    }

    // MARK: Configuration

    func testRefusesInvalidConfigurations() throws {
        func refused(_ adjust: (inout OUCHServerConfiguration) -> Void) -> String? {
            var c = OUCHServerConfiguration(
                users: testUsers, symbols: testSymbols, sessionName: "S", dataDirectory: "/tmp/x", source: 1)
            adjust(&c)
            do throws(ConfigurationError) {
                try c.validate()
                return nil
            } catch {
                return error.key
            }
        }
        XCTAssertNil(refused { _ in })
        XCTAssertEqual(refused { $0.sessionName = "   " }, "sessionName")
        XCTAssertEqual(refused { $0.sessionName = "ELEVENCHARS" }, "sessionName")
        XCTAssertEqual(refused { $0.source = 0 }, "source")
        XCTAssertEqual(refused { $0.users[0].username = "SEVENCH" }, "users[0].username")
        XCTAssertEqual(refused { $0.users[0].username = "a/b" }, "users[0].username")
        XCTAssertEqual(refused { $0.users[2].username = "Ouch01" }, "users[2].username")
        XCTAssertEqual(refused { $0.users[0].password = "" }, "users[0].password")
        XCTAssertEqual(refused { $0.users[0].password = "ELEVENCHARS" }, "users[0].password")
        XCTAssertEqual(refused { $0.users[0].account = .none }, "users[0].account")
        XCTAssertEqual(refused { $0.users[1].session = 101 }, "users[1].session")
        XCTAssertEqual(refused { $0.users[1].firm = "TOOLONG" }, "users[1].firm")
        XCTAssertEqual(refused { $0.symbols[1].name = "AAPL" }, "symbols[1].name")
        XCTAssertEqual(refused { $0.symbols[1].index = 1 }, "symbols[1].index")
        XCTAssertEqual(refused { $0.symbols[0].tick = .zero }, "symbols[0].tick")
        XCTAssertEqual(refused { $0.maximumMessageLength = 50 }, "maximumMessageLength")
        XCTAssertEqual(refused { $0.heartbeatInterval = .zero }, "heartbeatInterval")
        XCTAssertThrowsError(try ServerHarness { $0.users[0].username = "" }) { error in
            XCTAssertEqual((error as? ConfigurationError)?.key, "users[0].username")
        }
    }
}
