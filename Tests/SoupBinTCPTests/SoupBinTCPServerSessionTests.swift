import SoupBinTCP
import XCTest

/// The per-connection SoupBinTCP rules, driven by hand with an injected clock (ms).
final class SoupBinTCPServerSessionTests: XCTestCase {
    let ms: Int64 = 1_000_000

    /// What the session makes of one packet of `type` with `payload`.
    func request(_ session: SoupBinTCPServerSession, _ type: Character, _ payload: [UInt8] = []) -> String {
        let bytes = [UInt8(truncatingIfNeeded: (payload.count + 1) >> 8), UInt8(truncatingIfNeeded: payload.count + 1),
                     UInt8(ascii: type.unicodeScalars.first!)] + payload
        return bytes.withUnsafeBytes { raw in
            let decoder = SoupBinTCPFrameDecoder(direction: .clientToServer, maximumLength: 100)
            guard case .frame(let frame)? = try? decoder.decode(raw) else { return "not a frame" }
            switch session.request(frame) {
            case .login(let p): return "login \(p.count)"
            case .data(let p): return "data \(Array(p))"
            case .nothing: return "nothing"
            case .logout: return "logout"
            case .violation(let reason): return "violation: \(reason)"
            }
        }
    }

    func testLoginComesFirstThenDataHeartbeatsDebugAndLogout() {
        var session = SoupBinTCPServerSession(openedAt: 0, heartbeatTimeout: 15_000 * ms)
        XCTAssertEqual(session.phase, .awaitingLogin)
        XCTAssertEqual(request(session, "L", Array(repeating: 0x20, count: 51)), "login 51")
        XCTAssertEqual(
            request(session, "R"),
            "violation: protocol violation: the first packet must be a Login Request ('L'), got Client Heartbeat ('R')")
        XCTAssertEqual(request(session, "U", [1]).hasPrefix("violation"), true)
        session.loggedIn(heartbeatTimeout: 5_000 * ms, now: 10 * ms)
        XCTAssertEqual(session.phase, .loggedIn)
        XCTAssertEqual(request(session, "U", [1, 2]), "data [1, 2]")
        XCTAssertEqual(request(session, "R"), "nothing")
        XCTAssertEqual(request(session, "+", Array("hi".utf8)), "nothing")
        XCTAssertEqual(request(session, "O"), "logout")
        XCTAssertEqual(request(session, "R", [0]), "violation: malformed Client Heartbeat ('R'): 1 payload bytes, expected 0")
        XCTAssertEqual(
            request(session, "L", Array(repeating: 0x20, count: 51)),
            "violation: protocol violation: Login Request ('L') on a connection already logged in")
    }

    func testTimersLoginTimeoutHeartbeatsAndTheClientsSilence() {
        var session = SoupBinTCPServerSession(openedAt: 100 * ms, heartbeatTimeout: 15_000 * ms)
        func due(_ t: Int64, paused: Bool = false) -> SoupBinTCPServerSession.Due {
            session.due(now: t * ms, loginTimeout: 2_000 * ms, heartbeatInterval: 1_000 * ms, readingPaused: paused)
        }
        XCTAssertEqual(due(2_099), .nothing)
        XCTAssertEqual(due(2_100), .close("no Login Request within 2000 ms"))
        session.loggedIn(heartbeatTimeout: 3_000 * ms, now: 500 * ms)
        XCTAssertEqual(due(1_499), .nothing)
        XCTAssertEqual(due(1_500), .serverHeartbeat, "a second without sending")
        session.sent(now: 1_500 * ms)
        session.received(now: 1_000 * ms)
        XCTAssertEqual(due(2_000), .nothing)
        XCTAssertEqual(due(4_000), .close("heartbeat timeout: nothing received for 3000 ms"))
        XCTAssertEqual(due(4_000, paused: true), .serverHeartbeat, "a paused connection's silence is the server's doing")
        session.received(now: 3_900 * ms)
        session.sent(now: 3_900 * ms)
        XCTAssertEqual(due(4_000), .nothing)
    }
}
