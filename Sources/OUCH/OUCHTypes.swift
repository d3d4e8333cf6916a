/// OUCH 5.0 message types (the byte at offset 0 of every message).
public enum OUCHMessageType {
    // Inbound (client → venue), carried in SoupBinTCP Unsequenced Data.
    public static let enterOrder = UInt8(ascii: "O")
    public static let replaceOrder = UInt8(ascii: "U")
    public static let cancelOrder = UInt8(ascii: "X")
    public static let modifyOrder = UInt8(ascii: "M")
    public static let accountQueryRequest = UInt8(ascii: "Q")

    // Outbound (venue → client), carried in SoupBinTCP Sequenced Data.
    public static let systemEvent = UInt8(ascii: "S")
    public static let orderAccepted = UInt8(ascii: "A")
    public static let orderReplaced = UInt8(ascii: "U")
    public static let orderCanceled = UInt8(ascii: "C")
    public static let orderExecuted = UInt8(ascii: "E")
    public static let brokenTrade = UInt8(ascii: "B")
    public static let rejected = UInt8(ascii: "J")
    public static let orderModified = UInt8(ascii: "M")
    public static let accountQueryResponse = UInt8(ascii: "Q")
}

/// OUCH Price: u64 with 4 implied decimals.
public enum OUCHPrice {
    /// The conventional market-order price, 0x7FFFFFFF (214,748.3647).
    public static let market: UInt64 = 0x7FFF_FFFF
    /// 200,000.0000: this and anything above it means a market order.
    public static let marketThreshold: UInt64 = 2_000_000_000
    /// 199,999.9900, the highest limit price.
    public static let maximumLimit: UInt64 = 1_999_999_900

    /// True for a price that means "market order".
    @inlinable public static func isMarket(_ raw: UInt64) -> Bool { raw >= marketThreshold }
}

/// OUCH Side (Alpha 1).
public enum OUCHSide {
    public static let buy = UInt8(ascii: "B")
    public static let sell = UInt8(ascii: "S")
    public static let sellShort = UInt8(ascii: "T")
    public static let sellShortExempt = UInt8(ascii: "E")
}

/// OUCH TimeInForce (Alpha 1).
public enum OUCHTimeInForce {
    /// Market hours (Day).
    public static let day = UInt8(ascii: "0")
    public static let immediateOrCancel = UInt8(ascii: "3")
    /// Good till extended hours.
    public static let goodTillExtendedHours = UInt8(ascii: "5")
    /// Good till triple (the pre-market, market and post-market sessions).
    public static let goodTillTriple = UInt8(ascii: "6")
    /// After hours.
    public static let afterHours = UInt8(ascii: "E")
}

/// OUCH Display (Alpha 1).
public enum OUCHDisplay {
    public static let visible = UInt8(ascii: "Y")
    public static let hidden = UInt8(ascii: "N")
    public static let attributable = UInt8(ascii: "A")
}

/// OUCH Capacity (Alpha 1).
public enum OUCHCapacity {
    public static let agency = UInt8(ascii: "A")
    public static let principal = UInt8(ascii: "P")
    public static let riskless = UInt8(ascii: "R")
    public static let other = UInt8(ascii: "O")
}

/// OUCH CrossType (Alpha 1). This venue runs a continuous market only.
public enum OUCHCrossType {
    public static let continuous = UInt8(ascii: "N")
}

/// OUCH OrderState (Alpha 1) of Order Accepted and Order Replaced.
public enum OUCHOrderState {
    public static let live = UInt8(ascii: "L")
    public static let dead = UInt8(ascii: "D")
}

/// OUCH LiquidityFlag (Alpha 1) of Order Executed.
public enum OUCHLiquidityFlag {
    public static let added = UInt8(ascii: "A")
    public static let removed = UInt8(ascii: "R")
}

/// OUCH System Event EventCode (Alpha 1).
public enum OUCHSystemEventCode {
    public static let startOfDay = UInt8(ascii: "S")
    public static let endOfDay = UInt8(ascii: "E")
}

/// An OUCH Rejected reason (u16). The named values are those of this venue's profile
/// (specs/ouch.md, "Reject reasons").
public struct OUCHRejectReason: RawRepresentable, Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let fatFinger = OUCHRejectReason(rawValue: 0x0006)
    public static let halted = OUCHRejectReason(rawValue: 0x0007)
    public static let invalidSide = OUCHRejectReason(rawValue: 0x0009)
    public static let processingError = OUCHRejectReason(rawValue: 0x000A)
    public static let firmNotAuthorized = OUCHRejectReason(rawValue: 0x000C)
    public static let other = OUCHRejectReason(rawValue: 0x000F)
    public static let invalidQuantity = OUCHRejectReason(rawValue: 0x0013)
    public static let replaceNotAllowed = OUCHRejectReason(rawValue: 0x0015)
    public static let invalidSymbol = OUCHRejectReason(rawValue: 0x0017)
    public static let invalidPrice = OUCHRejectReason(rawValue: 0x001D)
    public static let sharesExceedThreshold = OUCHRejectReason(rawValue: 0x001E)
    public static let exceedsMaximumNotional = OUCHRejectReason(rawValue: 0x001F)
    public static let riskAggregateExposure = OUCHRejectReason(rawValue: 0x0020)
    public static let riskOrderTypeRestricted = OUCHRejectReason(rawValue: 0x0024)
    public static let riskFatFinger = OUCHRejectReason(rawValue: 0x0026)
    public static let riskPortMessageRate = OUCHRejectReason(rawValue: 0x0029)

    public var description: String {
        let hexDigits = Array("0123456789ABCDEF")
        var s = "0x"
        for shift in stride(from: 12, through: 0, by: -4) { s.append(hexDigits[Int((rawValue >> UInt16(shift)) & 0xF)]) }
        return s
    }
}

/// An OUCH Order Canceled reason (Alpha 1).
public struct OUCHCancelReason: RawRepresentable, Hashable, Sendable, BitwiseCopyable {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let userRequested = OUCHCancelReason(rawValue: UInt8(ascii: "U"))
    public static let immediateOrCancel = OUCHCancelReason(rawValue: UInt8(ascii: "I"))
    public static let timeout = OUCHCancelReason(rawValue: UInt8(ascii: "T"))
    public static let supervisory = OUCHCancelReason(rawValue: UInt8(ascii: "S"))
    public static let selfMatchPrevention = OUCHCancelReason(rawValue: UInt8(ascii: "Q"))
    public static let system = OUCHCancelReason(rawValue: UInt8(ascii: "Z"))
    public static let marketCollars = OUCHCancelReason(rawValue: UInt8(ascii: "K"))
    public static let closed = OUCHCancelReason(rawValue: UInt8(ascii: "E"))
    public static let halted = OUCHCancelReason(rawValue: UInt8(ascii: "H"))
}
