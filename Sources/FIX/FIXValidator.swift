/// Which of the dictionary checks apply, per session. Names follow QuickFIX's session
/// settings (ValidateUserDefinedFields, AllowUnknownMsgFields, ValidateFieldsOutOfOrder);
/// the defaults are QuickFIX's, i.e. every check on.
public struct FIXValidationOptions: Sendable, Equatable {
    /// Tags 5000 and up (user-defined) must be in the dictionary and allowed for the
    /// message type; false: accepted and ignored.
    public var validateUserDefinedFields: Bool
    /// True: a tag the dictionary does not define (below 5000), or defines but not for
    /// this message type, is accepted and ignored instead of 373=0 / 373=2.
    public var allowUnknownMessageFields: Bool
    /// A header field after a body field is refused (373=14); false: accepted.
    public var validateFieldsOutOfOrder: Bool

    public init(validateUserDefinedFields: Bool = true, allowUnknownMessageFields: Bool = false,
                validateFieldsOutOfOrder: Bool = true) {
        self.validateUserDefinedFields = validateUserDefinedFields
        self.allowUnknownMessageFields = allowUnknownMessageFields
        self.validateFieldsOutOfOrder = validateFieldsOutOfOrder
    }

    /// First user-defined tag number (FIX: 5000–9999 and above are by bilateral agreement).
    public static let firstUserDefinedTag = 5000
}

/// Checks a framed message against the venue's dictionary and names the first
/// problem as a SessionRejectReason with its RefTagID, in the order a reader meets
/// them: header order (8, 9, 35 first), then each field in turn (readable tag,
/// a value, defined, allowed for this message type, not repeated, well-formed,
/// an allowed value, repeating groups matching their count, nested groups included),
/// then required fields.
///
/// One pass over the fields, stack bitmaps for "seen", table look-ups by integer:
/// validating allocates nothing.
public struct FIXValidator: Sendable {
    public let dictionary: FIXDictionary
    public var options: FIXValidationOptions

    public init(dictionary: FIXDictionary, options: FIXValidationOptions = FIXValidationOptions()) {
        self.dictionary = dictionary
        self.options = options
    }

    /// The reason to reject `message`, or nil when the dictionary accepts it.
    public func validate(_ message: FIXMessage) -> FIXValidationError? {
        validate(message, options: options)
    }

    /// As ``validate(_:)`` with a session's own options.
    public func validate(_ message: FIXMessage, options: FIXValidationOptions) -> FIXValidationError? {
        do {
            return try check(message, options)
        } catch {
            switch error {
            case .invalidTagNumber: return FIXValidationError(.invalidTagNumber, refTagID: nil)
            case .tagWithoutValue(let tag): return FIXValidationError(.tagSpecifiedWithoutValue, refTagID: tag)
            case .missingSOH(let tag): return FIXValidationError(.incorrectDataFormat, refTagID: tag)
            }
        }
    }

    /// Whether an unknown (or misplaced) `tag` is let through under `options`.
    @inline(__always)
    static func ignoresUnknown(_ tag: Int, _ options: FIXValidationOptions) -> Bool {
        tag >= FIXValidationOptions.firstUserDefinedTag
            ? !options.validateUserDefinedFields : options.allowUnknownMessageFields
    }

    func check(_ message: FIXMessage, _ options: FIXValidationOptions) throws(FIXFieldError) -> FIXValidationError? {
        var fields = message.fields
        // Framing put 8 and 9 first.
        _ = try fields.next()
        _ = try fields.next()
        guard let third = try fields.next(), third.tag == FIXTag.msgType else {
            let present = message.firstValue(of: FIXTag.msgType) != nil
            return FIXValidationError(present ? .tagSpecifiedOutOfRequiredOrder : .requiredTagMissing, refTagID: FIXTag.msgType)
        }
        guard let definition = dictionary.message(type: third.value) else {
            return FIXValidationError(.invalidMsgType, refTagID: FIXTag.msgType)
        }
        var seen = FIXTagSet()
        seen.insert(FIXTag.beginString)
        seen.insert(FIXTag.bodyLength)
        seen.insert(FIXTag.msgType)
        var inBody = false
        while let field = try fields.next() {
            let tag = field.tag
            if tag == FIXTag.checkSum { break }  // framing put it last
            guard let fieldDefinition = dictionary.field(tag) else {
                if Self.ignoresUnknown(tag, options) { continue }
                return FIXValidationError(.invalidTagNumber, refTagID: tag)
            }
            var group: FIXDictionary.Group?
            if dictionary.headerTags.contains(tag) {
                if tag == FIXTag.beginString || tag == FIXTag.bodyLength {
                    return FIXValidationError(
                        seen.contains(tag) ? .tagAppearsMoreThanOnce : .tagSpecifiedOutOfRequiredOrder, refTagID: tag)
                }
                if inBody && options.validateFieldsOutOfOrder {
                    return FIXValidationError(
                        seen.contains(tag) ? .tagAppearsMoreThanOnce : .tagSpecifiedOutOfRequiredOrder, refTagID: tag)
                }
                group = dictionary.headerGroup(countTag: tag)
            } else if definition.allowedTags.contains(tag) {
                inBody = true
                group = definition.group(countTag: tag)
            } else {
                if Self.ignoresUnknown(tag, options) { continue }
                return FIXValidationError(.tagNotDefinedForMessageType, refTagID: tag)
            }
            if !seen.insert(tag) { return FIXValidationError(.tagAppearsMoreThanOnce, refTagID: tag) }
            if let reason = Self.checkValue(field.value, fieldDefinition) {
                return FIXValidationError(reason, refTagID: tag)
            }
            if let group {
                if let problem = try checkGroup(group, count: field.value.int ?? 0, &fields, options) { return problem }
            }
        }
        for tag in dictionary.headerRequiredTags where !seen.contains(tag) {
            return FIXValidationError(.requiredTagMissing, refTagID: tag)
        }
        for tag in definition.requiredTags where !seen.contains(tag) {
            return FIXValidationError(.requiredTagMissing, refTagID: tag)
        }
        return nil
    }

    /// The entries of `group` after its count field: each starts with the delimiter,
    /// holds member tags at most once, nested groups checked the same way; stops at
    /// the first tag that is not a member and compares the entries with `count`.
    func checkGroup(
        _ group: FIXDictionary.Group, count: Int, _ fields: inout FIXFieldIterator, _ options: FIXValidationOptions
    ) throws(FIXFieldError) -> FIXValidationError? {
        let layout = group.layout
        var entry = -1
        var seenInEntry = FIXTagSet()
        while true {
            var lookahead = fields
            let next = try lookahead.next()
            guard let member = next, layout.memberTags.contains(member.tag) else {
                if entry + 1 != count { return FIXValidationError(.incorrectNumInGroupCount, refTagID: layout.countTag) }
                if entry >= 0, let missing = missingTag(group, seenInEntry) {
                    return FIXValidationError(.requiredTagMissing, refTagID: missing)
                }
                return nil
            }
            if member.tag == layout.delimiterTag {
                if entry >= 0, let missing = missingTag(group, seenInEntry) {
                    return FIXValidationError(.requiredTagMissing, refTagID: missing)
                }
                entry += 1
                if entry >= count { return FIXValidationError(.incorrectNumInGroupCount, refTagID: layout.countTag) }
                seenInEntry.removeAll()
            } else if entry < 0 || seenInEntry.contains(member.tag) {
                return FIXValidationError(.repeatingGroupFieldsOutOfOrder, refTagID: member.tag)
            }
            seenInEntry.insert(member.tag)
            fields = lookahead
            if let definition = dictionary.field(member.tag), let reason = Self.checkValue(member.value, definition) {
                return FIXValidationError(reason, refTagID: member.tag)
            }
            if let nested = group.group(countTag: member.tag),
               let problem = try checkGroup(nested, count: member.value.int ?? 0, &fields, options) {
                return problem
            }
        }
    }

    func missingTag(_ group: FIXDictionary.Group, _ seen: FIXTagSet) -> Int? {
        for tag in group.requiredTags where !seen.contains(tag) { return tag }
        return nil
    }

    /// Reason 6 when the value is not of the field's type, 5 when it is but not one of
    /// the field's enumerated values; nil when fine. The venue's own limits (a Price with
    /// at most four decimals) are the order-entry layer's, not the session's: a field
    /// the venue does not act on is not refused for them.
    static func checkValue(_ value: FIXValue, _ field: FIXDictionary.Field) -> FIXSessionRejectReason? {
        switch field.format {
        case .integer: if value.int == nil { return .incorrectDataFormat }
        case .price, .decimal: if !value.isDecimal { return .incorrectDataFormat }
        case .char: if value.char == nil { return .incorrectDataFormat }
        case .boolean: if value.bool == nil { return .incorrectDataFormat }
        case .utcTimestamp: if value.utcTimestamp == nil { return .incorrectDataFormat }
        case .multipleValues, .text: break
        }
        guard field.isEnumerated else { return nil }
        if field.format == .multipleValues {
            var start = 0
            for i in 0...value.count where i == value.count || value[i] == UInt8(ascii: " ") {
                let token = UnsafeRawBufferPointer(rebasing: value.bytes[start..<i])
                guard isAllowed(token, field) else { return .valueIsIncorrect }
                start = i + 1
            }
            return nil
        }
        return isAllowed(value.bytes, field) ? nil : .valueIsIncorrect
    }

    static func isAllowed(_ bytes: UnsafeRawBufferPointer, _ field: FIXDictionary.Field) -> Bool {
        if let key = FIXDictionary.pack(bytes) { return field.allowedValues.contains(key) }
        for long in field.longAllowedValues where long.count == bytes.count {
            if long.withUnsafeBytes({ $0.elementsEqual(bytes) }) { return true }
        }
        return false
    }
}
