import FIX
import GatewayCore

/// The send side of a FIX connection: messages are encoded one after another into a
/// buffer allocated up front, each with the standard header (49, 56, 34, 52) and the
/// next MsgSeqNum, and written with one `send` per ``flush()``.
public final class FIXSendBuffer {
    let socket: any ByteTransport
    let senderCompID: [UInt8]
    let targetCompID: [UInt8]
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
    var count = 0
    /// The MsgSeqNum of the next message.
    public private(set) var nextSequenceNumber = 1
    let clock = SystemClock()

    public init(socket: any ByteTransport, senderCompID: String, targetCompID: String) {
        self.socket = socket
        self.senderCompID = Array(senderCompID.utf8)
        self.targetCompID = Array(targetCompID.utf8)
    }

    deinit { buffer.deallocate() }

    /// Appends one message of type `msgType`: header, then `body` appends the rest.
    public func append(msgType: StaticString, _ body: (inout FIXEncoder, Timestamp) -> Void) throws {
        if buffer.count - count < 4_096 { try flush() }
        let now = clock.now()
        var e = FIXEncoder(buffer: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
        e.begin(msgType: msgType)
        e.append(FIXTag.senderCompID, bytes: senderCompID)
        e.append(FIXTag.targetCompID, bytes: targetCompID)
        e.append(FIXTag.msgSeqNum, int: nextSequenceNumber)
        e.append(FIXTag.sendingTime, timestamp: now)
        body(&e, now)
        do {
            count += try e.finish()
        } catch {
            throw HarnessError("encoding a 35=\(msgType) message: \(error)")
        }
        nextSequenceNumber += 1
    }

    /// Writes everything appended since the last flush.
    public func flush() throws {
        guard count > 0 else { return }
        try socket.sendAll(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        count = 0
    }
}
