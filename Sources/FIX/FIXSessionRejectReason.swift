/// A SessionRejectReason (tag 373) value: why a message was refused at session level.
public struct FIXSessionRejectReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// 0: the tag is not a number, or not one the dictionary defines.
    public static let invalidTagNumber = FIXSessionRejectReason(rawValue: 0)
    /// 1
    public static let requiredTagMissing = FIXSessionRejectReason(rawValue: 1)
    /// 2
    public static let tagNotDefinedForMessageType = FIXSessionRejectReason(rawValue: 2)
    /// 4: `tag=` followed by SOH.
    public static let tagSpecifiedWithoutValue = FIXSessionRejectReason(rawValue: 4)
    /// 5: well-formed but not a value the venue accepts (not in the enum, a price
    /// with more than four decimals).
    public static let valueIsIncorrect = FIXSessionRejectReason(rawValue: 5)
    /// 6: not a value of the field's type.
    public static let incorrectDataFormat = FIXSessionRejectReason(rawValue: 6)
    /// 11: MsgType not in the dictionary.
    /// SendingTime (52) too far from the receiver's clock.
    public static let sendingTimeAccuracyProblem = FIXSessionRejectReason(rawValue: 10)
    public static let invalidMsgType = FIXSessionRejectReason(rawValue: 11)
    /// 13
    public static let tagAppearsMoreThanOnce = FIXSessionRejectReason(rawValue: 13)
    /// 14: 8, 9, 35 not first, or a header field after a body field.
    public static let tagSpecifiedOutOfRequiredOrder = FIXSessionRejectReason(rawValue: 14)
    /// 15
    public static let repeatingGroupFieldsOutOfOrder = FIXSessionRejectReason(rawValue: 15)
    /// 16
    public static let incorrectNumInGroupCount = FIXSessionRejectReason(rawValue: 16)

    public var description: String {
        switch rawValue {
        case 0: "Invalid tag number"
        case 1: "Required tag missing"
        case 2: "Tag not defined for this message type"
        case 4: "Tag specified without a value"
        case 5: "Value is incorrect (out of range) for this tag"
        case 6: "Incorrect data format for value"
        case 10: "SendingTime accuracy problem"
        case 11: "Invalid MsgType"
        case 13: "Tag appears more than once"
        case 14: "Tag specified out of required order"
        case 15: "Repeating group fields out of order"
        case 16: "Incorrect NumInGroup count for repeating group"
        default: "SessionRejectReason \(rawValue)"
        }
    }
}

/// Why a framed message fails the dictionary: what a FIX Reject (35=3) carries as
/// SessionRejectReason (373) and RefTagID (371).
public struct FIXValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: FIXSessionRejectReason
    /// The tag at fault; nil when no tag number can be named (an unreadable tag).
    public var refTagID: Int?

    public init(_ reason: FIXSessionRejectReason, refTagID: Int?) {
        self.reason = reason
        self.refTagID = refTagID
    }

    public var description: String {
        "\(reason) (373=\(reason.rawValue))" + (refTagID.map { ", RefTagID \($0)" } ?? "")
    }
}
