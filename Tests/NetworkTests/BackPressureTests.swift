import Foundation
import Network
import Rings
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A slow client is disconnected, never waited for; paused reading makes
/// TCP push back and loses nothing. Every backend.
final class BackPressureTests: XCTestCase {
    /// One client asks for a flood ("F") and never reads, with a tiny receive
    /// buffer; the handler sends it 16 KB per `send` every turn. Once the
    /// kernel's buffers are full its pending output passes
    /// `maxSendBufferBytes` and it is closed with `.slowConsumer`. Meanwhile
    /// and afterwards another client's echo round trips are served.
    func testASlowClientIsDisconnectedWhileAnotherIsServed() throws {
        for configuration in TestBackends.all(NetworkConfiguration(maxConnections: 8, maxSendBufferBytes: 65_536)) {
            let backend = TestBackends.name(configuration)
            let handler = TestHandler()
            let flooded = Box<ConnectionID?>(nil)
            let sendResults = Box<[SendResult]>([])
            let chunk = pattern(3, count: 16_384)
            handler.onReceived = { connection, bytes, loop in
                if bytes.first == UInt8(ascii: "F") {
                    flooded.value = connection
                } else {
                    _ = loop.send(connection, bytes)
                }
            }
            handler.onTurn = { loop in
                guard let target = flooded.value else { return false }
                for _ in 0..<8 {
                    let result = chunk.withUnsafeBytes { loop.send(target, $0) }
                    if result != .queued {
                        sendResults.value.append(result)
                        flooded.value = nil
                        break
                    }
                }
                return true
            }
            let harness = try LoopHarness(configuration, handler: handler)
            let slow = try TestClient(port: harness.port, receiveBufferSize: 4_096)
            let fast = try TestClient(port: harness.port)
            XCTAssertTrue(waitUntil { handler.opened.count == 2 }, backend)
            let slowID = handler.opened[0]
            slow.send([UInt8(ascii: "F")])
            var round = 0
            while handler.closeReasons(of: slowID).isEmpty && round < 100_000 {
                var message = pattern(UInt64(round), count: 32)
                message[0] = UInt8(ascii: "E")  // never the flood request
                fast.send(message)
                XCTAssertEqual(fast.receive(count: 32), message, "\(backend): round \(round)")
                round += 1
            }
            XCTAssertTrue(waitUntil { !handler.closeReasons(of: slowID).isEmpty }, backend)
            XCTAssertEqual(handler.closeReasons(of: slowID), [.slowConsumer], backend)
            XCTAssertEqual(sendResults.value, [.slowConsumer], backend)
            for extra in 0..<100 {
                var message = pattern(UInt64(1_000_000 + extra), count: 64)
                message[0] = UInt8(ascii: "E")
                fast.send(message)
                XCTAssertEqual(fast.receive(count: 64), message, backend)
            }
            XCTAssertEqual(harness.onLoop { $0.statistics.slowConsumerDisconnects }, 1, backend)
            XCTAssertTrue(handler.closeReasons(of: handler.opened[1]).isEmpty, "\(backend): the fast client stays connected")
            XCTAssertNil(harness.stop(), backend)
        }
    }

    /// Counts bytes per connection and checks each against the pattern the
    /// client sends, so nothing has to be stored.
    final class PatternChecker: @unchecked Sendable {
        let lock = NSLock()
        var position = 0
        var mismatches = 0

        func check(_ bytes: UnsafeRawBufferPointer, seed: UInt64) {
            lock.lock()
            defer { lock.unlock() }
            for byte in bytes {
                if byte != patternByte(seed, position) { mismatches += 1 }
                position += 1
            }
        }

        var snapshot: (position: Int, mismatches: Int) {
            lock.lock()
            defer { lock.unlock() }
            return (position, mismatches)
        }
    }

    /// Reading paused before a client sends 2 MB: nothing is delivered while
    /// paused, and the client's sender blocks (TCP pushes back: the loop's
    /// socket buffer, 128 KB to start with, does not grow while the
    /// application does not read). Resumed: every byte arrives, in order.
    /// Then 1 MB more while the handler flips pausing on and off every turn:
    /// still every byte, in order.
    func testPausedReadingStopsDeliveryAndResumingDeliversEverything() throws {
        let base = NetworkConfiguration(maxConnections: 4, receiveBufferSize: 4_096, receiveBufferCount: 8)
        for configuration in TestBackends.all(base) {
            let backend = TestBackends.name(configuration)
            let handler = TestHandler()
            let checker = PatternChecker()
            let flipping = Box(false)
            handler.onReceived = { _, bytes, _ in checker.check(bytes, seed: 42) }
            handler.onTurn = { loop in
                guard flipping.value else { return false }
                loop.setReadingPaused(!loop.isReadingPaused)
                return true
            }
            let harness = try LoopHarness(configuration, handler: handler)
            let client = try TestClient(port: harness.port, sendBufferSize: 65_536)
            XCTAssertTrue(waitUntil { handler.opened.count == 1 }, backend)
            XCTAssertEqual(harness.onLoop { loop -> Bool in
                loop.setReadingPaused(true)
                return loop.isReadingPaused
            }, true, backend)

            let total = 2 << 20
            let second = 1 << 20
            let sent = Box(0)
            let sentLock = NSLock()
            let sender = try PinnedThread.start(name: "test-sender") {
                var offset = 0
                let piece = 65_536
                while offset < total + second {
                    let bytes = pattern(42, count: piece, from: offset)
                    guard client.send(bytes) else { return }
                    offset += piece
                    sentLock.lock()
                    sent.value = offset
                    sentLock.unlock()
                    if offset == total {
                        // The second half waits until the first was read.
                        while checker.snapshot.position < total { usleep(1_000) }
                    }
                }
            }
            func sentSoFar() -> Int {
                sentLock.lock()
                defer { sentLock.unlock() }
                return sent.value
            }

            // Paused: give the sender time to run into TCP's back-pressure.
            usleep(300_000)
            XCTAssertEqual(checker.snapshot.position, 0, "\(backend): bytes were delivered while reading was paused")
            XCTAssertLessThan(sentSoFar(), total, "\(backend): the sender was never held back")

            harness.onLoop { $0.setReadingPaused(false) }
            XCTAssertTrue(waitUntil(seconds: 30) { checker.snapshot.position >= total }, "\(backend): \(checker.snapshot.position) of \(total) bytes")

            flipping.value = true
            XCTAssertTrue(waitUntil(seconds: 30) { checker.snapshot.position >= total + second }, "\(backend): \(checker.snapshot.position) of \(total + second) bytes")
            flipping.value = false
            sender.join()
            let result = checker.snapshot
            XCTAssertEqual(result.position, total + second, backend)
            XCTAssertEqual(result.mismatches, 0, "\(backend): bytes out of order or changed")
            harness.onLoop { $0.setReadingPaused(false) }
            XCTAssertNil(harness.stop(), backend)
        }
    }
    /// A client sends 100 KB and closes while reading is paused: nothing is
    /// delivered and no close is reported while paused (the end of stream
    /// waits behind the bytes); resumed, all bytes arrive in order and then
    /// `closed` with `.peerClosed`, once.
    func testTheEndOfStreamWaitsBehindBytesHeldWhilePaused() throws {
        let base = NetworkConfiguration(maxConnections: 2, receiveBufferSize: 4_096, receiveBufferCount: 64)
        for configuration in TestBackends.all(base) {
            let backend = TestBackends.name(configuration)
            let handler = TestHandler()
            let checker = PatternChecker()
            handler.onReceived = { _, bytes, _ in checker.check(bytes, seed: 21) }
            let harness = try LoopHarness(configuration, handler: handler)
            let client = try TestClient(port: harness.port)
            XCTAssertTrue(waitUntil { handler.opened.count == 1 }, backend)
            harness.onLoop { $0.setReadingPaused(true) }
            let total = 100_000
            XCTAssertTrue(client.send(pattern(21, count: total)), backend)
            client.shutdownWrite()
            usleep(200_000)
            XCTAssertEqual(checker.snapshot.position, 0, "\(backend): delivered while paused")
            XCTAssertEqual(handler.closed.count, 0, "\(backend): the close overtook the bytes")
            harness.onLoop { $0.setReadingPaused(false) }
            XCTAssertTrue(waitUntil { handler.closed.count == 1 }, backend)
            XCTAssertEqual(checker.snapshot.position, total, backend)
            XCTAssertEqual(checker.snapshot.mismatches, 0, backend)
            XCTAssertEqual(handler.closeReasons(of: handler.opened[0]), [.peerClosed], backend)
            XCTAssertNil(harness.stop(), backend)
        }
    }
}
