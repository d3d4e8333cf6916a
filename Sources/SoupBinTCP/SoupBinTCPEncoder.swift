import GatewayCore

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

    /// A packet of `type` carrying `payload`.
    @inlinable
    public static func data(type: UInt8, _ payload: UnsafeRawBufferPointer, _ p: UnsafeMutableRawPointer) -> Int {
        writeHeader(type: type, payloadLength: payload.count, p)
        if let base = payload.baseAddress, payload.count > 0 {
            (p + 3).copyMemory(from: base, byteCount: payload.count)
        }
        return 3 + payload.count
    }

    /// A packet of `type` whose payload `encodePayload` writes in place, after the
    /// header (it is given where the payload starts and returns its length): the
    /// higher protocol's message is written once, straight into the packet.
    @inlinable
    public static func packet(
        type: UInt8, _ p: UnsafeMutableRawPointer, encodePayload: (UnsafeMutableRawPointer) -> Int
    ) -> Int {
        let count = encodePayload(p + headerLength)
        writeHeader(type: type, payloadLength: count, p)
        return headerLength + count
    }

    /// A whole packet as an array, for tests and tools: `encode` gets a buffer of
    /// `capacity` bytes and returns how many it wrote.
    public static func bytes(capacity: Int = 65_538, _ encode: (UnsafeMutableRawPointer) -> Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            count = encode(UnsafeMutableRawPointer(buffer.baseAddress!))
        }
    }
}
