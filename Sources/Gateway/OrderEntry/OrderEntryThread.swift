import Atomics
import FIX
import Foundation
import GatewayCore
import Network
import OUCH
import Rings

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

/// One I/O thread: it creates its network loop and protocol servers on itself (an
/// io_uring must be created on the thread that drives it), listens, and runs until
/// stopped. The caller sees start-up failures (a port in use, a broken store) as errors
/// from ``start``.
final class OrderEntryThread: @unchecked Sendable {
    let phase = ManagedAtomic<OrderEntryPhase>(.running)
    /// Set (releasing) by the handler once it has seen the draining phase: from then on
    /// it submits nothing, so the engine may be stopped.
    let drainingAcknowledged = ManagedAtomic(false)
    /// Set (releasing) by the I/O thread when its loop has returned, for whatever reason.
    let exited = ManagedAtomic(false)
    let wakeSignal: WakeSignal
    private let started = DispatchSemaphore(value: 0)
    private var thread: PinnedThread?
    // Written by the I/O thread before `started` is signalled, read after the wait.
    nonisolated(unsafe) private var startError: Error?
    nonisolated(unsafe) private(set) var ouchPort: UInt16 = 0
    nonisolated(unsafe) private(set) var fixPort: UInt16 = 0
    nonisolated(unsafe) private(set) var fixTLSPort: UInt16?
    nonisolated(unsafe) private(set) var ouchTLSPort: UInt16?
    /// Reloaded TLS contexts on their way to the I/O thread.
    let tlsReload = TLSReloadMailbox()
    nonisolated(unsafe) private(set) var backendDescription = ""
    // Written by the I/O thread before it exits, read after `join`.
    nonisolated(unsafe) private(set) var failure: Error?

    init(wakeSignal: WakeSignal) {
        self.wakeSignal = wakeSignal
    }

    /// Starts the thread and waits until it listens (or failed to).
    func start(
        name: String, network: NetworkConfiguration, ouchListen: ListenAddress, fixListen: ListenAddress,
        tls: TLSListenerSettings? = nil,
        ouch makeOUCH: @escaping @Sendable () throws -> OUCHServer,
        fix makeFIX: @escaping @Sendable () throws -> FIXFrontEnd, port: OrderEntryPort
    ) throws {
        thread = try PinnedThread.start(name: name) { [self] in
            run(network: network, ouchListen: ouchListen, fixListen: fixListen, tls: tls, makeOUCH: makeOUCH,
                makeFIX: makeFIX, port: port)
        }
        started.wait()
        if let startError {
            thread?.join()
            thread = nil
            throw startError
        }
    }

    private func run(
        network: NetworkConfiguration, ouchListen: ListenAddress, fixListen: ListenAddress, tls: TLSListenerSettings?,
        makeOUCH: () throws -> OUCHServer, makeFIX: () throws -> FIXFrontEnd, port: OrderEntryPort
    ) {
        defer { exited.store(true, ordering: .releasing) }
        let handler: OrderEntryHandler
        let loop: NetworkLoop
        do {
            handler = OrderEntryHandler(
                port: port, ouch: try makeOUCH(), fix: try makeFIX(), phase: phase,
                drainingAcknowledged: drainingAcknowledged, tlsReload: tlsReload)
            loop = try NetworkLoop(configuration: network, handler: handler, wakeSignal: wakeSignal)
            let listener = try loop.listen(host: ouchListen.host, port: ouchListen.port)
            ouchPort = loop.localPort(of: listener)
            let fixListener = try loop.listen(host: fixListen.host, port: fixListen.port)
            handler.fixListeners.insert(fixListener)
            fixPort = loop.localPort(of: fixListener)
            if let tls {
                let fixTLS = try loop.listen(host: tls.fix.host, port: tls.fix.port, tls: tls.context)
                let ouchTLS = try loop.listen(host: tls.ouch.host, port: tls.ouch.port, tls: tls.context)
                handler.fixListeners.insert(fixTLS)
                handler.tlsListeners = [fixTLS, ouchTLS]
                fixTLSPort = loop.localPort(of: fixTLS)
                ouchTLSPort = loop.localPort(of: ouchTLS)
            }
            backendDescription = loop.backendName + (loop.fallbackReason.map { " (io_uring unavailable: \($0))" } ?? "")
        } catch {
            startError = error
            started.signal()
            return
        }
        started.signal()
        do {
            try loop.run()
        } catch {
            failure = error
            Log.error("order entry: the network loop failed: \(error)")
        }
        do {
            try handler.ouch.flushStores()
            try handler.fix.flushStores()
        } catch {
            failure = failure ?? error
        }
        failure = failure ?? handler.failure
    }

    /// Stops taking input; events keep going out. Returns once the I/O thread submits
    /// nothing more (or has exited), so that the engine, stopped next, sees every command.
    func beginDraining() {
        phase.store(.draining, ordering: .releasing)
        wakeSignal.wake()
        let deadline = monotonicNanoseconds() + 10_000_000_000
        // Acquiring: pairs with the handler's releasing store; its submits happen before.
        while !drainingAcknowledged.load(ordering: .acquiring) && !hasExited && monotonicNanoseconds() < deadline {
            usleep(100)
        }
    }

    /// Stops the loop after a last turn (which sends what the engine released) and waits
    /// for the thread. Call after the engine has stopped.
    func stop() {
        phase.store(.stopping, ordering: .releasing)
        wakeSignal.wake()
        thread?.join()
        thread = nil
    }

    /// True once the loop has returned on its own (a failure): the gateway should stop.
    var hasExited: Bool { exited.load(ordering: .acquiring) }
}
