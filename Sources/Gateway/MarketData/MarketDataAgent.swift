import Atomics
import GatewayCore
import MarketData
import Network
import Rings

/// The market-data stage as an agent (shared/design.md): takes durable events from the
/// engine's market-data ring, publishes them through the `ITCHPublisher` to the
/// multicast group, answers retransmission requests and serves snapshots.
///
/// Its sockets are endpoints of a `NetworkLoop`, like the order-entry sockets: the
/// multicast sender and the retransmission server are UDP endpoints, the snapshot
/// service a listener with its own handler. On a thread it shares with order entry it
/// uses that stage's loop (one sleep in the kernel for every socket of the thread); on a
/// thread without order entry it makes a loop of its own, and that thread sleeps in it
/// (the agent is its waiter). Its deadline is the publisher's next timer (heartbeat, a
/// partial packet's flush). Packets go to the kernel with the cycle's other submissions,
/// never one system call per message.
final class MarketDataAgent: Agent, AgentWaiter, DatagramHandler, @unchecked Sendable {
    /// Where the agent's sockets live.
    enum LoopSource {
        /// A loop of its own, made in `onStart` on the agent's thread, woken by `signal`
        /// (the thread's): the agent drives its turns and is its thread's waiter.
        case own(NetworkConfiguration, signal: WakeSignal)
        /// The loop of the order-entry stage, which runs before it in the same duty cycle
        /// on the same thread, drives the turns and is the thread's waiter.
        case orderEntry(OrderEntryAgent)
    }

    let publisher: ITCHPublisher
    let port: MarketDataPort
    let settings: GatewayConfiguration.MarketDataSettings
    let group: DatagramAddress
    let retransmission: RetransmissionResponder
    let snapshots: SnapshotService
    /// Releasing store by `requestStop`; acquiring load by the agent. Acted on only with
    /// the ring found empty, so every event the engine released before stopping goes out.
    private let stopRequested = ManagedAtomic(false)
    /// Set (releasing) once the agent has finished.
    let finished = ManagedAtomic(false)
    private var done = false

    // The agent's thread only (set up in `onStart`).
    private var source: LoopSource?
    private var loop: NetworkLoop?
    private var ownsLoop = false
    private var io = MulticastIO()
    private var retransmissionEndpoint = DatagramEndpointID(rawValue: 0)
    /// The wall clock the feed stamps its messages with (the gateway's).
    private let clock: any Clock
    private var emptyCycles = 0

    let roleName = "market-data"
    /// Where this stage says how far the ITCH store holds every message (nil: no snapshots).
    var watermarks: AnswerWatermarks?

    // Written on the agent's thread in `onStart`, read after the runner's start returned.
    nonisolated(unsafe) private(set) var retransmissionPort: UInt16 = 0
    nonisolated(unsafe) private(set) var snapshotPort: UInt16 = 0

    /// Checks the addresses now (a bad one is a configuration error at start-up); the
    /// sockets open in `onStart`, on the thread whose loop they belong to.
    init(
        settings: GatewayConfiguration.MarketDataSettings, publisher: ITCHPublisher, port: MarketDataPort, maxSendBufferBytes: Int,
        clock: any Clock
    ) throws {
        self.clock = clock
        self.publisher = publisher
        self.port = port
        self.settings = settings
        guard DatagramAddress(host: settings.interface, port: 0) != nil else {
            throw ConfigurationError(key: "market_data.interface", value: "\"\(settings.interface)\"", expected: "an IPv4 address of a local interface")
        }
        guard let group = DatagramAddress(host: settings.group.host, port: settings.group.port) else {
            throw ConfigurationError(key: "market_data.group", value: "\"\(settings.group)\"", expected: "an IPv4 address and port")
        }
        self.group = group
        guard DatagramAddress(host: settings.retransmission.host, port: settings.retransmission.port) != nil else {
            throw ConfigurationError(key: "market_data.retransmission", value: "\"\(settings.retransmission)\"", expected: "an IPv4 address and port")
        }
        retransmission = RetransmissionResponder(
            configuration: RetransmissionConfiguration(maximumMessagesPerRequest: settings.retransmissionMaxMessages),
            session: publisher.configuration.session, maximumPacketSize: publisher.configuration.maximumPacketSize)
        snapshots = SnapshotService(publisher: publisher, maxSendBufferBytes: maxSendBufferBytes, clock: clock)
    }

    /// Chooses where the sockets live; before the agent's thread starts.
    func use(_ source: LoopSource) {
        self.source = source
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

    // MARK: Agent

    func onStart() throws {
        let loop: NetworkLoop
        switch source {
        case .own(let configuration, let signal):
            loop = try NetworkLoop(configuration: configuration, handler: snapshots, wakeSignal: signal)
            ownsLoop = true
        case .orderEntry(let orderEntry):
            // The composite starts its members in order: order entry's loop exists by now.
            guard let shared = orderEntry.networkLoop else {
                preconditionFailure("market data shares order entry's loop, but order entry has not started before it")
            }
            loop = shared
        case nil:
            preconditionFailure("MarketDataAgent.use(_:) was not called before its thread started")
        }
        // Multicast out of the configured interface, TTL as configured, looped back so a
        // subscriber on this machine hears it. Room for a burst of packets in the kernel.
        let packetBytes = publisher.configuration.maximumPacketSize
        let multicast = try loop.openDatagram(DatagramOptions(
            multicastInterface: settings.interface, multicastTTL: UInt8(settings.ttl), multicastLoop: true,
            maximumDatagramBytes: packetBytes, sendSlots: 256))
        retransmissionEndpoint = try loop.openDatagram(DatagramOptions(
            bindHost: settings.retransmission.host, bindPort: settings.retransmission.port,
            maximumDatagramBytes: max(packetBytes, 64), sendSlots: 64), handler: self)
        retransmissionPort = loop.localPort(of: retransmissionEndpoint)
        let listener = try loop.listen(host: settings.snapshot.host, port: settings.snapshot.port, handler: snapshots)
        snapshotPort = loop.localPort(of: listener)
        if ownsLoop { loop.start() }
        io = MulticastIO(loop: loop, endpoint: multicast, group: group)
        self.loop = loop
    }

    var isFinished: Bool { done }

    func hasPendingWork() -> Bool {
        !done && (!port.ring.isEmpty || stopRequested.load(ordering: .acquiring))
    }

    func nextDeadline(nowNanoseconds: Int64) -> Int64? {
        guard !done else { return nil }
        let now = clock.now()
        // The publisher's timers are in real time; the runner sleeps in monotonic time.
        var deadline = nowNanoseconds &+ max(0, publisher.nextDeadline(now: now).rawValue &- now.rawValue)
        // Snapshot connections: the next piece of a snapshot once a millisecond while one is
        // being sent (about 64 MB/s per reader at most), their deadlines every 10 ms.
        if !snapshots.connections.isEmpty {
            deadline = min(deadline, nowNanoseconds &+ (snapshots.hasOutputWaiting ? 1_000_000 : 10_000_000))
        }
        return deadline
    }

    func onClose() {
        guard let loop else { return }
        loop.closeDatagram(io.endpoint)
        loop.closeDatagram(retransmissionEndpoint)
        // The agent's own loop goes on this thread; a shared one is closed by its owner
        // (order entry stops before market data: the listener is closed by then). Every
        // reference goes here, on the loop's thread: the loop holds order entry's stores.
        io = MulticastIO()
        self.loop = nil
    }

    /// The multicast sender as the publisher's output.
    struct MulticastIO: ITCHPublisherIO {
        var loop: NetworkLoop?
        var endpoint = DatagramEndpointID(rawValue: 0)
        /// nil before `onStart` and after `onClose`: nothing is sent.
        var group: DatagramAddress?

        mutating func publish(_ packet: UnsafeRawBufferPointer) {
            // A packet the loop cannot send is not lost to subscribers: it is in the
            // store, and their gap detection fetches it from the retransmission server.
            guard let loop, let group else { return }
            loop.sendDatagram(endpoint, to: group, packet)
        }
    }

    func doWork(nowNanoseconds: Int64) -> Int {
        guard !done, let loop else { return 0 }
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
        publisher.tick(now: now, io: &io)
        if !snapshots.connections.isEmpty && snapshots.service(loop: loop, now: now) { worked += 1 }
        worked += handOver(loop)
        if worked > 0 { return worked }
        // Acquiring: pairs with `requestStop`'s releasing store; the ring was just found
        // empty after the engine stopped, so nothing released can be left.
        if stopRequested.load(ordering: .acquiring) && port.ring.isEmpty {
            publisher.flush(now: clock.now(), io: &io, settleReplace: true)
            do {
                try publisher.store.flush()
            } catch {
                // Its messages went out; a restart rebuilds the day's stream from the journal.
                Log.error("market data: writing the feed's store at the stop failed: \(error)")
            }
            handOver(loop)
            done = true
            finished.store(true, ordering: .releasing)
        }
        return 0
    }

    /// Hands this cycle's packets and snapshot output to the kernel. On the agent's own
    /// loop that is a turn, which also delivers what arrived (retransmission requests,
    /// snapshot connections) and counts it as work. On order entry's loop, whose turn
    /// came earlier in the cycle, the queued submissions go now rather than a cycle later
    /// (no system call when nothing is queued; completions are read by its next turn).
    @discardableResult
    private func handOver(_ loop: NetworkLoop) -> Int {
        do {
            if ownsLoop { return try loop.turn() }
            try loop.submitPending()
        } catch {
            Log.error("market data: the network loop failed: \(error)")
        }
        return 0
    }

    // MARK: Retransmission requests (DatagramHandler, from the loop's dispatch)

    func received(datagram bytes: UnsafeRawBufferPointer, from peer: DatagramAddress, endpoint: DatagramEndpointID, loop: NetworkLoop) {
        // Rate-limited per source address, whatever the port: one host cannot multiply its
        // allowance (and the bytes it draws) by sending from many ports.
        retransmission.handle(
            bytes, from: UInt64(peer.hostOrderAddress), store: publisher.store,
            sentThrough: publisher.sentThrough, now: clock.now()
        ) { packet in
            loop.sendDatagram(endpoint, to: peer, packet)
        }
    }

    // MARK: AgentWaiter (a thread without order entry sleeps in this agent's own loop)

    func idle(nowNanoseconds: Int64, deadline: Int64?, hasPendingWork: () -> Bool) {
        guard let loop, ownsLoop else { return }
        if emptyCycles < loop.configuration.spinTurns {
            emptyCycles += 1
            return
        }
        let timeout = min(loop.idleWaitLimitNanoseconds, max(0, (deadline ?? Int64.max) &- nowNanoseconds))
        do {
            try loop.waitForWork(timeoutNanoseconds: timeout, recheck: hasPendingWork)
        } catch {
            Log.error("market data: the network loop failed: \(error)")
        }
    }

    func reset() { emptyCycles = 0 }
}
