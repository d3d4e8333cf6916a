/// What happened in the engine.
public enum EventKind: UInt8, Sendable, BitwiseCopyable, CaseIterable {
    /// A new order was accepted (emitted before any execution it causes).
    case accepted = 1
    /// A new order was refused; `rejectReason` says why.
    case rejected = 2
    /// The order rested on the book with `quantity` open at `price` (after any
    /// immediate executions): what market data publishes as Add Order.
    case booked = 3
    /// One side of a match: `quantity` at `price`, with `liquidity` and `matchNumber`.
    /// Emitted for the resting order first, then the incoming one.
    case executed = 4
    /// `quantity` left the book without trading (the decrement); `cancelReason` says
    /// why; `leavesQuantity` is what stays open (0 when the order is gone).
    case canceled = 5
    /// The order was replaced: `orderReference` is the new reference, `previousOrderReference`
    /// the old one; `price`/`quantity` the new open price and quantity.
    case replaced = 6
    /// The open quantity was reduced keeping priority; `quantity` is the new open quantity.
    case modified = 7
    /// A cancel, reduce, modify or replace could not be applied; `cancelRejectReason` says why.
    case cancelRejected = 8
    /// One print: `quantity` at `price` between the resting order `previousOrderReference`
    /// and the incoming `orderReference`; `side` is the incoming (aggressor) side.
    case trade = 9
    /// A mass cancel or disconnect cancel finished; `quantity` is how many orders it canceled.
    case massCancelDone = 10
    /// A symbol's trading state changed (`code` is the `TradingState`).
    case tradingStateChanged = 11
    /// Start or end of day (`code` is the `SystemEventCode`).
    case systemEvent = 12
    /// A risk update, kill switch or reference price was applied: the command echoed
    /// (`code`, `account`, `symbol`, `price`), to its origin.
    case riskUpdated = 13
}

/// One thing that happened in the engine, addressed to whoever must hear of it: a
/// fixed-size plain value like ``Command``.
///
/// `destination` is the origin of the order the event is about (for the resting side
/// of a match, that is another client than the one whose command caused it).
/// `sequence` is the engine sequence number of the command that caused the event;
/// events of one command share it and keep their order.
public struct Event: Sendable, BitwiseCopyable, Equatable {
    public var kind: EventKind
    public var side: Side
    public var orderType: OrderType
    public var timeInForce: TimeInForce
    public var flags: OrderFlags
    public var liquidity: LiquidityFlag
    /// `TradingState` or `SystemEventCode` for those events.
    public var code: UInt8
    public var cancelReason: CancelReason
    public var cancelRejectReason: CancelRejectReason
    public var rejectReason: RejectReason
    public var symbol: SymbolIndex
    public var account: AccountIndex
    public var destination: OrderOrigin
    public var sequence: UInt64
    public var timestamp: Timestamp
    /// The venue's reference of the order concerned (0 for a rejected new order).
    public var orderReference: OrderReference
    /// The replaced order's old reference, or the resting order of a trade.
    public var previousOrderReference: OrderReference
    public var userReference: UInt32
    public var originalUserReference: UInt32
    public var clientOrderID: ClientOrderID
    public var originalClientOrderID: ClientOrderID
    public var price: Price
    public var quantity: UInt32
    /// Open quantity after this event.
    public var leavesQuantity: UInt32
    /// Quantity executed over the order's life (its whole replace chain), after this event.
    public var cumulativeQuantity: UInt32
    /// replaced, modified: the open quantity before the request (what risk and market
    /// data need to know how much the order shrank or grew); 0 for other kinds.
    public var previousLeavesQuantity: UInt32
    /// Day-unique number of a match, the same on both executions, the trade, ITCH and the
    /// order-entry reports.
    public var matchNumber: UInt64

    @inlinable
    public init(kind: EventKind) {
        self.kind = kind
        side = .buy
        orderType = .limit
        timeInForce = .day
        flags = []
        liquidity = .added
        code = 0
        cancelReason = .userRequested
        cancelRejectReason = .unknownOrder
        rejectReason = .unknownCommand
        symbol = .none
        account = .none
        destination = .venue
        sequence = 0
        timestamp = .zero
        orderReference = 0
        previousOrderReference = 0
        userReference = 0
        originalUserReference = 0
        clientOrderID = .empty
        originalClientOrderID = .empty
        price = .zero
        quantity = 0
        leavesQuantity = 0
        cumulativeQuantity = 0
        previousLeavesQuantity = 0
        matchNumber = 0
    }
}
