import GatewayCore

/// A resting order as the subscriber's book sees it. Compare field by field with the
/// engine's `BookOrder` (reference, side, price, open quantity).
public struct ITCHBookOrder: Hashable, Sendable, CustomStringConvertible {
    public var reference: OrderReference
    public var stockLocate: SymbolIndex
    public var side: Side
    public var price: Price
    /// Shares still open.
    public var shares: UInt32

    public init(reference: OrderReference, stockLocate: SymbolIndex, side: Side, price: Price, shares: UInt32) {
        self.reference = reference
        self.stockLocate = stockLocate
        self.side = side
        self.price = price
        self.shares = shares
    }

    public var description: String { "#\(reference) \(stockLocate) \(side) \(shares)@\(price)" }
}

/// One price level of one side: the same three numbers as the engine's `BookLevel`.
public struct ITCHBookLevel: Hashable, Sendable, CustomStringConvertible {
    public var price: Price
    /// Sum of the open shares at this price.
    public var quantity: UInt64
    public var orderCount: Int

    public init(price: Price, quantity: UInt64, orderCount: Int) {
        self.price = price
        self.quantity = quantity
        self.orderCount = orderCount
    }

    public var description: String { "\(quantity)@\(price) (\(orderCount) orders)" }
}

/// The best level of each side; nil for an empty side.
public struct ITCHBestBidOffer: Hashable, Sendable {
    public var bid: ITCHBookLevel?
    public var offer: ITCHBookLevel?

    public init(bid: ITCHBookLevel?, offer: ITCHBookLevel?) {
        self.bid = bid
        self.offer = offer
    }
}

/// A message the book could not apply. The book is left exactly as it was; the
/// subscriber counts the error (a non-zero count means its book has diverged from
/// the venue's, and it should resynchronise from a snapshot).
public enum ITCHBookError: Error, Sendable, Equatable, CustomStringConvertible {
    /// E, C, X, D or U names an order the book does not hold.
    case unknownOrderReference(OrderReference, messageType: UInt8)
    /// A or F (or U's new reference) names an order the book already holds.
    case duplicateOrderReference(OrderReference, messageType: UInt8)
    /// E, C or X takes more shares than the order has open.
    case sharesExceedOpen(OrderReference, messageType: UInt8, requested: UInt32, open: UInt32)
    /// A, F or U rests an order of 0 shares, or E, C or X takes 0 shares.
    case zeroShares(OrderReference, messageType: UInt8)

    public var description: String {
        switch self {
        case .unknownOrderReference(let ref, let type):
            "ITCH \(describeByte(type)): unknown order reference \(ref)"
        case .duplicateOrderReference(let ref, let type):
            "ITCH \(describeByte(type)): order reference \(ref) is already on the book"
        case .sharesExceedOpen(let ref, let type, let requested, let open):
            "ITCH \(describeByte(type)): \(requested) shares of order \(ref), which has \(open) open"
        case .zeroShares(let ref, let type):
            "ITCH \(describeByte(type)): 0 shares for order \(ref)"
        }
    }
}
