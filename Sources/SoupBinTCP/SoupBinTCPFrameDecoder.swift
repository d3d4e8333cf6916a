import GatewayCore

/// One whole packet found in a byte stream: its type and its payload, a slice of the
/// bytes the decoder was given (valid as long as they are).
public struct SoupBinTCPFrame {
    public var type: UInt8
    public var payload: UnsafeRawBufferPointer
    /// Bytes the packet takes in the stream: the 2-byte Length field plus its value.
    public var length: Int

    @inlinable public init(type: UInt8, payload: UnsafeRawBufferPointer, length: Int) {
        self.type = type
        self.payload = payload
        self.length = length
    }
}

/// What the frame decoder found at the start of the bytes it was given.
public enum SoupBinTCPDecodeResult {
    /// The bytes end inside a packet: keep them and call again with more.
    case needMoreData
    /// A whole packet; the next one starts `frame.length` bytes further on.
    case frame(SoupBinTCPFrame)
}

/// A byte stream that is not SoupBinTCP: the connection cannot continue.
public enum SoupBinTCPFramingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A Length field of 0: a packet has at least its type byte.
    case zeroLength
    /// A Length field above the configured maximum.
    case tooLong(length: Int, maximum: Int)
    /// A packet type that does not travel in this direction.
    case unknownPacketType(UInt8, SoupBinTCPDirection)

    public var description: String {
        switch self {
        case .zeroLength:
            "malformed SoupBinTCP packet: Length 0"
        case .tooLong(let length, let maximum):
            "malformed SoupBinTCP packet: Length \(length) exceeds the maximum \(maximum)"
        case .unknownPacketType(let type, let direction):
            "unknown SoupBinTCP packet type \(describeByte(type)) from the "
                + (direction == .clientToServer ? "client" : "server")
        }
    }
}

/// Finds SoupBinTCP packets in a byte stream: `Length u16` (the bytes that follow,
/// type byte included) · `Type u8` · payload.
///
/// Stateless: the caller keeps the unconsumed bytes (a partial packet) and calls
/// again with more appended. Reads the Length field in place and returns the payload
/// as a slice of the input, so finding a packet allocates nothing. A bad Length or
/// type is reported as soon as its bytes have arrived, without waiting for the rest
/// of the packet.
public struct SoupBinTCPFrameDecoder: Sendable {
    public var direction: SoupBinTCPDirection
    /// The largest Length field accepted (type byte plus payload).
    public var maximumLength: Int

    public init(direction: SoupBinTCPDirection, maximumLength: Int) {
        precondition(maximumLength >= 1 && maximumLength <= Int(UInt16.max), "maximumLength must be 1...65535")
        self.direction = direction
        self.maximumLength = maximumLength
    }

    /// Looks for one packet at the start of `bytes`.
    @inlinable
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(SoupBinTCPFramingError) -> SoupBinTCPDecodeResult {
        guard bytes.count >= 2, let p = bytes.baseAddress else { return .needMoreData }
        let length = Int(Wire.u16(p, 0))
        guard length > 0 else { throw .zeroLength }
        guard length <= maximumLength else { throw .tooLong(length: length, maximum: maximumLength) }
        guard bytes.count >= 3 else { return .needMoreData }
        let type = Wire.u8(p, 2)
        guard direction.accepts(type) else { throw .unknownPacketType(type, direction) }
        guard bytes.count >= 2 + length else { return .needMoreData }
        return .frame(SoupBinTCPFrame(
            type: type, payload: UnsafeRawBufferPointer(start: p + 3, count: length - 1), length: 2 + length))
    }
}
