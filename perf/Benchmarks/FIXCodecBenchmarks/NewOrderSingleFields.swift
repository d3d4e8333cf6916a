import FIX
import GatewayCore

/// The fields the gateway's FIXOrderEntry reads from an inbound order message
/// (`FIXOrderEntryFields`, the gateway's own one-pass reader), and their conversion to
/// the values a Command carries.
typealias NewOrderSingleFields = FIXOrderEntryFields

extension FIXOrderEntryFields {
    /// The converted order, as the gateway converts it before building a Command:
    /// ClOrdID into a ClientOrderID, Symbol looked up by its bytes, Side, OrderQty,
    /// OrdType, Price, TimeInForce and MsgSeqNum as numbers.
    struct Order {
        var clientOrderID: ClientOrderID
        var symbolIndex: Int
        var side: UInt8
        var quantity: Int
        var orderType: UInt8
        var price: Price
        var timeInForce: UInt8
        var sequenceNumber: Int

        var digest: Int {
            clientOrderID.count &+ symbolIndex &+ Int(side) &+ quantity &+ Int(orderType)
                &+ Int(truncatingIfNeeded: price.raw) &+ Int(timeInForce) &+ sequenceNumber
        }
    }

    var order: Order? {
        guard let clOrdID, let id = ClientOrderID(bytes: clOrdID.bytes),
            let symbol, let symbolIndex = Self.symbolIndex(symbol),
            let side = side?.char, let quantity = orderQty?.int, let orderType = ordType?.char,
            let price = price?.price, let sequenceNumber = msgSeqNum?.int
        else { return nil }
        return Order(
            clientOrderID: id, symbolIndex: symbolIndex, side: side, quantity: quantity, orderType: orderType,
            price: price, timeInForce: timeInForce?.char ?? UInt8(ascii: "0"), sequenceNumber: sequenceNumber)
    }

    /// The venue's eight symbols, compared byte by byte (the gateway's directory look-up
    /// is also a comparison of the received bytes, without building a String).
    static func symbolIndex(_ value: FIXValue) -> Int? {
        if value.equals("AAPL") { return 1 }
        if value.equals("MSFT") { return 2 }
        if value.equals("NVDA") { return 3 }
        if value.equals("AMZN") { return 4 }
        if value.equals("GOOGL") { return 5 }
        if value.equals("META") { return 6 }
        if value.equals("TSLA") { return 7 }
        if value.equals("SPY") { return 8 }
        return nil
    }
}
