/// What one request of a `cift-perf load` run is.
public enum RequestKind: UInt8, Sendable, Codable {
    /// A limit Day order behind the mid (it rests).
    case rest
    /// A limit IOC priced through the mid (it trades against what others rest).
    case market
    /// A cancel of one of the connection's live orders.
    case cancel
    /// A replace of one of them: moved one tick, same open size.
    case replace
}

/// One request and, for new orders and replaces, the order it names from then on.
/// Requests are numbered from 0 in the order they are issued (the *token*); the token
/// goes on the wire (OUCH UserRefNum = token + 1, FIX ClOrdID = prefix + token), so
/// every answer names its request.
public struct LoadRequest: Sendable {
    public var kind: RequestKind
    public var connection: Int
    public var symbol: Int
    /// `B` or `S`.
    public var side: UInt8
    /// 4 implied decimals.
    public var price: Int64
    public var quantity: UInt32
    /// Cancel and replace: the token of the order they name; otherwise -1.
    public var target: Int = -1

    /// When the request was due (open loop: its place in the schedule; closed loop: its write).
    var intended: Int64 = 0
    var sent: Int64 = 0
    var answered = false
    var filled = false
    var live = false
    var remaining: UInt32 = 0
    var orderRef: UInt64 = 0
    /// A cancel or replace in flight for this order (its token), or -1.
    var pendingOperation = -1
    /// Index in the connection's list of live orders, or -1.
    var livePosition = -1

    public init(kind: RequestKind, connection: Int, symbol: Int, side: UInt8, price: Int64, quantity: UInt32, target: Int = -1) {
        self.kind = kind
        self.connection = connection
        self.symbol = symbol
        self.side = side
        self.price = price
        self.quantity = quantity
        self.target = target
    }

    public var isBuy: Bool { side == UInt8(ascii: "B") }
}
