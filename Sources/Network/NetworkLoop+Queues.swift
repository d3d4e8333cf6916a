/// The turn's queued work that both backends share: resuming receives and
/// flushing sends.
extension NetworkLoop {
    /// Reading is not paused: deliver what was held, in order, then arm a
    /// receive where none is in flight (io_uring), or watch EPOLLIN again
    /// (epoll). Stops where the handler pauses reading again.
    func serviceReceives() throws(NetworkError) {
        let pending = receiveQueue.count
        for index in 0..<pending {
            let slot = receiveQueue.slot(at: index)
            guard table.slots[slot].state == .open else { continue }
            guard !readingPaused else {
                receiveQueue.insert(slot)
                continue
            }
            guard let ioUring else {
                table.slots[slot].readingSuspended = false
                try updateEpollInterest(slot)
                continue
            }
            while !readingPaused, !handshakeMustWait(slot),
                let held = ioUring.stash.removeFirst(head: &table.slots[slot].stashHead, tail: &table.slots[slot].stashTail)
            {
                deliver(slot, ioUring.buffers.bytes(held.buffer, count: held.length))
                ioUring.buffers.recycle(held.buffer)
            }
            // The handler may have closed the connection, or paused reading; a handshake
            // that spent this turn's steps keeps the rest for the next turn.
            guard table.slots[slot].state == .open else { continue }
            if readingPaused || table.slots[slot].stashHead >= 0 {
                receiveQueue.insert(slot)
                continue
            }
            if table.slots[slot].endOfStreamPending {
                table.slots[slot].endOfStreamPending = false
                beginClose(slot, reason: .peerClosed)
                continue
            }
            // A receive still in flight (its cancel not yet completed) ends
            // with a completion that queues the slot again.
            if !table.slots[slot].receiveArmed {
                try armReceive(slot, ioUring)
            }
        }
        receiveQueue.removeFirst(pending)
    }

    /// One send per connection with pending output and none in flight
    /// (io_uring); writes until the socket is full (epoll).
    func flushSends() throws(NetworkError) {
        // What must be durable before the peer sees these bytes is written first.
        handler.willSend(loop: self)
        let pending = sendQueue.count
        for index in 0..<pending {
            let slot = sendQueue.slot(at: index)
            let state = table.slots[slot].state
            guard table.slots[slot].descriptor >= 0, !table.slots[slot].send.isEmpty,
                state == .open || (state == .closing && table.slots[slot].flushBeforeClose)
            else { continue }
            if let ioUring {
                guard table.slots[slot].sendInFlight == 0 else { continue }
                let run = table.slots[slot].send.firstRun
                try ioUring.ring.prepareSend(socket: table.slots[slot].descriptor, bytes: run, tag: CompletionTag(.send, table.id(ofSlot: slot)))
                table.slots[slot].sendInFlight = run.count
            } else {
                guard !table.slots[slot].waitingForWritable else { continue }
                try writeSocket(slot)
            }
        }
        sendQueue.removeFirst(pending)
    }
}
