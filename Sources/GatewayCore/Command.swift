/// What a command asks the engine to do.
public enum CommandKind: UInt8, Sendable, BitwiseCopyable, CaseIterable {
    /// Enter a new order (limit or market, any time in force, optional post-only).
    case newOrder = 1
    /// Cancel an order, or reduce it keeping priority: `quantity` is the new intended
    /// open (leaves) quantity, 0 cancels the rest (OUCH Cancel Order semantics).
    case cancel = 2
    /// Replace an order: new identifier, price and quantity. `quantity` is the total
    /// liable for the chain, executions included (OUCH semantics). Loses priority when
    /// the price changes or the open quantity grows; keeps it when the open quantity
    /// only shrinks at the same price.
    case replace = 3
    /// Reduce the open quantity keeping priority (OUCH Modify Order): `quantity` is the
    /// new open quantity and may only be lower.
    case modify = 4
    /// Cancel every open order of `account`, or of `account` in `symbol` when set.
    case massCancel = 5
    /// The session `origin.session` disconnected and has cancel-on-disconnect: cancel
    /// every open order it entered.
    case sessionDisconnected = 6
    /// Halt or resume `symbol` (`tradingState`).
    case setTradingState = 7
    /// Start or end of the trading day (`systemEvent`). End of day cancels Day orders.
    case systemEvent = 8
}

/// One instruction to the matching engine: a fixed-size plain value, so that a ring
/// slot or a journal record is a copy of bytes and nothing is retained across threads.
///
/// Fields that a kind does not use are zero. Which fields each kind reads is written in
/// specs/engine-records.md. The engine never reads a clock: `timestamp` is stamped by
/// the session that received the command and is what every resulting event carries.
public struct Command: Sendable, BitwiseCopyable, Equatable {
    public var kind: CommandKind
    public var side: Side
    public var orderType: OrderType
    public var timeInForce: TimeInForce
    public var flags: OrderFlags
    /// How this command names orders: by `userReference` (OUCH) or `clientOrderID` (FIX).
    public var keyKind: OrderKeyKind
    /// `TradingState` for `setTradingState`, `SystemEventCode` for `systemEvent`.
    public var code: UInt8
    public var symbol: SymbolIndex
    public var account: AccountIndex
    public var origin: OrderOrigin
    public var quantity: UInt32
    public var price: Price
    /// OUCH UserRefNum of a new order, or the new one of a replace; for a cancel or
    /// modify the UserRefNum of the order it targets.
    public var userReference: UInt32
    /// OUCH OrigUserRefNum of a replace.
    public var originalUserReference: UInt32
    /// FIX ClOrdID (or OUCH ClOrdID, which is informational only).
    public var clientOrderID: ClientOrderID
    /// FIX OrigClOrdID of a cancel or replace: the order it targets.
    public var originalClientOrderID: ClientOrderID
    /// When the session received the command.
    public var timestamp: Timestamp

    @inlinable
    public init(
        kind: CommandKind,
        side: Side = .buy,
        orderType: OrderType = .limit,
        timeInForce: TimeInForce = .day,
        flags: OrderFlags = [],
        keyKind: OrderKeyKind = .userReference,
        code: UInt8 = 0,
        symbol: SymbolIndex = .none,
        account: AccountIndex = .none,
        origin: OrderOrigin = .venue,
        quantity: UInt32 = 0,
        price: Price = .zero,
        userReference: UInt32 = 0,
        originalUserReference: UInt32 = 0,
        clientOrderID: ClientOrderID = .empty,
        originalClientOrderID: ClientOrderID = .empty,
        timestamp: Timestamp = .zero
    ) {
        self.kind = kind
        self.side = side
        self.orderType = orderType
        self.timeInForce = timeInForce
        self.flags = flags
        self.keyKind = keyKind
        self.code = code
        self.symbol = symbol
        self.account = account
        self.origin = origin
        self.quantity = quantity
        self.price = price
        self.userReference = userReference
        self.originalUserReference = originalUserReference
        self.clientOrderID = clientOrderID
        self.originalClientOrderID = originalClientOrderID
        self.timestamp = timestamp
    }
}
