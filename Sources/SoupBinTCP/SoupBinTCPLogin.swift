import GatewayCore

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
