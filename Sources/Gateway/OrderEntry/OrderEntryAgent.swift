import Atomics
import FIX
import Foundation
import GatewayCore
import Network
import OUCH
import Rings
import POSIX

/// The stop phases of an I/O thread, set by the gateway and read by the handler at the
/// start of each turn.
enum OrderEntryPhase: Int, AtomicValue {
    /// Serving.
    case running = 0
    /// No more input (reads ignored, new connections closed); events still go out.
    case draining = 1
    /// Send what is left and stop the loop.
    case stopping = 2
}

/// The order-entry network stage as an agent: its network loop and protocol servers
/// (created in `onStart`, on the thread that runs it: an io_uring must be created on the
/// thread that drives it), listening on the FIX and OUCH ports; each cycle is one
/// non-blocking turn of the loop.
///
/// It is also the waiter of the thread that runs it (`AgentWaiter`): that thread sleeps
/// in the loop's `io_uring_enter` (or `epoll_wait`), which watches the sockets, the
/// thread's wake signal and the descriptors of the other stages on the thread, for at
/// most the earliest deadline of any of them. So an idle gateway sleeps in one place
/// and a network event wakes it with no extra hop.
final class OrderEntryAgent: Agent, AgentWaiter, @unchecked Sendable {
    struct Settings {
        let network: NetworkConfiguration
        let ouchListen: ListenAddress
        let fixListen: ListenAddress
        let tls: TLSListenerSettings?
        let makeOUCH: @Sendable () throws -> OUCHServer
        let makeFIX: @Sendable () throws -> FIXFrontEnd
        let port: OrderEntryPort
        /// `network.max_pending_logins`.
        var maxPendingLogins = 64
        /// `network.max_pending_logins_per_address`.
        var maxPendingLoginsPerAddress = 16
        /// `network.login_failures_before_lockout`, `network.login_lockout_max_seconds`.
        var loginThrottle = LoginThrottle.Policy()
        /// Where the stage reports how far its stores hold every answer (snapshots).
        var watermarks: AnswerWatermarks?
        /// The wall clock the sessions stamp their messages with.
        let clock: any Clock
    }

    let phase = ManagedAtomic<OrderEntryPhase>(.running)
    /// Set (releasing) by the handler once it has seen the draining phase: from then on
    /// it submits nothing, so the engine may be stopped.
    let drainingAcknowledged = ManagedAtomic(false)
    /// Set (releasing) when the stage has finished, for whatever reason (a stop, or a
    /// failure of its loop or stores).
    let exited = ManagedAtomic(false)
    /// The signal of the thread that runs this agent (the engine rings it).
    let wakeSignal: WakeSignal
    /// Reloaded TLS contexts on their way to the agent's thread.
    let tlsReload = TLSReloadMailbox()
    let settings: Settings
    let roleName = "order-entry"

    // Written on the agent's thread in `onStart`, read after the runner's start returned.
    nonisolated(unsafe) private(set) var ouchPort: UInt16 = 0
    nonisolated(unsafe) private(set) var fixPort: UInt16 = 0
    nonisolated(unsafe) private(set) var fixTLSPort: UInt16?
    nonisolated(unsafe) private(set) var ouchTLSPort: UInt16?
    nonisolated(unsafe) private(set) var backendDescription = ""
    // Written on the agent's thread before `exited`, read after it is seen set.
    nonisolated(unsafe) private(set) var failure: Error?

    // The agent's thread only.
    private var handler: OrderEntryHandler?
    private var loop: NetworkLoop?
    private var done = false
    private var emptyCycles = 0

    init(wakeSignal: WakeSignal, settings: Settings) {
        self.wakeSignal = wakeSignal
        self.settings = settings
    }

    // MARK: Agent

    func onStart() throws {
        let s = settings
        let handler = OrderEntryHandler(
            port: s.port, ouch: try s.makeOUCH(), fix: try s.makeFIX(), phase: phase,
            drainingAcknowledged: drainingAcknowledged, tlsReload: tlsReload, maxPendingLogins: s.maxPendingLogins,
            maxPendingLoginsPerAddress: s.maxPendingLoginsPerAddress, loginThrottle: LoginThrottle(policy: s.loginThrottle),
            clock: s.clock)
        handler.watermarks = s.watermarks
        let loop = try NetworkLoop(configuration: s.network, handler: handler, wakeSignal: wakeSignal)
        let listener = try loop.listen(host: s.ouchListen.host, port: s.ouchListen.port)
        ouchPort = loop.localPort(of: listener)
        let fixListener = try loop.listen(host: s.fixListen.host, port: s.fixListen.port)
        handler.fixListeners.insert(fixListener)
        fixPort = loop.localPort(of: fixListener)
        if let tls = s.tls {
            let fixTLS = try loop.listen(host: tls.fix.host, port: tls.fix.port, tls: tls.context)
            let ouchTLS = try loop.listen(host: tls.ouch.host, port: tls.ouch.port, tls: tls.context)
            handler.fixListeners.insert(fixTLS)
            handler.tlsListeners = [fixTLS, ouchTLS]
            fixTLSPort = loop.localPort(of: fixTLS)
            ouchTLSPort = loop.localPort(of: ouchTLS)
        }
        backendDescription = loop.backendName + (loop.fallbackReason.map { " (io_uring unavailable: \($0))" } ?? "")
        loop.start()
        self.handler = handler
        self.loop = loop
    }

    func doWork(nowNanoseconds: Int64) -> Int {
        guard !done, let loop else { return 0 }
        do {
            let work = try loop.turn()
            if loop.hasShutDown { finishUp() }
            return work
        } catch {
            failure = error
            Log.error("order entry: the network loop failed: \(error)")
            finishUp()
            return 1
        }
    }

    /// The loop has closed everything (a stop, or a failure): write the stores and finish.
    private func finishUp() {
        guard !done, let handler else { return }
        do {
            try handler.ouch.flushStores()
            try handler.fix.flushStores()
        } catch {
            failure = failure ?? error
        }
        failure = failure ?? handler.failure
        done = true
        // Releasing: `failure` and the stores' last writes happen-before a reader that sees it.
        exited.store(true, ordering: .releasing)
    }

    func hasPendingWork() -> Bool {
        guard !done, let handler else { return false }
        if handler.hasPendingWork() { return true }
        // A phase change not acted on yet (it came with a wake-up; this is the re-check).
        switch phase.load(ordering: .acquiring) {
        case .running: return false
        case .draining: return !drainingAcknowledged.load(ordering: .acquiring)
        case .stopping: return !(loop?.isStopRequested ?? true)
        }
    }

    func nextDeadline(nowNanoseconds: Int64) -> Int64? {
        guard !done, let loop else { return nil }
        // The handler's timers (heartbeats, login timeouts) run in its turn.
        return nowNanoseconds &+ loop.idleWaitLimitNanoseconds
    }

    var isFinished: Bool { done }

    func onClose() {
        // The loop and its sockets go on the thread that made them.
        loop = nil
        handler = nil
    }

    /// The stage's network loop once started: other stages on its thread (market data)
    /// open their sockets in it. The agent's thread only.
    var networkLoop: NetworkLoop? { loop }

    // MARK: AgentWaiter (the thread this agent runs on sleeps in its loop)

    func idle(nowNanoseconds: Int64, deadline: Int64?, hasPendingWork: () -> Bool) {
        guard let loop else { return }
        if emptyCycles < settings.network.spinTurns {
            emptyCycles += 1
            return
        }
        // No spinning again after this sleep until a cycle has work (`reset`): a wake-up
        // for a timer that finds nothing to do goes straight back to sleep, so an idle
        // gateway costs one cycle per timer, not `spin_turns` of them.
        let limit = done ? Int64(100_000_000) : loop.idleWaitLimitNanoseconds
        let timeout = min(limit, max(0, (deadline ?? Int64.max) &- nowNanoseconds))
        do {
            try loop.waitForWork(timeoutNanoseconds: timeout, recheck: hasPendingWork)
        } catch {
            if !done {
                failure = error
                Log.error("order entry: the network loop failed: \(error)")
                finishUp()
            } else {
                // The loop can no longer sleep for the thread's other stages: sleep plainly.
                usleep(UInt32(max(1, min(timeout / 1_000, 1_000))))
            }
        }
    }

    func reset() { emptyCycles = 0 }


    // MARK: Stopping (any thread)

    /// Stops taking input; events keep going out. Returns once the stage submits nothing
    /// more (or has finished), so that the engine, stopped next, sees every command.
    func beginDraining() {
        phase.store(.draining, ordering: .releasing)
        wakeSignal.wake()
        let deadline = MonotonicClock.nanoseconds() + 10_000_000_000
        // Acquiring: pairs with the handler's releasing store; its submits happen before.
        while !drainingAcknowledged.load(ordering: .acquiring) && !hasExited && MonotonicClock.nanoseconds() < deadline {
            usleep(100)
        }
    }

    /// Sends what is left after a last turn (which sends what the engine released), closes
    /// every connection, and returns once the stage has finished. Call after the engine
    /// has stopped, while the agent's thread runs.
    func stop() {
        phase.store(.stopping, ordering: .releasing)
        wakeSignal.wake()
        EngineRuntime.waitUntil(exited)
    }

    /// True once the stage has finished on its own (a failure): the gateway should stop.
    var hasExited: Bool { exited.load(ordering: .acquiring) }
}
