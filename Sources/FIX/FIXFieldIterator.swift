/// One `tag=value␁` field of a message.
public struct FIXField {
    public var tag: Int
    public var value: FIXValue
    /// Offset of the field's first tag digit in the message.
    public var offset: Int

    @inlinable public init(tag: Int, value: FIXValue, offset: Int) {
        self.tag = tag
        self.value = value
        self.offset = offset
    }
}

/// A field that cannot be read. Each maps to a SessionRejectReason
/// (``FIXValidator`` does that).
public enum FIXFieldError: Error, Sendable, Equatable {
    /// The tag is empty, has a non-digit or a leading zero, or is longer than
    /// nine digits; `offset` is where the field starts (reason 0).
    case invalidTagNumber(offset: Int)
    /// `tag=` directly followed by SOH (reason 4).
    case tagWithoutValue(tag: Int)
    /// The bytes end before the field's SOH (only for bytes that were not framed).
    case missingSOH(tag: Int)
}

/// Reads `tag=value␁` fields in order, in place: tags parsed as integers, values
/// handed out as slices. Allocates nothing; a copy of the iterator is a bookmark.
public struct FIXFieldIterator {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline let baseOffset: Int
    /// Offset of the next field within `bytes`.
    @usableFromInline var position = 0

    /// Iterates over `bytes`; reported offsets are `baseOffset` plus the position in them.
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer, baseOffset: Int = 0) {
        self.bytes = bytes
        self.baseOffset = baseOffset
    }

    /// True when every field has been read.
    @inlinable public var isAtEnd: Bool { position >= bytes.count }

    /// The next field, or nil at the end. After an error the iterator does not move.
    @inlinable
    public mutating func next() throws(FIXFieldError) -> FIXField? {
        guard position < bytes.count else { return nil }
        let start = position
        var i = start
        var tag = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == FIXByte.equals { break }
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9"), i - start < 9,
                !(i == start && b == UInt8(ascii: "0"))
            else { throw .invalidTagNumber(offset: baseOffset + start) }
            tag = tag * 10 + Int(b &- 48)
            i += 1
        }
        guard i < bytes.count, i > start else { throw .invalidTagNumber(offset: baseOffset + start) }
        let valueStart = i + 1
        var j = valueStart
        while j < bytes.count && bytes[j] != FIXByte.soh { j += 1 }
        guard j < bytes.count else { throw .missingSOH(tag: tag) }
        guard j > valueStart else { throw .tagWithoutValue(tag: tag) }
        position = j + 1
        return FIXField(
            tag: tag,
            value: FIXValue(UnsafeRawBufferPointer(rebasing: bytes[valueStart..<j])),
            offset: baseOffset + start)
    }

    /// The tag of the next field without consuming it; nil at the end.
    @inlinable
    public func peekTag() throws(FIXFieldError) -> Int? {
        var copy = self
        return try copy.next()?.tag
    }
}
