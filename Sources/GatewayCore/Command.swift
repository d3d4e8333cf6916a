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
    /// Change one pre-trade risk limit of `account`: `code` is the ``RiskLimit``,
    /// `price.raw` the new value (0 removes the limit); for ``RiskLimit/restrictedSymbol``,
    /// `symbol` is the symbol and the value 1 restricts it, 0 lifts it.
    case riskUpdate = 9
    /// Engage (`code` 1: cancel every open order of `account`, refuse new ones) or release
    /// (`code` 0) the account's kill switch.
    case killSwitch = 10
    /// Set `symbol`'s reference price (`price`) for the price collar, until it trades.
    case referencePrice = 11
    /// A strategy signal for `account`, which the engine turns into an order
    /// (specs/engine-records.md, "Signals"): `code` is the ``SignalTarget``; `side` and
    /// `quantity` the target (a position target is `quantity` shares long for buy, short
    /// for sell); `price` the limit; `timeInForce` Day (passive) or IOC (aggressive);
    /// `userReference` the order's UserRefNum (the shared-memory record's sequence).
    case signal = 12
}

/// Which limit a ``CommandKind/riskUpdate`` changes.
public enum RiskLimit: UInt8, Sendable, BitwiseCopyable, CaseIterable {
    /// Shares in one order.
    case maxOrderQuantity = 1
    /// Price × shares of one order, in 4-implied-decimal currency units.
    case maxOrderNotional = 2
    /// Largest distance of a limit price from the symbol's reference price, in basis points.
    case priceCollarBasisPoints = 3
    /// Open orders of the account.
    case maxOpenOrders = 4
    /// Per symbol: |position| + open buy + open sell shares.
    case maxGrossPosition = 5
    /// Per symbol: the position the account would reach if all its open orders on one
    /// side filled, in absolute shares.
    case maxNetPosition = 6
    /// Over all symbols: (|position| + open shares) × reference price, in currency units.
    case maxTotalExposure = 7
    /// Restrict (value 1) or allow (0) trading `symbol`.
    case restrictedSymbol = 8
}

/// What a ``CommandKind/signal`` asks for.
public enum SignalTarget: UInt8, Sendable, BitwiseCopyable, CaseIterable {
    /// Trade `quantity` shares on `side`.
    case quantity = 1
    /// Reach a position of `quantity` shares (long for buy, short for sell), counting
    /// what is already held and what is already ordered.
    case position = 2
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
