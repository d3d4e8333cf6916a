import CCiftSystem
import CLiburing
import Rings
import POSIX

#if canImport(Glibc)
import Glibc
#endif

/// The epoll backend: level-triggered readiness, non-blocking sockets, one
/// read buffer for the loop. A connection's interest is EPOLLIN while it is
/// open and reading is not suspended, plus EPOLLOUT while a write would
/// block; with neither it is removed from the set (so a hang-up of a paused
/// connection does not wake the loop again and again).
extension NetworkLoop {
    /// Waits (when `parked`) and dispatches one array of events.
    func pollEpoll(timeoutNanoseconds: Int64, parked: Bool) throws(NetworkError) -> Int {
        guard let epoll else { return 0 }
        // Rounded up to whole milliseconds, so a short wait does not spin.
        let milliseconds = parked ? Int32((timeoutNanoseconds + 999_999) / 1_000_000) : 0
        let count = try epoll.wait(timeoutMilliseconds: milliseconds)
        if parked {
            parking.endPark(Self.parkOutcome(count: count) { epoll.event(at: $0).tag })
        }
        var events = 0
        for index in 0..<count {
            let event = epoll.event(at: index)
            switch event.tag.kind {
            case .receive:
                try handleSocketEvent(event.tag.connection, event.events)
                events += 1
            case .accept:
                try acceptConnections(Int(event.tag.subject))
                events += 1
            case .wakeUp:
                // Resets the counter; the work itself is found by the turn.
                _ = parking.consumeWakeUps()
            case .datagramReceive:
                readDatagrams(Int(event.tag.subject))
                events += 1
            case .send, .cancel, .probe, .datagramSend, nil:
                fatalError("epoll event with an unexpected tag \(event.tag.rawValue)")
            }
        }
        return events
    }

    /// Accepts what is waiting on listener `index`, at most 64 per event.
    func acceptConnections(_ index: Int) throws(NetworkError) {
        guard listeners[index].state == .active else { return }
        let listener = listeners[index].descriptor
        for _ in 0..<64 {
            let accepted: Int?
            do {
                accepted = try SystemCall.negatedErrno("accept4(SOCK_NONBLOCK | SOCK_CLOEXEC)", nilFor: .wouldBlock, as: NetworkError.self) {
                    Int(cift_accept_nonblocking(listener))
                }
            } catch {
                // ECONNABORTED, EMFILE, ENFILE, ...: counted; the listener
                // stays readable and is tried again next turn.
                statistics.acceptErrors += 1
                return
            }
            guard let accepted else { return }
            try openConnection(Int32(accepted), listener: index)
        }
    }

    func handleSocketEvent(_ connection: ConnectionID, _ events: UInt32) throws(NetworkError) {
        guard let slot = table.index(of: connection), table.slots[slot].descriptor >= 0 else { return }
        let hangUpOrError = events & EpollBackend.hangUpOrError != 0
        if table.slots[slot].waitingForWritable && (events & EpollBackend.writable != 0 || hangUpOrError) {
            table.slots[slot].waitingForWritable = false
            sendQueue.insert(slot)
        }
        if table.slots[slot].state == .open && (events & EpollBackend.readable != 0 || hangUpOrError) {
            if handshakeMustWait(slot) {
                // This turn's handshake steps are spent; level-triggered, the socket is
                // reported again at the next wait.
            } else if readingPaused {
                table.slots[slot].readingSuspended = true
                receiveQueue.insert(slot)
            } else {
                try readSocket(slot)
            }
        }
        if table.slots[slot].state == .open {
            try updateEpollInterest(slot)
        }
    }

    /// Reads into the loop's buffer and delivers, at most four buffers per
    /// event so one busy connection cannot starve the others.
    func readSocket(_ slot: Int) throws(NetworkError) {
        guard let epoll else { return }
        let descriptor = table.slots[slot].descriptor
        for _ in 0..<4 {
            let count: Int?
            do {
                count = try SystemCall.nonBlocking("recv", as: NetworkError.self) { recv(descriptor, epoll.readBuffer, epoll.readBufferSize, 0) }
            } catch {
                if case .systemCall(let failure) = error {
                    let code = failure.errno
                    beginClose(slot, reason: .receiveFailed(errno: code))
                }
                return
            }
            guard let count else { return }
            if count == 0 {
                beginClose(slot, reason: .peerClosed)
                return
            }
            deliver(slot, UnsafeRawBufferPointer(start: epoll.readBuffer, count: count))
            guard table.slots[slot].state == .open else { return }
            if readingPaused {
                // The rest stays in the socket until reading resumes.
                table.slots[slot].readingSuspended = true
                receiveQueue.insert(slot)
                return
            }
            if count < epoll.readBufferSize { return }
        }
    }

    /// Writes pending output until it is all written or the socket is full
    /// (then waits for EPOLLOUT).
    func writeSocket(_ slot: Int) throws(NetworkError) {
        let descriptor = table.slots[slot].descriptor
        while !table.slots[slot].send.isEmpty {
            let run = table.slots[slot].send.firstRun
            let written: Int?
            do {
                written = try SystemCall.nonBlocking("send", as: NetworkError.self) { Glibc.send(descriptor, run.baseAddress, run.count, Int32(MSG_NOSIGNAL)) }
            } catch {
                if table.slots[slot].state == .open, case .systemCall(let failure) = error {
                    let code = failure.errno
                    beginClose(slot, reason: .sendFailed(errno: code))
                } else {
                    // Closing gracefully and the peer is gone.
                    table.slots[slot].flushBeforeClose = false
                    table.slots[slot].send.removeAll()
                }
                return
            }
            guard let written else {
                table.slots[slot].waitingForWritable = true
                try updateEpollInterest(slot)
                return
            }
            table.slots[slot].send.consume(written)
            statistics.bytesSent &+= UInt64(written)
        }
    }

    /// Makes the epoll registration of `slot` match what it waits for.
    func updateEpollInterest(_ slot: Int) throws(NetworkError) {
        guard let epoll, table.slots[slot].descriptor >= 0 else { return }
        var wanted: UInt32 = 0
        if table.slots[slot].state == .open && !table.slots[slot].readingSuspended {
            wanted |= EpollBackend.readable
        }
        if table.slots[slot].waitingForWritable {
            wanted |= EpollBackend.writable
        }
        let registered = table.slots[slot].epollEvents
        guard wanted != registered else { return }
        try epoll.update(table.slots[slot].descriptor, registered: registered, events: wanted, tag: CompletionTag(.receive, table.id(ofSlot: slot)))
        table.slots[slot].epollEvents = wanted
    }
}
