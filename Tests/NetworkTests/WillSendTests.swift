import Foundation
import Network
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `NetworkHandler.willSend` runs before the bytes a turn queued can reach the peer: the
/// gateway writes its FIX message stores there, so a message is never on the wire without
/// being in its store.
final class WillSendTests: XCTestCase {
    func testWillSendRunsBeforeTheTurnsBytesReachThePeer() throws {
        for configuration in TestBackends.all(NetworkConfiguration(maxConnections: 4)) {
            let backend = TestBackends.name(configuration)
            let handler = TestHandler()
            handler.onReceived = { connection, bytes, loop in _ = loop.send(connection, bytes) }
            let client = Box<Int32>(-1)
            // Per call: whether the client's socket already had bytes to read (it must not).
            let sawBytesAlready = Box<[Bool]>([])
            handler.onWillSend = { _ in
                var byte: UInt8 = 0
                let n = recv(client.value, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
                handler.locked { sawBytesAlready.value.append(n > 0) }
            }
            let harness = try LoopHarness(configuration, handler: handler)
            let peer = try TestClient(port: harness.port)
            handler.locked { client.value = peer.descriptor }
            for round in 0..<20 {
                let message = [UInt8](repeating: UInt8(round), count: 64)
                XCTAssertTrue(peer.send(message), backend)
                XCTAssertEqual(peer.receive(count: message.count), message, backend)
            }
            let calls = handler.locked { sawBytesAlready.value }
            XCTAssertGreaterThanOrEqual(calls.count, 20, "\(backend): willSend ran for every turn that sent")
            XCTAssertFalse(calls.contains(true), "\(backend): bytes reached the peer before willSend")
            XCTAssertNil(harness.stop(), backend)
        }
    }
}
