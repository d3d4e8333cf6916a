import GatewayCore

/// A retransmission request (subscriber → retransmission server, unicast UDP).
///
/// Session 0/10 · SequenceNumber 10/8 · RequestedMessageCount 18/2: exactly 20
/// bytes. The answer is ordinary downstream packets sent to the requester.
public struct MoldUDP64Request: Hashable, Sendable, BitwiseCopyable {
    public static let length = 20

    public enum Offset {
        public static let session = 0                 // Alpha 10
        public static let sequenceNumber = 10         // u64
        public static let requestedMessageCount = 18  // u16
    }

    public var session: MoldUDP64Session
    /// The first message wanted.
    public var sequenceNumber: UInt64
    public var requestedMessageCount: UInt16

    @inlinable
    public init(session: MoldUDP64Session, sequenceNumber: UInt64, requestedMessageCount: UInt16) {
        self.session = session
        self.sequenceNumber = sequenceNumber
        self.requestedMessageCount = requestedMessageCount
    }

    /// Reads a request datagram; anything but exactly 20 bytes is refused, since a
    /// request has no variable part and a longer datagram is not one.
    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(MoldUDP64DecodingError) {
        guard bytes.count == Self.length, let p = bytes.baseAddress else { throw .wrongRequestLength(actual: bytes.count) }
        session = MoldUDP64Session(p, at: Offset.session)
        sequenceNumber = MarketDataWire.u64(p, Offset.sequenceNumber)
        requestedMessageCount = MarketDataWire.u16(p, Offset.requestedMessageCount)
    }

    /// Writes the request at `p`; returns 20.
    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        session.store(p, at: Offset.session)
        MarketDataWire.put64(sequenceNumber, p, Offset.sequenceNumber)
        MarketDataWire.put16(requestedMessageCount, p, Offset.requestedMessageCount)
        return Self.length
    }

    /// Writes the request at `offset` of `buffer`; returns 20. Traps if it does not fit.
    @inlinable
    public func encode(into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0) -> Int {
        precondition(offset >= 0 && buffer.count - offset >= Self.length, "MoldUDP64 request needs 20 bytes")
        return encode(buffer.baseAddress! + offset)
    }

    /// The request as an array: for tests and tools.
    public var encodedBytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Self.length) { buffer, count in
            count = encode(UnsafeMutableRawPointer(buffer.baseAddress!))
        }
    }
}
