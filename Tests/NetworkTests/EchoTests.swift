import Network
import XCTest
import TestSupport

/// Bytes in and out with real loopback sockets, on every backend.
final class EchoTests: XCTestCase {
    /// A handler that sends back whatever it receives and counts refusals.
    static func echoHandler(refusals: Box<Int>) -> TestHandler {
        let handler = TestHandler()
        handler.onReceived = { connection, bytes, loop in
            if loop.send(connection, bytes) != .queued { refusals.value += 1 }
        }
        return handler
    }

    /// 50 clients at once, each sending 8–40 KB of its own bytes in random
    /// chunks of 1–3,000 bytes, interleaved; each gets exactly its bytes
    /// back. Then every client closes and the handler hears `closed` with
    /// `.peerClosed` once per connection.
    func testManyClientsGetTheirBytesBackExactly() throws {
        for configuration in TestBackends.all(NetworkConfiguration(maxConnections: 64)) {
            let backend = TestBackends.name(configuration)
            let refusals = Box(0)
            let harness = try LoopHarness(configuration, handler: Self.echoHandler(refusals: refusals))
            var random = TestRandom(seed: 11)
            let clients = try (0..<50).map { _ in try TestClient(port: harness.port) }
            let payloads = (0..<50).map { pattern(UInt64($0) + 100, count: random.next(in: 8_000...40_000)) }
            var offsets = [Int](repeating: 0, count: 50)
            while offsets.enumerated().contains(where: { $0.element < payloads[$0.offset].count }) {
                for index in 0..<50 where offsets[index] < payloads[index].count {
                    let length = Swift.min(random.next(in: 1...3_000), payloads[index].count - offsets[index])
                    XCTAssertTrue(clients[index].send(Array(payloads[index][offsets[index]..<offsets[index] + length])), backend)
                    offsets[index] += length
                }
            }
            for index in 0..<50 {
                let echoed = clients[index].receive(count: payloads[index].count)
                XCTAssertEqual(echoed.count, payloads[index].count, "\(backend): client \(index)")
                XCTAssertTrue(echoed == payloads[index], "\(backend): client \(index) got different bytes back")
            }
            XCTAssertEqual(harness.handler.opened.count, 50, backend)
            for client in clients { client.shutdownWrite() }
            XCTAssertTrue(waitUntil { harness.handler.closed.count == 50 }, "\(backend): closed \(harness.handler.closed.count) of 50")
            XCTAssertEqual(Set(harness.handler.closed.map(\.0)), Set(harness.handler.opened), backend)
            XCTAssertTrue(harness.handler.closed.allSatisfy { $0.1 == .peerClosed }, "\(backend): \(harness.handler.closed.map(\.1))")
            XCTAssertEqual(harness.onLoop { $0.connectionCount }, 0, backend)
            XCTAssertNil(harness.stop(), backend)
            XCTAssertEqual(refusals.value, 0, backend)
            XCTAssertEqual(harness.handler.closed.count, 50, "\(backend): no second report at shutdown")
        }
    }

    /// A length-prefixed protocol (2-byte big-endian length, then payload):
    /// the client sends frames cut at random points, one piece per send, so
    /// frames arrive split across reads and several per read. The handler
    /// reassembles each frame and answers with its length and a checksum.
    func testFramesSplitAcrossReadsAreReassembled() throws {
        for configuration in TestBackends.all(NetworkConfiguration(maxConnections: 4)) {
            let backend = TestBackends.name(configuration)
            let handler = TestHandler()
            let pendingBytes = Box<[UInt8]>([])
            handler.onReceived = { connection, bytes, loop in
                pendingBytes.value.append(contentsOf: bytes)
                while pendingBytes.value.count >= 2 {
                    let length = Int(pendingBytes.value[0]) << 8 | Int(pendingBytes.value[1])
                    guard pendingBytes.value.count >= 2 + length else { break }
                    let frame = pendingBytes.value[2..<2 + length]
                    let sum = frame.reduce(UInt32(0)) { $0 &* 31 &+ UInt32($1) }
                    var answer = [UInt8(length >> 8), UInt8(length & 0xFF)]
                    answer += [UInt8(sum >> 24), UInt8((sum >> 16) & 0xFF), UInt8((sum >> 8) & 0xFF), UInt8(sum & 0xFF)]
                    _ = answer.withUnsafeBytes { loop.send(connection, $0) }
                    pendingBytes.value.removeFirst(2 + length)
                }
            }
            let harness = try LoopHarness(configuration, handler: handler)
            let client = try TestClient(port: harness.port)
            var random = TestRandom(seed: 5)
            var stream: [UInt8] = []
            var expected: [UInt8] = []
            for frameIndex in 0..<200 {
                let frame = pattern(UInt64(frameIndex), count: random.next(in: 0...700))
                stream += [UInt8(frame.count >> 8), UInt8(frame.count & 0xFF)] + frame
                let sum = frame.reduce(UInt32(0)) { $0 &* 31 &+ UInt32($1) }
                expected += [UInt8(frame.count >> 8), UInt8(frame.count & 0xFF)]
                expected += [UInt8(sum >> 24), UInt8((sum >> 16) & 0xFF), UInt8((sum >> 8) & 0xFF), UInt8(sum & 0xFF)]
            }
            var offset = 0
            while offset < stream.count {
                let length = Swift.min(random.next(in: 1...900), stream.count - offset)
                client.send(Array(stream[offset..<offset + length]))
                offset += length
                if random.next(in: 1...4) == 1 { usleep(200) }  // let some pieces arrive alone
            }
            let answers = client.receive(count: expected.count)
            XCTAssertTrue(answers == expected, "\(backend): \(answers.count) of \(expected.count) answer bytes, or different ones")
            XCTAssertNil(harness.stop(), backend)
        }
    }
}
