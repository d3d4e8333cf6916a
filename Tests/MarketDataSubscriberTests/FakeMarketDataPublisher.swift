import Foundation
import GatewayCore
import MarketData
import MarketDataSubscriber
import XCTest
import SoupBinTCP

#if canImport(Glibc)
import Glibc
#endif

/// A socket the fake venue owns; closed on deinit.
private func udpSocket(bindPort: UInt16 = 0) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    precondition(fd >= 0, "socket failed: \(errno)")
    var address = sockaddr_in(IPv4Endpoint(host: "127.0.0.1", port: bindPort)!)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    precondition(bound == 0, "bind failed: \(errno)")
    return fd
}

private func localPort(_ fd: Int32) -> UInt16 {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return UInt16(bigEndian: address.sin_port)
}

extension sockaddr_in {
    init(_ endpoint: IPv4Endpoint) {
        self.init()
        sin_family = sa_family_t(AF_INET)
        sin_port = endpoint.port.bigEndian
        sin_addr = in_addr(s_addr: endpoint.address.bigEndian)
    }
}

private func sendDatagram(_ fd: Int32, _ bytes: [UInt8], to address: sockaddr_in) {
    var address = address
    let sent = bytes.withUnsafeBytes { buffer in
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }
    precondition(sent == bytes.count, "sendto failed: \(errno)")
}

/// The venue's market-data side in miniature, written with the MarketData codecs:
/// a multicast sender, a unicast retransmission responder and a SoupBinTCP snapshot
/// server on port 0. Keeps every message it has "published" (sent or not), so that
/// the retransmission responder can answer for messages a subscriber never saw.
///
/// The test thread publishes; the responder and the snapshot server each run on a
/// thread of their own. Shared state is behind `lock`.
final class FakeMarketDataPublisher: @unchecked Sendable {
    let session: MoldUDP64Session
    let group: IPv4Endpoint
    let lock = NSLock()
    /// Message n (1-based) is `log[n - 1]`. Written by the test thread under `lock`.
    private var log: [ITCHMessage] = []
    /// Requests the responder received. Written by the responder thread under `lock`.
    private var requestsSeen: [MoldUDP64Request] = []
    /// The snapshot request's payload, once received.
    private var snapshotRequestSeen: [UInt8]?
    /// The most messages one retransmission answer carries (the venue's cap).
    let retransmissionCap: Int
    /// When false the responder reads requests and answers none.
    let answersRequests: Bool

    private let sender: Int32
    private let responder: Int32
    private var listener: Int32 = -1
    private let stopped = NSCondition()
    private var stopping = false
    private var running = 0

    init(group: IPv4Endpoint, session: MoldUDP64Session = testSession, retransmissionCap: Int = 1000,
         answersRequests: Bool = true) {
        self.group = group
        self.session = session
        self.retransmissionCap = retransmissionCap
        self.answersRequests = answersRequests
        sender = udpSocket()
        var interface = in_addr(s_addr: IPv4Endpoint.parseAddress("127.0.0.1")!.bigEndian)
        setsockopt(sender, Int32(IPPROTO_IP), IP_MULTICAST_IF, &interface, socklen_t(MemoryLayout<in_addr>.size))
        var ttl: UInt8 = 1
        setsockopt(sender, Int32(IPPROTO_IP), IP_MULTICAST_TTL, &ttl, 1)
        var loop: UInt8 = 1
        setsockopt(sender, Int32(IPPROTO_IP), IP_MULTICAST_LOOP, &loop, 1)
        responder = udpSocket()
        start { $0.respond() }
    }

    /// Stops the responder and snapshot threads and waits for them (they hold the
    /// publisher, so it cannot go away before this).
    func stop() {
        stopped.lock()
        stopping = true
        while running > 0 { stopped.wait() }
        stopped.unlock()
    }

    deinit {
        close(sender)
        close(responder)
        if listener >= 0 { close(listener) }
    }

    /// Where the retransmission responder listens.
    var retransmissionEndpoint: IPv4Endpoint { IPv4Endpoint(host: "127.0.0.1", port: localPort(responder))! }

    var requests: [MoldUDP64Request] { lock.withLock { requestsSeen } }
    var snapshotRequest: [UInt8]? { lock.withLock { snapshotRequestSeen } }

    private var isStopping: Bool { stopped.withLock { stopping } }

    private func start(_ body: @escaping @Sendable (FakeMarketDataPublisher) -> Void) {
        stopped.withLock { running += 1 }
        Thread.detachNewThread { [self] in
            body(self)
            stopped.withLock {
                running -= 1
                stopped.broadcast()
            }
        }
    }

    // MARK: Feed

    /// Adds `messages` to the log without sending them: what a subscriber that
    /// joined later missed. Returns the sequence number of the first.
    @discardableResult
    func record(_ messages: [ITCHMessage]) -> UInt64 {
        lock.withLock {
            log.append(contentsOf: messages)
            return UInt64(log.count - messages.count + 1)
        }
    }

    /// Logs `messages` and sends them to the group, `perPacket` to a packet.
    func publish(_ messages: [ITCHMessage], perPacket: Int) {
        var first = record(messages)
        for chunk in stride(from: 0, to: messages.count, by: perPacket) {
            let slice = Array(messages[chunk..<min(chunk + perPacket, messages.count)])
            sendDatagram(sender, packet(first, slice, session: session), to: sockaddr_in(group))
            first += UInt64(slice.count)
        }
    }

    var nextSequenceNumber: UInt64 { lock.withLock { UInt64(log.count + 1) } }

    func sendHeartbeat() {
        sendDatagram(sender, MoldUDP64Header.heartbeat(session: session, nextSequenceNumber: nextSequenceNumber).encodedBytes,
                     to: sockaddr_in(group))
    }

    func sendEndOfSession() {
        sendDatagram(sender, MoldUDP64Header.endOfSession(session: session, nextSequenceNumber: nextSequenceNumber).encodedBytes,
                     to: sockaddr_in(group))
    }

    // MARK: Retransmission

    /// Answers each request with ordinary downstream packets sent to the requester.
    private func respond() {
        var buffer = [UInt8](repeating: 0, count: 2048)
        while !isStopping {
            var entry = pollfd(fd: responder, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 20) > 0 else { continue }
            var from = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let count = buffer.withUnsafeMutableBytes { raw in
                withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(responder, raw.baseAddress, raw.count, 0, $0, &length)
                    }
                }
            }
            guard count > 0, let request = try? buffer.withUnsafeBytes({
                try MoldUDP64Request(decoding: UnsafeRawBufferPointer(rebasing: $0[0..<count]))
            }) else { continue }
            let answer: [ITCHMessage] = lock.withLock {
                requestsSeen.append(request)
                guard answersRequests, request.session == session, request.sequenceNumber >= 1 else { return [] }
                let first = Int(request.sequenceNumber) - 1
                let end = min(log.count, first + min(Int(request.requestedMessageCount), retransmissionCap))
                return first < end ? Array(log[first..<end]) : []
            }
            let builder = MoldUDP64PacketBuilder(session: session)
            var next = request.sequenceNumber
            builder.begin(sequenceNumber: next)
            for message in answer {
                if !builder.append(message) {
                    sendDatagram(responder, Array(builder.packet), to: from)
                    builder.begin(sequenceNumber: next)
                    _ = builder.append(message)
                }
                next += 1
            }
            if !builder.isEmpty { sendDatagram(responder, Array(builder.packet), to: from) }
        }
    }

    // MARK: Snapshot

    /// Starts a SoupBinTCP snapshot server on 127.0.0.1:0 that serves one client:
    /// Login Accepted, then `messages` and Snapshot Complete `last` as Sequenced Data,
    /// then End of Session and a close. Returns its endpoint.
    func serveSnapshot(_ messages: [ITCHMessage], last: UInt64) -> IPv4Endpoint {
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in(IPv4Endpoint(host: "127.0.0.1", port: 0)!)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        precondition(listen(listener, 4) == 0)
        let endpoint = IPv4Endpoint(host: "127.0.0.1", port: localPort(listener))!
        start { $0.serveOneSnapshot(messages + [snapshotComplete(last)]) }
        return endpoint
    }

    private func serveOneSnapshot(_ messages: [ITCHMessage]) {
        var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        while !isStopping && poll(&entry, 1, 20) <= 0 {}
        guard !isStopping else { return }
        let client = accept(listener, nil, nil)
        guard client >= 0 else { return }
        defer { close(client) }
        var reader = SoupBinTCPStreamReader(direction: .clientToServer)
        var scratch = [UInt8](repeating: 0, count: 4096)
        func nextPacket() -> (type: UInt8, payload: [UInt8])? {
            while !isStopping {
                if let packet = try? reader.nextPacket() { return packet }
                var entry = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
                guard poll(&entry, 1, 20) > 0 else { continue }
                let n = scratch.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { return nil }
                scratch.withUnsafeBytes { reader.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
            return nil
        }
        func write(_ bytes: [UInt8]) {
            _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        guard let login = nextPacket(), login.type == SoupBinTCPPacketType.loginRequest else { return }
        write(SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.loginAccepted(session: session.description, sequenceNumber: 1, $0) })
        guard let request = nextPacket(), request.type == SoupBinTCPPacketType.unsequencedData else { return }
        lock.withLock { snapshotRequestSeen = request.payload }
        var stream: [UInt8] = []
        for message in messages {
            let bytes = message.encodedBytes
            stream += bytes.withUnsafeBytes { payload in
                SoupBinTCPEncoder.bytes(capacity: 3 + payload.count) { SoupBinTCPEncoder.sequencedData(payload, $0) }
            }
        }
        stream += SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.endOfSession($0) }
        write(stream)
    }
}
