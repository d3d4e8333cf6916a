/// How the validator checks a value of a dictionary type.
public enum FIXValueFormat: Sendable, Equatable {
    /// INT, LENGTH, SEQNUM, NUMINGROUP, DAYOFMONTH: ``FIXValue/int``.
    case integer
    /// PRICE, PRICEOFFSET: a decimal with at most four places (``FIXValue/price``).
    case price
    /// QTY, AMT, FLOAT, PERCENTAGE: any decimal (``FIXValue/isDecimal``).
    case decimal
    /// CHAR: one byte.
    case char
    /// BOOLEAN: `Y` or `N`.
    case boolean
    /// UTCTIMESTAMP: ``FIXValue/utcTimestamp``.
    case utcTimestamp
    /// MULTIPLEVALUESTRING: space-separated tokens, each checked against the enum.
    case multipleValues
    /// Every other type (STRING, CURRENCY, EXCHANGE, LOCALMKTDATE, …): any bytes.
    case text

    /// The format of a QuickFIX dictionary type name.
    public init(quickFIXType type: String) {
        switch type {
        case "INT", "LENGTH", "SEQNUM", "NUMINGROUP", "DAYOFMONTH": self = .integer
        case "PRICE", "PRICEOFFSET": self = .price
        case "QTY", "AMT", "FLOAT", "PERCENTAGE": self = .decimal
        case "CHAR": self = .char
        case "BOOLEAN": self = .boolean
        case "UTCTIMESTAMP": self = .utcTimestamp
        case "MULTIPLEVALUESTRING", "MULTIPLECHARVALUE": self = .multipleValues
        default: self = .text
        }
    }
}

/// The venue's FIX dictionary as lookup tables: which messages exist, which fields
/// each requires and allows, and each field's type and allowed values. Built once
/// at start-up by ``FIXDictionaryLoader``; every look-up the validator makes per
/// message is an array index, a bitmap test or a hash of an integer: no allocation.
public struct FIXDictionary: Sendable {
    /// One `<fields>` entry.
    public struct Field: Sendable {
        public var number: Int
        public var name: String
        /// The QuickFIX type name (`CHAR`, `PRICE`, …).
        public var type: String
        public var format: FIXValueFormat
        /// Allowed values of at most eight bytes packed with ``FIXDictionary/pack(_:)``;
        /// with ``longAllowedValues`` empty means any.
        public var allowedValues: Set<UInt64>
        /// Allowed values longer than eight bytes (a few in FIX 4.4, e.g. StipulationType
        /// `INVERSEFLOATER`), compared byte by byte.
        public var longAllowedValues: [[UInt8]] = []
        /// The allowed values as text, in dictionary order (for tools and tests).
        public var allowedValueNames: [String]

        /// True when the field has an enumeration.
        @inlinable public var isEnumerated: Bool { !allowedValues.isEmpty || !longAllowedValues.isEmpty }
    }

    /// A repeating group inside a message (or the header), components expanded.
    public struct Group: Sendable {
        public var name: String
        /// Count tag, delimiter (the first field of an entry) and the tags an entry may
        /// hold directly: its fields and the count tags of the groups nested in it.
        public var layout: FIXGroupLayout
        public var isRequired: Bool
        /// Groups nested in an entry (e.g. NoPartySubIDs inside NoPartyIDs).
        public var nested: [Group] = []
        /// Tags every entry must hold (the delimiter is always there).
        public var requiredTags: [Int] = []

        /// The nested group whose count field is `tag`.
        @inlinable
        public func group(countTag tag: Int) -> Group? {
            for group in nested where group.layout.countTag == tag { return group }
            return nil
        }
    }

    /// One `<message>` entry, its components expanded.
    public struct Message: Sendable {
        public var name: String
        public var msgType: String
        /// `msgcat="admin"`: a session message.
        public var isAdministrative: Bool
        /// Required body tags in dictionary order (group count tags included).
        public var requiredTags: [Int]
        /// Every body tag allowed outside a group (required ones and count tags included).
        public var allowedTags: FIXTagSet
        public var groups: [Group]
        /// The count tags of ``groups``, so that a field is tested for "starts a group"
        /// with one bit instead of a scan.
        public var groupCountTags = FIXTagSet()

        /// The group whose count field is `tag`.
        @inlinable
        public func group(countTag tag: Int) -> Group? {
            guard groupCountTags.contains(tag) else { return nil }
            for group in groups where group.layout.countTag == tag { return group }
            return nil
        }
    }

    /// Required header tags in order; the allowed header tags (outside groups).
    public var headerRequiredTags: [Int]
    public var headerTags: FIXTagSet
    /// Repeating groups of the header (FIX 4.4: NoHops).
    public var headerGroups: [Group] = []
    public var trailerRequiredTags: [Int]
    public var trailerTags: FIXTagSet
    /// Indexed by tag number, 0 ..< FIXTagSet.capacity.
    public var fieldsByNumber: [Field?]
    public var messagesByPackedType: [UInt64: Message]

    /// The header group whose count field is `tag`.
    @inlinable
    public func headerGroup(countTag tag: Int) -> Group? {
        for group in headerGroups where group.layout.countTag == tag { return group }
        return nil
    }

    /// The field definition for `tag`, or nil when the dictionary has none.
    @inlinable
    public func field(_ tag: Int) -> Field? {
        tag >= 0 && tag < fieldsByNumber.count ? fieldsByNumber[tag] : nil
    }

    /// The message definition for a MsgType value, or nil.
    @inlinable
    public func message(type: FIXValue) -> Message? {
        guard let key = FIXDictionary.pack(type.bytes) else { return nil }
        return messagesByPackedType[key]
    }

    /// The message definition for a MsgType such as `"D"`.
    public func message(type: String) -> Message? {
        guard let key = FIXDictionary.pack(Array(type.utf8)) else { return nil }
        return messagesByPackedType[key]
    }

    /// Up to eight non-NUL bytes as one integer, so that short enumerated values and
    /// message types are compared and hashed without building Strings. Nil for empty,
    /// longer or NUL-containing input.
    @inlinable
    public static func pack<Bytes: Collection>(_ bytes: Bytes) -> UInt64? where Bytes.Element == UInt8 {
        guard !bytes.isEmpty, bytes.count <= 8 else { return nil }
        var v: UInt64 = 0
        for b in bytes {
            if b == 0 { return nil }
            v = v << 8 | UInt64(b)
        }
        return v
    }
}
