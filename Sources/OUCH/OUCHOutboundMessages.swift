import GatewayCore

// OUCH 5.0 outbound messages (venue → client), each carried in one SoupBinTCP
// Sequenced Data packet. Timestamps are nanoseconds since midnight (UTC at this
// venue). Offsets from the type byte; integers big-endian.

/// System Event (`S`, 10 bytes).
public struct OUCHSystemEvent: OUCHMessage {
    public static let name = OUCHMessageName.systemEvent
    public static let fixedLength = 10

    public enum Offset {
        public static let timestamp = 1   // u64
        public static let eventCode = 9   // Alpha 1: S start of day, E end of day
    }

    public var timestamp: UInt64
    public var eventCode: UInt8

    @inlinable public init(timestamp: UInt64, eventCode: UInt8) {
        self.timestamp = timestamp
        self.eventCode = eventCode
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        Wire.put8(Self.name.type, p, 0)
        Wire.put64(timestamp, p, Offset.timestamp)
        Wire.put8(eventCode, p, Offset.eventCode)
        return Self.fixedLength
    }

    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) {
        let p = try Self.checkFixed(bytes)
        timestamp = Wire.u64(p, Offset.timestamp)
        eventCode = Wire.u8(p, Offset.eventCode)
    }
}

/// Order Accepted (`A`, 64 bytes + appendage).
public struct OUCHOrderAccepted: OUCHMessage {
    public static let name = OUCHMessageName.orderAccepted
    public static let fixedLength = 64

    public enum Offset {
        public static let timestamp = 1              // u64
        public static let userRefNum = 9             // u32
        public static let side = 13                  // Alpha 1
        public static let quantity = 14              // u32
        public static let symbol = 18                // Alpha 8
        public static let price = 26                 // u64
        public static let timeInForce = 34           // Alpha 1
        public static let display = 35               // Alpha 1
        public static let orderReferenceNumber = 36  // u64
        public static let capacity = 44              // Alpha 1
        public static let intermarketSweep = 45      // Alpha 1
        public static let crossType = 46             // Alpha 1
        public static let orderState = 47            // Alpha 1: L live, D dead
        public static let clOrdID = 48               // Alpha 14
        public static let appendageLength = 62       // u16
    }

    public var timestamp: UInt64
    public var userRefNum: UInt32
    public var side: UInt8
    public var quantity: UInt32
    public var symbol: OUCHSymbol
    public var price: UInt64
    public var timeInForce: UInt8
    public var display: UInt8
    public var orderReferenceNumber: UInt64
    public var capacity: UInt8
    public var intermarketSweep: UInt8
    public var crossType: UInt8
    public var orderState: UInt8
    public var clOrdID: OUCHClOrdID
    public var appendage: OUCHAppendage

    @inlinable
    public init(
        timestamp: UInt64, userRefNum: UInt32, side: UInt8, quantity: UInt32, symbol: OUCHSymbol,
        price: UInt64, timeInForce: UInt8, display: UInt8, orderReferenceNumber: UInt64, capacity: UInt8,
        intermarketSweep: UInt8, crossType: UInt8, orderState: UInt8, clOrdID: OUCHClOrdID,
        appendage: OUCHAppendage = .none
    ) {
        self.timestamp = timestamp
        self.userRefNum = userRefNum
        self.side = side
        self.quantity = quantity
        self.symbol = symbol
        self.price = price
        self.timeInForce = timeInForce
        self.display = display
        self.orderReferenceNumber = orderReferenceNumber
        self.capacity = capacity
        self.intermarketSweep = intermarketSweep
        self.crossType = crossType
        self.orderState = orderState
        self.clOrdID = clOrdID
        self.appendage = appendage
    }

    @inlinable public var encodedLength: Int { Self.fixedLength + appendage.encodedLength }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        Wire.put8(Self.name.type, p, 0)
        Wire.put64(timestamp, p, Offset.timestamp)
        Wire.put32(userRefNum, p, Offset.userRefNum)
        Wire.put8(side, p, Offset.side)
        Wire.put32(quantity, p, Offset.quantity)
        symbol.store(p, at: Offset.symbol)
        Wire.put64(price, p, Offset.price)
        Wire.put8(timeInForce, p, Offset.timeInForce)
        Wire.put8(display, p, Offset.display)
        Wire.put64(orderReferenceNumber, p, Offset.orderReferenceNumber)
        Wire.put8(capacity, p, Offset.capacity)
        Wire.put8(intermarketSweep, p, Offset.intermarketSweep)
        Wire.put8(crossType, p, Offset.crossType)
        Wire.put8(orderState, p, Offset.orderState)
        clOrdID.store(p, at: Offset.clOrdID)
        return Self.encodeAppendage(appendage, p)
    }

    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) {
        let p = try Self.checkWithAppendage(bytes)
        timestamp = Wire.u64(p, Offset.timestamp)
        userRefNum = Wire.u32(p, Offset.userRefNum)
        side = Wire.u8(p, Offset.side)
        quantity = Wire.u32(p, Offset.quantity)
        symbol = OUCHSymbol(p, at: Offset.symbol)
        price = Wire.u64(p, Offset.price)
        timeInForce = Wire.u8(p, Offset.timeInForce)
        display = Wire.u8(p, Offset.display)
        orderReferenceNumber = Wire.u64(p, Offset.orderReferenceNumber)
        capacity = Wire.u8(p, Offset.capacity)
        intermarketSweep = Wire.u8(p, Offset.intermarketSweep)
        crossType = Wire.u8(p, Offset.crossType)
        orderState = Wire.u8(p, Offset.orderState)
        clOrdID = OUCHClOrdID(p, at: Offset.clOrdID)
        appendage = try Self.decodeAppendage(p, bytes)
    }
}

/// Order Replaced (`U`, 68 bytes + appendage).
public struct OUCHOrderReplaced: OUCHMessage {
    public static let name = OUCHMessageName.orderReplaced
    public static let fixedLength = 68

    public enum Offset {
        public static let timestamp = 1              // u64
        public static let originalUserRefNum = 9     // u32
        public static let userRefNum = 13            // u32
        public static let side = 17                  // Alpha 1
        public static let quantity = 18              // u32
        public static let symbol = 22                // Alpha 8
        public static let price = 30                 // u64
        public static let timeInForce = 38           // Alpha 1
        public static let display = 39               // Alpha 1
        public static let orderReferenceNumber = 40  // u64
        public static let capacity = 48              // Alpha 1
        public static let intermarketSweep = 49      // Alpha 1
        public static let crossType = 50             // Alpha 1
        public static let orderState = 51            // Alpha 1
        public static let clOrdID = 52               // Alpha 14
        public static let appendageLength = 66       // u16
    }

    public var timestamp: UInt64
    public var originalUserRefNum: UInt32
    public var userRefNum: UInt32
    public var side: UInt8
    public var quantity: UInt32
    public var symbol: OUCHSymbol
    public var price: UInt64
    public var timeInForce: UInt8
    public var display: UInt8
    public var orderReferenceNumber: UInt64
    public var capacity: UInt8
    public var intermarketSweep: UInt8
    public var crossType: UInt8
    public var orderState: UInt8
    public var clOrdID: OUCHClOrdID
    public var appendage: OUCHAppendage

    @inlinable
    public init(
        timestamp: UInt64, originalUserRefNum: UInt32, userRefNum: UInt32, side: UInt8, quantity: UInt32,
        symbol: OUCHSymbol, price: UInt64, timeInForce: UInt8, display: UInt8, orderReferenceNumber: UInt64,
        capacity: UInt8, intermarketSweep: UInt8, crossType: UInt8, orderState: UInt8, clOrdID: OUCHClOrdID,
        appendage: OUCHAppendage = .none
    ) {
        self.timestamp = timestamp
        self.originalUserRefNum = originalUserRefNum
        self.userRefNum = userRefNum
        self.side = side
        self.quantity = quantity
        self.symbol = symbol
        self.price = price
        self.timeInForce = timeInForce
        self.display = display
        self.orderReferenceNumber = orderReferenceNumber
        self.capacity = capacity
        self.intermarketSweep = intermarketSweep
        self.crossType = crossType
        self.orderState = orderState
        self.clOrdID = clOrdID
        self.appendage = appendage
    }

    @inlinable public var encodedLength: Int { Self.fixedLength + appendage.encodedLength }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        Wire.put8(Self.name.type, p, 0)
        Wire.put64(timestamp, p, Offset.timestamp)
        Wire.put32(originalUserRefNum, p, Offset.originalUserRefNum)
        Wire.put32(userRefNum, p, Offset.userRefNum)
        Wire.put8(side, p, Offset.side)
        Wire.put32(quantity, p, Offset.quantity)
        symbol.store(p, at: Offset.symbol)
        Wire.put64(price, p, Offset.price)
        Wire.put8(timeInForce, p, Offset.timeInForce)
        Wire.put8(display, p, Offset.display)
        Wire.put64(orderReferenceNumber, p, Offset.orderReferenceNumber)
        Wire.put8(capacity, p, Offset.capacity)
        Wire.put8(intermarketSweep, p, Offset.intermarketSweep)
        Wire.put8(crossType, p, Offset.crossType)
        Wire.put8(orderState, p, Offset.orderState)
        clOrdID.store(p, at: Offset.clOrdID)
        return Self.encodeAppendage(appendage, p)
    }

    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) {
        let p = try Self.checkWithAppendage(bytes)
        timestamp = Wire.u64(p, Offset.timestamp)
        originalUserRefNum = Wire.u32(p, Offset.originalUserRefNum)
        userRefNum = Wire.u32(p, Offset.userRefNum)
        side = Wire.u8(p, Offset.side)
        quantity = Wire.u32(p, Offset.quantity)
        symbol = OUCHSymbol(p, at: Offset.symbol)
        price = Wire.u64(p, Offset.price)
        timeInForce = Wire.u8(p, Offset.timeInForce)
        display = Wire.u8(p, Offset.display)
        orderReferenceNumber = Wire.u64(p, Offset.orderReferenceNumber)
        capacity = Wire.u8(p, Offset.capacity)
        intermarketSweep = Wire.u8(p, Offset.intermarketSweep)
        crossType = Wire.u8(p, Offset.crossType)
        orderState = Wire.u8(p, Offset.orderState)
        clOrdID = OUCHClOrdID(p, at: Offset.clOrdID)
        appendage = try Self.decodeAppendage(p, bytes)
    }
}

/// Order Canceled (`C`, 18 bytes).
public struct OUCHOrderCanceled: OUCHMessage {
    public static let name = OUCHMessageName.orderCanceled
    public static let fixedLength = 18

    public enum Offset {
        public static let timestamp = 1    // u64
        public static let userRefNum = 9   // u32
        public static let quantity = 13    // u32, the decrement
        public static let reason = 17      // Alpha 1
    }

    public var timestamp: UInt64
    public var userRefNum: UInt32
    public var quantity: UInt32
    public var reason: OUCHCancelReason

    @inlinable
    public init(timestamp: UInt64, userRefNum: UInt32, quantity: UInt32, reason: OUCHCancelReason) {
        self.timestamp = timestamp
        self.userRefNum = userRefNum
        self.quantity = quantity
        self.reason = reason
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        Wire.put8(Self.name.type, p, 0)
        Wire.put64(timestamp, p, Offset.timestamp)
        Wire.put32(userRefNum, p, Offset.userRefNum)
        Wire.put32(quantity, p, Offset.quantity)
        Wire.put8(reason.rawValue, p, Offset.reason)
        return Self.fixedLength
    }

    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) {
        let p = try Self.checkFixed(bytes)
        timestamp = Wire.u64(p, Offset.timestamp)
        userRefNum = Wire.u32(p, Offset.userRefNum)
        quantity = Wire.u32(p, Offset.quantity)
        reason = OUCHCancelReason(rawValue: Wire.u8(p, Offset.reason))
    }
}

/// Order Executed (`E`, 36 bytes + appendage).
public struct OUCHOrderExecuted: OUCHMessage {
    public static let name = OUCHMessageName.orderExecuted
    public static let fixedLength = 36

    public enum Offset {
        public static let timestamp = 1         // u64
        public static let userRefNum = 9        // u32
        public static let quantity = 13         // u32
        public static let price = 17            // u64
        public static let liquidityFlag = 25    // Alpha 1: A added, R removed
        public static let matchNumber = 26      // u64
        public static let appendageLength = 34  // u16
    }

    public var timestamp: UInt64
    public var userRefNum: UInt32
    public var quantity: UInt32
    public var price: UInt64
    public var liquidityFlag: UInt8
    public var matchNumber: UInt64
    public var appendage: OUCHAppendage

    @inlinable
    public init(
        timestamp: UInt64, userRefNum: UInt32, quantity: UInt32, price: UInt64, liquidityFlag: UInt8,
        matchNumber: UInt64, appendage: OUCHAppendage = .none
    ) {
        self.timestamp = timestamp
        self.userRefNum = userRefNum
        self.quantity = quantity
        self.price = price
        self.liquidityFlag = liquidityFlag
        self.matchNumber = matchNumber
        self.appendage = appendage
    }

    @inlinable public var encodedLength: Int { Self.fixedLength + appendage.encodedLength }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        Wire.put8(Self.name.type, p, 0)
        Wire.put64(timestamp, p, Offset.timestamp)
        Wire.put32(userRefNum, p, Offset.userRefNum)
        Wire.put32(quantity, p, Offset.quantity)
        Wire.put64(price, p, Offset.price)
        Wire.put8(liquidityFlag, p, Offset.liquidityFlag)
        Wire.put64(matchNumber, p, Offset.matchNumber)
        return Self.encodeAppendage(appendage, p)
    }

    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) {
        let p = try Self.checkWithAppendage(bytes)
        timestamp = Wire.u64(p, Offset.timestamp)
        userRefNum = Wire.u32(p, Offset.userRefNum)
        quantity = Wire.u32(p, Offset.quantity)
        price = Wire.u64(p, Offset.price)
        liquidityFlag = Wire.u8(p, Offset.liquidityFlag)
        matchNumber = Wire.u64(p, Offset.matchNumber)
        appendage = try Self.decodeAppendage(p, bytes)
    }
}

/// Broken Trade (`B`, 36 bytes). This venue does not break trades; the codec is here
/// for completeness and for clients.
public struct OUCHBrokenTrade: OUCHMessage {
    public static let name = OUCHMessageName.brokenTrade
    public static let fixedLength = 36

    public enum Offset {
        public static let timestamp = 1     // u64
        public static let userRefNum = 9    // u32
        public static let matchNumber = 13  // u64
        public static let reason = 21       // Alpha 1
        public static let clOrdID = 22      // Alpha 14
    }

    public var timestamp: UInt64
    public var userRefNum: UInt32
    public var matchNumber: UInt64
    public var reason: UInt8
    public var clOrdID: OUCHClOrdID

    @inlinable
    public init(timestamp: UInt64, userRefNum: UInt32, matchNumber: UInt64, reason: UInt8, clOrdID: OUCHClOrdID) {
        self.timestamp = timestamp
        self.userRefNum = userRefNum
        self.matchNumber = matchNumber
        self.reason = reason
        self.clOrdID = clOrdID
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        Wire.put8(Self.name.type, p, 0)
        Wire.put64(timestamp, p, Offset.timestamp)
        Wire.put32(userRefNum, p, Offset.userRefNum)
        Wire.put64(matchNumber, p, Offset.matchNumber)
        Wire.put8(reason, p, Offset.reason)
        clOrdID.store(p, at: Offset.clOrdID)
        return Self.fixedLength
    }

    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) {
        let p = try Self.checkFixed(bytes)
        timestamp = Wire.u64(p, Offset.timestamp)
        userRefNum = Wire.u32(p, Offset.userRefNum)
        matchNumber = Wire.u64(p, Offset.matchNumber)
        reason = Wire.u8(p, Offset.reason)
        clOrdID = OUCHClOrdID(p, at: Offset.clOrdID)
    }
}

/// Rejected (`J`, 29 bytes).
public struct OUCHRejected: OUCHMessage {
    public static let name = OUCHMessageName.rejected
    public static let fixedLength = 29

    public enum Offset {
        public static let timestamp = 1    // u64
        public static let userRefNum = 9   // u32
        public static let reason = 13      // u16
        public static let clOrdID = 15     // Alpha 14
    }

    public var timestamp: UInt64
    public var userRefNum: UInt32
    public var reason: OUCHRejectReason
    public var clOrdID: OUCHClOrdID

    @inlinable
    public init(timestamp: UInt64, userRefNum: UInt32, reason: OUCHRejectReason, clOrdID: OUCHClOrdID) {
        self.timestamp = timestamp
        self.userRefNum = userRefNum
        self.reason = reason
        self.clOrdID = clOrdID
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        Wire.put8(Self.name.type, p, 0)
        Wire.put64(timestamp, p, Offset.timestamp)
        Wire.put32(userRefNum, p, Offset.userRefNum)
        Wire.put16(reason.rawValue, p, Offset.reason)
        clOrdID.store(p, at: Offset.clOrdID)
        return Self.fixedLength
    }

    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) {
        let p = try Self.checkFixed(bytes)
        timestamp = Wire.u64(p, Offset.timestamp)
        userRefNum = Wire.u32(p, Offset.userRefNum)
        reason = OUCHRejectReason(rawValue: Wire.u16(p, Offset.reason))
        clOrdID = OUCHClOrdID(p, at: Offset.clOrdID)
    }
}

/// Order Modified (`M`, 18 bytes).
public struct OUCHOrderModified: OUCHMessage {
    public static let name = OUCHMessageName.orderModified
    public static let fixedLength = 18

    public enum Offset {
        public static let timestamp = 1    // u64
        public static let userRefNum = 9   // u32
        public static let side = 13        // Alpha 1
        public static let quantity = 14    // u32, the new open quantity
    }

    public var timestamp: UInt64
    public var userRefNum: UInt32
    public var side: UInt8
    public var quantity: UInt32

    @inlinable
    public init(timestamp: UInt64, userRefNum: UInt32, side: UInt8, quantity: UInt32) {
        self.timestamp = timestamp
        self.userRefNum = userRefNum
        self.side = side
        self.quantity = quantity
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        Wire.put8(Self.name.type, p, 0)
        Wire.put64(timestamp, p, Offset.timestamp)
        Wire.put32(userRefNum, p, Offset.userRefNum)
        Wire.put8(side, p, Offset.side)
        Wire.put32(quantity, p, Offset.quantity)
        return Self.fixedLength
    }

    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) {
        let p = try Self.checkFixed(bytes)
        timestamp = Wire.u64(p, Offset.timestamp)
        userRefNum = Wire.u32(p, Offset.userRefNum)
        side = Wire.u8(p, Offset.side)
        quantity = Wire.u32(p, Offset.quantity)
    }
}

/// Account Query Response (`Q`, 13 bytes).
public struct OUCHAccountQueryResponse: OUCHMessage {
    public static let name = OUCHMessageName.accountQueryResponse
    public static let fixedLength = 13

    public enum Offset {
        public static let timestamp = 1        // u64
        public static let nextUserRefNum = 9   // u32
    }

    public var timestamp: UInt64
    public var nextUserRefNum: UInt32

    @inlinable public init(timestamp: UInt64, nextUserRefNum: UInt32) {
        self.timestamp = timestamp
        self.nextUserRefNum = nextUserRefNum
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        Wire.put8(Self.name.type, p, 0)
        Wire.put64(timestamp, p, Offset.timestamp)
        Wire.put32(nextUserRefNum, p, Offset.nextUserRefNum)
        return Self.fixedLength
    }

    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) {
        let p = try Self.checkFixed(bytes)
        timestamp = Wire.u64(p, Offset.timestamp)
        nextUserRefNum = Wire.u32(p, Offset.nextUserRefNum)
    }
}

/// Any outbound message: what a client reads from a Sequenced Data packet.
public enum OUCHOutboundMessage: Equatable, Sendable {
    case systemEvent(OUCHSystemEvent)
    case orderAccepted(OUCHOrderAccepted)
    case orderReplaced(OUCHOrderReplaced)
    case orderCanceled(OUCHOrderCanceled)
    case orderExecuted(OUCHOrderExecuted)
    case brokenTrade(OUCHBrokenTrade)
    case rejected(OUCHRejected)
    case orderModified(OUCHOrderModified)
    case accountQueryResponse(OUCHAccountQueryResponse)

    /// Decodes one whole message by its type byte.
    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(OUCHDecodingError) {
        guard let p = bytes.baseAddress, bytes.count > 0 else { throw .empty }
        switch Wire.u8(p, 0) {
        case OUCHMessageType.systemEvent: self = .systemEvent(try OUCHSystemEvent(decoding: bytes))
        case OUCHMessageType.orderAccepted: self = .orderAccepted(try OUCHOrderAccepted(decoding: bytes))
        case OUCHMessageType.orderReplaced: self = .orderReplaced(try OUCHOrderReplaced(decoding: bytes))
        case OUCHMessageType.orderCanceled: self = .orderCanceled(try OUCHOrderCanceled(decoding: bytes))
        case OUCHMessageType.orderExecuted: self = .orderExecuted(try OUCHOrderExecuted(decoding: bytes))
        case OUCHMessageType.brokenTrade: self = .brokenTrade(try OUCHBrokenTrade(decoding: bytes))
        case OUCHMessageType.rejected: self = .rejected(try OUCHRejected(decoding: bytes))
        case OUCHMessageType.orderModified: self = .orderModified(try OUCHOrderModified(decoding: bytes))
        case OUCHMessageType.accountQueryResponse:
            self = .accountQueryResponse(try OUCHAccountQueryResponse(decoding: bytes))
        default: throw .unknownMessageType(Wire.u8(p, 0))
        }
    }

    /// The message's encoded bytes (tests and tools).
    public var encodedBytes: [UInt8] {
        switch self {
        case .systemEvent(let m): m.encodedBytes
        case .orderAccepted(let m): m.encodedBytes
        case .orderReplaced(let m): m.encodedBytes
        case .orderCanceled(let m): m.encodedBytes
        case .orderExecuted(let m): m.encodedBytes
        case .brokenTrade(let m): m.encodedBytes
        case .rejected(let m): m.encodedBytes
        case .orderModified(let m): m.encodedBytes
        case .accountQueryResponse(let m): m.encodedBytes
        }
    }
}
