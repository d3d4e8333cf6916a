import GatewayCore
import MarketData

/// The subscriber's one-line texts, shared by the CLI and its tests.
public enum FeedText {
    /// `AAPL  bid 100 @ 150.25  ask 200 @ 150.30`; an empty side is `-`.
    public static func quote(stock: String, _ bbo: ITCHBestBidOffer) -> String {
        func side(_ level: ITCHBookLevel?) -> String {
            guard let level else { return "-" }
            return "\(level.quantity) @ \(price(level.price))"
        }
        return "\(stock)  bid \(side(bbo.bid))  ask \(side(bbo.offer))"
    }

    /// A price with at least two decimals and no trailing zeros beyond them:
    /// 150.2500 → `150.25`, 150.3000 → `150.30`, 150.1234 → `150.1234`.
    public static func price(_ price: Price) -> String {
        var text = price.description
        while text.hasSuffix("0"), let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) > 3 {
            text.removeLast()
        }
        return text
    }

    /// One decoded message: `#12 A AAPL buy 100 @ 150.25 ref 42` (no `#` for a
    /// snapshot message). `stock` names a stock locate for the messages that carry
    /// only an order reference.
    public static func message(_ message: ITCHMessage, sequenceNumber: UInt64?, stock: (SymbolIndex) -> ITCHStock?)
        -> String
    {
        let prefix = sequenceNumber.map { "#\($0) " } ?? "snapshot "
        let locate = message.header.stockLocate
        let name = stock(locate).map(\.description) ?? "locate \(locate.rawValue)"
        let body: String
        switch message {
        case .systemEvent(let m):
            body = "S system event '\(character(m.eventCode))'"
        case .stockDirectory(let m):
            body = "R \(m.stock) locate \(locate.rawValue) round lot \(m.roundLotSize)"
        case .stockTradingAction(let m):
            body = "H \(m.stock) trading state '\(character(m.tradingState))'"
        case .addOrder(let m):
            body = "A \(m.stock) \(m.side) \(m.shares) @ \(price(m.price)) ref \(m.orderReference)"
        case .addOrderWithMPID(let m):
            body = "F \(m.stock) \(m.side) \(m.shares) @ \(price(m.price)) ref \(m.orderReference) mpid \(m.attribution)"
        case .orderExecuted(let m):
            body = "E \(name) ref \(m.orderReference) executed \(m.executedShares) match \(m.matchNumber)"
        case .orderExecutedWithPrice(let m):
            body = "C \(name) ref \(m.orderReference) executed \(m.executedShares) @ \(price(m.executionPrice))"
                + " match \(m.matchNumber) printable '\(character(m.printable))'"
        case .orderCancel(let m):
            body = "X \(name) ref \(m.orderReference) canceled \(m.canceledShares)"
        case .orderDelete(let m):
            body = "D \(name) ref \(m.orderReference)"
        case .orderReplace(let m):
            body = "U \(name) ref \(m.originalOrderReference) -> \(m.newOrderReference) \(m.shares) @ \(price(m.price))"
        case .trade(let m):
            body = "P \(m.stock) \(m.side) \(m.shares) @ \(price(m.price)) match \(m.matchNumber)"
        case .snapshotComplete(let m):
            body = "G snapshot complete, last sequence number \(m.lastSequenceNumber)"
        }
        return prefix + body
    }

    static func character(_ byte: UInt8) -> String { String(UnicodeScalar(byte)) }
}
