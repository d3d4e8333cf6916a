import CLiburing
import Rings
import POSIX

#if canImport(Glibc)
import Glibc
#endif

/// The io_uring backend: what is submitted and what each completion means.
///
/// In flight per connection: at most one receive (multishot, or single-shot
/// re-armed after each completion) and at most one send. Per listener: one
/// (multishot) accept. Per loop: one read of the wake signal's eventfd.
extension NetworkLoop {
    // MARK: Submissions

    func armAccept(_ index: Int) throws(NetworkError) {
        guard let ioUring else { return }
        try ioUring.ring.prepareAccept(listener: listeners[index].descriptor, multishot: listeners[index].multishotAccept, tag: CompletionTag(.accept, UInt32(index)))
        listeners[index].acceptArmed = true
    }

    /// Re-arms the accept of every active listener whose accept ended.
    func armAccepts() throws(NetworkError) {
        listenersNeedAccept = false
        for index in listeners.indices where listeners[index].state == .active && !listeners[index].acceptArmed {
            try armAccept(index)
        }
    }

    func armReceive(_ slot: Int, _ ioUring: IOUringBackend) throws(NetworkError) {
        try ioUring.ring.prepareReceive(
            socket: table.slots[slot].descriptor, group: ProvidedBufferRing.group, length: ioUring.buffers.size,
            multishot: ioUring.multishotReceive, tag: CompletionTag(.receive, table.id(ofSlot: slot)))
        table.slots[slot].receiveArmed = true
        table.slots[slot].receiveCancelRequested = false
    }

    // MARK: Completions

    /// Submits, waits if `parked`, and dispatches up to four batches of
    /// completions.
    func pollIOUring(timeoutNanoseconds: Int64, parked: Bool) throws(NetworkError) -> Int {
        guard let ioUring else { return 0 }
        let ring = ioUring.ring
        if parked {
            try ring.submitAndWait(timeoutNanoseconds: timeoutNanoseconds)
        } else {
            try ring.submitAndPoll()
        }
        var events = 0
        var batches = 0
        while batches < 4 {
            let count = ring.peekCompletions()
            if parked && batches == 0 {
                parking.endPark(Self.parkOutcome(count: count) { ring.completion(at: $0).tag })
            }
            if count == 0 { break }
            for index in 0..<count {
                let completion = ring.completion(at: index)
                events += try handleCompletion(completion.tag, completion.result, completion.flags, ioUring)
            }
            ring.advance(count)
            batches += 1
        }
        return events
    }

    /// Returns 1 for a socket event, 0 otherwise.
    func handleCompletion(_ tag: CompletionTag, _ result: Int32, _ flags: UInt32, _ ioUring: IOUringBackend) throws(NetworkError) -> Int {
        switch tag.kind {
        case .receive:
            try handleReceive(tag.connection, result, flags, ioUring)
            return 1
        case .send:
            handleSend(tag.connection, result)
            return 1
        case .accept:
            try handleAccept(Int(tag.subject), result, flags)
            return 1
        case .wakeUp:
            // The eventfd was written (the read reset its counter); keep one
            // read armed. -ECANCELED only happens when the ring exits.
            if result < 0 && result != -ECANCELED {
                throw .systemCall(SystemCallError(call: "read(wake signal eventfd)", errno: -result))
            }
            if result >= 0 {
                try ioUring.ring.prepareRead(descriptor: parking.fileDescriptor, buffer: ioUring.wakeUpWord, length: 8, tag: CompletionTag(.wakeUp))
            }
            return 0
        case .datagramReceive:
            try handleDatagramReceive(Int(tag.subject), result, ioUring)
            return 1
        case .datagramSend:
            handleDatagramSend(tag.subject, result)
            return 0
        case .cancel:
            return 0
        case .probe:
            // A late completion of the start-up probe.
            if flags & IORING_CQE_F_BUFFER != 0 {
                ioUring.buffers.recycle(Int(flags >> IORING_CQE_BUFFER_SHIFT))
            }
            return 0
        case nil:
            fatalError("io_uring completion with an unknown tag \(tag.rawValue)")
        }
    }

    func handleAccept(_ index: Int, _ result: Int32, _ flags: UInt32) throws(NetworkError) {
        let more = flags & IORING_CQE_F_MORE != 0
        if !more { listeners[index].acceptArmed = false }
        if result >= 0 {
            if listeners[index].state == .active {
                try openConnection(result, listener: index)
            } else {
                SystemCall.release(result)
            }
        } else if result == -EINVAL && listeners[index].multishotAccept && !more {
            // A kernel without multishot accept: one accept per connection.
            listeners[index].multishotAccept = false
        } else if result != -ECANCELED {
            statistics.acceptErrors += 1
        }
        guard !more else { return }
        switch listeners[index].state {
        case .active:
            listenersNeedAccept = true
        case .closing:
            SystemCall.release(listeners[index].descriptor)
            listeners[index].state = .closed
            openListeners -= 1
        case .closed:
            break
        }
    }

    func handleReceive(_ connection: ConnectionID, _ result: Int32, _ flags: UInt32, _ ioUring: IOUringBackend) throws(NetworkError) {
        let hasBuffer = flags & IORING_CQE_F_BUFFER != 0
        let buffer = Int(flags >> IORING_CQE_BUFFER_SHIFT)
        guard let slot = table.index(of: connection) else {
            // A slot is released only after its receive ended, so this is
            // not expected; never keep a buffer anyway.
            if hasBuffer { ioUring.buffers.recycle(buffer) }
            return
        }
        let more = flags & IORING_CQE_F_MORE != 0
        if !more {
            table.slots[slot].receiveArmed = false
            table.slots[slot].receiveCancelRequested = false
        }
        if result > 0 && hasBuffer {
            if table.slots[slot].state != .open {
                ioUring.buffers.recycle(buffer)
            } else if readingPaused || table.slots[slot].stashHead >= 0 || handshakeMustWait(slot) {
                // Hold it, behind anything held before, until reading resumes (or, for a
                // handshake, until a later turn has a handshake step left).
                ioUring.stash.append(buffer, length: Int(result), head: &table.slots[slot].stashHead, tail: &table.slots[slot].stashTail)
                receiveQueue.insert(slot)
                if readingPaused && more && !table.slots[slot].receiveCancelRequested {
                    try ioUring.ring.prepareCancel(target: CompletionTag(.receive, connection))
                    table.slots[slot].receiveCancelRequested = true
                }
            } else {
                deliver(slot, ioUring.buffers.bytes(buffer, count: Int(result)))
                ioUring.buffers.recycle(buffer)
            }
        } else {
            if hasBuffer { ioUring.buffers.recycle(buffer) }
            if table.slots[slot].state == .open {
                if result == 0 {
                    // End of stream; after what is held, if anything is.
                    if table.slots[slot].stashHead >= 0 {
                        table.slots[slot].endOfStreamPending = true
                        receiveQueue.insert(slot)
                    } else {
                        beginClose(slot, reason: .peerClosed)
                    }
                } else if result == -ENOBUFS || result == -ECANCELED {
                    // No provided buffer was free, or we cancelled it to
                    // pause: armed again when reading goes on.
                } else if result < 0 {
                    beginClose(slot, reason: .receiveFailed(errno: -result))
                }
            }
        }
        if !more && table.slots[slot].state == .open && !table.slots[slot].endOfStreamPending {
            receiveQueue.insert(slot)
        }
    }

    func handleSend(_ connection: ConnectionID, _ result: Int32) {
        guard let slot = table.index(of: connection) else { return }
        table.slots[slot].sendInFlight = 0
        table.slots[slot].sendCancelRequested = false
        let state = table.slots[slot].state
        if state == .closing && !table.slots[slot].flushBeforeClose {
            // Abortive close, or the linger passed: the rest is discarded.
            table.slots[slot].send.removeAll()
            return
        }
        if result > 0 {
            table.slots[slot].send.consume(Int(result))
            statistics.bytesSent &+= UInt64(result)
            if !table.slots[slot].send.isEmpty {
                sendQueue.insert(slot)
            }
        } else if result == 0 || result == -ECANCELED || result == -EAGAIN || result == -EINTR {
            sendQueue.insert(slot)
        } else if state == .open {
            beginClose(slot, reason: .sendFailed(errno: -result))
        } else {
            // Closing gracefully and the peer is gone: nothing more to write.
            table.slots[slot].flushBeforeClose = false
            table.slots[slot].send.removeAll()
        }
    }
}
