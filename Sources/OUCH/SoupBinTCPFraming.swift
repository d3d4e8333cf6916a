import GatewayCore

/// SoupBinTCP 4.1 packet types (the byte after the Length field).
public enum SoupBinTCPPacketType {
    // Either direction.
    public static let debug = UInt8(ascii: "+")
    // Server → client.
    public static let loginAccepted = UInt8(ascii: "A")
    public static let loginRejected = UInt8(ascii: "J")
    public static let sequencedData = UInt8(ascii: "S")
    public static let serverHeartbeat = UInt8(ascii: "H")
    public static let endOfSession = UInt8(ascii: "Z")
    // Client → server.
    public static let loginRequest = UInt8(ascii: "L")
    public static let clientHeartbeat = UInt8(ascii: "R")
    public static let logoutRequest = UInt8(ascii: "O")
    // Either direction (the payload is the higher-level protocol's message).
    public static let unsequencedData = UInt8(ascii: "U")

    /// "Login Request ('L')", for errors and logs.
    public static func name(_ type: UInt8, _ direction: SoupBinTCPDirection) -> String {
        let name: String
        switch (type, direction) {
        case (debug, _): name = "Debug"
        case (unsequencedData, _): name = "Unsequenced Data"
        case (loginRequest, .clientToServer): name = "Login Request"
        case (clientHeartbeat, .clientToServer): name = "Client Heartbeat"
        case (logoutRequest, .clientToServer): name = "Logout Request"
        case (loginAccepted, .serverToClient): name = "Login Accepted"
        case (loginRejected, .serverToClient): name = "Login Rejected"
        case (sequencedData, .serverToClient): name = "Sequenced Data"
        case (serverHeartbeat, .serverToClient): name = "Server Heartbeat"
        case (endOfSession, .serverToClient): name = "End of Session"
        default: return "packet type \(describeByte(type))"
        }
        return name + " ('" + String(UnicodeScalar(type)) + "')"
    }
}

/// Which way packets travel: each direction has its own set of packet types.
public enum SoupBinTCPDirection: Sendable, Equatable {
    /// What a server reads: `L`, `U`, `R`, `O`, `+`.
    case clientToServer
    /// What a client reads: `+`, `A`, `J`, `S`, `U`, `H`, `Z`.
    case serverToClient

    /// True when `type` is a packet of this direction.
    @inlinable
    public func accepts(_ type: UInt8) -> Bool {
        switch self {
        case .clientToServer:
            return type == SoupBinTCPPacketType.loginRequest || type == SoupBinTCPPacketType.unsequencedData
                || type == SoupBinTCPPacketType.clientHeartbeat || type == SoupBinTCPPacketType.logoutRequest
                || type == SoupBinTCPPacketType.debug
        case .serverToClient:
            return type == SoupBinTCPPacketType.sequencedData || type == SoupBinTCPPacketType.serverHeartbeat
                || type == SoupBinTCPPacketType.unsequencedData || type == SoupBinTCPPacketType.loginAccepted
                || type == SoupBinTCPPacketType.loginRejected || type == SoupBinTCPPacketType.endOfSession
                || type == SoupBinTCPPacketType.debug
        }
    }
}

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
