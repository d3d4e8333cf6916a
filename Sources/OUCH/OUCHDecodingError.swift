import GatewayCore

/// The OUCH 5.0 messages, named for errors and logs. Inbound and outbound messages
/// share type letters (`U`, `M`, `Q`), so a name says which one is meant.
public enum OUCHMessageName: String, Sendable, Equatable, CustomStringConvertible {
    case enterOrder = "Enter Order"
    case replaceOrder = "Replace Order"
    case cancelOrder = "Cancel Order"
    case modifyOrder = "Modify Order"
    case accountQueryRequest = "Account Query Request"
    case systemEvent = "System Event"
    case orderAccepted = "Order Accepted"
    case orderReplaced = "Order Replaced"
    case orderCanceled = "Order Canceled"
    case orderExecuted = "Order Executed"
    case brokenTrade = "Broken Trade"
    case rejected = "Rejected"
    case orderModified = "Order Modified"
    case accountQueryResponse = "Account Query Response"

    /// The message type byte.
    public var type: UInt8 {
        switch self {
        case .enterOrder: OUCHMessageType.enterOrder
        case .replaceOrder: OUCHMessageType.replaceOrder
        case .cancelOrder: OUCHMessageType.cancelOrder
        case .modifyOrder: OUCHMessageType.modifyOrder
        case .accountQueryRequest: OUCHMessageType.accountQueryRequest
        case .systemEvent: OUCHMessageType.systemEvent
        case .orderAccepted: OUCHMessageType.orderAccepted
        case .orderReplaced: OUCHMessageType.orderReplaced
        case .orderCanceled: OUCHMessageType.orderCanceled
        case .orderExecuted: OUCHMessageType.orderExecuted
        case .brokenTrade: OUCHMessageType.brokenTrade
        case .rejected: OUCHMessageType.rejected
        case .orderModified: OUCHMessageType.orderModified
        case .accountQueryResponse: OUCHMessageType.accountQueryResponse
        }
    }

    public var description: String { rawValue + " ('" + String(UnicodeScalar(type)) + "')" }
}

/// What is wrong with an optional appendage (a list of TagValue elements).
public enum OUCHAppendageProblem: Sendable, Equatable, CustomStringConvertible {
    /// An element whose Length byte is 0: it cannot even hold its OptionTag.
    case zeroElementLength
    /// An element whose Length runs past the end of the appendage.
    case elementOverrunsAppendage(length: Int, remaining: Int)
    /// A tag this profile reads, with a value of the wrong size.
    case wrongValueLength(tag: UInt8, expected: Int, actual: Int)
    /// A tag this profile reads, given twice.
    case repeatedTag(UInt8)

    public var description: String {
        switch self {
        case .zeroElementLength:
            "element Length is 0"
        case .elementOverrunsAppendage(let length, let remaining):
            "element Length \(length) runs past the appendage (\(remaining) bytes left)"
        case .wrongValueLength(let tag, let expected, let actual):
            "\(OUCHOptionTag.name(tag)) (tag \(tag)) has a \(actual)-byte value, expected \(expected)"
        case .repeatedTag(let tag):
            "\(OUCHOptionTag.name(tag)) (tag \(tag)) appears twice"
        }
    }
}

/// An OUCH message that cannot be read. Names the message and the field; the session
/// turns it into the protocol's own answer (specs/ouch.md, "Bad input").
public enum OUCHDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No bytes at all (an empty SoupBinTCP data packet).
    case empty
    /// A type byte that is not an OUCH message of this direction.
    case unknownMessageType(UInt8)
    /// Not the length the message's layout has. For messages with an appendage,
    /// `expected` is the fixed part's length and `actual` is shorter.
    case wrongLength(OUCHMessageName, expected: Int, actual: Int)
    /// The AppendageLength field does not match the bytes that follow it.
    case appendageLengthMismatch(OUCHMessageName, declared: Int, actual: Int)
    /// The appendage's TagValue elements do not parse; `offset` is the element's
    /// offset from the start of the message.
    case malformedAppendage(OUCHMessageName, offset: Int, problem: OUCHAppendageProblem)

    public var description: String {
        switch self {
        case .empty:
            "empty OUCH message"
        case .unknownMessageType(let type):
            "unknown OUCH message type \(describeByte(type))"
        case .wrongLength(let message, let expected, let actual):
            "\(message): \(actual) bytes, expected \(expected)"
        case .appendageLengthMismatch(let message, let declared, let actual):
            "\(message): AppendageLength \(declared) but \(actual) appendage bytes follow"
        case .malformedAppendage(let message, let offset, let problem):
            "\(message): optional appendage element at offset \(offset): \(problem)"
        }
    }
}
