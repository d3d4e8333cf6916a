import CLiburing

#if canImport(Glibc)
import Glibc
#endif

/// One UDP socket of a loop and the memory the kernel reads and writes for it: a
/// receive area (one `recvmsg` in flight on io_uring) and `sendSlots` send areas (one
/// `sendmsg` each). All of it is allocated when the endpoint opens and freed when the
/// object goes; an io_uring loop keeps the object until its ring has exited, so no
/// operation still in the kernel can touch freed memory. Loop thread only.
final class DatagramEndpoint {
    var descriptor: Int32
    let port: UInt16
    let handler: (any DatagramHandler)?
    let maximumBytes: Int

    /// io_uring: a receive is in the kernel.
    var receiveArmed = false
    let receiveBuffer: UnsafeMutableRawPointer
    let receiveHeader: UnsafeMutablePointer<msghdr>
    let receiveVector: UnsafeMutablePointer<iovec>
    let receiveName: UnsafeMutablePointer<sockaddr_in>

    let sendBuffers: UnsafeMutableRawPointer
    let sendHeaders: UnsafeMutablePointer<msghdr>
    let sendVectors: UnsafeMutablePointer<iovec>
    let sendNames: UnsafeMutablePointer<sockaddr_in>
    /// Send slots not in use (a stack).
    private(set) var freeSlots: [Int]

    init(descriptor: Int32, port: UInt16, handler: (any DatagramHandler)?, maximumBytes: Int, sendSlots: Int) {
        self.descriptor = descriptor
        self.port = port
        self.handler = handler
        self.maximumBytes = maximumBytes
        receiveBuffer = .allocate(byteCount: maximumBytes, alignment: 16)
        receiveHeader = .allocate(capacity: 1)
        receiveHeader.initialize(to: msghdr())
        receiveVector = .allocate(capacity: 1)
        receiveVector.initialize(to: iovec(iov_base: receiveBuffer, iov_len: maximumBytes))
        receiveName = .allocate(capacity: 1)
        receiveName.initialize(to: sockaddr_in())
        sendBuffers = .allocate(byteCount: maximumBytes * sendSlots, alignment: 16)
        sendHeaders = .allocate(capacity: sendSlots)
        sendHeaders.initialize(repeating: msghdr(), count: sendSlots)
        sendVectors = .allocate(capacity: sendSlots)
        sendVectors.initialize(repeating: iovec(), count: sendSlots)
        sendNames = .allocate(capacity: sendSlots)
        sendNames.initialize(repeating: sockaddr_in(), count: sendSlots)
        freeSlots = Array((0..<sendSlots).reversed())
    }

    deinit {
        receiveBuffer.deallocate()
        receiveHeader.deallocate()
        receiveVector.deallocate()
        receiveName.deallocate()
        sendBuffers.deallocate()
        sendHeaders.deallocate()
        sendVectors.deallocate()
        sendNames.deallocate()
    }

    /// The receive header made ready for one `recvmsg` (the kernel rewrites the name
    /// length and flags each time).
    func prepareReceiveHeader() -> UnsafeMutablePointer<msghdr> {
        receiveHeader.pointee = msghdr(
            msg_name: UnsafeMutableRawPointer(receiveName), msg_namelen: socklen_t(MemoryLayout<sockaddr_in>.size),
            msg_iov: receiveVector, msg_iovlen: 1, msg_control: nil, msg_controllen: 0, msg_flags: 0)
        return receiveHeader
    }

    /// Takes a send slot and fills it with `bytes` to `peer`; nil when none is free.
    func fillSendSlot(_ bytes: UnsafeRawBufferPointer, to peer: DatagramAddress) -> (slot: Int, header: UnsafeMutablePointer<msghdr>)? {
        guard let slot = freeSlots.popLast() else { return nil }
        let buffer = sendBuffers + slot * maximumBytes
        if bytes.count > 0 { buffer.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        sendNames[slot] = peer.socketAddress
        sendVectors[slot] = iovec(iov_base: buffer, iov_len: bytes.count)
        sendHeaders[slot] = msghdr(
            msg_name: UnsafeMutableRawPointer(sendNames + slot), msg_namelen: socklen_t(MemoryLayout<sockaddr_in>.size),
            msg_iov: sendVectors + slot, msg_iovlen: 1, msg_control: nil, msg_controllen: 0, msg_flags: 0)
        return (slot, sendHeaders + slot)
    }

    /// A send's completion arrived: its slot is free again.
    func releaseSendSlot(_ slot: Int) {
        freeSlots.append(slot)
    }
}
