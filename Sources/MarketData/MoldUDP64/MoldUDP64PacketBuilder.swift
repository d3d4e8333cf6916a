import GatewayCore

/// Fills one downstream MoldUDP64 packet at a time in a buffer allocated once.
///
/// The publisher calls ``begin(sequenceNumber:)``, then appends messages while
/// ``wouldFit(_:)`` says they fit, then sends ``packet`` and begins the next one at
/// ``nextSequenceNumber``. MessageCount in the header is kept current on every
/// append, so ``packet`` is always a complete, sendable packet. Appending never
/// allocates: ``reserve(length:)`` hands out the message's slot in the buffer so
/// that an ITCH encoder writes straight into the packet, with no copy.
///
/// Single-threaded: the one publisher thread that owns it calls every method. A
/// class because it owns (and frees) its buffer.
public final class MoldUDP64PacketBuilder {
    /// The usual UDP payload bound: fits a 1,500-byte Ethernet MTU after IP and UDP
    /// headers with room to spare for tunnels, so packets are never fragmented.
    public static let defaultMaximumPacketSize = 1400
    /// A MessageCount of 0xFFFF means End of Session, so a packet holds at most one less.
    public static let maximumMessageCount = Int(MoldUDP64Header.endOfSessionCount) - 1

    public let session: MoldUDP64Session
    /// The largest packet (header included) the builder produces.
    public let maximumPacketSize: Int

    @usableFromInline let buffer: UnsafeMutableRawBufferPointer
    /// Bytes used so far, header included.
    @usableFromInline var used = MoldUDP64Header.length
    @usableFromInline var count = 0
    @usableFromInline var firstSequenceNumber: UInt64 = 1

    /// `maximumPacketSize` is the UDP payload bound, header included: at least the
    /// header plus one block of the longest ITCH message, at most 65,507 (the largest
    /// UDP payload over IPv4).
    public init(session: MoldUDP64Session, maximumPacketSize: Int = MoldUDP64PacketBuilder.defaultMaximumPacketSize) {
        precondition(
            maximumPacketSize >= MoldUDP64Header.length + 2 + ITCHMessageLength.maximum && maximumPacketSize <= 65_507,
            "maximumPacketSize \(maximumPacketSize) is outside \(MoldUDP64Header.length + 2 + ITCHMessageLength.maximum)…65507")
        self.session = session
        self.maximumPacketSize = maximumPacketSize
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: maximumPacketSize, alignment: 8)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        writeHeader()
    }

    deinit { buffer.deallocate() }

    /// Starts an empty packet whose first message will have `sequenceNumber`.
    @inlinable
    public func begin(sequenceNumber: UInt64) {
        firstSequenceNumber = sequenceNumber
        used = MoldUDP64Header.length
        count = 0
        writeHeader()
    }

    /// Empties the packet, keeping its first sequence number.
    @inlinable
    public func reset() { begin(sequenceNumber: firstSequenceNumber) }

    /// The sequence number of the packet's first message.
    @inlinable public var sequenceNumber: UInt64 { firstSequenceNumber }
    /// The sequence number the next appended message gets (and the next packet starts at).
    @inlinable public var nextSequenceNumber: UInt64 { firstSequenceNumber &+ UInt64(count) }
    /// Messages in the packet so far.
    @inlinable public var messageCount: Int { count }
    @inlinable public var isEmpty: Bool { count == 0 }
    /// Bytes in the packet so far, header included.
    @inlinable public var byteCount: Int { used }

    /// True when a message of `length` bytes (plus its 2-byte length prefix) fits in
    /// the current packet. When it is false the caller sends ``packet`` and begins a
    /// new one.
    @inlinable
    public func wouldFit(_ length: Int) -> Bool {
        length > 0 && length <= Int(UInt16.max) && used + 2 + length <= maximumPacketSize
            && count < Self.maximumMessageCount
    }

    /// Appends a block of `length` bytes and returns the slot for the message, to be
    /// filled by the caller before the packet is sent; nil (and nothing changes) when
    /// it does not fit.
    @inlinable
    public func reserve(length: Int) -> UnsafeMutableRawBufferPointer? {
        guard wouldFit(length) else { return nil }
        let base = buffer.baseAddress!
        MarketDataWire.put16(UInt16(length), base, used)
        let slot = UnsafeMutableRawBufferPointer(start: base + used + 2, count: length)
        used += 2 + length
        count += 1
        MarketDataWire.put16(UInt16(count), base, MoldUDP64Header.Offset.messageCount)
        return slot
    }

    /// Appends a copy of `message`'s bytes; false (and nothing changes) when it does
    /// not fit.
    @inlinable
    public func append(_ message: UnsafeRawBufferPointer) -> Bool {
        guard let slot = reserve(length: message.count) else { return false }
        slot.copyMemory(from: message)
        return true
    }

    /// Encodes `message` straight into the packet; false (and nothing changes) when
    /// it does not fit.
    @inlinable
    public func append(_ message: ITCHMessage) -> Bool {
        guard let slot = reserve(length: message.length) else { return false }
        _ = message.encode(slot.baseAddress!)
        return true
    }

    /// Encodes `message` straight into the packet; false (and nothing changes) when
    /// it does not fit. Generic, so the call specialises and no existential is built.
    @inlinable
    public func append<M: ITCHMessageLayout>(_ message: M) -> Bool {
        guard let slot = reserve(length: M.length) else { return false }
        _ = message.encode(slot.baseAddress!)
        return true
    }

    /// The packet as it stands: header (with the current MessageCount) and every
    /// block appended since ``begin(sequenceNumber:)``. Valid until the next call
    /// that changes the builder.
    @inlinable
    public var packet: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: buffer.baseAddress!, count: used)
    }

    @usableFromInline
    func writeHeader() {
        _ = MoldUDP64Header(session: session, sequenceNumber: firstSequenceNumber, messageCount: UInt16(count))
            .encode(buffer.baseAddress!)
    }
}
