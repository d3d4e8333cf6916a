import GatewayCore

/// A SoupBinTCP packet whose payload does not fit its type.
public enum SoupBinTCPPacketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The payload is not the length the packet type has.
    case wrongPayloadLength(packet: String, expected: Int, actual: Int)
    /// A field that does not hold what it must (digits in a numeric field).
    case badField(packet: String, field: String, value: String)

    public var description: String {
        switch self {
        case .wrongPayloadLength(let packet, let expected, let actual):
            "malformed \(packet): \(actual) payload bytes, expected \(expected)"
        case .badField(let packet, let field, let value):
            "malformed \(packet): \(field) '\(value)' is not a decimal number"
        }
    }
}

/// Login Request (`L`): Username 6 · Password 10 · Requested Session 10 · Requested
/// Sequence Number 20 · Heartbeat Timeout 5 (SoupBinTCP 4.1). Offsets below are from
/// the start of the payload (add 3 for the offset in the packet).
///
/// Login happens once per connection, so the fields are Strings; each is at most 10
/// bytes, which Swift keeps inline without allocating.
public struct SoupBinTCPLoginRequest: Equatable, Sendable {
    public static let payloadLength = 51
    /// A SoupBinTCP 3.0 Login Request: the same without Heartbeat Timeout. Accepted;
    /// the server's default timeout applies.
    public static let legacyPayloadLength = 46

    public enum Offset {
        public static let username = 0                 // Alpha 6, right-padded
        public static let password = 6                 // Alpha 10, right-padded
        public static let requestedSession = 16        // Alpha 10, blanks = the current session
        public static let requestedSequenceNumber = 26 // Numeric ASCII 20, left-padded
        public static let heartbeatTimeout = 46        // Numeric ASCII 5, milliseconds
    }

    /// Without the padding.
    public var username: String
    public var password: String
    /// Empty for "the current session".
    public var requestedSession: String
    /// 0 = start with the next message the server will generate.
    public var requestedSequenceNumber: UInt64
    /// Milliseconds; 0 = the server's default; nil for a SoupBinTCP 3.0 request.
    public var heartbeatTimeoutMilliseconds: UInt32?

    public init(
        username: String, password: String, requestedSession: String = "", requestedSequenceNumber: UInt64 = 0,
        heartbeatTimeoutMilliseconds: UInt32? = 0
    ) {
        self.username = username
        self.password = password
        self.requestedSession = requestedSession
        self.requestedSequenceNumber = requestedSequenceNumber
        self.heartbeatTimeoutMilliseconds = heartbeatTimeoutMilliseconds
    }

    /// Bytes `encode` writes: the whole packet.
    public var encodedLength: Int {
        3 + (heartbeatTimeoutMilliseconds == nil ? Self.legacyPayloadLength : Self.payloadLength)
    }

    /// Writes the whole packet (Length, type, payload) at `p`; returns ``encodedLength``.
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        let payload = encodedLength - 3
        SoupBinTCPEncoder.writeHeader(type: SoupBinTCPPacketType.loginRequest, payloadLength: payload, p)
        let b = p + 3
        Wire.putAlphaLeft(username, width: 6, b, Offset.username)
        Wire.putAlphaLeft(password, width: 10, b, Offset.password)
        Wire.putAlphaRight(requestedSession, width: 10, b, Offset.requestedSession)
        Wire.putDecimalRight(requestedSequenceNumber, width: 20, b, Offset.requestedSequenceNumber)
        if let heartbeatTimeoutMilliseconds {
            Wire.putDecimalRight(UInt64(min(heartbeatTimeoutMilliseconds, 99_999)), width: 5, b, Offset.heartbeatTimeout)
        }
        return 3 + payload
    }

    /// Reads a Login Request payload.
    public init(payload: UnsafeRawBufferPointer) throws(SoupBinTCPPacketError) {
        let name = "Login Request ('L')"
        guard payload.count == Self.payloadLength || payload.count == Self.legacyPayloadLength,
            let p = payload.baseAddress
        else {
            throw .wrongPayloadLength(packet: name, expected: Self.payloadLength, actual: payload.count)
        }
        username = Wire.trimmedText(p, Offset.username, 6)
        password = Wire.trimmedText(p, Offset.password, 10)
        requestedSession = Wire.trimmedText(p, Offset.requestedSession, 10)
        guard let sequence = Wire.decimal(p, Offset.requestedSequenceNumber, 20) else {
            throw .badField(
                packet: name, field: "Requested Sequence Number",
                value: Wire.trimmedText(p, Offset.requestedSequenceNumber, 20))
        }
        requestedSequenceNumber = sequence
        if payload.count == Self.payloadLength {
            guard let timeout = Wire.decimal(p, Offset.heartbeatTimeout, 5) else {
                throw .badField(
                    packet: name, field: "Heartbeat Timeout", value: Wire.trimmedText(p, Offset.heartbeatTimeout, 5))
            }
            heartbeatTimeoutMilliseconds = UInt32(timeout)
        } else {
            heartbeatTimeoutMilliseconds = nil
        }
    }
}

/// Login Accepted (`A`): Session 10 (left-padded) · Sequence Number 20 (numeric ASCII,
/// left-padded): the session and the number of the next Sequenced Data packet.
public struct SoupBinTCPLoginAccepted: Equatable, Sendable {
    public static let payloadLength = 30

    public enum Offset {
        public static let session = 0          // Alpha 10, left-padded
        public static let sequenceNumber = 10  // Numeric ASCII 20, left-padded
    }

    /// Without the padding.
    public var session: String
    public var sequenceNumber: UInt64

    public init(session: String, sequenceNumber: UInt64) {
        self.session = session
        self.sequenceNumber = sequenceNumber
    }

    public static let encodedLength = 3 + payloadLength

    /// Writes the whole packet at `p`; returns ``encodedLength``.
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        SoupBinTCPEncoder.writeHeader(type: SoupBinTCPPacketType.loginAccepted, payloadLength: Self.payloadLength, p)
        Wire.putAlphaRight(session, width: 10, p + 3, Offset.session)
        Wire.putDecimalRight(sequenceNumber, width: 20, p + 3, Offset.sequenceNumber)
        return Self.encodedLength
    }

    public init(payload: UnsafeRawBufferPointer) throws(SoupBinTCPPacketError) {
        let name = "Login Accepted ('A')"
        guard payload.count == Self.payloadLength, let p = payload.baseAddress else {
            throw .wrongPayloadLength(packet: name, expected: Self.payloadLength, actual: payload.count)
        }
        session = Wire.trimmedText(p, Offset.session, 10)
        guard let sequence = Wire.decimal(p, Offset.sequenceNumber, 20) else {
            throw .badField(packet: name, field: "Sequence Number", value: Wire.trimmedText(p, Offset.sequenceNumber, 20))
        }
        sequenceNumber = sequence
    }
}

/// Login Rejected reason codes (Alpha 1).
public enum SoupBinTCPLoginRejectReason {
    /// `A`: not authorized (bad credentials, or the user is already logged in).
    public static let notAuthorized = UInt8(ascii: "A")
    /// `S`: the requested session is not available.
    public static let sessionNotAvailable = UInt8(ascii: "S")
}

/// Builds SoupBinTCP packets into caller-provided memory. Each function writes the
/// whole packet (Length, type, payload) at `p` and returns its length; the caller
/// provides enough room (3 bytes plus the payload). Nothing allocates.
public enum SoupBinTCPEncoder {
    /// Length field plus type byte.
    public static let headerLength = 3

    /// Writes the Length field (`payloadLength + 1`) and the type byte.
    @inlinable
    public static func writeHeader(type: UInt8, payloadLength: Int, _ p: UnsafeMutableRawPointer) {
        Wire.put16(UInt16(payloadLength + 1), p, 0)
        Wire.put8(type, p, 2)
    }

    // Server → client.

    /// Server Heartbeat (`H`).
    @inlinable public static func serverHeartbeat(_ p: UnsafeMutableRawPointer) -> Int {
        writeHeader(type: SoupBinTCPPacketType.serverHeartbeat, payloadLength: 0, p)
        return 3
    }

    /// End of Session (`Z`).
    @inlinable public static func endOfSession(_ p: UnsafeMutableRawPointer) -> Int {
        writeHeader(type: SoupBinTCPPacketType.endOfSession, payloadLength: 0, p)
        return 3
    }

    /// Login Rejected (`J`) with `reason` (``SoupBinTCPLoginRejectReason``).
    @inlinable public static func loginRejected(_ reason: UInt8, _ p: UnsafeMutableRawPointer) -> Int {
        writeHeader(type: SoupBinTCPPacketType.loginRejected, payloadLength: 1, p)
        Wire.put8(reason, p, 3)
        return 4
    }

    /// Login Accepted (`A`).
    public static func loginAccepted(session: String, sequenceNumber: UInt64, _ p: UnsafeMutableRawPointer) -> Int {
        SoupBinTCPLoginAccepted(session: session, sequenceNumber: sequenceNumber).encode(p)
    }

    /// Sequenced Data (`S`) carrying `payload`.
    @inlinable
    public static func sequencedData(_ payload: UnsafeRawBufferPointer, _ p: UnsafeMutableRawPointer) -> Int {
        data(type: SoupBinTCPPacketType.sequencedData, payload, p)
    }

    /// Debug (`+`) with `text` (either direction).
    public static func debug(_ text: String, _ p: UnsafeMutableRawPointer) -> Int {
        var count = 0
        for byte in text.utf8 {
            Wire.put8(byte, p, 3 + count)
            count += 1
        }
        writeHeader(type: SoupBinTCPPacketType.debug, payloadLength: count, p)
        return 3 + count
    }

    // Client → server.

    /// Client Heartbeat (`R`).
    @inlinable public static func clientHeartbeat(_ p: UnsafeMutableRawPointer) -> Int {
        writeHeader(type: SoupBinTCPPacketType.clientHeartbeat, payloadLength: 0, p)
        return 3
    }

    /// Logout Request (`O`).
    @inlinable public static func logoutRequest(_ p: UnsafeMutableRawPointer) -> Int {
        writeHeader(type: SoupBinTCPPacketType.logoutRequest, payloadLength: 0, p)
        return 3
    }

    /// Login Request (`L`).
    public static func loginRequest(_ request: SoupBinTCPLoginRequest, _ p: UnsafeMutableRawPointer) -> Int {
        request.encode(p)
    }

    // Either direction.

    /// Unsequenced Data (`U`) carrying `payload`.
    @inlinable
    public static func unsequencedData(_ payload: UnsafeRawBufferPointer, _ p: UnsafeMutableRawPointer) -> Int {
        data(type: SoupBinTCPPacketType.unsequencedData, payload, p)
    }

    /// Unsequenced Data (`U`) carrying `message`, encoded in place after the header.
    @inlinable
    public static func unsequencedData<M: OUCHMessage>(_ message: M, _ p: UnsafeMutableRawPointer) -> Int {
        let count = message.encode(p + 3)
        writeHeader(type: SoupBinTCPPacketType.unsequencedData, payloadLength: count, p)
        return 3 + count
    }

    /// Sequenced Data (`S`) carrying `message`, encoded in place after the header.
    @inlinable
    public static func sequencedData<M: OUCHMessage>(_ message: M, _ p: UnsafeMutableRawPointer) -> Int {
        let count = message.encode(p + 3)
        writeHeader(type: SoupBinTCPPacketType.sequencedData, payloadLength: count, p)
        return 3 + count
    }

    @inlinable
    static func data(type: UInt8, _ payload: UnsafeRawBufferPointer, _ p: UnsafeMutableRawPointer) -> Int {
        writeHeader(type: type, payloadLength: payload.count, p)
        if let base = payload.baseAddress, payload.count > 0 {
            (p + 3).copyMemory(from: base, byteCount: payload.count)
        }
        return 3 + payload.count
    }

    /// A whole packet as an array, for tests and tools: `encode` gets a buffer of
    /// `capacity` bytes and returns how many it wrote.
    public static func bytes(capacity: Int = 65_538, _ encode: (UnsafeMutableRawPointer) -> Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            count = encode(UnsafeMutableRawPointer(buffer.baseAddress!))
        }
    }
}

/// A packet a SoupBinTCP server receives, read from a frame.
public enum SoupBinTCPClientPacket {
    case loginRequest(SoupBinTCPLoginRequest)
    /// The higher-level message (OUCH), a slice of the frame's bytes.
    case unsequencedData(UnsafeRawBufferPointer)
    case clientHeartbeat
    case logoutRequest
    case debug(UnsafeRawBufferPointer)

    public init(_ frame: SoupBinTCPFrame) throws(SoupBinTCPPacketError) {
        switch frame.type {
        case SoupBinTCPPacketType.loginRequest:
            self = .loginRequest(try SoupBinTCPLoginRequest(payload: frame.payload))
        case SoupBinTCPPacketType.unsequencedData:
            self = .unsequencedData(frame.payload)
        case SoupBinTCPPacketType.clientHeartbeat:
            try Self.empty(frame, "Client Heartbeat ('R')")
            self = .clientHeartbeat
        case SoupBinTCPPacketType.logoutRequest:
            try Self.empty(frame, "Logout Request ('O')")
            self = .logoutRequest
        default:
            // The frame decoder lets through only this direction's types: this is `+`.
            self = .debug(frame.payload)
        }
    }

    static func empty(_ frame: SoupBinTCPFrame, _ name: String) throws(SoupBinTCPPacketError) {
        guard frame.payload.count == 0 else {
            throw .wrongPayloadLength(packet: name, expected: 0, actual: frame.payload.count)
        }
    }
}

/// A packet a SoupBinTCP client receives, read from a frame.
public enum SoupBinTCPServerPacket {
    case debug(UnsafeRawBufferPointer)
    case loginAccepted(SoupBinTCPLoginAccepted)
    case loginRejected(reason: UInt8)
    /// The higher-level message (OUCH), a slice of the frame's bytes.
    case sequencedData(UnsafeRawBufferPointer)
    case unsequencedData(UnsafeRawBufferPointer)
    case serverHeartbeat
    case endOfSession

    public init(_ frame: SoupBinTCPFrame) throws(SoupBinTCPPacketError) {
        switch frame.type {
        case SoupBinTCPPacketType.loginAccepted:
            self = .loginAccepted(try SoupBinTCPLoginAccepted(payload: frame.payload))
        case SoupBinTCPPacketType.loginRejected:
            guard frame.payload.count == 1 else {
                throw .wrongPayloadLength(packet: "Login Rejected ('J')", expected: 1, actual: frame.payload.count)
            }
            self = .loginRejected(reason: frame.payload[0])
        case SoupBinTCPPacketType.sequencedData:
            self = .sequencedData(frame.payload)
        case SoupBinTCPPacketType.unsequencedData:
            self = .unsequencedData(frame.payload)
        case SoupBinTCPPacketType.serverHeartbeat:
            try SoupBinTCPClientPacket.empty(frame, "Server Heartbeat ('H')")
            self = .serverHeartbeat
        case SoupBinTCPPacketType.endOfSession:
            try SoupBinTCPClientPacket.empty(frame, "End of Session ('Z')")
            self = .endOfSession
        default:
            self = .debug(frame.payload)
        }
    }
}
