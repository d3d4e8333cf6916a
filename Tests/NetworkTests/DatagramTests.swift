import Foundation
import Network
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// UDP endpoints of a loop (`openDatagram`, `sendDatagram`) and listeners with their own
/// handler, on every backend, over real loopback sockets.
final class DatagramTests: XCTestCase {
    /// Answers every datagram with the same bytes, reversed, to its sender.
    final class ReversingEcho: DatagramHandler, @unchecked Sendable {
        let lock = NSLock()
        private var _peers: [DatagramAddress] = []
        var peers: [DatagramAddress] { lock.lock(); defer { lock.unlock() }; return _peers }

        func received(datagram bytes: UnsafeRawBufferPointer, from peer: DatagramAddress, endpoint: DatagramEndpointID, loop: NetworkLoop) {
            lock.lock()
            _peers.append(peer)
            lock.unlock()
            let reversed = Array(bytes.reversed())
            reversed.withUnsafeBytes { _ = loop.sendDatagram(endpoint, to: peer, $0) }
        }
    }

    func testAnEndpointAnswersEachDatagramToItsSender() throws {
        for configuration in TestBackends.all(NetworkConfiguration(maxConnections: 4)) {
            let name = TestBackends.name(configuration)
            let harness = try LoopHarness(configuration)
            let echo = ReversingEcho()
            let opened = harness.onLoop { loop -> (DatagramEndpointID, UInt16)? in
                guard let id = try? loop.openDatagram(DatagramOptions(bindHost: "127.0.0.1", bindPort: 0), handler: echo) else { return nil }
                return (id, loop.localPort(of: id))
            }
            let (_, port) = try XCTUnwrap(opened ?? nil, name)
            XCTAssertNotEqual(port, 0, name)
            let client = try UDPTestSocket()
            for i in 0..<200 {
                let message = Array("datagram \(i) of 200".utf8)
                client.send(message, toPort: port)
                let answer = try XCTUnwrap(client.receive(), "\(name): no answer to datagram \(i)")
                XCTAssertEqual(answer.bytes, Array(message.reversed()), name)
                XCTAssertEqual(answer.fromPort, port, name)
            }
            XCTAssertEqual(echo.peers.count, 200, name)
            XCTAssertEqual(echo.peers.first?.port, client.port, name)
            XCTAssertEqual(echo.peers.first?.hostOrderAddress, 0x7F00_0001, name)
            let statistics = harness.onLoop { $0.statistics }
            XCTAssertEqual(statistics?.datagramsReceived, 200, name)
            XCTAssertTrue(waitUntil { harness.onLoop { $0.statistics.datagramsSent } == 200 }, name)
            XCTAssertNil(harness.stop(), name)
        }
    }

    func testASenderOnlyEndpointReachesAPeerAndRefusesWhatItCannotSend() throws {
        for configuration in TestBackends.all(NetworkConfiguration(maxConnections: 4)) {
            let name = TestBackends.name(configuration)
            let harness = try LoopHarness(configuration)
            let client = try UDPTestSocket()
            let peer = try XCTUnwrap(DatagramAddress(host: "127.0.0.1", port: client.port))
            let results = harness.onLoop { loop -> [DatagramSendResult] in
                guard let id = try? loop.openDatagram(DatagramOptions(maximumDatagramBytes: 64, sendSlots: 8)) else { return [] }
                var results: [DatagramSendResult] = []
                for i in 0..<3 {
                    results.append(Array("packet \(i)".utf8).withUnsafeBytes { loop.sendDatagram(id, to: peer, $0) })
                }
                results.append([UInt8](repeating: 1, count: 65).withUnsafeBytes { loop.sendDatagram(id, to: peer, $0) })
                results.append([UInt8](repeating: 1, count: 4).withUnsafeBytes {
                    loop.sendDatagram(DatagramEndpointID(rawValue: 9), to: peer, $0)
                })
                loop.closeDatagram(id)
                results.append([UInt8](repeating: 1, count: 4).withUnsafeBytes { loop.sendDatagram(id, to: peer, $0) })
                return results
            }
            XCTAssertEqual(results, [.sent, .sent, .sent, .tooLarge, .unknownEndpoint, .unknownEndpoint], name)
            // Closing the endpoint right after queueing still lets what was queued go out.
            for i in 0..<3 {
                XCTAssertEqual(client.receive()?.bytes, Array("packet \(i)".utf8), "\(name): packet \(i)")
            }
            XCTAssertNil(harness.stop(), name)
        }
    }

    /// io_uring: a datagram waits in a send slot until its completion; with one slot, ten
    /// sends in one turn: the first is queued, the other nine go behind it directly, and
    /// all ten arrive in order.
    func testSendsBeyondTheFreeSlotsGoStraightToTheKernelInOrder() throws {
        let configurations = TestBackends.all(NetworkConfiguration(maxConnections: 4)).filter { $0.backend == .ioUring }
        try XCTSkipIf(configurations.isEmpty, "io_uring is not available here")
        let harness = try LoopHarness(configurations[0])
        let client = try UDPTestSocket()
        let peer = try XCTUnwrap(DatagramAddress(host: "127.0.0.1", port: client.port))
        let results = harness.onLoop { loop -> [DatagramSendResult] in
            guard let id = try? loop.openDatagram(DatagramOptions(sendSlots: 1)) else { return [] }
            return (0..<10).map { i in Array("p\(i)".utf8).withUnsafeBytes { loop.sendDatagram(id, to: peer, $0) } }
        }
        XCTAssertEqual(results, Array(repeating: .sent, count: 10))
        for i in 0..<10 {
            XCTAssertEqual(client.receive()?.bytes, Array("p\(i)".utf8), "datagram \(i)")
        }
        XCTAssertTrue(waitUntil { harness.onLoop { $0.statistics.datagramsSent } == 10 })
        XCTAssertEqual(harness.onLoop { $0.statistics.datagramsDropped }, 0)
        XCTAssertNil(harness.stop())
    }

    func testAListenerWithItsOwnHandlerKeepsItsConnectionsFromTheLoopsHandler() throws {
        for configuration in TestBackends.all(NetworkConfiguration(maxConnections: 4)) {
            let name = TestBackends.name(configuration)
            let harness = try LoopHarness(configuration)
            let own = TestHandler()
            own.onReceived = { connection, bytes, loop in _ = loop.send(connection, bytes) }
            let port = try XCTUnwrap(harness.onLoop { loop -> UInt16? in
                guard let listener = try? loop.listen(host: "127.0.0.1", port: 0, handler: own) else { return nil }
                return loop.localPort(of: listener)
            } ?? nil, name)
            let client = try TestClient(port: port)
            client.send(Array("ping".utf8))
            XCTAssertEqual(client.receive(count: 4), Array("ping".utf8), name)
            shutdown(client.descriptor, Int32(SHUT_RDWR))
            XCTAssertTrue(waitUntil { own.closed.count == 1 }, name)
            XCTAssertEqual(own.opened.count, 1, name)
            XCTAssertEqual(own.bytesReceived, 4, name)
            XCTAssertEqual(harness.handler.opened.count, 0, name)
            XCTAssertEqual(harness.handler.bytesReceived, 0, name)
            XCTAssertEqual(harness.handler.closed.count, 0, name)
            XCTAssertNil(harness.stop(), name)
        }
    }
}

/// A blocking UDP socket on 127.0.0.1 with a 10 s receive timeout.
final class UDPTestSocket {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestClient.ClientError.call("socket", errno) }
        self.descriptor = descriptor
        var timeout = timeval(tv_sec: Int(generousDeadline), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TestClient.ClientError.call("bind", errno) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(descriptor) }

    func send(_ bytes: [UInt8], toPort port: UInt16) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        _ = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// One datagram and its sender's port; nil after the timeout.
    func receive() -> (bytes: [UInt8], fromPort: UInt16)? {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var from = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let n = buffer.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(descriptor, raw.baseAddress, raw.count, 0, $0, &length) }
            }
        }
        guard n >= 0 else { return nil }
        return (Array(buffer[0..<n]), UInt16(bigEndian: from.sin_port))
    }
}
