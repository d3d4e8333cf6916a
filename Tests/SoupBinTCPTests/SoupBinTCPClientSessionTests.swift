import SoupBinTCP
import TestSupport
import XCTest

/// The client side's rules, fed the server's packets by hand with an injected clock (ms).
final class SoupBinTCPClientSessionTests: XCTestCase {
    let ms: Int64 = 1_000_000

    /// What `session` makes of the packet in `hexPacket` at time `t` (ms).
    func receive(_ session: inout SoupBinTCPClientSession, _ hexPacket: String, at t: Int64 = 0) -> String {
        let bytes = unhex(hexPacket)
        return bytes.withUnsafeBytes { raw in
            let decoder = SoupBinTCPFrameDecoder(direction: .serverToClient, maximumLength: 100)
            guard case .frame(let frame)? = try? decoder.decode(raw) else { return "not a frame" }
            switch session.received(frame, now: t * ms) {
            case .loggedIn(let name, let sequence): return "logged in \(name) \(sequence)"
            case .loginRejected(let reason): return "rejected " + String(UnicodeScalar(reason))
            case .sequenced(let p, let n): return "S#\(n) \(hex(Array(p)))"
            case .unsequenced(let p): return "U \(hex(Array(p)))"
            case .nothing: return "nothing"
            case .endOfSession: return "end"
            case .violation(let reason): return "violation: \(reason)"
            }
        }
    }

    static let accepted13 = "001f 41 20203230323531313230 2020202020202020202020202020202020203133"

    func testNumbersSequencedDataFromLoginAcceptedAndEndsAtEndOfSession() {
        var session = SoupBinTCPClientSession(loginSentAt: 0)
        XCTAssertEqual(receive(&session, "0001 48"), "nothing", "a heartbeat may come first")
        XCTAssertEqual(receive(&session, Self.accepted13), "logged in 20251120 13")
        XCTAssertEqual(session.phase, .loggedIn)
        XCTAssertEqual(receive(&session, "0002 53 aa"), "S#13 aa")
        XCTAssertEqual(receive(&session, "0003 53 bbcc"), "S#14 bbcc")
        XCTAssertEqual(receive(&session, "0002 55 01"), "U 01")
        XCTAssertEqual(receive(&session, "0003 2b 6869"), "nothing")
        XCTAssertEqual(session.nextSequenceNumber, 15)
        XCTAssertEqual(receive(&session, "0001 5a"), "end")
        XCTAssertEqual(session.phase, .ended)
        XCTAssertEqual(receive(&session, "0002 53 aa"), "violation: Sequenced Data ('S') after the session ended")
    }

    func testOutOfPlacePacketsEndTheSession() {
        var before = SoupBinTCPClientSession(loginSentAt: 0)
        XCTAssertEqual(receive(&before, "0002 53 aa"), "violation: Sequenced Data ('S') before Login Accepted")
        var rejected = SoupBinTCPClientSession(loginSentAt: 0)
        XCTAssertEqual(receive(&rejected, "0002 4a 41"), "rejected A")
        XCTAssertEqual(rejected.phase, .ended)
        var twice = SoupBinTCPClientSession(loginSentAt: 0)
        _ = receive(&twice, Self.accepted13)
        XCTAssertEqual(receive(&twice, Self.accepted13), "violation: a second login answer (Login Accepted ('A'))")
        var malformed = SoupBinTCPClientSession(loginSentAt: 0)
        XCTAssertEqual(receive(&malformed, "0002 48 00"), "violation: malformed Server Heartbeat ('H'): 1 payload bytes, expected 0")
    }

    func testHeartbeatsBothWays() {
        var session = SoupBinTCPClientSession(loginSentAt: 0)
        XCTAssertEqual(session.due(now: 900 * ms, heartbeatInterval: 1_000 * ms, serverTimeout: 15_000 * ms), .nothing)
        _ = receive(&session, Self.accepted13, at: 100)
        XCTAssertEqual(session.due(now: 1_000 * ms, heartbeatInterval: 1_000 * ms, serverTimeout: 15_000 * ms), .clientHeartbeat)
        session.sent(now: 1_000 * ms)
        XCTAssertEqual(session.due(now: 1_500 * ms, heartbeatInterval: 1_000 * ms, serverTimeout: 15_000 * ms), .nothing)
        XCTAssertEqual(
            session.due(now: 15_100 * ms, heartbeatInterval: 1_000 * ms, serverTimeout: 15_000 * ms),
            .close("server silent for 15000 ms"))
    }
}
