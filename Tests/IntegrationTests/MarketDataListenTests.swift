import Foundation
import OUCH
import XCTest

/// `cift-gateway md listen` against a real `cift-gateway run` process, both children of
/// the test, inside the multicast namespace: a late listener from a snapshot and a live
/// one print the best bid and offer the orders made.
final class MarketDataListenTests: XCTestCase {
    func testListenPrintsBestBidAndOfferFromTheFeedAndFromASnapshot() throws {
        try requireMulticastNamespaceForIntegration()
        let dir = makeTemporaryDirectory("md-listen")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let group = try freeUDPPort()
        let config = dir + "/gateway.toml"
        try testGatewayTOML(dir, group: "239.192.0.1:\(group)").write(toFile: config, atomically: true, encoding: .utf8)
        let gateway = try ChildProcess(executable: "cift-gateway", arguments: ["run", "--config", config, "--data-dir", dir + "/data"])
        defer {
            gateway.signal(SIGTERM)
            _ = gateway.waitForExit(seconds: 30)
        }
        XCTAssertTrue(waitForStderr(gateway, "ready", seconds: 60), gateway.standardError)
        func port(_ pattern: String) -> String? {
            let log = gateway.standardError
            guard let range = log.range(of: pattern, options: .regularExpression) else { return nil }
            return String(log[range].split(separator: ":").last!.prefix { $0.isNumber })
        }
        guard let ouch = port(#"OUCH 5\.0 on 127\.0\.0\.1:\d+"#), let retransmission = port(#"retransmission 127\.0\.0\.1:\d+"#),
              let snapshot = port(#"snapshots 127\.0\.0\.1:\d+"#) else {
            return XCTFail("the gateway prints its ports: \(gateway.standardError)")
        }
        let common = ["md", "listen", "--group", "239.192.0.1:\(group)", "--interface", "lo",
                      "--retransmission", "127.0.0.1:\(retransmission)", "--snapshot", "127.0.0.1:\(snapshot)", "--seconds", "20"]
        let live = try ChildProcess(executable: "cift-gateway", arguments: common + ["--symbols", "MSFT"])
        usleep(500_000)  // joined before the orders

        let client = try OUCHTestClient(port: UInt16(ouch)!)
        client.loginAccepted("OUCH01")
        client.send(OUCHEnterOrder.limit(1, OUCHSide.buy, 300, "MSFT", 4_001_500))
        client.send(OUCHEnterOrder.limit(2, OUCHSide.sell, 200, "MSFT", 4_002_000))
        guard case .orderAccepted = client.nextMessage(), case .orderAccepted = client.nextMessage() else { return XCTFail() }
        XCTAssertTrue(live.waitFor(seconds: 20) { $0.contains { $0.contains("MSFT") && $0.contains("ask 200 @ 400.20") } },
                      "live: " + live.outputLines.joined(separator: "\n") + live.standardError)
        XCTAssertTrue(live.outputLines.contains { $0.contains("bid 300 @ 400.15") }, live.outputLines.joined(separator: "\n"))
        live.signal(SIGINT)
        XCTAssertEqual(live.waitForExit(seconds: 20), 0, live.standardError)

        let late = try ChildProcess(executable: "cift-gateway", arguments: common + ["--from-snapshot", "--max-messages", "1"])
        XCTAssertTrue(late.waitFor(seconds: 20) { $0.contains { $0.contains("MSFT") && $0.contains("bid 300 @ 400.15") && $0.contains("ask 200 @ 400.20") } },
                      "late: " + late.outputLines.joined(separator: "\n") + late.standardError)
        late.signal(SIGINT)
        _ = late.waitForExit(seconds: 20)
    }
}
