/// The shape of a repeating group: its NoXXX count tag, the tag every entry starts
/// with (the delimiter) and every tag an entry may hold directly (delimiter included,
/// and the count tags of groups nested in an entry; their members are not). The
/// validator walks nested groups itself (`FIXDictionary.Group.nested`); `FIXGroupReader`
/// reads one level.
public struct FIXGroupLayout: Sendable, Equatable {
    public var countTag: Int
    public var delimiterTag: Int
    public var memberTags: FIXTagSet

    public init(countTag: Int, delimiterTag: Int, memberTags: FIXTagSet) {
        self.countTag = countTag
        self.delimiterTag = delimiterTag
        self.memberTags = memberTags
        self.memberTags.insert(delimiterTag)
    }
}

/// A repeating group that does not match its count or its layout.
public enum FIXGroupError: Error, Sendable, Equatable {
    /// A field that cannot be read.
    case field(FIXFieldError)
    /// The count field says `declared` entries, the message has `found`
    /// (SessionRejectReason 16, incorrect NumInGroup count).
    case countMismatch(countTag: Int, declared: Int, found: Int)
    /// An entry does not start with the delimiter, or repeats a tag without one
    /// (SessionRejectReason 15, repeating group fields out of order).
    case outOfOrder(tag: Int)
}

/// Reads the entries of one repeating group after its count field, in place.
///
///     let count = countField.value.int ?? 0
///     var group = FIXGroupReader(layout: parties, count: count)
///     while let field = try group.next(from: &fields) { … group.entryIndex … }
///
/// `next` hands out the group's fields in order and stops (returning nil, leaving the
/// iterator on the first field after the group) at a tag that is not a member.
public struct FIXGroupReader {
    public let layout: FIXGroupLayout
    public let count: Int
    /// The 0-based entry the last field returned belongs to; -1 before the first.
    public private(set) var entryIndex = -1
    @usableFromInline var seenInEntry = FIXTagSet()

    public init(layout: FIXGroupLayout, count: Int) {
        self.layout = layout
        self.count = count
    }

    /// The group's next field, or nil when the group has ended.
    public mutating func next(from fields: inout FIXFieldIterator) throws(FIXGroupError) -> FIXField? {
        var lookahead = fields
        let field: FIXField?
        do { field = try lookahead.next() } catch { throw .field(error) }
        guard let field, layout.memberTags.contains(field.tag) else {
            if entryIndex + 1 != count {
                throw .countMismatch(countTag: layout.countTag, declared: count, found: entryIndex + 1)
            }
            return nil
        }
        if field.tag == layout.delimiterTag {
            entryIndex += 1
            if entryIndex >= count {
                throw .countMismatch(countTag: layout.countTag, declared: count, found: entryIndex + 1)
            }
            seenInEntry.removeAll()
        } else if entryIndex < 0 || seenInEntry.contains(field.tag) {
            throw .outOfOrder(tag: field.tag)
        }
        seenInEntry.insert(field.tag)
        fields = lookahead
        return field
    }
}
