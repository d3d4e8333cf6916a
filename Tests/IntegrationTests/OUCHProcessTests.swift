import Foundation
import OUCH
import XCTest
import SoupBinTCP

/// The real `cift-gateway run` process with OUCH clients over loopback: an order is
/// acknowledged, the process is stopped with SIGTERM and started again, and the client
/// logging in again at sequence 1 gets the same messages back; and tshark's SoupBinTCP
/// dissector reads every packet of the session without a malformed-packet error.
final class OUCHProcessTests: XCTestCase {
    func startGateway(config: String, dataDir: String) throws -> (ChildProcess, UInt16) {
        let gateway = try ChildProcess(executable: "cift-gateway", arguments: ["run", "--config", config, "--data-dir", dataDir])
        XCTAssertTrue(waitForStderr(gateway, "ready", seconds: 60), gateway.standardError)
        let log = gateway.standardError
        guard let range = log.range(of: #"OUCH 5\.0 on 127\.0\.0\.1:(\d+)"#, options: .regularExpression) else {
            XCTFail("the gateway prints the OUCH port: \(log)")
            return (gateway, 0)
        }
        let port = UInt16(log[range].split(separator: ":").last!)!
        return (gateway, port)
    }

    func writeConfig(_ dir: String, port: Int = 0) throws -> String {
        let path = dir + "/gateway.toml"
        try testGatewayTOML(dir, ouchPort: port).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testOrderAcknowledgedAcrossARealRestart() throws {
        let dir = makeTemporaryDirectory("ouch-process")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try writeConfig(dir)
        var (gateway, port) = try startGateway(config: config, dataDir: dir + "/data")
        let client = try OUCHTestClient(port: port)
        XCTAssertEqual(client.loginAccepted("OUCH01"), 1)
        client.send(OUCHEnterOrder.limit(1, OUCHSide.buy, 100, "AAPL", 1_500_000, clOrdID: "KEEP-ME"))
        guard case .orderAccepted(let accepted) = client.nextMessage() else { return XCTFail() }
        gateway.signal(SIGTERM)
        XCTAssertEqual(gateway.waitForExit(seconds: 30), 0, gateway.standardError)

        (gateway, port) = try startGateway(config: config, dataDir: dir + "/data")
        XCTAssertTrue(gateway.standardError.contains("replayed 1 command"), gateway.standardError)
        let again = try OUCHTestClient(port: port)
        XCTAssertEqual(again.loginAccepted("OUCH01", sequence: 1), 1, "replay starts at 1")
        guard case .orderAccepted(let replayed) = again.nextMessage() else { return XCTFail() }
        XCTAssertEqual(replayed, accepted)
        gateway.signal(SIGTERM)
        XCTAssertEqual(gateway.waitForExit(seconds: 30), 0)
    }

    /// tshark (Debian's package, installed by `make test`) decodes a captured session
    /// with its SoupBinTCP dissector and finds no malformed packet.
    func testTsharkReadsEverySoupBinTCPPacket() throws {
        guard let tshark = ["/usr/bin/tshark", "/usr/sbin/tshark"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return XCTFail("tshark is not installed: scripts/install-deps.sh installs it")
        }
        let dir = makeTemporaryDirectory("tshark")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (gateway, gatewayPort) = try startGateway(config: try writeConfig(dir), dataDir: dir + "/data")
        let port = Int(gatewayPort)
        let capture = dir + "/session.pcap"
        let dumper = try ChildProcess(
            path: tshark, arguments: ["-i", "lo", "-f", "tcp port \(port)", "-w", capture, "-a", "duration:20"])
        XCTAssertTrue(waitForStderr(dumper, "Capturing on", seconds: 30), dumper.standardError)
        sleep(1)  // "Capturing on" is printed just before the capture really starts

        let a = try OUCHTestClient(port: UInt16(port))
        let b = try OUCHTestClient(port: UInt16(port))
        a.loginAccepted("OUCH01")
        b.loginAccepted("OUCH02")
        a.send(OUCHEnterOrder.limit(1, OUCHSide.buy, 300, "NVDA", 1_000_000))
        b.send(OUCHEnterOrder.limit(1, OUCHSide.sell, 100, "NVDA", 1_000_000))
        a.send(OUCHReplaceOrder(originalUserRefNum: 1, userRefNum: 2, quantity: 300, price: 1_000_100))
        a.send(OUCHCancelOrder(userRefNum: 2, quantity: 0))
        b.send(OUCHAccountQueryRequest())
        var received = 0
        while case .message = a.next(seconds: 5) { received += 1 }
        while case .message = b.next(seconds: 2) { received += 1 }
        XCTAssertGreaterThanOrEqual(received, 4)
        sleep(1)
        dumper.signal(SIGINT)
        _ = dumper.waitForExit(seconds: 30)
        gateway.signal(SIGTERM)
        XCTAssertEqual(gateway.waitForExit(seconds: 30), 0)

        let types = try ChildProcess(path: tshark, arguments: [
            "-r", capture, "-d", "tcp.port==\(port),soupbintcp", "--disable-protocol", "ouch",
            "-T", "fields", "-e", "soupbintcp.packet_type"])
        XCTAssertEqual(types.waitForExit(seconds: 60), 0, types.standardError)
        // One line per frame, packet types comma-separated and quoted: 'L','U'.
        let seen = Set(types.outputLines.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "' ")) } })
        for type in ["L", "A", "U", "S"] {
            XCTAssertTrue(seen.contains(type), "tshark saw SoupBinTCP packet type \(type): \(seen)")
        }
        let malformed = try ChildProcess(path: tshark, arguments: [
            "-r", capture, "-d", "tcp.port==\(port),soupbintcp", "--disable-protocol", "ouch", "-Y", "_ws.malformed"])
        XCTAssertEqual(malformed.waitForExit(seconds: 60), 0, malformed.standardError)
        XCTAssertEqual(malformed.outputLines.filter { !$0.isEmpty }, [], "no malformed SoupBinTCP packet")
    }
}
