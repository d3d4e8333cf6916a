#if canImport(Glibc)
import Glibc
#endif
import Atomics
import GatewayCore
import MarketData
import Rings

/// The market-data thread (shared/design.md): takes durable events from the engine's
/// market-data ring, publishes them through the `ITCHPublisher` to the multicast group,
/// answers retransmission requests and serves snapshots. It sleeps in poll(2) on the
/// ring's eventfd-mode wake signal and its sockets, for at most the next timer
/// (heartbeat, partial packet). System calls are per packet, per request and per
/// snapshot, never per message.
final class MarketDataThread: @unchecked Sendable {
    let publisher: ITCHPublisher
    let port: MarketDataPort
    let sockets: MarketDataSockets
    let retransmission: RetransmissionResponder
    let snapshots: SnapshotService
    let spinTurns: Int
    /// Releasing store by `stop`; acquiring load by the thread. Checked only with the
    /// ring found empty, so every event the engine released before stopping goes out.
    private let stopRequested = ManagedAtomic(false)
    private var thread: PinnedThread?
    private var failure: Error?

    var retransmissionPort: UInt16 { sockets.retransmissionPort }
    var snapshotPort: UInt16 { sockets.snapshotPort }

    init(settings: GatewayConfiguration.MarketDataSettings, publisher: ITCHPublisher, port: MarketDataPort, spinTurns: Int) throws {
        self.publisher = publisher
        self.port = port
        sockets = try MarketDataSockets(settings: settings)
        retransmission = RetransmissionResponder(
            configuration: RetransmissionConfiguration(maximumMessagesPerRequest: settings.retransmissionMaxMessages),
            session: publisher.configuration.session, maximumPacketSize: publisher.configuration.maximumPacketSize)
        snapshots = SnapshotService(listener: sockets.snapshotListener)
        self.spinTurns = spinTurns
    }

    func start() throws {
        let parking = try port.signal.attachEventFDConsumer()
        thread = try PinnedThread.start(name: "cift-marketdata", core: nil) { [self] in run(parking: parking) }
    }

    /// Call after the engine has stopped: whatever it released is published, then the
    /// thread ends and the sockets close.
    func stop() {
        stopRequested.store(true, ordering: .releasing)
        port.signal.wake()
        thread?.join()
        thread = nil
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

    private func run(parking: WakeSignal.EventFDConsumer) {
        // Its poll timeouts are its timers (heartbeat, a partial packet's delay).
        PinnedThread.setCurrentTimerSlack(nanoseconds: 1_000)
        var io = MulticastIO(fd: sockets.multicast, group: sockets.group)
        let clock = SystemClock()
        var emptyTurns = 0
        var socketsReady = true
        var socketsCheckedAt = Timestamp.zero
        var request = [UInt8](repeating: 0, count: 64)
        var pollSet: [pollfd] = []
        pollSet.reserveCapacity(3 + SnapshotService.maximumConnections)
        while true {
            var now = clock.now()
            var worked = false
            let taken = port.ring.drain(maxCount: 256) { event in publisher.handle(event, now: now) }
            if taken > 0 {
                publisher.flushFullPackets(now: now, io: &io)
                worked = true
            } else {
                publisher.flush(now: now, io: &io, settleReplace: true)
            }
            // Retransmission requests: a bounded number per turn, so a flood cannot
            // keep the thread from the live feed. The sockets are looked at when poll
            // said they were readable, or at most once a millisecond while busy, so a
            // busy feed does not pay two failing system calls per turn.
            let lookAtSockets = socketsReady || now.rawValue - socketsCheckedAt.rawValue >= 1_000_000
            if lookAtSockets {
                socketsReady = false
                socketsCheckedAt = now
            }
            for _ in 0..<(lookAtSockets ? 16 : 0) {
                var from = sockaddr_in()
                var fromLength = socklen_t(MemoryLayout<sockaddr_in>.size)
                let n = request.withUnsafeMutableBytes { buffer in
                    withUnsafeMutablePointer(to: &from) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            recvfrom(sockets.retransmission, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT), $0, &fromLength)
                        }
                    }
                }
                if n < 0 { break }
                worked = true
                let key = UInt64(UInt32(bigEndian: from.sin_addr.s_addr)) << 16 | UInt64(UInt16(bigEndian: from.sin_port))
                request.withUnsafeBytes { bytes in
                    retransmission.handle(
                        UnsafeRawBufferPointer(rebasing: bytes[0..<n]), from: key, store: publisher.store,
                        sentThrough: publisher.sentThrough, now: now
                    ) { packet in
                        _ = withUnsafePointer(to: &from) {
                            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                                sendto(sockets.retransmission, packet.baseAddress, packet.count, Int32(MSG_DONTWAIT), $0, fromLength)
                            }
                        }
                    }
                }
            }
            if lookAtSockets || snapshots.hasPendingOutput, snapshots.service(publisher: publisher, now: now) { worked = true }
            publisher.tick(now: now, io: &io)

            if worked {
                emptyTurns = 0
                continue
            }
            // Acquiring: pairs with `stop`'s releasing store; the ring was just found
            // empty after the engine stopped, so nothing released can be left.
            if stopRequested.load(ordering: .acquiring) && port.ring.isEmpty {
                publisher.flush(now: clock.now(), io: &io, settleReplace: true)
                try? publisher.store.flush()
                return
            }
            if emptyTurns < spinTurns {
                emptyTurns += 1
                continue
            }
            // Park: announce, re-check the ring, then block in poll on the eventfd and
            // the sockets until the next timer.
            parking.announceParking()
            if !port.ring.isEmpty || stopRequested.load(ordering: .acquiring) {
                parking.cancelParking()
                continue
            }
            pollSet.removeAll(keepingCapacity: true)
            pollSet.append(pollfd(fd: parking.fileDescriptor, events: Int16(POLLIN), revents: 0))
            pollSet.append(pollfd(fd: sockets.retransmission, events: Int16(POLLIN), revents: 0))
            pollSet.append(pollfd(fd: sockets.snapshotListener, events: Int16(POLLIN), revents: 0))
            for c in snapshots.descriptors {
                pollSet.append(pollfd(fd: c.fd, events: Int16(POLLIN) | (c.wantsWrite ? Int16(POLLOUT) : 0), revents: 0))
            }
            now = clock.now()
            let wait = publisher.nextDeadline(now: now).rawValue - now.rawValue
            let milliseconds = Int32(min(max((wait + 999_999) / 1_000_000, 1), 100))
            let ready = poll(&pollSet, nfds_t(pollSet.count), milliseconds)
            socketsReady = pollSet.dropFirst().contains { $0.revents != 0 }
            let woken = parking.consumeWakeUps()
            parking.endPark(woken ? .woken : (ready > 0 ? .interrupted : .timedOut))
            emptyTurns = 0
        }
    }
}
