import GatewayCore

// OUCH 5.0 inbound messages (client → venue), each carried in one SoupBinTCP
// Unsequenced Data packet. Offsets are from the type byte (offset 0); integers are
// big-endian; layouts from shared/protocols.md, profile in specs/ouch.md.

/// Enter Order (`O`, 47 bytes + appendage).
public struct OUCHEnterOrder: OUCHMessage {
    public static let name = OUCHMessageName.enterOrder
    public static let fixedLength = 47

    /// Field offsets.
    public enum Offset {
        public static let userRefNum = 1          // u32
        public static let side = 5                // Alpha 1
        public static let quantity = 6            // u32
        public static let symbol = 10             // Alpha 8
        public static let price = 18              // u64, 4 implied decimals
        public static let timeInForce = 26        // Alpha 1
        public static let display = 27            // Alpha 1
        public static let capacity = 28           // Alpha 1
        public static let intermarketSweep = 29   // Alpha 1
        public static let crossType = 30          // Alpha 1
        public static let clOrdID = 31            // Alpha 14
        public static let appendageLength = 45    // u16
    }

    public var userRefNum: UInt32
    public var side: UInt8
    public var quantity: UInt32
    public var symbol: OUCHSymbol
    public var price: UInt64
    public var timeInForce: UInt8
    public var display: UInt8
    public var capacity: UInt8
    public var intermarketSweep: UInt8
    public var crossType: UInt8
    public var clOrdID: OUCHClOrdID
    public var appendage: OUCHAppendage

    @inlinable
    public init(
        userRefNum: UInt32, side: UInt8, quantity: UInt32, symbol: OUCHSymbol, price: UInt64,
        timeInForce: UInt8 = OUCHTimeInForce.day, display: UInt8 = OUCHDisplay.visible,
        capacity: UInt8 = OUCHCapacity.agency, intermarketSweep: UInt8 = UInt8(ascii: "N"),
        crossType: UInt8 = OUCHCrossType.continuous, clOrdID: OUCHClOrdID = .blank,
        appendage: OUCHAppendage = .none
    ) {
        self.userRefNum = userRefNum
        self.side = side
        self.quantity = quantity
        self.symbol = symbol
        self.price = price
        self.timeInForce = timeInForce
        self.display = display
        self.capacity = capacity
        self.intermarketSweep = intermarketSweep
        self.crossType = crossType
        self.clOrdID = clOrdID
        self.appendage = appendage
    }

    @inlinable public var encodedLength: Int { Self.fixedLength + appendage.encodedLength }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        Wire.put8(Self.name.type, p, 0)
        Wire.put32(userRefNum, p, Offset.userRefNum)
        Wire.put8(side, p, Offset.side)
        Wire.put32(quantity, p, Offset.quantity)
        symbol.store(p, at: Offset.symbol)
        Wire.put64(price, p, Offset.price)
        Wire.put8(timeInForce, p, Offset.timeInForce)
        Wire.put8(display, p, Offset.display)
        Wire.put8(capacity, p, Offset.capacity)
        Wire.put8(intermarketSweep, p, Offset.intermarketSweep)
        Wire.put8(crossType, p, Offset.crossType)
        clOrdID.store(p, at: Offset.clOrdID)
        return Self.encodeAppendage(appendage, p)
    }

    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) {
        let p = try Self.checkWithAppendage(bytes)
        userRefNum = Wire.u32(p, Offset.userRefNum)
        side = Wire.u8(p, Offset.side)
        quantity = Wire.u32(p, Offset.quantity)
        symbol = OUCHSymbol(p, at: Offset.symbol)
        price = Wire.u64(p, Offset.price)
        timeInForce = Wire.u8(p, Offset.timeInForce)
        display = Wire.u8(p, Offset.display)
        capacity = Wire.u8(p, Offset.capacity)
        intermarketSweep = Wire.u8(p, Offset.intermarketSweep)
        crossType = Wire.u8(p, Offset.crossType)
        clOrdID = OUCHClOrdID(p, at: Offset.clOrdID)
        appendage = try Self.decodeAppendage(p, bytes)
    }
}

/// Replace Order (`U`, 40 bytes + appendage).
public struct OUCHReplaceOrder: OUCHMessage {
    public static let name = OUCHMessageName.replaceOrder
    public static let fixedLength = 40

    public enum Offset {
        public static let originalUserRefNum = 1  // u32
        public static let userRefNum = 5          // u32
        public static let quantity = 9            // u32, total liable for the chain
        public static let price = 13              // u64
        public static let timeInForce = 21        // Alpha 1
        public static let display = 22            // Alpha 1
        public static let intermarketSweep = 23   // Alpha 1
        public static let clOrdID = 24            // Alpha 14
        public static let appendageLength = 38    // u16
    }

    public var originalUserRefNum: UInt32
    public var userRefNum: UInt32
    public var quantity: UInt32
    public var price: UInt64
    public var timeInForce: UInt8
    public var display: UInt8
    public var intermarketSweep: UInt8
    public var clOrdID: OUCHClOrdID
    public var appendage: OUCHAppendage

    @inlinable
    public init(
        originalUserRefNum: UInt32, userRefNum: UInt32, quantity: UInt32, price: UInt64,
        timeInForce: UInt8 = OUCHTimeInForce.day, display: UInt8 = OUCHDisplay.visible,
        intermarketSweep: UInt8 = UInt8(ascii: "N"), clOrdID: OUCHClOrdID = .blank,
        appendage: OUCHAppendage = .none
    ) {
        self.originalUserRefNum = originalUserRefNum
        self.userRefNum = userRefNum
        self.quantity = quantity
        self.price = price
        self.timeInForce = timeInForce
        self.display = display
        self.intermarketSweep = intermarketSweep
        self.clOrdID = clOrdID
        self.appendage = appendage
    }

    @inlinable public var encodedLength: Int { Self.fixedLength + appendage.encodedLength }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        Wire.put8(Self.name.type, p, 0)
        Wire.put32(originalUserRefNum, p, Offset.originalUserRefNum)
        Wire.put32(userRefNum, p, Offset.userRefNum)
        Wire.put32(quantity, p, Offset.quantity)
        Wire.put64(price, p, Offset.price)
        Wire.put8(timeInForce, p, Offset.timeInForce)
        Wire.put8(display, p, Offset.display)
        Wire.put8(intermarketSweep, p, Offset.intermarketSweep)
        clOrdID.store(p, at: Offset.clOrdID)
        return Self.encodeAppendage(appendage, p)
    }

    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) {
        let p = try Self.checkWithAppendage(bytes)
        originalUserRefNum = Wire.u32(p, Offset.originalUserRefNum)
        userRefNum = Wire.u32(p, Offset.userRefNum)
        quantity = Wire.u32(p, Offset.quantity)
        price = Wire.u64(p, Offset.price)
        timeInForce = Wire.u8(p, Offset.timeInForce)
        display = Wire.u8(p, Offset.display)
        intermarketSweep = Wire.u8(p, Offset.intermarketSweep)
        clOrdID = OUCHClOrdID(p, at: Offset.clOrdID)
        appendage = try Self.decodeAppendage(p, bytes)
    }
}

/// Cancel Order (`X`, 9 bytes).
public struct OUCHCancelOrder: OUCHMessage {
    public static let name = OUCHMessageName.cancelOrder
    public static let fixedLength = 9

    public enum Offset {
        public static let userRefNum = 1   // u32
        public static let quantity = 5     // u32, the new intended size; 0 cancels the rest
    }

    public var userRefNum: UInt32
    public var quantity: UInt32

    @inlinable public init(userRefNum: UInt32, quantity: UInt32) {
        self.userRefNum = userRefNum
        self.quantity = quantity
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        Wire.put8(Self.name.type, p, 0)
        Wire.put32(userRefNum, p, Offset.userRefNum)
        Wire.put32(quantity, p, Offset.quantity)
        return Self.fixedLength
    }

    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) {
        let p = try Self.checkFixed(bytes)
        userRefNum = Wire.u32(p, Offset.userRefNum)
        quantity = Wire.u32(p, Offset.quantity)
    }
}

/// Modify Order (`M`, 10 bytes).
public struct OUCHModifyOrder: OUCHMessage {
    public static let name = OUCHMessageName.modifyOrder
    public static let fixedLength = 10

    public enum Offset {
        public static let userRefNum = 1   // u32
        public static let side = 5         // Alpha 1
        public static let quantity = 6     // u32, the new open quantity (may only decrease)
    }

    public var userRefNum: UInt32
    public var side: UInt8
    public var quantity: UInt32

    @inlinable public init(userRefNum: UInt32, side: UInt8, quantity: UInt32) {
        self.userRefNum = userRefNum
        self.side = side
        self.quantity = quantity
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        Wire.put8(Self.name.type, p, 0)
        Wire.put32(userRefNum, p, Offset.userRefNum)
        Wire.put8(side, p, Offset.side)
        Wire.put32(quantity, p, Offset.quantity)
        return Self.fixedLength
    }

    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) {
        let p = try Self.checkFixed(bytes)
        userRefNum = Wire.u32(p, Offset.userRefNum)
        side = Wire.u8(p, Offset.side)
        quantity = Wire.u32(p, Offset.quantity)
    }
}

/// Account Query Request (`Q`, 1 byte).
public struct OUCHAccountQueryRequest: OUCHMessage {
    public static let name = OUCHMessageName.accountQueryRequest
    public static let fixedLength = 1

    @inlinable public init() {}

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        Wire.put8(Self.name.type, p, 0)
        return Self.fixedLength
    }

    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) {
        _ = try Self.checkFixed(bytes)
    }
}

/// Any inbound message: what the venue reads from an Unsequenced Data packet.
public enum OUCHInboundMessage: Equatable, Sendable {
    case enterOrder(OUCHEnterOrder)
    case replaceOrder(OUCHReplaceOrder)
    case cancelOrder(OUCHCancelOrder)
    case modifyOrder(OUCHModifyOrder)
    case accountQueryRequest(OUCHAccountQueryRequest)

    /// Decodes one whole message by its type byte.
    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) {
        guard let p = bytes.baseAddress, bytes.count > 0 else { throw .empty }
        switch Wire.u8(p, 0) {
        case OUCHMessageType.enterOrder: self = .enterOrder(try OUCHEnterOrder(decoding: bytes))
        case OUCHMessageType.replaceOrder: self = .replaceOrder(try OUCHReplaceOrder(decoding: bytes))
        case OUCHMessageType.cancelOrder: self = .cancelOrder(try OUCHCancelOrder(decoding: bytes))
        case OUCHMessageType.modifyOrder: self = .modifyOrder(try OUCHModifyOrder(decoding: bytes))
        case OUCHMessageType.accountQueryRequest:
            self = .accountQueryRequest(try OUCHAccountQueryRequest(decoding: bytes))
        default: throw .unknownMessageType(Wire.u8(p, 0))
        }
    }

    /// The message's encoded bytes (tests and tools).
    public var encodedBytes: [UInt8] {
        switch self {
        case .enterOrder(let m): m.encodedBytes
        case .replaceOrder(let m): m.encodedBytes
        case .cancelOrder(let m): m.encodedBytes
        case .modifyOrder(let m): m.encodedBytes
        case .accountQueryRequest(let m): m.encodedBytes
        }
    }
}
