/// Checks a framed message against the venue's dictionary and names the first
/// problem as a SessionRejectReason with its RefTagID, in the order a reader meets
/// them: header order (8, 9, 35 first), then each field in turn (readable tag,
/// a value, defined, allowed for this message type, not repeated, well-formed,
/// an allowed value, repeating groups matching their count), then required fields.
///
/// One pass over the fields, a stack bitmap for "seen", table look-ups by integer:
/// validating allocates nothing.
public struct FIXValidator: Sendable {
    public let dictionary: FIXDictionary

    public init(dictionary: FIXDictionary) { self.dictionary = dictionary }

    /// The reason to reject `message`, or nil when the dictionary accepts it.
    public func validate(_ message: FIXMessage) -> FIXValidationError? {
        do {
            return try check(message)
        } catch {
            switch error {
            case .invalidTagNumber: return FIXValidationError(.invalidTagNumber, refTagID: nil)
            case .tagWithoutValue(let tag): return FIXValidationError(.tagSpecifiedWithoutValue, refTagID: tag)
            case .missingSOH(let tag): return FIXValidationError(.incorrectDataFormat, refTagID: tag)
            }
        }
    }

    func check(_ message: FIXMessage) throws(FIXFieldError) -> FIXValidationError? {
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
                return FIXValidationError(.invalidTagNumber, refTagID: tag)
            }
            if dictionary.headerTags.contains(tag) {
                if inBody || tag == FIXTag.beginString || tag == FIXTag.bodyLength {
                    return FIXValidationError(
                        seen.contains(tag) ? .tagAppearsMoreThanOnce : .tagSpecifiedOutOfRequiredOrder, refTagID: tag)
                }
            } else if definition.allowedTags.contains(tag) {
                inBody = true
            } else {
                return FIXValidationError(.tagNotDefinedForMessageType, refTagID: tag)
            }
            if !seen.insert(tag) { return FIXValidationError(.tagAppearsMoreThanOnce, refTagID: tag) }
            if let reason = Self.checkValue(field.value, fieldDefinition) {
                return FIXValidationError(reason, refTagID: tag)
            }
            if let group = definition.group(countTag: tag) {
                if let problem = try checkGroup(group, count: field.value.int ?? 0, &fields) { return problem }
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

    func checkGroup(
        _ group: FIXDictionary.Group, count: Int, _ fields: inout FIXFieldIterator
    ) throws(FIXFieldError) -> FIXValidationError? {
        var reader = FIXGroupReader(layout: group.layout, count: count)
        while true {
            let member: FIXField?
            do {
                member = try reader.next(from: &fields)
            } catch {
                switch error {
                case .field(let fieldError): throw fieldError
                case .countMismatch(let countTag, _, _):
                    return FIXValidationError(.incorrectNumInGroupCount, refTagID: countTag)
                case .outOfOrder(let tag):
                    return FIXValidationError(.repeatingGroupFieldsOutOfOrder, refTagID: tag)
                }
            }
            guard let member else { return nil }
            if let memberDefinition = dictionary.field(member.tag),
                let reason = Self.checkValue(member.value, memberDefinition)
            {
                return FIXValidationError(reason, refTagID: member.tag)
            }
        }
    }

    /// Reason 6 when the value is not of the field's type, 5 when it is but the venue
    /// does not take it; nil when fine.
    static func checkValue(_ value: FIXValue, _ field: FIXDictionary.Field) -> FIXSessionRejectReason? {
        switch field.format {
        case .integer: if value.int == nil { return .incorrectDataFormat }
        case .price:
            if !value.isDecimal { return .incorrectDataFormat }
            if value.price == nil { return .valueIsIncorrect }
        case .decimal: if !value.isDecimal { return .incorrectDataFormat }
        case .char: if value.char == nil { return .incorrectDataFormat }
        case .boolean: if value.bool == nil { return .incorrectDataFormat }
        case .utcTimestamp: if value.utcTimestamp == nil { return .incorrectDataFormat }
        case .multipleValues, .text: break
        }
        guard !field.allowedValues.isEmpty else { return nil }
        if field.format == .multipleValues {
            var start = 0
            for i in 0...value.count where i == value.count || value[i] == UInt8(ascii: " ") {
                let token = UnsafeRawBufferPointer(rebasing: value.bytes[start..<i])
                guard let key = FIXDictionary.pack(token), field.allowedValues.contains(key) else {
                    return .valueIsIncorrect
                }
                start = i + 1
            }
            return nil
        }
        guard let key = FIXDictionary.pack(value.bytes), field.allowedValues.contains(key) else {
            return .valueIsIncorrect
        }
        return nil
    }
}
