import Atomics
import CLiburing
import POSIX
import Rings
import TLS

#if canImport(Glibc)
import Glibc
#endif

/// The network front end of one I/O thread: listening sockets, connections,
/// bytes in and out, and the thread's sleep. Knows no protocol; a
/// `NetworkHandler` gets the bytes.
///
/// ## One loop, one thread
/// Create the loop on the thread that will run it, call `listen`, then
/// `run()` there; every method except `requestStop()` and `wakeSignal` is for
/// that thread only (debug builds trap elsewhere). The io_uring instance is
/// set up for a single issuer, so the kernel itself refuses another thread.
/// `requestStop()` and `wakeSignal.wake()` may be called from any thread.
/// The loop may be released on another thread once `run()` has returned.
///
/// ## A turn
/// 1. `handler.turn(loop:nowNanoseconds:)`: the handler drains its inbound
///    events (the engine's outbound ring) into `send`, and runs its timers.
/// 2. Queued work: receives resumed or re-armed, `closed` reports, one send
///    per connection with pending output (io_uring: one send submission per
///    connection; epoll: write until the socket is full, then EPOLLOUT),
///    closes finished.
/// 3. The kernel: completions (io_uring) or readiness (epoll) are collected
///    and handed to the handler (`opened`, `received`), polling without
///    blocking while there is work or during the first `spinTurns` empty
///    turns, otherwise parked (below) for at most `maxIdleWaitMilliseconds`.
///
/// ## Parking and `wakeSignal`
/// The engine wakes this thread through `wakeSignal`, in eventfd mode: the
/// loop watches the eventfd with its sockets (an armed io_uring read, or an
/// epoll registration). Before blocking, the loop announces that it parks (a
/// store and a sequentially consistent fence), asks
/// `handler.hasPendingWork()` and the stop flag once more, and only then
/// blocks. A producer publishes, then calls `wake()`: a fence and a load, and
/// an eventfd write only if it finds the loop parked. So a publish either is
/// seen by the re-check or makes the block return (the eventfd stays
/// readable until read); see `WakeSignal` for the argument. A `wake()` while
/// the loop is running costs the producer no system call.
///
/// ## Allocation
/// Everything is allocated in `init` (connection table, send buffers,
/// receive buffers, work queues) or in `listen`. Receiving, sending and
/// closing allocate nothing and make no String.
public final class NetworkLoop: @unchecked Sendable {
    // MARK: Any thread

    /// The signal producers (the engine) ring after publishing events for
    /// this loop's connections; eventfd mode, attached to this loop.
    public let wakeSignal: WakeSignal
    /// Set by `requestStop()`.
    let stopRequested = ManagedAtomic<Bool>(false)

    // MARK: Fixed at init (read on the loop's thread)

    public let configuration: NetworkConfiguration
    /// `io_uring` or `epoll`.
    public let backendName: String
    /// Why `.automatic` fell back to epoll; `nil` when it did not.
    public let fallbackReason: String?
    /// A one-line description for the start-up log: the backend and how it
    /// receives, e.g. `io_uring (multishot accept, multishot receive, 256
    /// provided buffers of 16384 bytes, single issuer, deferred task run)`.
    public let backendDetail: String
    /// Whether io_uring receives are multishot (false on epoll).
    public let usesMultishotReceive: Bool

    let handler: any NetworkHandler
    let table: ConnectionTable
    let ioUring: IOUringBackend?
    let epoll: EpollBackend?
    let parking: WakeSignal.EventFDConsumer
    let ownerThread: pthread_t
    let lingerNanoseconds: Int64
    let idleWaitNanoseconds: Int64

    // MARK: Loop thread

    /// Connections with output to hand to the kernel.
    let sendQueue: SlotQueue
    /// Connections whose receive side needs attention when reading is not
    /// paused: stashed buffers to deliver, a receive to arm (io_uring), or
    /// EPOLLIN to restore (epoll).
    let receiveQueue: SlotQueue
    /// Connections whose `closed` the handler has not heard yet.
    let closeReports: SlotQueue
    /// Connections closing (possibly already released: checked on use).
    let closingSlots: SlotQueue
    /// TLS connections whose handshake has not finished (for the handshake timeout).
    let handshakingSlots: SlotQueue

    var listeners: [Listener] = []
    /// UDP endpoints (`openDatagram`), by index; a closed one stays, with no descriptor.
    var datagrams: [DatagramEndpoint] = []
    /// Listeners not yet fully closed.
    var openListeners = 0
    /// Some io_uring listener needs its accept armed again.
    var listenersNeedAccept = false
    var readingPaused = false
    /// TLS handshake steps (bytes handed to a session whose handshake has not finished:
    /// the server's signature is about a millisecond of RSA-2048) still allowed in this
    /// turn. Bytes beyond it wait, held, for the next turn, so a storm of handshakes
    /// cannot keep the thread's other connections and stages from their turns.
    var handshakeStepsLeft = NetworkLoop.handshakeStepsPerTurn
    /// At most this many handshake steps per turn (and per sleep).
    public static let handshakeStepsPerTurn = 1

    /// The last thing the loop did was a sleep in the kernel (`waitForWork`), which
    /// collected every completion that was ready.
    var wokeFromKernel = false
    /// The monotonic time at the start of this turn.
    var now: Int64
    var phase = Phase.ready
    var shuttingDown = false
    /// Counters; see `NetworkStatistics`.
    public internal(set) var statistics = NetworkStatistics()

    enum Phase {
        case ready
        case running
        case finished
    }

    /// Creates a loop on the calling thread, which must be the thread that
    /// calls `run()`.
    ///
    /// - Parameters:
    ///   - configuration: validated here; `NetworkError.invalidConfiguration`
    ///     names a bad field.
    ///   - handler: gets every event; the loop keeps a strong reference.
    ///   - wakeSignal: the signal producers ring for this loop (e.g. the
    ///     gateway's `OrderEntryPort.signal`). It must have no consumer yet;
    ///     the loop attaches to it in eventfd mode (a second consumer traps).
    /// - Throws: `NetworkError` when the configuration is invalid, when
    ///   `.ioUring` is forced and io_uring cannot be set up, or when a
    ///   system call of the set-up fails.
    public init(configuration: NetworkConfiguration, handler: some NetworkHandler, wakeSignal: WakeSignal = WakeSignal()) throws(NetworkError) {
        try configuration.validate()
        self.configuration = configuration
        self.handler = handler
        self.wakeSignal = wakeSignal
        ownerThread = pthread_self()
        lingerNanoseconds = Int64(configuration.closeLingerMilliseconds) * 1_000_000
        idleWaitNanoseconds = Int64(configuration.maxIdleWaitMilliseconds) * 1_000_000
        now = MonotonicClock.nanoseconds()

        var ioUring: IOUringBackend? = nil
        var fallbackReason: String? = nil
        switch configuration.backend {
        case .epoll:
            break
        case .ioUring:
            ioUring = try IOUringBackend(configuration: configuration)
        case .automatic:
            do {
                ioUring = try IOUringBackend(configuration: configuration)
            } catch {
                fallbackReason = error.description
            }
        }
        self.ioUring = ioUring
        self.fallbackReason = fallbackReason
        if let ioUring {
            epoll = nil
            backendName = "io_uring"
            usesMultishotReceive = ioUring.multishotReceive
            let receive = ioUring.multishotReceive ? "multishot receive" : "single-shot receive (\(ioUring.singleShotReason ?? ""))"
            let setup = ioUring.ring.deferredTaskRun ? ", single issuer, deferred task run" : ""
            backendDetail = "io_uring (multishot accept, \(receive), \(configuration.receiveBufferCount) provided buffers of \(configuration.receiveBufferSize) bytes\(setup))"
        } else {
            epoll = try EpollBackend(readBufferSize: configuration.receiveBufferSize, eventCapacity: 256)
            backendName = "epoll"
            usesMultishotReceive = false
            backendDetail = "epoll (level-triggered, \(configuration.receiveBufferSize)-byte read buffer)"
                + (fallbackReason.map { "; io_uring unavailable: \($0)" } ?? "")
        }

        table = ConnectionTable(capacity: configuration.maxConnections, sendBufferCapacity: configuration.maxSendBufferBytes)
        sendQueue = SlotQueue(capacity: configuration.maxConnections)
        receiveQueue = SlotQueue(capacity: configuration.maxConnections)
        closeReports = SlotQueue(capacity: configuration.maxConnections)
        closingSlots = SlotQueue(capacity: configuration.maxConnections)
        handshakingSlots = SlotQueue(capacity: configuration.maxConnections)
        listeners.reserveCapacity(configuration.maxListeners)

        do {
            parking = try wakeSignal.attachEventFDConsumer()
        } catch {
            throw .systemCall(error)
        }
        if let ioUring {
            try ioUring.ring.prepareRead(descriptor: parking.fileDescriptor, buffer: ioUring.wakeUpWord, length: 8, tag: CompletionTag(.wakeUp))
        } else if let epoll {
            try epoll.update(parking.fileDescriptor, registered: 0, events: EpollBackend.readable, tag: CompletionTag(.wakeUp))
        }
    }

    deinit {
        // Normally `run()` has closed everything; this covers a loop that
        // never ran, or whose run failed.
        for listener in listeners where listener.state != .closed {
            SystemCall.release(listener.descriptor)
        }
        for slot in 0..<table.capacity where table.slots[slot].descriptor >= 0 {
            SystemCall.release(table.slots[slot].descriptor)
        }
        for endpoint in datagrams where endpoint.descriptor >= 0 {
            SystemCall.release(endpoint.descriptor)
        }
        // `ioUring` exits its ring in its own deinit, before its buffers go.
    }

    // MARK: Listening

    /// Listens for TCP connections on `host` (an IPv4 or IPv6 literal, e.g.
    /// `127.0.0.1`) and `port` (0: an ephemeral port; see `localPort(of:)`).
    /// SO_REUSEADDR is set and a bind that fails with EADDRINUSE is retried
    /// for up to 1 s. Accepted sockets get TCP_NODELAY. io_uring accepts with
    /// one multishot accept per listener.
    ///
    /// With `tls`, the listener's connections speak TLS: the loop drives each one's
    /// `TLSSession` over memory (never a blocking call), tells the handler `opened`
    /// only when the handshake has finished, delivers and takes plaintext, and closes a
    /// connection whose handshake fails or takes longer than
    /// `tlsHandshakeTimeoutMilliseconds` (the handler never hears of it).
    ///
    /// With `handler`, that handler hears `opened`, `received` and `closed` of this
    /// listener's connections instead of the loop's own: another stage that shares the
    /// loop's thread (the market data's snapshot service) serves its own connections
    /// through the same loop. Only the loop's handler is asked for `turn`,
    /// `hasPendingWork` and `willSend`; the other stage runs its timers in its own cycle.
    public func listen(host: String, port: UInt16, tls: TLSContext? = nil, handler: (any NetworkHandler)? = nil) throws(NetworkError) -> ListenerID {
        assertOnLoopThread()
        precondition(phase != .finished && !shuttingDown, "NetworkLoop.listen after the loop stopped")
        guard listeners.count < configuration.maxListeners else {
            throw .tooManyListeners(limit: configuration.maxListeners)
        }
        let socket = try TCPSocket.listen(host: host, port: port, backlog: configuration.listenBacklog, nonBlocking: epoll != nil)
        let index = listeners.count
        var listener = Listener(descriptor: socket.descriptor, port: socket.port)
        listener.tls = tls
        listener.handler = handler
        listeners.append(listener)
        openListeners += 1
        do {
            if ioUring != nil {
                try armAccept(index)
            } else if let epoll {
                try epoll.update(socket.descriptor, registered: 0, events: EpollBackend.readable, tag: CompletionTag(.accept, UInt32(index)))
            }
        } catch {
            SystemCall.release(socket.descriptor)
            listeners.removeLast()
            openListeners -= 1
            throw error
        }
        return ListenerID(rawValue: UInt16(index))
    }

    /// The port `listener` is bound to (the ephemeral port when it was
    /// opened with port 0).
    public func localPort(of listener: ListenerID) -> UInt16 {
        assertOnLoopThread()
        return listeners[Int(listener.rawValue)].port
    }

    // MARK: Connections

    /// Queues `bytes` (copied) for `connection`; they are handed to the
    /// kernel at the end of this turn. Never blocks.
    ///
    /// When the connection's pending output (queued plus in the kernel's
    /// hands) would exceed `maxSendBufferBytes`, nothing is queued, the
    /// connection is closed with `.slowConsumer` (abortive: pending output is
    /// discarded) and the handler hears `closed` after its current callback.
    public func send(_ connection: ConnectionID, _ bytes: UnsafeRawBufferPointer) -> SendResult {
        assertOnLoopThread()
        guard let slot = table.index(of: connection) else { return .unknownConnection }
        guard table.slots[slot].state == .open else { return .closed }
        if let session = table.slots[slot].tls {
            guard session.write(bytes) else {
                beginClose(slot, reason: .tlsFailure("write before the handshake finished, or after a failure"))
                return .closed
            }
            return queueTLSOutput(slot, session)
        }
        if table.slots[slot].send.append(bytes) {
            sendQueue.insert(slot)
            return .queued
        }
        statistics.slowConsumerDisconnects += 1
        beginClose(slot, reason: .slowConsumer)
        return .slowConsumer
    }

    /// Closes `connection` for `reason` (normally `.closedByHandler`). For a
    /// graceful reason, output already queued is still written, for at most
    /// `closeLingerMilliseconds`; receives stop at once. The handler hears
    /// `closed` after its current callback returns. A stale identifier is
    /// ignored.
    @discardableResult
    public func close(_ connection: ConnectionID, reason: CloseReason = .closedByHandler) -> CloseResult {
        assertOnLoopThread()
        guard let slot = table.index(of: connection) else { return .unknownConnection }
        guard table.slots[slot].state == .open else { return .alreadyClosing }
        if reason == .slowConsumer { statistics.slowConsumerDisconnects += 1 }
        if reason.isGraceful, let session = table.slots[slot].tls, session.isEstablished {
            // close_notify goes out ahead of the close, like any queued output.
            session.shutdown()
            _ = queueTLSOutput(slot, session)
        }
        beginClose(slot, reason: reason)
        return .closing
    }

    /// Bytes `send` accepted for `connection` that the kernel has not taken
    /// yet (including a send in flight); `nil` for an identifier that names
    /// no connection. `maxSendBufferBytes` minus this is what the next
    /// `send`s may add before the connection counts as a slow consumer: pace
    /// large outputs (replays) by it.
    public func pendingOutputBytes(of connection: ConnectionID) -> Int? {
        assertOnLoopThread()
        guard let slot = table.index(of: connection) else { return nil }
        return table.slots[slot].send.count
    }

    /// The verified client certificate's subject (`CN=…,O=…`) of a TLS connection; nil
    /// on a plain connection or when the client presented none.
    public func tlsPeerSubject(of connection: ConnectionID) -> String? {
        assertOnLoopThread()
        guard let slot = table.index(of: connection) else { return nil }
        return table.slots[slot].tls?.peerSubject
    }

    /// The source IPv4 address of `connection` in host byte order (0: unknown), read
    /// once when it was accepted.
    public func peerAddress(of connection: ConnectionID) -> UInt32 {
        assertOnLoopThread()
        guard let slot = table.index(of: connection) else { return 0 }
        return table.slots[slot].peerAddress
    }

    /// Whether `connection` arrived on a TLS listener.
    public func isTLS(_ connection: ConnectionID) -> Bool {
        assertOnLoopThread()
        guard let slot = table.index(of: connection) else { return false }
        return table.slots[slot].tls != nil
    }

    /// Gives a TLS listener a new context (a certificate reload): connections accepted
    /// from now on use it; open ones keep theirs.
    public func setTLSContext(_ context: TLSContext, for listener: ListenerID) {
        assertOnLoopThread()
        precondition(listeners[Int(listener.rawValue)].tls != nil, "setTLSContext on a plain listener")
        listeners[Int(listener.rawValue)].tls = context
    }

    /// Whether `connection` names an open connection of this loop.
    public func isOpen(_ connection: ConnectionID) -> Bool {
        assertOnLoopThread()
        guard let slot = table.index(of: connection) else { return false }
        return table.slots[slot].state == .open
    }

    /// Connection slots in use: open connections plus closing ones whose
    /// socket or report is not finished.
    public var connectionCount: Int {
        assertOnLoopThread()
        return table.inUse
    }

    // MARK: Back-pressure

    /// Pauses or resumes reading on every connection of the loop. While
    /// paused, no `received` is delivered: io_uring receives are cancelled as
    /// data arrives (buffers already filled are held, in order) and not
    /// re-armed; epoll stops watching EPOLLIN. The kernel's socket buffers
    /// fill and TCP pushes back on the clients. Resuming delivers the held
    /// buffers first, then reads on where it stopped: no byte is lost or
    /// reordered. Sends, accepts and closes go on while paused.
    ///
    /// Pause when the engine's inbound ring is full; resume when it has room
    /// again (with some hysteresis, e.g. at half full, to avoid flapping).
    public func setReadingPaused(_ paused: Bool) {
        assertOnLoopThread()
        readingPaused = paused
    }

    /// Whether reading is paused.
    public var isReadingPaused: Bool {
        assertOnLoopThread()
        return readingPaused
    }

    // MARK: Stopping

    /// Asks the loop to stop; any thread. The loop stops accepting, closes
    /// every connection with `.loopShutdown` (graceful: queued output is
    /// written for at most `closeLingerMilliseconds`), reports each `closed`,
    /// and `run()` returns.
    public func requestStop() {
        // Releasing: whatever the caller did before is visible to the loop
        // once it sees the flag. `wake()`'s fence orders this store before
        // its load of the park state (see WakeSignal).
        stopRequested.store(true, ordering: .releasing)
        wakeSignal.wake()
    }

    /// Whether `requestStop()` has been called; any thread.
    public var isStopRequested: Bool {
        stopRequested.load(ordering: .acquiring)
    }

    // MARK: Thread check

    /// Traps in debug builds when called off the loop's thread.
    @inline(__always)
    func assertOnLoopThread(_ function: StaticString = #function) {
        assert(pthread_equal(pthread_self(), ownerThread) != 0, "NetworkLoop.\(function) called off the loop's thread")
    }
}
