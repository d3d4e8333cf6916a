/// One whole, well-framed FIX message: a view over the bytes the decoder was given
/// (valid as long as they are), from `8=` through the SOH after the CheckSum.
///
/// Framing has checked BeginString, BodyLength and CheckSum; nothing inside the body
/// has been looked at. Read the fields with ``fields`` and check them against the
/// dictionary with ``FIXValidator``.
public struct FIXMessage {
    /// The whole message.
    public let bytes: UnsafeRawBufferPointer
    /// Offset of the first byte after `9=…␁`: where BodyLength starts counting.
    public let bodyStart: Int
    /// Offset of `10=`: the body ends just before it.
    public let trailerStart: Int

    @inlinable
    public init(bytes: UnsafeRawBufferPointer, bodyStart: Int, trailerStart: Int) {
        self.bytes = bytes
        self.bodyStart = bodyStart
        self.trailerStart = trailerStart
    }

    /// Bytes the message takes in the stream; the next one starts this far on.
    @inlinable public var length: Int { bytes.count }

    /// The BodyLength the message carries (and has).
    @inlinable public var bodyLength: Int { trailerStart - bodyStart }

    /// Every field in order, the header's 8 and 9 first and the trailer's 10 last.
    @inlinable public var fields: FIXFieldIterator { FIXFieldIterator(bytes) }

    /// The fields after BodyLength and before CheckSum.
    @inlinable
    public var bodyFields: FIXFieldIterator {
        FIXFieldIterator(UnsafeRawBufferPointer(rebasing: bytes[bodyStart..<trailerStart]), baseOffset: bodyStart)
    }

    /// MsgType (35) when it is the first body field, as FIX requires; nil otherwise.
    @inlinable
    public var msgType: FIXValue? {
        var it = bodyFields
        guard let first = try? it.next(), first.tag == FIXTag.msgType else { return nil }
        return first.value
    }

    /// The value of the first field with `tag`, or nil. A linear scan: for the session's
    /// few header look-ups (MsgSeqNum, PossDupFlag); handlers read every field in one pass.
    @inlinable
    public func firstValue(of tag: Int) -> FIXValue? {
        var it = fields
        while let field = try? it.next() {
            if field.tag == tag { return field.value }
        }
        return nil
    }

    /// The first tag that appears twice outside repeating groups, or nil. Tags in
    /// `groupMembers` repeat legally (once per group entry) and are not counted;
    /// a group's NoXXX count tag is. Allocates nothing.
    public func firstDuplicateTag(groupMembers: FIXTagSet = FIXTagSet()) throws(FIXFieldError) -> Int? {
        var seen = FIXTagSet()
        var it = fields
        while let field = try it.next() {
            let tag = field.tag
            if groupMembers.contains(tag) { continue }
            if tag < FIXTagSet.capacity {
                if !seen.insert(tag) { return tag }
            } else {
                // Rare: tags beyond the set's range are checked by rescanning.
                var earlier = fields
                while let other = try earlier.next(), other.offset < field.offset {
                    if other.tag == tag { return tag }
                }
            }
        }
        return nil
    }
}
