/// A symbol's index in the venue's symbol directory: the ITCH stock locate code,
/// 1-based in directory order. Zero means "no symbol" (for example a mass cancel
/// over every symbol of an account).
public struct SymbolIndex: RawRepresentable, Hashable, Comparable, Sendable, BitwiseCopyable,
    ExpressibleByIntegerLiteral, CustomStringConvertible
{
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(integerLiteral value: UInt16) { self.rawValue = value }
    /// "All symbols" / "no symbol".
    public static let none = SymbolIndex(rawValue: 0)
    @inlinable public static func < (a: SymbolIndex, b: SymbolIndex) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "symbol#\(rawValue)" }
}

/// An account's index in the venue's account table, 1-based in configuration order.
/// Every order belongs to exactly one account; an account sees and touches only its own orders.
public struct AccountIndex: RawRepresentable, Hashable, Comparable, Sendable, BitwiseCopyable,
    ExpressibleByIntegerLiteral, CustomStringConvertible
{
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(integerLiteral value: UInt16) { self.rawValue = value }
    public static let none = AccountIndex(rawValue: 0)
    @inlinable public static func < (a: AccountIndex, b: AccountIndex) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "account#\(rawValue)" }
}

/// Where a command came from, and so where the events about its order go back to.
///
/// `source` is the producer (an I/O thread's inbound ring, or the shared-memory ring);
/// `session` is the configured session (FIX session or SoupBinTCP user) within the venue;
/// `connection` is the generation-tagged connection identifier assigned by the network
/// layer, so that an event for a connection that has closed is never delivered to a new one.
public struct OrderOrigin: Hashable, Sendable, BitwiseCopyable {
    public var source: UInt8
    public var session: UInt16
    public var connection: UInt32

    @inlinable public init(source: UInt8, session: UInt16, connection: UInt32) {
        self.source = source
        self.session = session
        self.connection = connection
    }

    /// No origin: commands the venue itself issues (end of day, halts).
    public static let venue = OrderOrigin(source: 0, session: 0, connection: 0)
}

/// The venue's order reference number: day-unique, assigned by the engine in
/// acceptance order, carried on ITCH and as OUCH OrderReferenceNumber and FIX OrderID.
public typealias OrderReference = UInt64

/// A client order identifier carried inline: FIX ClOrdID (tag 11) or OUCH ClOrdID
/// (14 bytes), ASCII, at most ``ClientOrderID/capacity`` bytes.
///
/// Fixed-size so that commands and events stay plain values that a ring slot copies
/// with a memcpy. Unused bytes are zero; the length is the number of leading non-zero
/// bytes, so an identifier cannot contain NUL (neither FIX nor OUCH allows it).
public struct ClientOrderID: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    public static let capacity = 24
    @usableFromInline var w0: UInt64 = 0
    @usableFromInline var w1: UInt64 = 0
    @usableFromInline var w2: UInt64 = 0

    public init() {}

    /// The empty identifier.
    public static let empty = ClientOrderID()

    /// Builds an identifier from bytes; nil if longer than ``capacity`` or containing NUL.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        if bytes.count > ClientOrderID.capacity { return nil }
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var index = 0
        for byte in bytes {
            if byte == 0 { return nil }
            let shift = UInt64((index & 7) * 8)
            switch index >> 3 {
            case 0: words.0 |= UInt64(byte) << shift
            case 1: words.1 |= UInt64(byte) << shift
            default: words.2 |= UInt64(byte) << shift
            }
            index += 1
        }
        (w0, w1, w2) = words
    }

    public init?(_ text: String) { self.init(bytes: Array(text.utf8)) }

    /// Byte `i` (0-based); zero past the end.
    @inlinable public subscript(i: Int) -> UInt8 {
        let word = i < 8 ? w0 : (i < 16 ? w1 : w2)
        return UInt8(truncatingIfNeeded: word >> UInt64((i & 7) * 8))
    }

    /// Number of bytes in the identifier.
    public var count: Int {
        for i in 0..<ClientOrderID.capacity where self[i] == 0 { return i }
        return ClientOrderID.capacity
    }

    @inlinable public var isEmpty: Bool { w0 == 0 }

    /// The identifier's bytes.
    public var bytes: [UInt8] { (0..<count).map { self[$0] } }

    public var description: String { String(decoding: bytes, as: UTF8.self) }

    /// The three little-endian words, for record encoding and hashing.
    @inlinable public var words: (UInt64, UInt64, UInt64) { (w0, w1, w2) }
    @inlinable public init(words: (UInt64, UInt64, UInt64)) { (w0, w1, w2) = words }
}

/// How a client names its orders, and so how the engine finds the order a cancel or
/// replace refers to. OUCH names orders by UserRefNum (a u32 per account per day);
/// FIX by ClOrdID (a string unique per account while the order is open).
public enum OrderKeyKind: UInt8, Sendable, BitwiseCopyable {
    case userReference = 1
    case clientOrderID = 2
}
