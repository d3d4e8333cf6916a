import GatewayCore

/// Any message the venue sends on its ITCH feed or snapshot channel.
///
/// The decoder checks the type byte and the type's one length, then reads the
/// fields in place; nothing allocates. Encoding goes through the payload's own
/// ``ITCHMessageLayout/encode(_:)``.
public enum ITCHMessage: Hashable, Sendable {
    case systemEvent(ITCHSystemEvent)
    case stockDirectory(ITCHStockDirectory)
    case stockTradingAction(ITCHStockTradingAction)
    case addOrder(ITCHAddOrder)
    case addOrderWithMPID(ITCHAddOrderWithMPID)
    case orderExecuted(ITCHOrderExecuted)
    case orderExecutedWithPrice(ITCHOrderExecutedWithPrice)
    case orderCancel(ITCHOrderCancel)
    case orderDelete(ITCHOrderDelete)
    case orderReplace(ITCHOrderReplace)
    case trade(ITCHTrade)
    case snapshotComplete(ITCHSnapshotComplete)

    /// Decodes one whole message (one MoldUDP64 message block's bytes) by its type
    /// byte. Throws for an empty block, an unknown type, a length other than the
    /// type's, or a Side that is neither `B` nor `S`.
    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(ITCHDecodingError) {
        guard let p = bytes.baseAddress, bytes.count > 0 else { throw .empty }
        let type = MarketDataWire.u8(p, 0)
        guard let length = ITCHMessageLength.of(type: type) else { throw .unknownMessageType(type) }
        guard bytes.count == length else { throw .wrongLength(type: type, expected: length, actual: bytes.count) }
        switch type {
        case ITCHMessageType.systemEvent: self = .systemEvent(try ITCHSystemEvent(unchecked: p))
        case ITCHMessageType.stockDirectory: self = .stockDirectory(try ITCHStockDirectory(unchecked: p))
        case ITCHMessageType.stockTradingAction: self = .stockTradingAction(try ITCHStockTradingAction(unchecked: p))
        case ITCHMessageType.addOrder: self = .addOrder(try ITCHAddOrder(unchecked: p))
        case ITCHMessageType.addOrderWithMPID: self = .addOrderWithMPID(try ITCHAddOrderWithMPID(unchecked: p))
        case ITCHMessageType.orderExecuted: self = .orderExecuted(try ITCHOrderExecuted(unchecked: p))
        case ITCHMessageType.orderExecutedWithPrice:
            self = .orderExecutedWithPrice(try ITCHOrderExecutedWithPrice(unchecked: p))
        case ITCHMessageType.orderCancel: self = .orderCancel(try ITCHOrderCancel(unchecked: p))
        case ITCHMessageType.orderDelete: self = .orderDelete(try ITCHOrderDelete(unchecked: p))
        case ITCHMessageType.orderReplace: self = .orderReplace(try ITCHOrderReplace(unchecked: p))
        case ITCHMessageType.trade: self = .trade(try ITCHTrade(unchecked: p))
        default: self = .snapshotComplete(try ITCHSnapshotComplete(unchecked: p))
        }
    }

    /// The payload, for code that treats every message alike.
    public var layout: any ITCHMessageLayout {
        switch self {
        case .systemEvent(let m): m
        case .stockDirectory(let m): m
        case .stockTradingAction(let m): m
        case .addOrder(let m): m
        case .addOrderWithMPID(let m): m
        case .orderExecuted(let m): m
        case .orderExecutedWithPrice(let m): m
        case .orderCancel(let m): m
        case .orderDelete(let m): m
        case .orderReplace(let m): m
        case .trade(let m): m
        case .snapshotComplete(let m): m
        }
    }

    /// The type byte.
    @inlinable
    public var type: UInt8 {
        switch self {
        case .systemEvent: ITCHMessageType.systemEvent
        case .stockDirectory: ITCHMessageType.stockDirectory
        case .stockTradingAction: ITCHMessageType.stockTradingAction
        case .addOrder: ITCHMessageType.addOrder
        case .addOrderWithMPID: ITCHMessageType.addOrderWithMPID
        case .orderExecuted: ITCHMessageType.orderExecuted
        case .orderExecutedWithPrice: ITCHMessageType.orderExecutedWithPrice
        case .orderCancel: ITCHMessageType.orderCancel
        case .orderDelete: ITCHMessageType.orderDelete
        case .orderReplace: ITCHMessageType.orderReplace
        case .trade: ITCHMessageType.trade
        case .snapshotComplete: ITCHMessageType.snapshotComplete
        }
    }

    /// The encoded length (every type has exactly one).
    @inlinable
    public var length: Int { ITCHMessageLength.of(type: type)! }

    /// The common header.
    @inlinable
    public var header: ITCHHeader {
        switch self {
        case .systemEvent(let m): m.header
        case .stockDirectory(let m): m.header
        case .stockTradingAction(let m): m.header
        case .addOrder(let m): m.header
        case .addOrderWithMPID(let m): m.header
        case .orderExecuted(let m): m.header
        case .orderExecutedWithPrice(let m): m.header
        case .orderCancel(let m): m.header
        case .orderDelete(let m): m.header
        case .orderReplace(let m): m.header
        case .trade(let m): m.header
        case .snapshotComplete(let m): m.header
        }
    }

    /// Writes the message at `p`; returns its length. The caller provides at least
    /// ``length`` bytes (``ITCHMessageLength/maximum`` always suffices).
    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        switch self {
        case .systemEvent(let m): m.encode(p)
        case .stockDirectory(let m): m.encode(p)
        case .stockTradingAction(let m): m.encode(p)
        case .addOrder(let m): m.encode(p)
        case .addOrderWithMPID(let m): m.encode(p)
        case .orderExecuted(let m): m.encode(p)
        case .orderExecutedWithPrice(let m): m.encode(p)
        case .orderCancel(let m): m.encode(p)
        case .orderDelete(let m): m.encode(p)
        case .orderReplace(let m): m.encode(p)
        case .trade(let m): m.encode(p)
        case .snapshotComplete(let m): m.encode(p)
        }
    }

    /// Writes the message at `offset` of `buffer`; returns its length. Traps if the
    /// buffer is too short (a sizing bug in the caller, not bad input).
    @inlinable
    public func encode(into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0) -> Int {
        precondition(offset >= 0 && buffer.count - offset >= length,
                     "ITCH \(describeByte(type)) needs \(length) bytes at offset \(offset), buffer has \(buffer.count)")
        return encode(buffer.baseAddress! + offset)
    }

    /// The encoded message as an array: for tests and tools, not the hot path.
    public var encodedBytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            count = encode(UnsafeMutableRawPointer(buffer.baseAddress!))
        }
    }
}
