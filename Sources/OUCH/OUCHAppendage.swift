import GatewayCore

/// OUCH 5.0 OptionTag values of the optional appendage (the spec's appendix
/// "Optional Fields"). This profile reads Firm, MinQty and PostOnly; every other
/// tag is skipped by its Length (specs/ouch.md, "Appendage").
public enum OUCHOptionTag {
    /// SecondaryOrdRefNum, u64. Not read.
    public static let secondaryOrdRefNum: UInt8 = 1
    /// Firm, Alpha 4.
    public static let firm: UInt8 = 2
    /// MinQty, u32.
    public static let minQty: UInt8 = 3
    /// CustomerType, Alpha 1. Not read.
    public static let customerType: UInt8 = 4
    /// MaxFloor, u32. Not read.
    public static let maxFloor: UInt8 = 5
    /// PriceType, Alpha 1. Not read.
    public static let priceType: UInt8 = 6
    /// PostOnly, Alpha 1: `P` post only, `N` no.
    public static let postOnly: UInt8 = 12

    static func name(_ tag: UInt8) -> String {
        switch tag {
        case secondaryOrdRefNum: "SecondaryOrdRefNum"
        case firm: "Firm"
        case minQty: "MinQty"
        case customerType: "CustomerType"
        case maxFloor: "MaxFloor"
        case priceType: "PriceType"
        case postOnly: "PostOnly"
        default: "option"
        }
    }
}

/// OUCH PostOnly values (OptionTag 12).
public enum OUCHPostOnly {
    public static let postOnly = UInt8(ascii: "P")
    public static let no = UInt8(ascii: "N")
}

/// The optional appendage of an OUCH message, as this profile reads it: a list of
/// TagValue elements, each `Length u8` (the bytes that follow: tag and value) ·
/// `OptionTag u8` · value. Plain values, no allocation.
///
/// Decoding keeps Firm, MinQty and PostOnly and skips any other tag by its Length.
/// Encoding writes the fields that are set, in tag order.
public struct OUCHAppendage: Equatable, Sendable, BitwiseCopyable {
    /// Firm (tag 2).
    public var firm: OUCHFirm?
    /// MinQty (tag 3).
    public var minimumQuantity: UInt32?
    /// PostOnly (tag 12): the byte as sent (`P` or `N`; the session validates it).
    public var postOnly: UInt8?
    /// Elements with tags this profile does not read (decoding only; not encoded).
    public var skippedElements: Int

    @inlinable
    public init(firm: OUCHFirm? = nil, minimumQuantity: UInt32? = nil, postOnly: UInt8? = nil) {
        self.firm = firm
        self.minimumQuantity = minimumQuantity
        self.postOnly = postOnly
        self.skippedElements = 0
    }

    /// No optional fields.
    public static let none = OUCHAppendage()

    /// Bytes `encode` writes.
    @inlinable
    public var encodedLength: Int {
        (firm == nil ? 0 : 6) + (minimumQuantity == nil ? 0 : 6) + (postOnly == nil ? 0 : 3)
    }

    /// Writes the elements at `p + offset`; returns the bytes written (``encodedLength``).
    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer, at offset: Int) -> Int {
        var o = offset
        if let firm {
            Wire.put8(5, p, o)
            Wire.put8(OUCHOptionTag.firm, p, o + 1)
            Wire.put32(firm.rawValue, p, o + 2)
            o += 6
        }
        if let minimumQuantity {
            Wire.put8(5, p, o)
            Wire.put8(OUCHOptionTag.minQty, p, o + 1)
            Wire.put32(minimumQuantity, p, o + 2)
            o += 6
        }
        if let postOnly {
            Wire.put8(2, p, o)
            Wire.put8(OUCHOptionTag.postOnly, p, o + 1)
            Wire.put8(postOnly, p, o + 2)
            o += 3
        }
        return o - offset
    }

    /// Reads the `count` appendage bytes at `p + offset` of a `message`.
    @inlinable
    public static func decode(
        _ p: UnsafeRawPointer, at offset: Int, count: Int, message: OUCHMessageName
    ) throws(OUCHDecodingError) -> OUCHAppendage {
        var result = OUCHAppendage()
        var o = offset
        let end = offset + count
        while o < end {
            let length = Int(Wire.u8(p, o))
            guard length > 0 else {
                throw .malformedAppendage(message, offset: o, problem: .zeroElementLength)
            }
            guard o + 1 + length <= end else {
                throw .malformedAppendage(
                    message, offset: o, problem: .elementOverrunsAppendage(length: length, remaining: end - o - 1))
            }
            let tag = Wire.u8(p, o + 1)
            let valueLength = length - 1
            switch tag {
            case OUCHOptionTag.firm:
                guard valueLength == 4 else {
                    throw .malformedAppendage(
                        message, offset: o, problem: .wrongValueLength(tag: tag, expected: 4, actual: valueLength))
                }
                guard result.firm == nil else { throw .malformedAppendage(message, offset: o, problem: .repeatedTag(tag)) }
                result.firm = OUCHFirm(rawValue: Wire.u32(p, o + 2))
            case OUCHOptionTag.minQty:
                guard valueLength == 4 else {
                    throw .malformedAppendage(
                        message, offset: o, problem: .wrongValueLength(tag: tag, expected: 4, actual: valueLength))
                }
                guard result.minimumQuantity == nil else {
                    throw .malformedAppendage(message, offset: o, problem: .repeatedTag(tag))
                }
                result.minimumQuantity = Wire.u32(p, o + 2)
            case OUCHOptionTag.postOnly:
                guard valueLength == 1 else {
                    throw .malformedAppendage(
                        message, offset: o, problem: .wrongValueLength(tag: tag, expected: 1, actual: valueLength))
                }
                guard result.postOnly == nil else {
                    throw .malformedAppendage(message, offset: o, problem: .repeatedTag(tag))
                }
                result.postOnly = Wire.u8(p, o + 2)
            default:
                result.skippedElements += 1
            }
            o += 1 + length
        }
        return result
    }

    /// Equal when the fields this profile reads are equal (skipped elements are not
    /// part of a message's meaning).
    @inlinable
    public static func == (a: OUCHAppendage, b: OUCHAppendage) -> Bool {
        a.firm == b.firm && a.minimumQuantity == b.minimumQuantity && a.postOnly == b.postOnly
    }
}
