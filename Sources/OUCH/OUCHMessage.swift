import GatewayCore

/// One OUCH 5.0 message layout: a plain value that encodes itself into caller-provided
/// memory and decodes itself from a received message in place.
///
/// Every conforming type is a struct of integers and fixed fields, so decoding and
/// encoding allocate nothing. Both directions exist for every message: the venue
/// decodes inbound and encodes outbound messages; tests and the latency harness,
/// which are clients, do the opposite.
public protocol OUCHMessage: Equatable, Sendable {
    /// The message's name and type byte.
    static var name: OUCHMessageName { get }
    /// The length of the message without its appendage (the whole message for types
    /// that carry none).
    static var fixedLength: Int { get }
    /// The bytes ``encode(_:)`` writes.
    var encodedLength: Int { get }
    /// Writes the message, type byte first, at `p`; returns ``encodedLength``. The
    /// caller provides at least that many bytes.
    func encode(_ p: UnsafeMutableRawPointer) -> Int
    /// Reads a whole message (type byte included) of exactly `bytes.count` bytes.
    init(decoding bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError)
}

extension OUCHMessage {
    @inlinable public var encodedLength: Int { Self.fixedLength }

    /// Writes the message into `buffer`, which must hold at least ``encodedLength`` bytes.
    @inlinable
    public func encode(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(buffer.count >= encodedLength, "\(Self.name) needs \(encodedLength) bytes, got \(buffer.count)")
        return encode(buffer.baseAddress!)
    }

    /// The encoded message as an array: for tests and tools, not the hot path.
    public var encodedBytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: encodedLength) { buffer, count in
            count = encode(UnsafeMutableRawPointer(buffer.baseAddress!))
        }
    }

    /// Checks the type byte and the exact length of a message without appendage.
    @inlinable
    static func checkFixed(_ bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) -> UnsafeRawPointer {
        guard let p = bytes.baseAddress, bytes.count > 0 else { throw .empty }
        guard Wire.u8(p, 0) == Self.name.type else { throw .unknownMessageType(Wire.u8(p, 0)) }
        guard bytes.count == Self.fixedLength else {
            throw .wrongLength(Self.name, expected: Self.fixedLength, actual: bytes.count)
        }
        return p
    }

    /// Checks the type byte, the fixed part's length and the AppendageLength field
    /// (at `fixedLength - 2`) of a message with an appendage.
    @inlinable
    static func checkWithAppendage(_ bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) -> UnsafeRawPointer {
        guard let p = bytes.baseAddress, bytes.count > 0 else { throw .empty }
        guard Wire.u8(p, 0) == Self.name.type else { throw .unknownMessageType(Wire.u8(p, 0)) }
        guard bytes.count >= Self.fixedLength else {
            throw .wrongLength(Self.name, expected: Self.fixedLength, actual: bytes.count)
        }
        let declared = Int(Wire.u16(p, Self.fixedLength - 2))
        guard declared == bytes.count - Self.fixedLength else {
            throw .appendageLengthMismatch(Self.name, declared: declared, actual: bytes.count - Self.fixedLength)
        }
        return p
    }

    /// Reads the appendage after the fixed part of a message that
    /// ``checkWithAppendage(_:)`` accepted.
    @inlinable
    static func decodeAppendage(_ p: UnsafeRawPointer, _ bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) -> OUCHAppendage {
        try OUCHAppendage.decode(p, at: Self.fixedLength, count: bytes.count - Self.fixedLength, message: Self.name)
    }

    /// Writes `appendage` after the fixed part and its length in the AppendageLength
    /// field (at `fixedLength - 2`); returns the whole message's length.
    @inlinable
    static func encodeAppendage(_ appendage: OUCHAppendage, _ p: UnsafeMutableRawPointer) -> Int {
        let count = appendage.encode(p, at: Self.fixedLength)
        Wire.put16(UInt16(count), p, Self.fixedLength - 2)
        return Self.fixedLength + count
    }
}
