import Foundation
import Gateway
import GatewayCore
import MarketData
import OUCH
import XCTest
import SoupBinTCP

#if canImport(Glibc)
import Glibc
#endif

/// What an outsider can make the market-data side do (issue 14, "Denial of service from
/// outside"): retransmission requests are rate-limited per source address, however many
/// ports it sends from; a demo configuration keeps the feed's request ports on loopback.
final class MarketDataAbuseTests: XCTestCase {
    var directory = ""

    override func setUp() { directory = makeTemporaryDirectory("md-abuse") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func testRetransmissionRequestsFromManyPortsShareOneAddressesAllowance() throws {
        var c = testGatewayConfiguration(directory, dataDirectory: directory + "/data")
        c.marketData.session = "ABUSETEST1"
        let gateway = try GatewayServer(configuration: c)
        defer { gateway.stop() }
        // Something on the feed to ask for again.
        let client = try OUCHTestClient(port: gateway.ouchPort)
        client.loginAccepted("OUCH01")
        client.send(OUCHEnterOrder.limit(1, OUCHSide.buy, 100, "AAPL", 1_000_000))
        guard case .orderAccepted = client.nextMessage() else { return XCTFail("no Order Accepted") }
        usleep(100_000)

        var request = [UInt8](repeating: 0, count: 20)
        _ = request.withUnsafeMutableBytes {
            MoldUDP64Request(session: MoldUDP64Session("ABUSETEST1")!, sequenceNumber: 1, requestedMessageCount: 1).encode(into: $0)
        }
        var server = sockaddr_in()
        server.sin_family = sa_family_t(AF_INET)
        server.sin_port = gateway.marketDataRetransmissionPort.bigEndian
        server.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        // 40 source ports, 5 requests each: 200 requests from one address.
        let sockets = (0..<40).map { _ in socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0) }
        defer { for s in sockets { close(s) } }
        for s in sockets {
            var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
            setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            for _ in 0..<5 {
                _ = request.withUnsafeBytes { bytes in
                    withUnsafePointer(to: &server) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(s, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                        }
                    }
                }
            }
        }
        var answers = 0
        var buffer = [UInt8](repeating: 0, count: 2048)
        for s in sockets {
            while buffer.withUnsafeMutableBytes({ recv(s, $0.baseAddress, $0.count, 0) }) > 0 { answers += 1 }
        }
        // One address: a burst of 20 and 50 a second (RetransmissionConfiguration's
        // defaults), not 20 per port (before: every one of the 200 was answered).
        XCTAssertGreaterThan(answers, 0, "the first requests are answered")
        XCTAssertLessThanOrEqual(answers, 60, "\(answers) answers to 200 requests from one address")
    }

    /// Forty connections that never log in to the snapshot service: the eight beyond its
    /// 32 places are closed at once, the 32 after the 2 s login timeout; then a late
    /// joiner logs in and is answered.
    /// A TCP connection to the gateway's snapshot service.
    func connectToSnapshots(_ gateway: GatewayServer, file: StaticString = #filePath, line: UInt = #line) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = gateway.marketDataSnapshotPort.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(result, 0, file: file, line: line)
        return fd
    }

    /// Readers that ask while the book is unchanged share one snapshot instead of a copy
    /// each (issue 14: 34 readers that never read held 151 MB); a reader after the book
    /// changed gets a new one.
    func testReadersOfOneBookShareOneSnapshot() throws {
        let gateway = try GatewayServer(configuration: testGatewayConfiguration(directory, dataDirectory: directory + "/data"))
        var stopped = false
        defer { if !stopped { gateway.stop() } }
        let ouch = try OUCHTestClient(port: gateway.ouchPort)
        ouch.loginAccepted("OUCH01")
        for ref in 1...50 {
            ouch.send(OUCHEnterOrder.limit(UInt32(ref), OUCHSide.buy, 100, "AAPL", UInt64(900_000 + ref * 100)))
            guard case .orderAccepted = ouch.nextMessage() else { return XCTFail("order \(ref)") }
        }
        usleep(300_000)  // on the feed
        func requestWithoutReading() -> Int32 {
            let fd = connectToSnapshots(gateway)
            let login = SoupBinTCPEncoder.bytes {
                SoupBinTCPLoginRequest(username: "", password: "", requestedSession: "", requestedSequenceNumber: 0,
                                       heartbeatTimeoutMilliseconds: 30_000).encode($0)
            }
            let request = login + [0, 1, UInt8(ascii: "U")]  // every symbol
            XCTAssertEqual(request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }, request.count)
            return fd
        }
        let readers = (0..<6).map { _ in requestWithoutReading() }
        defer { for fd in readers { close(fd) } }
        usleep(300_000)
        ouch.send(OUCHEnterOrder.limit(51, OUCHSide.buy, 100, "AAPL", 900_000))
        guard case .orderAccepted = ouch.nextMessage() else { return XCTFail("order 51") }
        usleep(300_000)
        let later = requestWithoutReading()
        defer { close(later) }
        usleep(300_000)
        gateway.stop()
        stopped = true
        XCTAssertEqual(gateway.snapshotCounts.served, 7)
        XCTAssertEqual(gateway.snapshotCounts.built, 2, "six readers of one book share one snapshot; the seventh saw a new book")
    }

    func testIdleSnapshotConnectionsAreRefusedBeyondThePlacesAndDroppedSoon() throws {
        let gateway = try GatewayServer(configuration: testGatewayConfiguration(directory, dataDirectory: directory + "/data"))
        defer { gateway.stop() }
        /// Whether the gateway closed `fd` within `seconds` (end of file or a reset).
        func closed(_ fd: Int32, within seconds: Double) -> Bool {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, Int32(seconds * 1000)) == 1 else { return false }
            var byte: UInt8 = 0
            return recv(fd, &byte, 1, 0) <= 0
        }
        let idle = (0..<40).map { _ in connectToSnapshots(gateway) }
        defer { for fd in idle { close(fd) } }
        usleep(500_000)
        let closedAtOnce = idle.filter { closed($0, within: 0.01) }.count
        XCTAssertEqual(closedAtOnce, 8, "the connections beyond the 32 places are closed at once")
        let closedLater = idle.filter { closed($0, within: 4) }.count
        XCTAssertEqual(closedLater, 40, "every idle connection is gone after the login timeout")

        // A late joiner is served: Login Request (SoupBinTCP 'L'), Login Accepted back.
        let joiner = connectToSnapshots(gateway)
        defer { close(joiner) }
        let login = SoupBinTCPEncoder.bytes {
            SoupBinTCPLoginRequest(username: "", password: "", requestedSession: "", requestedSequenceNumber: 0,
                                   heartbeatTimeoutMilliseconds: 30_000).encode($0)
        }
        XCTAssertEqual(login.withUnsafeBytes { send(joiner, $0.baseAddress, $0.count, 0) }, login.count)
        var answer = [UInt8](repeating: 0, count: 3)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(joiner, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        XCTAssertEqual(answer.withUnsafeMutableBytes { recv(joiner, $0.baseAddress, 3, Int32(MSG_WAITALL)) }, 3)
        XCTAssertEqual(answer[2], UInt8(ascii: "A"), "Login Accepted")
    }

    func testADemoConfigurationKeepsTheFeedsRequestPortsOnLoopback() throws {
        for key in ["retransmission", "snapshot"] {
            XCTAssertThrowsError(try GatewayConfiguration.parse(toml: "[market_data]\n\(key) = \"0.0.0.0:31002\"\n")) { error in
                XCTAssertTrue("\(error)".contains("market_data.\(key)"), "\(error)")
                XCTAssertTrue("\(error)".contains("demo"), "\(error)")
            }
        }
    }
}
