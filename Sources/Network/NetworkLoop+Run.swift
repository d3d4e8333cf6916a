import Rings
import POSIX

/// The turn loop: the handler's turn, queued work, the kernel, and parking.
extension NetworkLoop {
    /// Runs the loop on its thread until `requestStop()`; then closes every
    /// connection and listener (each connection's `closed` is reported with
    /// `.loopShutdown`) and returns. May be called once.
    ///
    /// Throws when a system call the loop cannot do without fails (e.g.
    /// `io_uring_enter` with ENOMEM); every socket is closed and every open
    /// connection reported `closed` with `.loopShutdown` before it throws.
    ///
    /// The same turns can be driven from outside, one at a time, by an agent
    /// runner that composes this loop with other stages on one thread: `start()`,
    /// then `turn()` and, when no stage had work, `waitForWork(...)`, until
    /// `hasShutDown`.
    public func run() throws(NetworkError) {
        start()
        defer { phase = .finished }
        let spinTurns = configuration.spinTurns
        /// Consecutive turns without work, up to `spinTurns`.
        var emptyTurns = 0
        while true {
            let work = try turn()
            if hasShutDown { return }
            if work > 0 {
                emptyTurns = 0
            } else if emptyTurns < spinTurns {
                emptyTurns += 1
            } else {
                try waitForWork(timeoutNanoseconds: idleWaitNanoseconds) { false }
                emptyTurns = 0
            }
        }
    }

    /// Marks the loop running; before the first `turn()` when the loop is driven from
    /// outside (`run()` calls it itself). Loop thread only; once.
    public func start() {
        assertOnLoopThread()
        precondition(phase == .ready, "NetworkLoop.run may be called once")
        phase = .running
    }

    /// One turn that never blocks: the stop request, the handler's turn (the engine's
    /// events into sends, timers), queued work, and the kernel polled without waiting.
    /// Returns how much happened (0: nothing). After a fatal system-call error every
    /// socket is closed and reported before this throws, and `hasShutDown` is true.
    /// Loop thread only.
    @discardableResult
    public func turn() throws(NetworkError) -> Int {
        guard phase == .running else { return 0 }
        do {
            return try turnOnce()
        } catch {
            abandonEverything()
            phase = .finished
            throw error
        }
    }

    /// True once a requested stop has closed every connection and listener (or a fatal
    /// error ended the loop): no more turns are needed. The loop can still be waited in
    /// (`waitForWork`) for the wake signal and the UDP endpoints, which stay open.
    public var hasShutDown: Bool { phase == .finished || (shuttingDown && openListeners == 0 && table.inUse == 0) }

    func turnOnce() throws(NetworkError) -> Int {
        // Acquiring: pairs with requestStop's releasing store.
        if !shuttingDown && stopRequested.load(ordering: .acquiring) {
            try beginShutdown()
        }
        now = MonotonicClock.nanoseconds()
        statistics.turns &+= 1
        handshakeStepsLeft = Self.handshakeStepsPerTurn
        if !handshakingSlots.isEmpty { expireHandshakes() }
        var work = handler.turn(loop: self, nowNanoseconds: now) ? 1 : 0
        work += try serviceQueues() ? 1 : 0
        if hasShutDown {
            phase = .finished
            return work
        }
        if hasQueuedWork { work += 1 }
        // Right after a sleep in the kernel, which collected what was ready, a turn that
        // found nothing to do and has nothing to submit need not ask the kernel again: an
        // idle thread woken for a timer makes one system call, not two.
        let justWoke = wokeFromKernel
        wokeFromKernel = false
        if justWoke && work == 0 && (ioUring?.ring.unsubmitted ?? 0) == 0 { return 0 }
        work += try pollKernel(timeoutNanoseconds: 0)
        return work
    }

    /// Parks the loop's thread: announces it (a store and a sequentially consistent
    /// fence), re-checks the handler's inbound events, the stop flag and `recheck` (the
    /// other stages that share this thread), and blocks in the kernel (sockets, the wake
    /// signal's eventfd, UDP endpoints) for at most `timeoutNanoseconds`; what
    /// arrives is dispatched before this returns. Loop thread only.
    public func waitForWork(timeoutNanoseconds: Int64, recheck: () -> Bool) throws(NetworkError) {
        assertOnLoopThread()
        parking.announceParking()
        // Re-check what another thread could have filled before seeing the
        // announcement: the handler's inbound events, the stop flag (until the
        // shutdown it asks for has begun), and the caller's own sources. This
        // thread's own queues cannot have changed.
        let stopNews = !shuttingDown && stopRequested.load(ordering: .acquiring)
        if (phase == .running && handler.hasPendingWork()) || stopNews || recheck() || (phase == .running && hasQueuedWork) {
            parking.cancelParking()
            return
        }
        // While shutting down, closes wait on completions, so wait less.
        let timeout = shuttingDown && phase == .running
            ? Swift.min(timeoutNanoseconds, 10_000_000) : Swift.max(0, timeoutNanoseconds)
        statistics.parks &+= 1
        handshakeStepsLeft = Self.handshakeStepsPerTurn
        do {
            _ = try pollKernel(timeoutNanoseconds: timeout, parked: true)
            // Only when nothing was left behind (io_uring: the completion queue is empty;
            // epoll's next wait is what finds what a full batch left).
            wokeFromKernel = ioUring.map { $0.ring.readyCompletions == 0 } ?? false
        } catch {
            if phase == .running {
                abandonEverything()
                phase = .finished
            }
            throw error
        }
    }

    /// The longest the loop may sleep before its handler's `turn` is due again
    /// (`maxIdleWaitMilliseconds`).
    public var idleWaitLimitNanoseconds: Int64 { idleWaitNanoseconds }

    /// Work the loop queued for itself that the next turn would do.
    var hasQueuedWork: Bool {
        !sendQueue.isEmpty || (!readingPaused && !receiveQueue.isEmpty) || listenersNeedAccept || !closeReports.isEmpty
    }

    /// Step 2 of a turn. Returns whether it did anything.
    func serviceQueues() throws(NetworkError) -> Bool {
        var work = false
        if !readingPaused && !receiveQueue.isEmpty {
            work = true
            try serviceReceives()
        }
        if listenersNeedAccept {
            try armAccepts()
        }
        reportClosures()
        if !sendQueue.isEmpty {
            work = true
            try flushSends()
        }
        if !closingSlots.isEmpty {
            try serviceClosings()
        }
        reportClosures()
        return work
    }

    /// Step 3 of a turn: submit, collect and dispatch kernel events. With
    /// `parked`, blocks for at most `timeoutNanoseconds` and ends the park
    /// announced on the wake signal. Returns the number of socket events
    /// (wake-ups and cancellations do not count).
    func pollKernel(timeoutNanoseconds: Int64, parked: Bool = false) throws(NetworkError) -> Int {
        let events: Int
        if ioUring != nil {
            events = try pollIOUring(timeoutNanoseconds: timeoutNanoseconds, parked: parked)
        } else {
            events = try pollEpoll(timeoutNanoseconds: timeoutNanoseconds, parked: parked)
        }
        reportClosures()
        return events
    }

    /// How a park ended, from the first batch of events after it: nothing
    /// (timed out), the wake signal's eventfd among them (woken), or only
    /// socket events (interrupted, in `WakeSignal.Statistics` terms).
    @inline(__always)
    static func parkOutcome(count: Int, tag: (Int) -> CompletionTag) -> WakeSignal.EventFDParkOutcome {
        if count == 0 { return .timedOut }
        for index in 0..<count where tag(index).kind == .wakeUp {
            return .woken
        }
        return .interrupted
    }

    /// Tells the handler about every connection that started closing since
    /// the last report, and releases the slots whose sockets are closed. A
    /// `closed` callback may close or send on other connections; their
    /// reports are made in the same call.
    func reportClosures() {
        while !closeReports.isEmpty {
            let pending = closeReports.count
            for index in 0..<pending {
                let slot = closeReports.slot(at: index)
                guard table.slots[slot].state == .closing, !table.slots[slot].closeReported else { continue }
                table.slots[slot].closeReported = true
                handler(ofSlot: slot).closed(table.id(ofSlot: slot), reason: table.slots[slot].closeReason, loop: self)
                if table.slots[slot].descriptor < 0 {
                    table.release(slot)
                }
            }
            closeReports.removeFirst(pending)
        }
    }

    /// `requestStop()` was seen: stop accepting and close every connection.
    func beginShutdown() throws(NetworkError) {
        shuttingDown = true
        for index in listeners.indices where listeners[index].state == .active {
            if let ioUring, listeners[index].acceptArmed {
                try ioUring.ring.prepareCancel(target: CompletionTag(.accept, UInt32(index)))
                listeners[index].state = .closing
            } else {
                SystemCall.release(listeners[index].descriptor)
                listeners[index].state = .closed
                openListeners -= 1
            }
        }
        for slot in 0..<table.capacity where table.slots[slot].state == .open {
            beginClose(slot, reason: .loopShutdown)
        }
    }

    /// After a fatal error: close every socket now, report every unreported
    /// connection `closed` with `.loopShutdown`, and free every slot. What the
    /// kernel still holds is cancelled when the io_uring instance exits.
    func abandonEverything() {
        shuttingDown = true
        closeAllDatagrams()
        for index in listeners.indices where listeners[index].state != .closed {
            SystemCall.release(listeners[index].descriptor)
            listeners[index].state = .closed
        }
        openListeners = 0
        for slot in 0..<table.capacity where table.slots[slot].state != .free {
            if table.slots[slot].descriptor >= 0 {
                SystemCall.release(table.slots[slot].descriptor)
                table.slots[slot].descriptor = -1
            }
            if !table.slots[slot].closeReported {
                let reason: CloseReason = table.slots[slot].state == .open ? .loopShutdown : table.slots[slot].closeReason
                table.slots[slot].state = .closing
                table.slots[slot].closeReported = true
                handler(ofSlot: slot).closed(table.id(ofSlot: slot), reason: reason, loop: self)
            }
            table.release(slot)
        }
    }
}
