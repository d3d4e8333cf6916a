import GatewayCore

/// A received downstream MoldUDP64 packet, checked whole and then read in place.
///
/// The initializer walks every message block once, so a packet whose MessageCount
/// does not match its bytes is refused before any message is applied: a subscriber
/// never acts on half a packet. The value borrows the receive buffer; it is valid
/// only as long as that buffer is.
public struct MoldUDP64Packet {
    public let header: MoldUDP64Header
    /// The message blocks (after the header), exactly as received.
    public let blocks: UnsafeRawBufferPointer

    /// Checks `bytes` as one downstream packet.
    public init(decoding bytes: UnsafeRawBufferPointer) throws(MoldUDP64DecodingError) {
        guard bytes.count >= MoldUDP64Header.length, let p = bytes.baseAddress else {
            throw .packetTooShort(actual: bytes.count)
        }
        let header = MoldUDP64Header(p)
        let declared = header.isEndOfSession ? 0 : Int(header.messageCount)
        var offset = MoldUDP64Header.length
        for index in 0..<declared {
            let remaining = bytes.count - offset
            guard remaining >= 2 else {
                throw .truncatedBlock(index: index, offset: offset, declaredLength: 2, remaining: remaining)
            }
            let length = Int(MarketDataWire.u16(p, offset))
            guard length > 0 else { throw .zeroLengthBlock(index: index, offset: offset) }
            guard remaining - 2 >= length else {
                throw .truncatedBlock(index: index, offset: offset, declaredLength: length, remaining: remaining - 2)
            }
            offset += 2 + length
        }
        guard offset == bytes.count else { throw .trailingBytes(declared: declared, extraBytes: bytes.count - offset) }
        self.header = header
        self.blocks = UnsafeRawBufferPointer(rebasing: bytes[MoldUDP64Header.length...])
    }

    /// The number of messages (0 for a heartbeat and for End of Session).
    public var messageCount: Int { header.isEndOfSession ? 0 : Int(header.messageCount) }

    /// Calls `body` with each message's sequence number and bytes, in order.
    @inlinable
    public func forEachMessage<E: Error>(_ body: (UInt64, UnsafeRawBufferPointer) throws(E) -> Void) throws(E) {
        var iterator = makeIterator()
        while let (sequence, message) = iterator.next() { try body(sequence, message) }
    }

    public func makeIterator() -> MoldUDP64MessageIterator {
        MoldUDP64MessageIterator(blocks: blocks, firstSequenceNumber: header.sequenceNumber, count: messageCount)
    }
}

extension MoldUDP64Packet: Sequence {}

/// The messages of a checked packet: each one's sequence number and bytes, in order.
public struct MoldUDP64MessageIterator: IteratorProtocol {
    @usableFromInline let blocks: UnsafeRawBufferPointer
    @usableFromInline var offset = 0
    @usableFromInline var sequenceNumber: UInt64
    @usableFromInline var remaining: Int

    @usableFromInline
    init(blocks: UnsafeRawBufferPointer, firstSequenceNumber: UInt64, count: Int) {
        self.blocks = blocks
        self.sequenceNumber = firstSequenceNumber
        self.remaining = count
    }

    @inlinable
    public mutating func next() -> (UInt64, UnsafeRawBufferPointer)? {
        guard remaining > 0, let p = blocks.baseAddress else { return nil }
        let length = Int(MarketDataWire.u16(p, offset))
        let message = UnsafeRawBufferPointer(start: p + offset + 2, count: length)
        let sequence = sequenceNumber
        offset += 2 + length
        sequenceNumber &+= 1
        remaining -= 1
        return (sequence, message)
    }
}
