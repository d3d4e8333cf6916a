import GatewayCore

/// One ITCH 5.0 message layout: a plain value that encodes itself into
/// caller-provided memory and decodes itself from a received message in place.
///
/// Every conforming type is a struct of integers, so neither direction allocates.
/// Both directions exist for every message: the venue encodes, and subscribers,
/// tests and tools decode.
public protocol ITCHMessageLayout: Hashable, Sendable {
    /// The type byte at offset 0.
    static var type: UInt8 { get }
    /// The message's one length, type byte included.
    static var length: Int { get }
    /// The common header (stock locate, tracking number, timestamp).
    var header: ITCHHeader { get set }
    /// Writes the whole message, type byte first, at `p`; returns ``length``. The
    /// caller provides at least that many bytes.
    func encode(_ p: UnsafeMutableRawPointer) -> Int
    /// Reads the fields of a message at `p` whose type and length the caller has
    /// already checked.
    init(unchecked p: UnsafeRawPointer) throws(ITCHDecodingError)
}

extension ITCHMessageLayout {
    /// Writes the message at `offset` of `buffer`; returns its length. Traps if the
    /// buffer is too short (a sizing bug in the caller, not bad input).
    @inlinable
    public func encode(into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0) -> Int {
        precondition(offset >= 0 && buffer.count - offset >= Self.length,
                     "ITCH \(describeByte(Self.type)) needs \(Self.length) bytes at offset \(offset), buffer has \(buffer.count)")
        return encode(buffer.baseAddress! + offset)
    }

    /// Reads a whole message of exactly `bytes.count` bytes, type byte included.
    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(ITCHDecodingError) {
        guard let p = bytes.baseAddress, bytes.count > 0 else { throw .empty }
        let type = MarketDataWire.u8(p, 0)
        guard type == Self.type else { throw .unknownMessageType(type) }
        guard bytes.count == Self.length else {
            throw .wrongLength(type: type, expected: Self.length, actual: bytes.count)
        }
        try self.init(unchecked: p)
    }

    /// The encoded message as an array: for tests and tools, not the hot path.
    public var encodedBytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Self.length) { buffer, count in
            count = encode(UnsafeMutableRawPointer(buffer.baseAddress!))
        }
    }
}

/// Side on the wire: `B`/`S`. The engine's ``Side`` in memory, so that the book
/// builder and comparisons with the engine need no translation.
@usableFromInline
enum ITCHSideField {
    @inlinable @inline(__always)
    static func read(_ p: UnsafeRawPointer, _ offset: Int, type: UInt8) throws(ITCHDecodingError) -> Side {
        switch MarketDataWire.u8(p, offset) {
        case ITCHSide.buy: return .buy
        case ITCHSide.sell: return .sell
        case let other: throw .invalidSide(type: type, side: other)
        }
    }

    @inlinable @inline(__always)
    static func write(_ side: Side, _ p: UnsafeMutableRawPointer, _ offset: Int) {
        MarketDataWire.put8(side == .buy ? ITCHSide.buy : ITCHSide.sell, p, offset)
    }
}

/// Prices on the wire: u32 with four implied decimals, the same scale as ``Price``.
@usableFromInline
enum ITCHPriceField {
    @inlinable @inline(__always)
    static func read(_ p: UnsafeRawPointer, _ offset: Int) -> Price {
        Price(raw: Int64(MarketDataWire.u32(p, offset)))
    }

    /// The engine's prices are at most 199,999.9900, well inside u32 (429,496.7295);
    /// a price outside it is a bug upstream, caught in debug builds.
    @inlinable @inline(__always)
    static func write(_ price: Price, _ p: UnsafeMutableRawPointer, _ offset: Int) {
        assert(price.raw >= 0 && price.raw <= Int64(UInt32.max), "price \(price) does not fit ITCH's u32")
        MarketDataWire.put32(UInt32(truncatingIfNeeded: price.raw), p, offset)
    }
}
