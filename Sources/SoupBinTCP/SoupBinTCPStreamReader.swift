/// A growable receive buffer around ``SoupBinTCPFrameDecoder`` for clients (tests and
/// the latency harness): append bytes as they arrive, take packets as they complete.
/// The buffer's storage is reused; it grows only to the largest backlog seen.
public struct SoupBinTCPStreamReader {
    public let decoder: SoupBinTCPFrameDecoder
    @usableFromInline var buffer: [UInt8] = []
    @usableFromInline var start = 0

    public init(direction: SoupBinTCPDirection, maximumLength: Int = Int(UInt16.max)) {
        decoder = SoupBinTCPFrameDecoder(direction: direction, maximumLength: maximumLength)
        buffer.reserveCapacity(4096)
    }

    /// Bytes received and not yet taken as packets.
    public var bufferedByteCount: Int { buffer.count - start }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 4096 && start * 2 > buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    public mutating func append<Bytes: Sequence>(contentsOf bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBytes { append($0) }
    }

    /// Hands the next whole packet to `body` (its payload is valid only inside
    /// `body`) and consumes it; nil when no whole packet is buffered.
    public mutating func next<R>(_ body: (SoupBinTCPFrame) throws -> R) throws -> R? {
        let decoder = self.decoder
        let start = self.start
        let (result, consumed): (R?, Int) = try buffer.withUnsafeBytes { all in
            let rest = UnsafeRawBufferPointer(rebasing: all[start...])
            switch try decoder.decode(rest) {
            case .needMoreData: return (nil, 0)
            case .frame(let frame): return (try body(frame), frame.length)
            }
        }
        self.start += consumed
        return result
    }

    /// The next whole packet as its type and a copy of its payload.
    public mutating func nextPacket() throws -> (type: UInt8, payload: [UInt8])? {
        try next { frame in (frame.type, Array(frame.payload)) }
    }
}
