import FIX
import GatewayCore

/// The NewOrderSingle every FIX run sends: a limit Day buy of 100 shares that rests
/// (priced 10.00–10.07, far below anything a sell would be entered at, on a venue where
/// the harness enters no sells), alternating over the venue's eight symbols. ClOrdID is
/// `<prefix><request number>`, so the ExecutionReport names the request.
public struct NewOrderSingleWriter: Sendable {
    public static let symbols: [[UInt8]] = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "SPY"]
        .map { Array($0.utf8) }
    public let prefix: [UInt8]

    /// `prefix` must keep ClOrdIDs unique for the session's life (the gateway refuses a
    /// ClOrdID it still knows); at most 12 characters, leaving room for the number.
    public init(prefix: String) {
        precondition(prefix.utf8.count <= 12)
        self.prefix = Array(prefix.utf8)
    }

    /// The body of 35=D after the header: 11 55 54 60 38 40 44 59.
    public func write(request number: Int, into e: inout FIXEncoder, now: Timestamp) {
        var id = ClientOrderID()
        id = ClientOrderID(bytes: prefix + Self.digits(number)) ?? id
        e.append(FIXTag.clOrdID, clientOrderID: id)
        e.append(FIXTag.symbol, bytes: Self.symbols[number % Self.symbols.count])
        e.append(FIXTag.side, char: UInt8(ascii: "1"))
        e.append(FIXTag.transactTime, timestamp: now)
        e.append(FIXTag.orderQty, int: 100)
        e.append(FIXTag.ordType, char: UInt8(ascii: "2"))
        e.append(FIXTag.price, price: Price(raw: 100_000 + Int64(number / Self.symbols.count % 8) * 100))
        e.append(FIXTag.timeInForce, char: UInt8(ascii: "0"))
    }

    /// The request number in a ClOrdID this writer made, or nil.
    public func requestNumber(_ clOrdID: FIXValue) -> Int? {
        guard clOrdID.count > prefix.count else { return nil }
        for i in 0..<prefix.count where clOrdID[i] != prefix[i] { return nil }
        var n = 0
        for i in prefix.count..<clOrdID.count {
            let b = clOrdID[i]
            guard b >= 48 && b <= 57 else { return nil }
            n = n * 10 + Int(b - 48)
        }
        return n
    }

    static func digits(_ n: Int) -> [UInt8] { Array(String(n).utf8) }
}
