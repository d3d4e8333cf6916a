import CLiburing
import POSIX

#if canImport(Glibc)
import Glibc
#endif

/// UDP endpoints: sockets of a loop that send and receive datagrams (the market data's
/// multicast sender and its retransmission server), so that one thread's sockets of
/// every kind go through one loop and one sleep in the kernel.
///
/// io_uring: each endpoint with a handler keeps one `recvmsg` in the kernel, re-armed as
/// each datagram is delivered; a send copies the datagram into one of the endpoint's
/// send slots and queues a `sendmsg`, handed to the kernel with the turn's other
/// submissions (or at once with `submitPending()`); a burst beyond the free slots hands
/// what is queued to the kernel and sends the rest directly, in order. epoll: a readable endpoint is read
/// until empty (at most 16 datagrams per event), and a send is one `sendto`.
///
/// Endpoints stay open across the loop's stop (a stage that publishes may still have a
/// last packet to send after order entry has closed its connections); their owner closes
/// them with `closeDatagram`, or they close with the loop.
extension NetworkLoop {
    /// The most UDP endpoints one loop opens.
    public static let maxDatagramEndpoints = 16

    /// Opens a UDP endpoint as `options` say; `handler` hears what arrives on it (nil: a
    /// sender only, nothing is read).
    public func openDatagram(_ options: DatagramOptions, handler: (any DatagramHandler)? = nil) throws(NetworkError) -> DatagramEndpointID {
        assertOnLoopThread()
        guard (1...65_507).contains(options.maximumDatagramBytes) else {
            throw .invalidConfiguration("maximumDatagramBytes \(options.maximumDatagramBytes) (1 to 65,507)")
        }
        guard (1...4_096).contains(options.sendSlots) else {
            throw .invalidConfiguration("sendSlots \(options.sendSlots) (1 to 4,096)")
        }
        guard datagrams.count < Self.maxDatagramEndpoints else {
            throw .invalidConfiguration("more than \(Self.maxDatagramEndpoints) UDP endpoints on one loop")
        }
        let socket = try DatagramSocket.open(options)
        let index = datagrams.count
        let endpoint = DatagramEndpoint(descriptor: socket.descriptor, port: socket.port, handler: handler,
                                        maximumBytes: options.maximumDatagramBytes, sendSlots: options.sendSlots)
        datagrams.append(endpoint)
        do {
            if let ioUring {
                // The kernel may read and write the endpoint's memory until the ring exits.
                ioUring.retained.append(endpoint)
                if handler != nil { try armDatagramReceive(index, ioUring) }
            } else if let epoll, handler != nil {
                try epoll.update(socket.descriptor, registered: 0, events: EpollBackend.readable, tag: CompletionTag(.datagramReceive, UInt32(index)))
            }
        } catch {
            SystemCall.release(socket.descriptor)
            endpoint.descriptor = -1
            throw error
        }
        return DatagramEndpointID(rawValue: UInt16(index))
    }

    /// The UDP port `endpoint` is bound to (0 when it was not bound).
    public func localPort(of endpoint: DatagramEndpointID) -> UInt16 {
        assertOnLoopThread()
        return datagrams[Int(endpoint.rawValue)].port
    }

    /// Sends `bytes` as one datagram to `peer` from `endpoint` (copied: the caller's
    /// buffer is free when this returns). Never blocks.
    @discardableResult
    public func sendDatagram(_ endpoint: DatagramEndpointID, to peer: DatagramAddress, _ bytes: UnsafeRawBufferPointer) -> DatagramSendResult {
        assertOnLoopThread()
        let index = Int(endpoint.rawValue)
        guard index < datagrams.count, datagrams[index].descriptor >= 0 else { return .unknownEndpoint }
        let e = datagrams[index]
        guard bytes.count <= e.maximumBytes else { return .tooLarge }
        if let ioUring {
            guard let (slot, header) = e.fillSendSlot(bytes, to: peer) else {
                // Every slot is queued or in the kernel (a burst: a retransmission answer,
                // a busy feed): what is queued goes to the kernel first, then this one
                // straight after it, so the order is kept.
                if ioUring.ring.unsubmitted > 0 { try? ioUring.ring.submit() }
                if DatagramSocket.send(e.descriptor, bytes, to: peer) {
                    statistics.datagramsSent &+= 1
                    return .sent
                }
                statistics.datagramsDropped &+= 1
                return .dropped
            }
            do {
                try ioUring.ring.prepareSendMessage(socket: e.descriptor, header: header,
                                                    tag: CompletionTag(.datagramSend, UInt32(index) << 16 | UInt32(slot)))
            } catch {
                // The submission queue could not be emptied into the kernel: this
                // datagram is lost; the loop's next turn meets the same error.
                e.releaseSendSlot(slot)
                statistics.datagramsDropped &+= 1
                return .dropped
            }
            return .sent
        }
        if DatagramSocket.send(e.descriptor, bytes, to: peer) {
            statistics.datagramsSent &+= 1
            return .sent
        }
        statistics.datagramsDropped &+= 1
        return .dropped
    }

    /// Hands whatever is queued for the kernel (datagrams, and anything else prepared)
    /// to it now, without waiting and without dispatching completions (the next turn
    /// does): for a stage that sends after the loop's turn in the same cycle. No system
    /// call when nothing is queued; nothing to do on epoll, whose sends are immediate.
    public func submitPending() throws(NetworkError) {
        assertOnLoopThread()
        guard let ioUring, ioUring.ring.unsubmitted > 0 else { return }
        try ioUring.ring.submit()
    }

    /// Closes `endpoint`: nothing more is received or sent. Datagrams still in the
    /// kernel's hands go out. A stale or closed identifier is ignored.
    public func closeDatagram(_ endpoint: DatagramEndpointID) {
        assertOnLoopThread()
        let index = Int(endpoint.rawValue)
        guard index < datagrams.count, datagrams[index].descriptor >= 0 else { return }
        let e = datagrams[index]
        if let ioUring, e.receiveArmed {
            // The receive ends with -ECANCELED; it is not armed again.
            try? ioUring.ring.prepareCancel(target: CompletionTag(.datagramReceive, UInt32(index)))
        }
        // Queued sends are handed over first: the kernel resolves a descriptor when it
        // takes a submission, and keeps its own reference to the socket from then on.
        if let ioUring, ioUring.ring.unsubmitted > 0 { try? ioUring.ring.submit() }
        SystemCall.release(e.descriptor)
        e.descriptor = -1
    }

    /// Closes every endpoint still open (the loop is going away).
    func closeAllDatagrams() {
        for index in datagrams.indices { closeDatagram(DatagramEndpointID(rawValue: UInt16(index))) }
    }

    // MARK: io_uring

    func armDatagramReceive(_ index: Int, _ ioUring: IOUringBackend) throws(NetworkError) {
        let e = datagrams[index]
        try ioUring.ring.prepareReceiveMessage(socket: e.descriptor, header: e.prepareReceiveHeader(),
                                               tag: CompletionTag(.datagramReceive, UInt32(index)))
        e.receiveArmed = true
    }

    func handleDatagramReceive(_ index: Int, _ result: Int32, _ ioUring: IOUringBackend) throws(NetworkError) {
        let e = datagrams[index]
        e.receiveArmed = false
        guard e.descriptor >= 0 else { return }
        if result >= 0, let handler = e.handler {
            statistics.datagramsReceived &+= 1
            let from = DatagramAddress(socketAddress: e.receiveName.pointee)
            handler.received(datagram: UnsafeRawBufferPointer(start: e.receiveBuffer, count: Int(result)), from: from,
                             endpoint: DatagramEndpointID(rawValue: UInt16(index)), loop: self)
        } else if result < 0 && result != -ECANCELED {
            // ECONNREFUSED (ICMP for an earlier reply), ENOMEM, ...: counted, read on.
            statistics.datagramReceiveErrors &+= 1
        }
        // The handler may have closed it.
        if e.descriptor >= 0 && result != -ECANCELED { try armDatagramReceive(index, ioUring) }
    }

    func handleDatagramSend(_ subject: UInt32, _ result: Int32) {
        let e = datagrams[Int(subject >> 16)]
        e.releaseSendSlot(Int(subject & 0xFFFF))
        if result >= 0 {
            statistics.datagramsSent &+= 1
        } else {
            statistics.datagramsDropped &+= 1
        }
    }

    // MARK: epoll

    /// Reads what is waiting on endpoint `index`, at most 16 datagrams (level-triggered:
    /// the rest fire again).
    func readDatagrams(_ index: Int) {
        let e = datagrams[index]
        for _ in 0..<16 {
            guard e.descriptor >= 0, let handler = e.handler,
                  let (count, from) = DatagramSocket.receive(e.descriptor, into: UnsafeMutableRawBufferPointer(start: e.receiveBuffer, count: e.maximumBytes))
            else { return }
            statistics.datagramsReceived &+= 1
            handler.received(datagram: UnsafeRawBufferPointer(start: e.receiveBuffer, count: count), from: from,
                             endpoint: DatagramEndpointID(rawValue: UInt16(index)), loop: self)
        }
    }
}
