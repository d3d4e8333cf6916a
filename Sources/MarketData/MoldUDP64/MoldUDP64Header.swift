import GatewayCore

/// The 20-byte header of every downstream MoldUDP64 packet.
///
/// Session 0/10 · SequenceNumber 10/8 · MessageCount 18/2. SequenceNumber is that
/// of the first message in the packet; messages are numbered from 1 within a session.
public struct MoldUDP64Header: Hashable, Sendable, BitwiseCopyable {
    public static let length = 20
    /// MessageCount of a heartbeat: no messages; SequenceNumber is the next one the
    /// publisher will send.
    public static let heartbeatCount: UInt16 = 0
    /// MessageCount of the End of Session packet: the session is over, no more
    /// sequence numbers will be used.
    public static let endOfSessionCount: UInt16 = 0xFFFF

    public enum Offset {
        public static let session = 0          // Alpha 10
        public static let sequenceNumber = 10  // u64
        public static let messageCount = 18    // u16
    }

    public var session: MoldUDP64Session
    public var sequenceNumber: UInt64
    public var messageCount: UInt16

    @inlinable
    public init(session: MoldUDP64Session, sequenceNumber: UInt64, messageCount: UInt16) {
        self.session = session
        self.sequenceNumber = sequenceNumber
        self.messageCount = messageCount
    }

    /// A heartbeat: sent when the feed is idle, so subscribers can tell silence from
    /// loss and detect a gap at the end of a burst.
    @inlinable
    public static func heartbeat(session: MoldUDP64Session, nextSequenceNumber: UInt64) -> MoldUDP64Header {
        MoldUDP64Header(session: session, sequenceNumber: nextSequenceNumber, messageCount: heartbeatCount)
    }

    /// End of Session, with the sequence number after the session's last message.
    @inlinable
    public static func endOfSession(session: MoldUDP64Session, nextSequenceNumber: UInt64) -> MoldUDP64Header {
        MoldUDP64Header(session: session, sequenceNumber: nextSequenceNumber, messageCount: endOfSessionCount)
    }

    @inlinable public var isHeartbeat: Bool { messageCount == Self.heartbeatCount }
    @inlinable public var isEndOfSession: Bool { messageCount == Self.endOfSessionCount }

    /// Reads the header at `p`; the caller has checked there are 20 bytes.
    @inlinable
    public init(_ p: UnsafeRawPointer) {
        session = MoldUDP64Session(p, at: Offset.session)
        sequenceNumber = MarketDataWire.u64(p, Offset.sequenceNumber)
        messageCount = MarketDataWire.u16(p, Offset.messageCount)
    }

    /// Writes the header at `p`; returns 20.
    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        session.store(p, at: Offset.session)
        MarketDataWire.put64(sequenceNumber, p, Offset.sequenceNumber)
        MarketDataWire.put16(messageCount, p, Offset.messageCount)
        return Self.length
    }

    /// Writes the header at `offset` of `buffer`; returns 20. Traps if it does not fit.
    @inlinable
    public func encode(into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0) -> Int {
        precondition(offset >= 0 && buffer.count - offset >= Self.length, "MoldUDP64 header needs 20 bytes")
        return encode(buffer.baseAddress! + offset)
    }

    /// The header alone as an array (a heartbeat or End of Session packet is exactly
    /// this): for tests and tools.
    public var encodedBytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Self.length) { buffer, count in
            count = encode(UnsafeMutableRawPointer(buffer.baseAddress!))
        }
    }
}
