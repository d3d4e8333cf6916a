import Atomics
import FIX
import GatewayCore
import Network
import OUCH

/// The order-entry side of one I/O thread: its network loop's callbacks, routed to the
/// OUCH server or the FIX front end by the listener that accepted the connection; the
/// engine's events for this thread's port, drained every turn and routed by session
/// number (FIX sessions from 1, OUCH users from `GatewayConfiguration.ouchSessionBase`).
///
/// Runs on the I/O thread only. Per message it neither allocates nor locks: bytes go
/// from the loop's receive buffer through the server's decoders into the port's ring,
/// and events from the ring into the stores and send buffers.
final class OrderEntryHandler: NetworkHandler {
    let port: OrderEntryPort
    let ouch: OUCHServer
    let fix: FIXFrontEnd
    /// The listeners FIX clients connect to (plain and TLS); every other listener
    /// speaks SoupBinTCP.
    var fixListeners: Set<ListenerID> = []
    /// The TLS listeners, which take reloaded contexts.
    var tlsListeners: [ListenerID] = []
    let tlsReload: TLSReloadMailbox
    /// Per connection slot: true when the connection is FIX. Preallocated for every slot.
    private var isFIX = [Bool](repeating: false, count: 1 << 16)
    /// The wall clock the sessions stamp their messages with (the gateway's).
    let clock: any Clock
    /// Set when the engine ring refused a command: reading stays paused until the
    /// server has handed over what it holds.
    private var paused = false
    /// The gateway's stop phase, read at the start of each turn.
    private let phase: ManagedAtomic<OrderEntryPhase>
    /// While the gateway stops: no more input, no cancel-on-disconnect for the closes
    /// the shutdown itself causes; events are still drained and sent.
    private var draining = false
    /// A store write failed: treated like a journal failure.
    private(set) var failure: Error?

    private let drainingAcknowledged: ManagedAtomic<Bool>

    /// Connections that have not logged in yet have a bound of their own
    /// (`network.max_pending_logins`), below the connection table's: idle or guessing
    /// connections can take at most that many places, and logged-in sessions keep theirs.
    let maxPendingLogins: Int
    /// Per connection slot: open and not logged in yet. Preallocated for every slot.
    private var awaitingLogin = [Bool](repeating: false, count: 1 << 16)
    /// Per connection slot: the protocol heard `opened` (a refused connection's `closed`
    /// is not passed on).
    private var announced = [Bool](repeating: false, count: 1 << 16)
    private(set) var pendingLogins = 0
    /// A FIX resend or paced catch-up has more to send and room to send it (set each turn).
    private var fixOutputReady = false
    private var lastPendingLoginsLog = Timestamp.zero
    /// Of the connections waiting to log in, at most this many from one source address
    /// (`network.max_pending_logins_per_address`).
    let maxPendingLoginsPerAddress: Int
    /// Connections waiting to log in, per source address (entries at 0 are removed).
    private var pendingByAddress: [UInt32: Int] = [:]
    /// Per connection slot: its source address, while it waits to log in.
    private var pendingAddress = [UInt32](repeating: 0, count: 1 << 16)
    /// Failed logins and lock-outs, shared by the FIX acceptor and the OUCH server.
    let loginThrottle: LoginThrottle
    /// Where this stage says how far its stores hold every answer (nil: no snapshots).
    var watermarks: AnswerWatermarks?

    init(
        port: OrderEntryPort, ouch: OUCHServer, fix: FIXFrontEnd, phase: ManagedAtomic<OrderEntryPhase>,
        drainingAcknowledged: ManagedAtomic<Bool>, tlsReload: TLSReloadMailbox, maxPendingLogins: Int = 64,
        maxPendingLoginsPerAddress: Int = 16, loginThrottle: LoginThrottle = LoginThrottle(), clock: any Clock
    ) {
        self.clock = clock
        self.maxPendingLogins = maxPendingLogins
        self.maxPendingLoginsPerAddress = maxPendingLoginsPerAddress
        self.loginThrottle = loginThrottle
        ouch.loginThrottle = loginThrottle
        fix.acceptor.loginThrottle = loginThrottle
        self.tlsReload = tlsReload
        self.port = port
        self.ouch = ouch
        self.fix = fix
        self.phase = phase
        self.drainingAcknowledged = drainingAcknowledged
    }

    private func finish(_ io: OrderEntryIO) {
        if io.submitted { port.wakeEngine() }
    }

    private func finish(_ io: FIXSessionIO) {
        if io.submitted { port.wakeEngine() }
    }

    private func fixIO(_ loop: NetworkLoop, _ now: Timestamp) -> FIXSessionIO {
        FIXSessionIO(loop: loop, port: port, frontEnd: fix, now: now)
    }

    func opened(_ connection: ConnectionID, listener: ListenerID, loop: NetworkLoop) {
        guard !draining else {
            _ = loop.close(connection, reason: .closedByHandler)
            return
        }
        let address = loop.peerAddress(of: connection)
        let fromAddress = pendingByAddress[address] ?? 0
        if pendingLogins >= maxPendingLogins || fromAddress >= maxPendingLoginsPerAddress {
            _ = loop.close(connection, reason: .closedByHandler)
            let now = clock.now()
            // At most one line a second: a flood must not become a flood of log lines.
            if now.rawValue - lastPendingLoginsLog.rawValue >= 1_000_000_000 {
                lastPendingLoginsLog = now
                Log.info(pendingLogins >= maxPendingLogins
                    ? "order entry: connection \(connection) refused: \(pendingLogins) connections are already waiting to log in (network.max_pending_logins)"
                    : "order entry: connection \(connection) from \(Self.dottedQuad(address)) refused: \(fromAddress) connections from that address are already waiting to log in (network.max_pending_logins_per_address)")
            }
            return
        }
        awaitingLogin[connection.slot] = true
        announced[connection.slot] = true
        pendingLogins += 1
        pendingAddress[connection.slot] = address
        pendingByAddress[address] = fromAddress + 1
        let fix = fixListeners.contains(listener)
        isFIX[connection.slot] = fix
        if fix {
            self.fix.opened(connection, now: clock.now())
        } else {
            ouch.opened(connection.rawValue, now: clock.now())
        }
    }

    func received(_ connection: ConnectionID, bytes: UnsafeRawBufferPointer, loop: NetworkLoop) {
        guard !draining else { return }
        if isFIX[connection.slot] {
            var io = fixIO(loop, clock.now())
            fix.received(connection, bytes: bytes, now: io.now, io: &io)
            finish(io)
        } else {
            var io = OrderEntryIO(loop: loop, port: port)
            if ouch.received(connection.rawValue, bytes: bytes, now: clock.now(), io: &io) == .paused, !paused {
                paused = true
                loop.setReadingPaused(true)
            }
            finish(io)
        }
        // Only while the connection has not logged in: no look-up per message after that.
        if awaitingLogin[connection.slot] {
            let waiting = isFIX[connection.slot]
                ? fix.acceptor.isAwaitingLogon(connection.rawValue) : ouch.isAwaitingLogin(connection.rawValue)
            if !waiting { loggedInOrGone(connection) }
        }
    }

    /// `connection` no longer waits to log in (it did, or it closed).
    private func loggedInOrGone(_ connection: ConnectionID) {
        guard awaitingLogin[connection.slot] else { return }
        awaitingLogin[connection.slot] = false
        pendingLogins -= 1
        let address = pendingAddress[connection.slot]
        if let count = pendingByAddress[address] { pendingByAddress[address] = count > 1 ? count - 1 : nil }
    }

    static func dottedQuad(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 0xFF).\(address >> 8 & 0xFF).\(address & 0xFF)"
    }

    func closed(_ connection: ConnectionID, reason: CloseReason, loop: NetworkLoop) {
        loggedInOrGone(connection)
        guard announced[connection.slot] else { return }
        announced[connection.slot] = false
        if reason != .peerClosed && reason != .closedByHandler && reason != .loopShutdown {
            Log.info("order entry: connection \(connection) closed: \(reason)")
        }
        guard !draining else { return }
        if isFIX[connection.slot] {
            var io = fixIO(loop, clock.now())
            fix.closed(connection, now: io.now, io: &io)
            finish(io)
            return
        }
        var io = OrderEntryIO(loop: loop, port: port)
        ouch.closed(connection.rawValue, now: clock.now(), io: &io)
        finish(io)
    }

    func turn(loop: NetworkLoop, nowNanoseconds: Int64) -> Bool {
        // Acquiring: pairs with the gateway's releasing store of the phase.
        let phase = self.phase.load(ordering: .acquiring)
        if phase != .running && !draining {
            draining = true
            loop.setReadingPaused(true)
            // Releasing: every submit this thread made happens before the gateway sees it.
            drainingAcknowledged.store(true, ordering: .releasing)
        }
        if let context = tlsReload.take() {
            for listener in tlsListeners { loop.setTLSContext(context, for: listener) }
            Log.info("order entry: TLS certificates reloaded; new connections use them")
        }
        var io = OrderEntryIO(loop: loop, port: port)
        var worked = false
        let now = clock.now()
        // What the last turn's input changed without sending anything (a peer's heartbeat
        // moves the inbound number only) is written now, at most a turn late.
        var storeIO = fixIO(loop, now)
        fix.acceptor.flushStores(io: &storeIO)
        // Paced output and resends go on as the connection drains: while it has room the
        // loop turns again at once; a full one wakes the loop when its send completes.
        if fix.acceptor.isPacingOutput {
            fix.acceptor.paceOutput(now: now, io: &storeIO)
            fixOutputReady = fix.acceptor.hasOutputReady(io: &storeIO)
        } else {
            fixOutputReady = false
        }
        finish(storeIO)
        if paused && !draining && ouch.resume(now: now, io: &io) {
            paused = false
            loop.setReadingPaused(false)
            worked = true
        }
        let ouch = self.ouch
        let fix = self.fix
        var fixIO = self.fixIO(loop, now)
        if !draining && !fix.pendingDisconnects.isEmpty {
            _ = fix.retryDisconnects(port: port)
            port.wakeEngine()
            worked = true
        }
        var storeFailure: Error?
        // Acquiring: pairs with the engine's releasing store after its pushes; read before
        // the drain, so a drain that empties the ring has taken every event up to it.
        let released = watermarks?.released.load(ordering: .acquiring)
        let events = port.pollEvents(maxCount: 4096) { event in
            guard event.kind == .systemEvent else {
                if event.destination.session >= GatewayConfiguration.ouchSessionBase {
                    ouch.handle(event)
                } else {
                    fixIO.answering = event.sequence
                    _ = fix.orderEntry.handle(event, now: now, io: &fixIO)
                    fixIO.answering = 0
                }
                return
            }
            // The engine sends end of day after the day's cancels, so every one of them is
            // in the streams when the session ends here — before any later event.
            if event.code == SystemEventCode.endOfDay.rawValue {
                ouch.systemEvent(.endOfDay, now: now, answering: event.sequence)
                do {
                    try ouch.endOfSession(now: now, io: &io)
                    Log.info("order entry: end of day: SoupBinTCP session ended")
                } catch {
                    storeFailure = error
                }
            }
        }
        worked = worked || events > 0
        if let storeFailure { recordFailure(storeFailure) }
        if !draining {
            ouch.tick(now: now, io: &io)
            fix.tick(nowNanoseconds: nowNanoseconds, now: now, io: &fixIO)
        }
        finish(fixIO)
        do {
            try ouch.flush(now: now, io: &io)
        } catch {
            recordFailure(error)
        }
        finish(io)
        if let watermarks, let released, events < 4096, failure == nil {
            // The FIX stores are written now rather than just before the sends (no extra
            // write: the same bytes, earlier); then every store holds each answer up to
            // `released`.
            var storeIO = self.fixIO(loop, now)
            fix.acceptor.flushStores(io: &storeIO)
            finish(storeIO)
            if !fix.acceptor.hasUnwrittenStores && !ouch.hasUnwrittenStores {
                AnswerWatermarks.advance(watermarks.orderEntry, to: released)
            }
        }
        // Stop once the engine has stopped and everything it released has been handed
        // to the loop, which writes it out before it closes the connections.
        if phase == .stopping && port.outboundIsEmpty && failure == nil && !loop.isStopRequested {
            loop.requestStop()
        }
        if failure != nil && !loop.isStopRequested { loop.requestStop() }
        return worked
    }

    private func recordFailure(_ error: Error) {
        guard failure == nil else { return }
        failure = error
        Log.error("order entry: session store write failed, stopping: \(error)")
    }

    /// The FIX stores are written behind: what this turn appended goes to the files
    /// before the loop hands the turn's sends to the kernel (specs/fix44.md, "Message store").
    func willSend(loop: NetworkLoop) {
        var io = fixIO(loop, clock.now())
        fix.acceptor.flushStores(io: &io)
        finish(io)
    }

    func hasPendingWork() -> Bool {
        // Replays and resends go out a slice per turn: a loop that parked in the middle
        // would stall one.
        !port.outboundIsEmpty || ouch.hasPendingOutput || fixOutputReady
    }
}
