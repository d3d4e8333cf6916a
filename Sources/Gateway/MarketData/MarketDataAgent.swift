#if canImport(Glibc)
import Glibc
#endif
import Atomics
import GatewayCore
import MarketData
import Rings

/// The market-data stage as an agent (shared/design.md): takes durable events from the
/// engine's market-data ring, publishes them through the `ITCHPublisher` to the
/// multicast group, answers retransmission requests and serves snapshots. Its two
/// long-lived sockets (retransmission UDP, snapshot listener) are watched by whatever
/// its thread sleeps in (`poll(2)` on a thread of its own, the network loop's io_uring
/// or epoll in a composite); the snapshot connections, rare and short-lived, are looked
/// at once a millisecond while any is open. Its deadline is the publisher's next timer
/// (heartbeat, a partial packet's flush). System calls are per packet, per request and
/// per snapshot, never per message.
final class MarketDataAgent: Agent, @unchecked Sendable {
    let publisher: ITCHPublisher
    let port: MarketDataPort
    let sockets: MarketDataSockets
    let retransmission: RetransmissionResponder
    let snapshots: SnapshotService
    /// Releasing store by `requestStop`; acquiring load by the agent. Acted on only with
    /// the ring found empty, so every event the engine released before stopping goes out.
    private let stopRequested = ManagedAtomic(false)
    /// Set (releasing) once the agent has finished.
    let finished = ManagedAtomic(false)
    private var done = false

    // The agent's thread only.
    private var io: MulticastIO
    private let clock = SystemClock()
    /// A watched socket may be readable (set by the waiter, cleared once looked at).
    private var socketsReady = true
    private var socketsCheckedAt: Int64 = 0
    /// Events were published since the sockets were last looked at.
    private var busySinceSocketsChecked = false
    private var snapshotsCheckedAt: Int64 = 0
    private var request = [UInt8](repeating: 0, count: 64)

    let roleName = "market-data"
    /// Where this stage says how far the ITCH store holds every message (nil: no snapshots).
    var watermarks: AnswerWatermarks?

    var retransmissionPort: UInt16 { sockets.retransmissionPort }
    var snapshotPort: UInt16 { sockets.snapshotPort }

    init(settings: GatewayConfiguration.MarketDataSettings, publisher: ITCHPublisher, port: MarketDataPort) throws {
        self.publisher = publisher
        self.port = port
        sockets = try MarketDataSockets(settings: settings)
        retransmission = RetransmissionResponder(
            configuration: RetransmissionConfiguration(maximumMessagesPerRequest: settings.retransmissionMaxMessages),
            session: publisher.configuration.session, maximumPacketSize: publisher.configuration.maximumPacketSize)
        snapshots = SnapshotService(listener: sockets.snapshotListener)
        io = MulticastIO(fd: sockets.multicast, group: sockets.group)
    }

    /// The signal the engine rings after pushing to the ring: the signal of the thread
    /// that runs this agent.
    var signal: WakeSignal { port.signal }

    /// After the engine has stopped: whatever it released is published, then the agent
    /// finishes. Any thread.
    func requestStop() {
        stopRequested.store(true, ordering: .releasing)
        port.signal.wake()
    }

    var watchedDescriptors: [Int32] { [sockets.retransmission, sockets.snapshotListener] }

    func descriptorsMayBeReady() { socketsReady = true }

    var isFinished: Bool { done }

    func hasPendingWork() -> Bool {
        !done && (!port.ring.isEmpty || socketsReady || stopRequested.load(ordering: .acquiring))
    }

    func nextDeadline(nowNanoseconds: Int64) -> Int64? {
        guard !done else { return nil }
        let now = clock.now()
        // The publisher's timers are in real time; the runner sleeps in monotonic time.
        var deadline = nowNanoseconds &+ max(0, publisher.nextDeadline(now: now).rawValue &- now.rawValue)
        if !snapshots.connections.isEmpty { deadline = min(deadline, snapshotsCheckedAt &+ 1_000_000) }
        return deadline
    }

    func onClose() {
        snapshots.closeAll()
        sockets.close()
    }

    /// The multicast sender as the publisher's output.
    struct MulticastIO: ITCHPublisherIO {
        let fd: Int32
        var group: sockaddr_in
        var failures: UInt64 = 0

        mutating func publish(_ packet: UnsafeRawBufferPointer) {
            let n = withUnsafePointer(to: &group) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, packet.baseAddress, packet.count, Int32(MSG_DONTWAIT), $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            // A packet the kernel refuses is not lost to subscribers: it is in the store,
            // and their gap detection fetches it from the retransmission server.
            if n < 0 { failures &+= 1 }
        }
    }

    func doWork(nowNanoseconds: Int64) -> Int {
        guard !done else { return 0 }
        let now = clock.now()
        var worked = 0
        // Acquiring: pairs with the engine's releasing store after its pushes; read before
        // the drain, so an empty drain means every event up to it was taken earlier.
        let released = watermarks?.released.load(ordering: .acquiring)
        let taken = port.ring.drain(maxCount: 256) { event in publisher.handle(event, now: now) }
        if taken > 0 {
            publisher.flushFullPackets(now: now, io: &io)
            worked += taken
        } else {
            publisher.flush(now: now, io: &io, settleReplace: true)
        }
        // The ring was emptied, and every message the publisher made is in the file (none
        // held back for a replace): the store holds every message up to `released`.
        if let watermarks, let released, taken < 256, publisher.store.isWritten, !publisher.holdsPendingReplace {
            AnswerWatermarks.advance(watermarks.marketData, to: released)
        }
        // Retransmission requests: a bounded number per cycle, so a flood cannot keep the
        // stage from the live feed. The socket is read when its watch fired, or at most
        // once a millisecond while the feed is busy (a thread that sleeps in poll(2) only
        // when idle sees readiness only then), so a busy feed does not pay a failing
        // system call per cycle and an idle one pays none.
        if taken > 0 { busySinceSocketsChecked = true }
        let lookAtSockets = socketsReady || (busySinceSocketsChecked && nowNanoseconds &- socketsCheckedAt >= 1_000_000)
        if lookAtSockets {
            socketsReady = false
            busySinceSocketsChecked = false
            socketsCheckedAt = nowNanoseconds
            worked += answerRetransmissionRequests(now: now)
        }
        if lookAtSockets || (!snapshots.connections.isEmpty && nowNanoseconds &- snapshotsCheckedAt >= 1_000_000) {
            snapshotsCheckedAt = nowNanoseconds
            if snapshots.service(publisher: publisher, now: now) { worked += 1 }
        }
        publisher.tick(now: now, io: &io)
        if worked > 0 { return worked }
        // Acquiring: pairs with `requestStop`'s releasing store; the ring was just found
        // empty after the engine stopped, so nothing released can be left.
        if stopRequested.load(ordering: .acquiring) && port.ring.isEmpty {
            publisher.flush(now: clock.now(), io: &io, settleReplace: true)
            try? publisher.store.flush()
            done = true
            finished.store(true, ordering: .releasing)
        }
        return 0
    }

    /// Up to 16 requests from the retransmission socket; a full batch marks the socket
    /// ready again (more may be waiting).
    private func answerRetransmissionRequests(now: Timestamp) -> Int {
        var answered = 0
        for _ in 0..<16 {
            var from = sockaddr_in()
            var fromLength = socklen_t(MemoryLayout<sockaddr_in>.size)
            let n = request.withUnsafeMutableBytes { buffer in
                withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(sockets.retransmission, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT), $0, &fromLength)
                    }
                }
            }
            if n < 0 { return answered }
            answered += 1
            // Rate-limited per source address, whatever the port: one host cannot multiply
            // its allowance (and the bytes it draws) by sending from many ports.
            let key = UInt64(UInt32(bigEndian: from.sin_addr.s_addr))
            let socket = sockets.retransmission
            request.withUnsafeBytes { bytes in
                retransmission.handle(
                    UnsafeRawBufferPointer(rebasing: bytes[0..<n]), from: key, store: publisher.store,
                    sentThrough: publisher.sentThrough, now: now
                ) { packet in
                    _ = withUnsafePointer(to: &from) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(socket, packet.baseAddress, packet.count, Int32(MSG_DONTWAIT), $0, fromLength)
                        }
                    }
                }
            }
        }
        socketsReady = true
        return answered
    }
}
