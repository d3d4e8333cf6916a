import FIX

/// The receive side of a FIX connection: reads into one buffer allocated up front and
/// hands out every whole message (framed and checksum-checked by the gateway's own
/// ``FIXFrameDecoder``), keeping a partial one for the next read.
public final class FIXReceiveBuffer {
    let socket: any ByteTransport
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
    var start = 0
    var end = 0
    let decoder = FIXFrameDecoder(maximumBodyLength: 65_536)

    public init(socket: any ByteTransport) { self.socket = socket }

    deinit { buffer.deallocate() }

    /// One read (up to the socket's receive timeout), then `handle` for each whole
    /// message with the time the read returned. False when the read timed out.
    /// Throws when the peer closed or the bytes are not FIX.
    public func read(_ handle: (FIXMessage, Int64) throws -> Void) throws -> Bool {
        if end == buffer.count {
            guard start > 0 else { throw HarnessError("a FIX message larger than the 1 MiB receive buffer") }
            compact()
        }
        guard let n = try socket.receive(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...])) else {
            return false
        }
        let receivedAt = nowNanoseconds()
        guard n > 0 else { throw HarnessError("the peer closed the connection") }
        end += n
        while start < end {
            let pending = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
            let result: FIXDecodeResult
            do {
                result = try decoder.decode(pending)
            } catch {
                throw HarnessError("received bytes that are not FIX 4.4: \(error)")
            }
            guard case .message(let message) = result else { break }
            start += message.length
            try handle(message, receivedAt)
        }
        if start == end {
            start = 0
            end = 0
        } else if end > buffer.count / 2 {
            compact()
        }
        return true
    }

    private func compact() {
        let count = end - start
        buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: count)
        start = 0
        end = count
    }
}
