import TLS
import POSIX

/// A connection's life, common to both backends: opened on accept, bytes
/// delivered, closed in two steps (the decision, which needs no system call
/// and may happen inside any handler callback; then the kernel work, done in
/// the turn's queued work).
extension NetworkLoop {
    /// A socket was accepted on listener `listener`: give it a slot and tell
    /// the handler, or close it at once when every slot is in use (the
    /// handler never hears of it; `statistics.rejectedConnections` counts it).
    func openConnection(_ descriptor: Int32, listener: Int) throws(NetworkError) {
        guard !shuttingDown else {
            SystemCall.release(descriptor)
            return
        }
        guard let id = table.open(descriptor: descriptor, listener: ListenerID(rawValue: UInt16(listener))) else {
            SystemCall.release(descriptor)
            statistics.rejectedConnections += 1
            return
        }
        let slot = id.slot
        table.slots[slot].peerAddress = TCPSocket.peerAddress(descriptor)
        do {
            try TCPSocket.setNoDelay(descriptor)
            if epoll != nil {
                if readingPaused {
                    table.slots[slot].readingSuspended = true
                    receiveQueue.insert(slot)
                }
                try updateEpollInterest(slot)
            } else {
                // The receive is armed in the turn's queued work.
                receiveQueue.insert(slot)
            }
        } catch {
            // The peer may already be gone (setsockopt on a reset socket);
            // nobody has heard of this connection, so drop it quietly.
            SystemCall.release(descriptor)
            table.slots[slot].descriptor = -1
            table.release(slot)
            statistics.acceptErrors += 1
            return
        }
        statistics.acceptedConnections += 1
        if let context = listeners[listener].tls {
            // The handler hears of a TLS connection once its handshake has finished.
            do {
                table.slots[slot].tls = try TLSSession(context: context)
            } catch {
                beginClose(slot, reason: .tlsFailure(error.message))
                return
            }
            table.slots[slot].openedReported = false
            table.slots[slot].handshakeDeadline = now + Int64(configuration.tlsHandshakeTimeoutMilliseconds) * 1_000_000
            handshakingSlots.insert(slot)
            return
        }
        handler(ofSlot: slot).opened(id, listener: ListenerID(rawValue: UInt16(listener)), loop: self)
    }

    /// Hands received bytes to the handler (a TLS connection's: decrypted first).
    @inline(__always)
    func deliver(_ slot: Int, _ bytes: UnsafeRawBufferPointer) {
        statistics.bytesReceived &+= UInt64(bytes.count)
        if let session = table.slots[slot].tls {
            deliverTLS(slot, session, bytes)
            return
        }
        handler(ofSlot: slot).received(table.id(ofSlot: slot), bytes: bytes, loop: self)
    }

    /// Who hears of `slot`'s connection: its listener's own handler, else the loop's.
    @inline(__always)
    func handler(ofSlot slot: Int) -> any NetworkHandler {
        listeners[Int(table.slots[slot].listener.rawValue)].handler ?? handler
    }

    /// Ciphertext in: the handshake advances (its answer queued), or records are
    /// decrypted and their plaintext handed to the handler. A failure closes the
    /// connection with OpenSSL's reason.
    func deliverTLS(_ slot: Int, _ session: TLSSession, _ bytes: UnsafeRawBufferPointer) {
        let id = table.id(ofSlot: slot)
        if !table.slots[slot].openedReported { handshakeStepsLeft -= 1 }
        let outcome = session.receive(bytes) { plaintext in
            guard table.slots[slot].state == .open else { return }
            reportOpenedIfNeeded(slot)
            handler(ofSlot: slot).received(id, bytes: plaintext, loop: self)
        }
        if table.slots[slot].state == .open { _ = queueTLSOutput(slot, session) }
        switch outcome {
        case .established: reportOpenedIfNeeded(slot)
        case .handshaking, .open: break
        case .closed: beginClose(slot, reason: .peerClosed)
        case .failed(let reason):
            statistics.tlsFailures &+= 1
            beginClose(slot, reason: .tlsFailure(reason))
        }
    }

    /// A TLS connection whose handshake has not finished and whose next bytes must wait
    /// for the next turn: this turn's handshake steps are spent.
    @inline(__always)
    func handshakeMustWait(_ slot: Int) -> Bool {
        handshakeStepsLeft <= 0 && table.slots[slot].tls != nil && !table.slots[slot].openedReported
    }

    /// A TLS connection's handshake has finished: now the handler hears `opened`.
    func reportOpenedIfNeeded(_ slot: Int) {
        guard !table.slots[slot].openedReported, table.slots[slot].state == .open else { return }
        table.slots[slot].openedReported = true
        statistics.tlsHandshakes &+= 1
        handler(ofSlot: slot).opened(table.id(ofSlot: slot), listener: table.slots[slot].listener, loop: self)
    }

    /// Moves a TLS session's waiting ciphertext into the connection's send buffer.
    func queueTLSOutput(_ slot: Int, _ session: TLSSession) -> SendResult {
        var result = SendResult.queued
        session.drainOutput { ciphertext in
            guard result == .queued else { return }
            if table.slots[slot].send.append(ciphertext) {
                sendQueue.insert(slot)
            } else {
                statistics.slowConsumerDisconnects += 1
                beginClose(slot, reason: .slowConsumer)
                result = .slowConsumer
            }
        }
        return result
    }

    /// Closes TLS connections whose handshake ran out of time (each turn; the list
    /// holds only connections still handshaking).
    func expireHandshakes() {
        let pending = handshakingSlots.count
        for index in 0..<pending {
            let slot = handshakingSlots.slot(at: index)
            guard table.slots[slot].state == .open, !table.slots[slot].openedReported else { continue }
            if now >= table.slots[slot].handshakeDeadline {
                statistics.tlsFailures &+= 1
                beginClose(slot, reason: .tlsHandshakeTimeout)
            } else {
                handshakingSlots.insert(slot)
            }
        }
        handshakingSlots.removeFirst(pending)
    }

    /// Decides that the connection in `slot` closes for `reason`: no more
    /// receives or sends are accepted from now on, the handler hears `closed`
    /// after its current callback, and the turn's queued work does the rest
    /// (`serviceClosings`). No system call, so it may run inside any callback.
    func beginClose(_ slot: Int, reason: CloseReason) {
        guard table.slots[slot].state == .open else { return }
        table.slots[slot].state = .closing
        table.slots[slot].closeReason = reason
        table.slots[slot].closeReported = false
        let hasOutput = !table.slots[slot].send.isEmpty || table.slots[slot].sendInFlight > 0
        table.slots[slot].flushBeforeClose = reason.isGraceful && hasOutput
        table.slots[slot].lingerDeadline = now + lingerNanoseconds
        if !table.slots[slot].flushBeforeClose && table.slots[slot].sendInFlight == 0 {
            table.slots[slot].send.removeAll()
        }
        if let ioUring {
            // Bytes held while paused will never be delivered: give the
            // buffers back to the kernel.
            while let held = ioUring.stash.removeFirst(head: &table.slots[slot].stashHead, tail: &table.slots[slot].stashTail) {
                ioUring.buffers.recycle(held.buffer)
            }
            table.slots[slot].endOfStreamPending = false
        }
        closeReports.insert(slot)
        closingSlots.insert(slot)
    }

    /// Moves every closing connection on: gives up a graceful close whose
    /// linger passed, cancels what the kernel still holds, closes sockets
    /// that nothing refers to any more, and frees slots whose `closed` was
    /// reported.
    func serviceClosings() throws(NetworkError) {
        let pending = closingSlots.count
        for index in 0..<pending {
            let slot = closingSlots.slot(at: index)
            guard table.slots[slot].state == .closing else { continue }
            try advanceClose(slot)
            if table.slots[slot].state == .closing {
                closingSlots.insert(slot)
            }
        }
        closingSlots.removeFirst(pending)
    }

    func advanceClose(_ slot: Int) throws(NetworkError) {
        let descriptor = table.slots[slot].descriptor
        if descriptor >= 0 {
            if table.slots[slot].flushBeforeClose {
                if table.slots[slot].send.isEmpty && table.slots[slot].sendInFlight == 0 {
                    table.slots[slot].flushBeforeClose = false
                } else if now >= table.slots[slot].lingerDeadline {
                    // The peer did not take the rest in time: discard it.
                    table.slots[slot].flushBeforeClose = false
                    if table.slots[slot].sendInFlight == 0 {
                        table.slots[slot].send.removeAll()
                    }
                    if ioUring != nil {
                        // Ends a send the kernel holds, whatever the peer does.
                        TCPSocket.shutdownBoth(descriptor)
                    }
                }
            }
            if let ioUring {
                if table.slots[slot].receiveArmed && !table.slots[slot].receiveCancelRequested {
                    try ioUring.ring.prepareCancel(target: CompletionTag(.receive, table.id(ofSlot: slot)))
                    table.slots[slot].receiveCancelRequested = true
                }
                if !table.slots[slot].flushBeforeClose && table.slots[slot].sendInFlight > 0 && !table.slots[slot].sendCancelRequested {
                    try ioUring.ring.prepareCancel(target: CompletionTag(.send, table.id(ofSlot: slot)))
                    table.slots[slot].sendCancelRequested = true
                }
                // The socket closes when the kernel has let go of it.
                if table.slots[slot].flushBeforeClose || table.slots[slot].receiveArmed || table.slots[slot].sendInFlight > 0 {
                    return
                }
            } else if table.slots[slot].flushBeforeClose {
                // Still writing; stop reading meanwhile.
                try updateEpollInterest(slot)
                return
            }
            // epoll forgets a descriptor when it is closed.
            SystemCall.release(descriptor)
            table.slots[slot].descriptor = -1
            table.slots[slot].epollEvents = 0
        }
        if table.slots[slot].closeReported {
            table.release(slot)
        }
    }
}
