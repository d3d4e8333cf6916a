/// A set of tag numbers below ``capacity`` as a fixed 128-byte bitmap: inserting and
/// testing allocate nothing, so the decoder's duplicate check and the validator's
/// per-message "seen" set live on the stack.
public struct FIXTagSet: Sendable, Equatable {
    /// Tags 0 ..< 1024. FIX 4.4 stays below it (its largest tag is 956); the dictionary
    /// loader refuses a field beyond. User-defined tags (5000 and up) are never in a set:
    /// the validator refuses or skips them before it would insert one.
    public static let capacity = 1024

    @usableFromInline var words: (
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
    ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    @inlinable public init() {}

    public init<Tags: Sequence>(_ tags: Tags) where Tags.Element == Int {
        for tag in tags { insert(tag) }
    }

    /// True when `tag` is in the set; false for tags outside 0 ..< capacity.
    @inlinable
    public func contains(_ tag: Int) -> Bool {
        guard tag >= 0, tag < FIXTagSet.capacity else { return false }
        return withUnsafeBytes(of: words) { raw in
            let word = raw.load(fromByteOffset: (tag >> 6) * 8, as: UInt64.self)
            return word & (1 << UInt64(tag & 63)) != 0
        }
    }

    /// Adds `tag`; returns false when it was already there. Precondition: `tag` is in
    /// 0 ..< capacity.
    @inlinable @discardableResult
    public mutating func insert(_ tag: Int) -> Bool {
        precondition(tag >= 0 && tag < FIXTagSet.capacity, "tag outside FIXTagSet's range")
        return withUnsafeMutableBytes(of: &words) { raw in
            let offset = (tag >> 6) * 8
            let word = raw.load(fromByteOffset: offset, as: UInt64.self)
            let bit: UInt64 = 1 << UInt64(tag & 63)
            raw.storeBytes(of: word | bit, toByteOffset: offset, as: UInt64.self)
            return word & bit == 0
        }
    }

    /// Empties the set.
    @inlinable public mutating func removeAll() { self = FIXTagSet() }

    /// The union of two sets.
    public func union(_ other: FIXTagSet) -> FIXTagSet {
        var result = self
        for tag in other.tags { result.insert(tag) }
        return result
    }

    /// The members in ascending order. Allocates: for start-up and tests.
    public var tags: [Int] { (0..<FIXTagSet.capacity).filter { contains($0) } }

    public static func == (a: FIXTagSet, b: FIXTagSet) -> Bool { a.tags == b.tags }
}
