/// A MoldUDP64 packet that cannot be read. A subscriber counts it and drops the
/// whole packet; the gap it leaves is recovered like any loss.
public enum MoldUDP64DecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer bytes than the 20-byte header.
    case packetTooShort(actual: Int)
    /// Message block `index` (0-based) at `offset` has a length prefix, or a
    /// message, that runs past the end of the packet.
    case truncatedBlock(index: Int, offset: Int, declaredLength: Int, remaining: Int)
    /// Message block `index` declares a length of 0: no message fits in it.
    case zeroLengthBlock(index: Int, offset: Int)
    /// MessageCount says `declared` blocks but `extraBytes` bytes follow the last of
    /// them (for a heartbeat or End of Session, any byte after the header).
    case trailingBytes(declared: Int, extraBytes: Int)
    /// A request packet that is not exactly 20 bytes.
    case wrongRequestLength(actual: Int)

    public var description: String {
        switch self {
        case .packetTooShort(let actual):
            "MoldUDP64 packet of \(actual) bytes is shorter than its 20-byte header"
        case .truncatedBlock(let index, let offset, let declared, let remaining):
            "MoldUDP64 message block \(index) at offset \(offset): length \(declared) but \(remaining) bytes remain"
        case .zeroLengthBlock(let index, let offset):
            "MoldUDP64 message block \(index) at offset \(offset) has length 0"
        case .trailingBytes(let declared, let extra):
            "MoldUDP64 MessageCount \(declared) but \(extra) bytes follow the last message"
        case .wrongRequestLength(let actual):
            "MoldUDP64 request packet of \(actual) bytes, expected 20"
        }
    }
}
