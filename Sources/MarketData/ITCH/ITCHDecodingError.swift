import GatewayCore

/// An ITCH message that cannot be read. Names the message type and what is wrong;
/// a subscriber counts it and drops the message (its sequence number is still
/// consumed: the MoldUDP64 block was received).
public enum ITCHDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No bytes at all (a zero-length MoldUDP64 message block).
    case empty
    /// A type byte that is not one of the messages the venue sends.
    case unknownMessageType(UInt8)
    /// Not the fixed length of the message's type.
    case wrongLength(type: UInt8, expected: Int, actual: Int)
    /// A Side byte other than `B` or `S`.
    case invalidSide(type: UInt8, side: UInt8)

    public var description: String {
        switch self {
        case .empty:
            "empty ITCH message"
        case .unknownMessageType(let type):
            "unknown ITCH message type \(describeByte(type))"
        case .wrongLength(let type, let expected, let actual):
            "ITCH \(describeByte(type)): \(actual) bytes, expected \(expected)"
        case .invalidSide(let type, let side):
            "ITCH \(describeByte(type)): side \(describeByte(side)) is neither B nor S"
        }
    }
}
