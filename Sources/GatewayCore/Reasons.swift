/// Why the engine refused a command. The venue's own codes; each protocol maps them
/// to its wire form (OUCH reject reason, FIX OrdRejReason/CxlRejReason and Text) in
/// its profile under specs/.
public enum RejectReason: UInt16, Sendable, BitwiseCopyable, CaseIterable {
    case unknownSymbol = 1
    case unknownAccount = 2
    /// Zero, not a multiple of the symbol's lot size, or above the maximum.
    case invalidQuantity = 3
    /// Not positive, not on the symbol's tick, or above the maximum.
    case invalidPrice = 4
    case invalidSide = 5
    case invalidOrderType = 6
    case invalidTimeInForce = 7
    /// The symbol is halted: new orders and replaces are refused, cancels still work.
    case symbolHalted = 8
    /// The client's identifier (ClOrdID or UserRefNum) already names a live order.
    case duplicateOrderID = 9
    /// A post-only order that would have traded on arrival.
    case postOnlyWouldTrade = 10
    /// The order pool or the order map is full: a processing error, never a crash.
    case capacityExceeded = 11
    /// The venue is not open for trading (before start of day or after end of day).
    case marketClosed = 12
    /// A command kind the engine does not know (a corrupt or future record).
    case unknownCommand = 13
    // Pre-trade risk (specs/engine-records.md, "Risk gates").
    case riskOrderQuantity = 14
    case riskOrderNotional = 15
    case riskPriceCollar = 16
    case riskOpenOrders = 17
    case riskGrossPosition = 18
    case riskNetPosition = 19
    case riskExposure = 20
    case restrictedSymbol = 21
    case killSwitch = 22
    /// The session sent more messages per second than its limit (I/O thread).
    case rateLimited = 23
    /// A risk update naming no known limit, or with a negative value.
    case invalidRiskUpdate = 24
    /// A signal whose target is already held or ordered.
    case signalNoChange = 25

    public var text: String {
        switch self {
        case .unknownSymbol: "unknown symbol"
        case .unknownAccount: "unknown account"
        case .invalidQuantity: "invalid quantity"
        case .invalidPrice: "invalid price"
        case .invalidSide: "invalid side"
        case .invalidOrderType: "invalid order type"
        case .invalidTimeInForce: "invalid time in force"
        case .symbolHalted: "symbol halted"
        case .duplicateOrderID: "duplicate order identifier"
        case .postOnlyWouldTrade: "post-only order would trade"
        case .capacityExceeded: "order capacity exceeded"
        case .marketClosed: "market closed"
        case .unknownCommand: "unknown command"
        case .riskOrderQuantity: "order quantity above the account's limit"
        case .riskOrderNotional: "order notional above the account's limit"
        case .riskPriceCollar: "price outside the collar around the reference price"
        case .riskOpenOrders: "too many open orders"
        case .riskGrossPosition: "gross position limit"
        case .riskNetPosition: "net position limit"
        case .riskExposure: "total exposure limit"
        case .restrictedSymbol: "symbol restricted for the account"
        case .killSwitch: "account blocked by kill switch"
        case .rateLimited: "message rate limit exceeded"
        case .invalidRiskUpdate: "invalid risk update"
        case .signalNoChange: "target already reached"
        }
    }
}

/// Why an order (or part of it) left the book without trading.
public enum CancelReason: UInt8, Sendable, BitwiseCopyable, CaseIterable {
    /// The client asked: cancel, reduce, or a mass cancel.
    case userRequested = 1
    /// The unfilled rest of an IOC or market order.
    case immediateOrCancel = 2
    /// A fill-or-kill order that could not fill completely.
    case fillOrKill = 3
    /// Self-trade prevention.
    case selfTradePrevention = 4
    /// The session disconnected with cancel-on-disconnect configured.
    case disconnected = 5
    /// End of day for a Day order.
    case endOfDay = 6
    /// A replace whose new details were invalid: the original is canceled (OUCH rule).
    case invalidReplace = 7
    /// A replace that made a post-only order cross.
    case postOnlyWouldTrade = 8
    /// Canceled by the venue's operators or a risk kill switch.
    case supervisory = 9
}

/// Why a cancel, reduce or replace could not be applied.
public enum CancelRejectReason: UInt8, Sendable, BitwiseCopyable, CaseIterable {
    /// No live order of the account has that identifier (never existed, filled or canceled).
    case unknownOrder = 1
    /// The new identifier of a replace already names a live order.
    case duplicateOrderID = 2
    /// A modify that would increase the quantity, or change the side across buy/sell.
    case invalidModification = 3
    /// The symbol is halted (replaces are refused while halted).
    case symbolHalted = 4
    /// The venue is closed (after end of day, before the next start of day): replaces
    /// are refused; cancels still work.
    case marketClosed = 5
    /// A replace to a new price whose book side has no room for another price level;
    /// the original order stays as it was.
    case capacityExceeded = 6
    /// A replace that a pre-trade risk limit refuses (or the account's kill switch).
    case riskLimit = 7
}

/// Whether an execution added or removed liquidity (OUCH LiquidityFlag `A`/`R`).
public enum LiquidityFlag: UInt8, Sendable, BitwiseCopyable {
    case added = 1
    case removed = 2
}

/// Per-symbol trading state (ITCH Stock Trading Action).
public enum TradingState: UInt8, Sendable, BitwiseCopyable {
    case trading = 1
    case halted = 2
}

/// Self-trade prevention, per account: what happens when an incoming order would trade
/// against a resting order of the same account.
public enum SelfTradePrevention: UInt8, Sendable, BitwiseCopyable, CaseIterable {
    /// Cancel the incoming (newest) order's remaining quantity. The default.
    case cancelNewest = 1
    /// Cancel the resting (oldest) order and keep matching the incoming one.
    case cancelOldest = 2
    /// Cancel both.
    case cancelBoth = 3
}

/// Venue-wide session events.
public enum SystemEventCode: UInt8, Sendable, BitwiseCopyable {
    case startOfDay = 1
    case endOfDay = 2
}
