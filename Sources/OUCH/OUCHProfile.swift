import GatewayCore

/// The venue's OUCH 5.0 profile in code: how OUCH values map to the engine's and back.
/// specs/ouch.md is the same table in prose; a change here is a change there.
public enum OUCHProfile {
    /// The largest quantity an order may have: OUCH requires 0 < qty < 1,000,000.
    public static let maximumQuantity: UInt32 = 999_999

    /// Flags set on every OUCH Replace command: OUCH's rule that a replace always loses
    /// time priority, which the engine applies when it sees this flag.
    public static let replaceFlags: OrderFlags = .replaceLosesPriority

    /// The engine side of an OUCH side letter: `B` buy; `S`, `T` (short) and `E` (short
    /// exempt) sell. Nil for anything else.
    @inlinable
    public static func side(_ letter: UInt8) -> Side? {
        switch letter {
        case OUCHSide.buy: .buy
        case OUCHSide.sell, OUCHSide.sellShort, OUCHSide.sellShortExempt: .sell
        default: nil
        }
    }

    /// The engine time in force of an OUCH TimeInForce letter, nil when the venue does
    /// not support it. `0` (market hours) → Day; `3` → IOC; `5` (good till extended
    /// hours) and `6` (good till triple) → Day, because the venue has one trading session
    /// per day and both end with it. `E` (after hours) → nil: there is no after-hours
    /// session. No OUCH order is GTC: UserRefNums are per day, so an order cannot
    /// outlive its day.
    @inlinable
    public static func timeInForce(_ letter: UInt8) -> TimeInForce? {
        switch letter {
        case OUCHTimeInForce.day, OUCHTimeInForce.goodTillExtendedHours, OUCHTimeInForce.goodTillTriple: .day
        case OUCHTimeInForce.immediateOrCancel: .immediateOrCancel
        default: nil
        }
    }

    /// The OUCH Rejected reason for an engine refusal of a new order.
    @inlinable
    public static func rejectReason(_ reason: RejectReason) -> OUCHRejectReason {
        switch reason {
        case .unknownSymbol: .invalidSymbol
        case .unknownAccount: .firmNotAuthorized
        case .invalidQuantity: .invalidQuantity
        case .invalidPrice: .invalidPrice
        case .invalidSide: .invalidSide
        case .invalidOrderType: .other
        case .invalidTimeInForce: .other
        case .symbolHalted: .halted
        case .duplicateOrderID: .other
        case .postOnlyWouldTrade: .other
        case .capacityExceeded: .processingError
        case .marketClosed: .other
        case .unknownCommand: .processingError
        case .riskOrderQuantity: .sharesExceedThreshold
        case .riskOrderNotional: .exceedsMaximumNotional
        case .riskPriceCollar: .riskFatFinger
        case .riskOpenOrders, .riskGrossPosition, .riskNetPosition, .riskExposure: .riskAggregateExposure
        case .restrictedSymbol, .killSwitch: .firmNotAuthorized
        case .rateLimited: .riskPortMessageRate
        case .invalidRiskUpdate, .signalNoChange: .other
        }
    }

    /// The OUCH Order Canceled reason for an engine cancel reason.
    @inlinable
    public static func cancelReason(_ reason: CancelReason) -> OUCHCancelReason {
        switch reason {
        case .userRequested: .userRequested
        case .immediateOrCancel: .immediateOrCancel
        case .fillOrKill: .immediateOrCancel
        case .selfTradePrevention: .selfMatchPrevention
        case .disconnected: .userRequested
        case .endOfDay: .timeout
        case .invalidReplace: .userRequested
        case .postOnlyWouldTrade: .system
        case .supervisory: .supervisory
        }
    }

    /// The OUCH Rejected reason sent for a refused replace, with the replace's new
    /// UserRefNum; nil when OUCH ignores the refusal silently.
    @inlinable
    public static func replaceRejectReason(_ reason: CancelRejectReason) -> OUCHRejectReason? {
        switch reason {
        case .unknownOrder, .duplicateOrderID, .invalidModification: nil
        case .symbolHalted: .halted
        case .marketClosed: .other
        case .capacityExceeded: .processingError
        case .riskLimit: .riskAggregateExposure
        }
    }
}

/// A session day: the trading day a SoupBinTCP session and its stores belong to,
/// `YYYYMMDD` of a UTC date.
public struct OUCHSessionDay: Hashable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The UTC date of `timestamp`.
    public init(_ timestamp: Timestamp) {
        var days = timestamp.rawValue / Timestamp.nanosecondsPerDay
        if timestamp.rawValue % Timestamp.nanosecondsPerDay < 0 { days -= 1 }
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = Int(yoe + era * 400 + (m <= 2 ? 1 : 0))
        month = Int(m)
        day = Int(d)
    }

    /// `YYYYMMDD`.
    public var description: String {
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return pad(year, 4) + pad(month, 2) + pad(day, 2)
    }

    /// The SoupBinTCP session name of the day: `YYYYMMDD` (Login Accepted sends it
    /// left-padded to 10: two spaces, then the date).
    public var sessionName: String { description }

    /// The day's store directory under the gateway's data directory:
    /// `<data>/ouch/<YYYYMMDD>`.
    public func directory(under dataDirectory: String) -> String {
        (dataDirectory.hasSuffix("/") ? dataDirectory : dataDirectory + "/") + "ouch/" + description
    }
}
