import Network
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Opening, closing and identifiers with real loopback sockets, on every
/// backend.
final class ConnectionLifecycleTests: XCTestCase {
    /// With one slot: a connection closes, the next takes the same slot
    /// with a new generation, and the first identifier is refused by `send`
    /// and `close` while the second works.
    func testAStaleIdentifierIsRefusedAfterItsSlotIsReused() throws {
        for configuration in TestBackends.all(NetworkConfiguration(maxConnections: 1)) {
            let backend = TestBackends.name(configuration)
            let harness = try LoopHarness(configuration)
            var first: TestClient? = try TestClient(port: harness.port)
            XCTAssertTrue(waitUntil { harness.handler.opened.count == 1 }, backend)
            let stale = harness.handler.opened[0]
            first = nil  // closes the socket
            XCTAssertTrue(waitUntil { harness.handler.closed.count == 1 }, backend)
            XCTAssertEqual(harness.onLoop { $0.connectionCount }, 0, "\(backend): the slot is free again")
            XCTAssertNil(first)

            let second = try TestClient(port: harness.port)
            XCTAssertTrue(waitUntil { harness.handler.opened.count == 2 }, backend)
            let fresh = harness.handler.opened[1]
            XCTAssertEqual(fresh.slot, stale.slot, backend)
            XCTAssertNotEqual(fresh, stale, backend)

            let results = harness.onLoop { loop -> [String] in
                let staleSend = [UInt8]("stale".utf8).withUnsafeBytes { loop.send(stale, $0) }
                let staleClose = loop.close(stale)
                let freshSend = [UInt8]("fresh".utf8).withUnsafeBytes { loop.send(fresh, $0) }
                let stalePending = loop.pendingOutputBytes(of: stale).map { "\($0)" } ?? "nil"
                return ["\(staleSend)", "\(staleClose)", "\(freshSend)", "\(loop.isOpen(stale))", "\(loop.isOpen(fresh))", stalePending]
            }
            XCTAssertEqual(results, ["unknownConnection", "unknownConnection", "queued", "false", "true", "nil"], backend)
            XCTAssertEqual(second.receive(count: 5), [UInt8]("fresh".utf8), backend)
            XCTAssertNil(harness.stop(), backend)
            XCTAssertEqual(harness.handler.closeReasons(of: fresh), [.loopShutdown], backend)
        }
    }

    /// Three slots, five clients: the last two are accepted and closed at
    /// once without the handler hearing of them; the first three are served.
    func testConnectionsBeyondMaxConnectionsAreClosedAtOnce() throws {
        for configuration in TestBackends.all(NetworkConfiguration(maxConnections: 3)) {
            let backend = TestBackends.name(configuration)
            let handler = TestHandler()
            handler.onReceived = { connection, bytes, loop in _ = loop.send(connection, bytes) }
            let harness = try LoopHarness(configuration, handler: handler)
            let admitted = try (0..<3).map { _ in try TestClient(port: harness.port) }
            XCTAssertTrue(waitUntil { harness.handler.opened.count == 3 }, backend)
            let refused = try (0..<2).map { _ in try TestClient(port: harness.port) }
            for client in refused {
                let (bytes, ending) = client.receiveUntilClosed()
                XCTAssertEqual(bytes, [], backend)
                XCTAssertTrue(ending == .endOfStream || ending == .error(ECONNRESET), "\(backend): \(ending)")
            }
            XCTAssertEqual(harness.onLoop { $0.statistics.rejectedConnections }, 2, backend)
            XCTAssertEqual(harness.handler.opened.count, 3, backend)
            XCTAssertEqual(harness.handler.closed.count, 0, backend)
            for (index, client) in admitted.enumerated() {
                let message = pattern(UInt64(index), count: 100)
                client.send(message)
                XCTAssertEqual(client.receive(count: 100), message, backend)
            }
            XCTAssertNil(harness.stop(), backend)
        }
    }

    /// A peer that sends and closes: its bytes arrive, then `closed` with
    /// `.peerClosed`, once. A peer that resets: `closed` once, with
    /// `.peerClosed` or a receive error (ECONNRESET), whichever the kernel
    /// reports first.
    func testPeerCloseAndResetAreReportedOnce() throws {
        for configuration in TestBackends.all(NetworkConfiguration(maxConnections: 4)) {
            let backend = TestBackends.name(configuration)
            let harness = try LoopHarness(configuration)
            let closing = try TestClient(port: harness.port)
            XCTAssertTrue(waitUntil { harness.handler.opened.count == 1 }, backend)
            closing.send([UInt8]("goodbye".utf8))
            closing.shutdownWrite()
            XCTAssertTrue(waitUntil { harness.handler.closed.count == 1 }, backend)
            XCTAssertEqual(harness.handler.bytesReceived, 7, backend)
            XCTAssertEqual(harness.handler.closeReasons(of: harness.handler.opened[0]), [.peerClosed], backend)

            let resetting = try TestClient(port: harness.port)
            XCTAssertTrue(waitUntil { harness.handler.opened.count == 2 }, backend)
            resetting.reset()
            XCTAssertTrue(waitUntil { harness.handler.closed.count == 2 }, backend)
            let reasons = harness.handler.closeReasons(of: harness.handler.opened[1])
            XCTAssertEqual(reasons.count, 1, backend)
            XCTAssertTrue(reasons == [.peerClosed] || reasons == [.receiveFailed(errno: ECONNRESET)], "\(backend): \(reasons)")

            XCTAssertNil(harness.stop(), backend)
            XCTAssertEqual(harness.handler.closed.count, 2, "\(backend): nothing reported twice at shutdown")
        }
    }

    /// Stopping the loop: every connection gets what was queued for it,
    /// then end of stream; the handler hears `.loopShutdown` once for each;
    /// the listener is closed.
    func testStopFlushesQueuedOutputAndClosesEverything() throws {
        for configuration in TestBackends.all(NetworkConfiguration(maxConnections: 16)) {
            let backend = TestBackends.name(configuration)
            let harness = try LoopHarness(configuration)
            let clients = try (0..<10).map { _ in try TestClient(port: harness.port) }
            XCTAssertTrue(waitUntil { harness.handler.opened.count == 10 }, backend)
            let goodbye = pattern(9, count: 20_000)
            let results = harness.onLoop { loop in
                harness.handler.opened.map { id in goodbye.withUnsafeBytes { loop.send(id, $0) } }
            }
            XCTAssertEqual(results, [SendResult](repeating: .queued, count: 10), backend)
            XCTAssertNil(harness.stop(), backend)
            for client in clients {
                let (bytes, ending) = client.receiveUntilClosed()
                XCTAssertTrue(bytes == goodbye, "\(backend): \(bytes.count) bytes")
                XCTAssertEqual(ending, .endOfStream, backend)
            }
            XCTAssertEqual(harness.handler.closed.count, 10, backend)
            XCTAssertEqual(Set(harness.handler.closed.map(\.0)), Set(harness.handler.opened), backend)
            XCTAssertTrue(harness.handler.closed.allSatisfy { $0.1 == .loopShutdown }, backend)
            XCTAssertThrowsError(try TestClient(port: harness.port), "\(backend): the listener is closed")
        }
    }

    /// `close` from the handler right after a large `send`: the client gets
    /// every byte, then end of stream; the identifier is refused afterwards;
    /// `closed` comes after the callback that closed, with `.closedByHandler`.
    func testHandlerCloseWritesWhatWasQueuedFirst() throws {
        for configuration in TestBackends.all(NetworkConfiguration(maxConnections: 4, maxSendBufferBytes: 1 << 20)) {
            let backend = TestBackends.name(configuration)
            let handler = TestHandler()
            let payload = pattern(77, count: 600_000)
            let observed = Box<[String]>([])
            handler.onReceived = { connection, _, loop in
                let sent = payload.withUnsafeBytes { loop.send(connection, $0) }
                let pending = loop.pendingOutputBytes(of: connection) ?? -1
                let closing = loop.close(connection)
                let again = loop.close(connection)
                let late = [UInt8(1)].withUnsafeBytes { loop.send(connection, $0) }
                observed.value = ["\(sent)", "\(pending)", "\(closing)", "\(again)", "\(late)", "\(handler.closed.count)"]
            }
            let harness = try LoopHarness(configuration, handler: handler)
            let client = try TestClient(port: harness.port)
            client.send([1])
            let (bytes, ending) = client.receiveUntilClosed()
            XCTAssertTrue(bytes == payload, "\(backend): \(bytes.count) of \(payload.count) bytes")
            XCTAssertEqual(ending, .endOfStream, backend)
            XCTAssertTrue(waitUntil { handler.closed.count == 1 }, backend)
            XCTAssertEqual(observed.value, ["queued", "\(payload.count)", "closing", "alreadyClosing", "closed", "0"], backend)
            XCTAssertEqual(handler.closeReasons(of: handler.opened[0]), [.closedByHandler], backend)
            XCTAssertNil(harness.stop(), backend)
        }
    }

    /// A graceful close to a client that never reads: the queued output
    /// cannot all be written, so after `closeLingerMilliseconds` the rest is
    /// discarded and the socket closed; the slot comes free. The handler
    /// heard `closed` when it closed.
    func testAGracefulCloseGivesUpAfterTheLinger() throws {
        // More than the kernel's socket buffers can take (tcp_wmem's maximum
        // is 4 MB here); a 64 KB block repeated, to keep a debug build quick.
        let base = NetworkConfiguration(maxConnections: 2, maxSendBufferBytes: 8 << 20, closeLingerMilliseconds: 200)
        let block = pattern(8, count: 65_536)
        var payload = [UInt8](repeating: 0, count: 128 * block.count)
        payload.withUnsafeMutableBytes { target in
            block.withUnsafeBytes { source in
                for index in 0..<128 { (target.baseAddress! + index * source.count).copyMemory(from: source.baseAddress!, byteCount: source.count) }
            }
        }
        for configuration in TestBackends.all(base) {
            let backend = TestBackends.name(configuration)
            let harness = try LoopHarness(configuration)
            let client = try TestClient(port: harness.port, receiveBufferSize: 4_096)
            XCTAssertTrue(waitUntil { harness.handler.opened.count == 1 }, backend)
            let id = harness.handler.opened[0]
            let results = harness.onLoop { loop -> [String] in
                let sent = payload.withUnsafeBytes { loop.send(id, $0) }
                return ["\(sent)", "\(loop.close(id))"]
            }
            XCTAssertEqual(results, ["queued", "closing"], backend)
            XCTAssertTrue(waitUntil { harness.handler.closed.count == 1 }, backend)
            XCTAssertTrue(waitUntil { harness.onLoop { $0.connectionCount } == 0 }, "\(backend): the slot was never released")
            let (bytes, ending) = client.receiveUntilClosed()
            XCTAssertLessThan(bytes.count, payload.count, "\(backend): a client that did not read cannot have got everything")
            let isPrefix = bytes.withUnsafeBytes { got in payload.withUnsafeBytes { memcmp(got.baseAddress!, $0.baseAddress!, got.count) == 0 } }
            XCTAssertTrue(isPrefix, "\(backend): what arrived is a prefix of what was sent")
            XCTAssertNotEqual(ending, .timedOut, backend)
            XCTAssertEqual(harness.handler.closeReasons(of: id), [.closedByHandler], backend)
            XCTAssertNil(harness.stop(), backend)
        }
    }

    func testIdentifiersThatWereNeverIssuedAreRefused() throws {
        let harness = try LoopHarness(NetworkConfiguration(maxConnections: 2))
        let results = harness.onLoop { loop in
            [
                [UInt8(1)].withUnsafeBytes { loop.send(ConnectionID(rawValue: 0), $0) },
                [UInt8(1)].withUnsafeBytes { loop.send(ConnectionID(rawValue: 1 << 16 | 5), $0) },
            ]
        }
        XCTAssertEqual(results, [.unknownConnection, .unknownConnection])
        XCTAssertEqual(harness.onLoop { $0.close(ConnectionID(rawValue: 1 << 16)) }, .unknownConnection)
        XCTAssertNil(harness.stop())
    }
}
