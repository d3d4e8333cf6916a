/// The byte layout of a ``Command`` outside the process: the payload of a journal
/// record (specs/engine-records.md, "Command record"). Little-endian, 96 bytes,
/// every offset named here and nowhere else.
///
/// Inside the process a command crosses rings as a plain value copy; this layout is
/// what must stay readable across builds, so it is explicit rather than Swift's
/// (unspecified) struct layout.
public enum CommandRecord {
    /// Version of this layout. Journal format version 1 (specs/journal.md) carries layout 1;
    /// changing the layout means a new journal format version, so that an old journal is
    /// refused by its header rather than misread record by record.
    public static let layoutVersion: UInt16 = 1
    public static let size = 96

    // Offsets (bytes from the start of the record).
    public static let kindOffset = 0                      // u8 CommandKind
    public static let sideOffset = 1                      // u8 Side
    public static let orderTypeOffset = 2                 // u8 OrderType
    public static let timeInForceOffset = 3               // u8 TimeInForce
    public static let flagsOffset = 4                     // u8 OrderFlags
    public static let keyKindOffset = 5                   // u8 OrderKeyKind
    public static let codeOffset = 6                      // u8 TradingState / SystemEventCode
    // 7: reserved, zero
    public static let symbolOffset = 8                    // u16 SymbolIndex
    public static let accountOffset = 10                  // u16 AccountIndex
    public static let originSourceOffset = 12             // u8
    // 13: reserved, zero
    public static let originSessionOffset = 14            // u16
    public static let originConnectionOffset = 16         // u32
    public static let quantityOffset = 20                 // u32
    public static let priceOffset = 24                    // i64, 4 implied decimals
    public static let userReferenceOffset = 32            // u32
    public static let originalUserReferenceOffset = 36    // u32
    public static let clientOrderIDOffset = 40            // 24 bytes ASCII, NUL-padded
    public static let originalClientOrderIDOffset = 64    // 24 bytes ASCII, NUL-padded
    public static let timestampOffset = 88                // i64 ns since the Unix epoch

    /// A record that does not decode to a valid command.
    public struct DecodingError: Error, CustomStringConvertible, Equatable {
        public var field: String
        public var value: UInt64
        public init(field: String, value: UInt64) {
            self.field = field
            self.value = value
        }
        public var description: String { "invalid command record: \(field) = \(value)" }
    }

    /// Writes `command` into the first ``size`` bytes at `destination`.
    @inlinable
    public static func encode(_ command: Command, into destination: UnsafeMutableRawPointer) {
        destination.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        destination.storeBytes(of: command.kind.rawValue, toByteOffset: kindOffset, as: UInt8.self)
        destination.storeBytes(of: command.side.rawValue, toByteOffset: sideOffset, as: UInt8.self)
        destination.storeBytes(of: command.orderType.rawValue, toByteOffset: orderTypeOffset, as: UInt8.self)
        destination.storeBytes(of: command.timeInForce.rawValue, toByteOffset: timeInForceOffset, as: UInt8.self)
        destination.storeBytes(of: command.flags.rawValue, toByteOffset: flagsOffset, as: UInt8.self)
        destination.storeBytes(of: command.keyKind.rawValue, toByteOffset: keyKindOffset, as: UInt8.self)
        destination.storeBytes(of: command.code, toByteOffset: codeOffset, as: UInt8.self)
        destination.storeBytes(of: command.symbol.rawValue.littleEndian, toByteOffset: symbolOffset, as: UInt16.self)
        destination.storeBytes(of: command.account.rawValue.littleEndian, toByteOffset: accountOffset, as: UInt16.self)
        destination.storeBytes(of: command.origin.source, toByteOffset: originSourceOffset, as: UInt8.self)
        destination.storeBytes(of: command.origin.session.littleEndian, toByteOffset: originSessionOffset, as: UInt16.self)
        destination.storeBytes(of: command.origin.connection.littleEndian, toByteOffset: originConnectionOffset, as: UInt32.self)
        destination.storeBytes(of: command.quantity.littleEndian, toByteOffset: quantityOffset, as: UInt32.self)
        destination.storeBytes(of: command.price.raw.littleEndian, toByteOffset: priceOffset, as: Int64.self)
        destination.storeBytes(of: command.userReference.littleEndian, toByteOffset: userReferenceOffset, as: UInt32.self)
        destination.storeBytes(
            of: command.originalUserReference.littleEndian, toByteOffset: originalUserReferenceOffset, as: UInt32.self)
        storeID(command.clientOrderID, at: destination + clientOrderIDOffset)
        storeID(command.originalClientOrderID, at: destination + originalClientOrderIDOffset)
        destination.storeBytes(of: command.timestamp.rawValue.littleEndian, toByteOffset: timestampOffset, as: Int64.self)
    }

    @inlinable
    static func storeID(_ id: ClientOrderID, at p: UnsafeMutableRawPointer) {
        let w = id.words
        p.storeBytes(of: w.0.littleEndian, toByteOffset: 0, as: UInt64.self)
        p.storeBytes(of: w.1.littleEndian, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: w.2.littleEndian, toByteOffset: 16, as: UInt64.self)
    }

    @inlinable
    static func loadID(at p: UnsafeRawPointer) -> ClientOrderID {
        ClientOrderID(words: (
            UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
            UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        ))
    }

    /// Reads a command from `bytes`, which must hold exactly ``size`` bytes.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(DecodingError) -> Command {
        guard bytes.count == size, let p = bytes.baseAddress else {
            throw DecodingError(field: "length", value: UInt64(bytes.count))
        }
        func u8(_ o: Int) -> UInt8 { p.load(fromByteOffset: o, as: UInt8.self) }
        func u16(_ o: Int) -> UInt16 { UInt16(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt16.self)) }
        func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
        func i64(_ o: Int) -> Int64 { Int64(littleEndian: p.loadUnaligned(fromByteOffset: o, as: Int64.self)) }

        guard let kind = CommandKind(rawValue: u8(kindOffset)) else {
            throw DecodingError(field: "kind", value: UInt64(u8(kindOffset)))
        }
        guard let side = Side(rawValue: u8(sideOffset)) else {
            throw DecodingError(field: "side", value: UInt64(u8(sideOffset)))
        }
        guard let orderType = OrderType(rawValue: u8(orderTypeOffset)) else {
            throw DecodingError(field: "orderType", value: UInt64(u8(orderTypeOffset)))
        }
        guard let tif = TimeInForce(rawValue: u8(timeInForceOffset)) else {
            throw DecodingError(field: "timeInForce", value: UInt64(u8(timeInForceOffset)))
        }
        guard let keyKind = OrderKeyKind(rawValue: u8(keyKindOffset)) else {
            throw DecodingError(field: "keyKind", value: UInt64(u8(keyKindOffset)))
        }
        return Command(
            kind: kind,
            side: side,
            orderType: orderType,
            timeInForce: tif,
            flags: OrderFlags(rawValue: u8(flagsOffset)),
            keyKind: keyKind,
            code: u8(codeOffset),
            symbol: SymbolIndex(rawValue: u16(symbolOffset)),
            account: AccountIndex(rawValue: u16(accountOffset)),
            origin: OrderOrigin(
                source: u8(originSourceOffset), session: u16(originSessionOffset),
                connection: u32(originConnectionOffset)),
            quantity: u32(quantityOffset),
            price: Price(raw: i64(priceOffset)),
            userReference: u32(userReferenceOffset),
            originalUserReference: u32(originalUserReferenceOffset),
            clientOrderID: loadID(at: p + clientOrderIDOffset),
            originalClientOrderID: loadID(at: p + originalClientOrderIDOffset),
            timestamp: Timestamp(rawValue: i64(timestampOffset))
        )
    }
}
