import OUCH

/// The orders `cift-perf itch` enters: Day limit buys of 100 shares at 10.00–10.07,
/// rotating over the first eight symbols of the gateway's default configuration.
/// Nothing is ever sold in the measured runs, so every order rests and none crosses.
/// UserRefNums increase from 1 and are never reused within the session.
public struct RestingOrderSource {
    public static let symbols = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "SPY"].map { OUCHSymbol($0)! }
    public static let shares: UInt32 = 100
    /// 10.00 in OUCH's 4 implied decimals.
    public static let lowestPrice: UInt64 = 100_000

    public private(set) var nextUserRefNum: UInt32 = 1
    public init() {}

    public mutating func next() -> OUCHEnterOrder {
        let ref = nextUserRefNum
        nextUserRefNum += 1
        let k = Int(ref % 64)
        return OUCHEnterOrder(
            userRefNum: ref, side: UInt8(ascii: "B"), quantity: Self.shares, symbol: Self.symbols[k % 8],
            price: Self.lowestPrice + UInt64(k / 8) * 100, timeInForce: OUCHTimeInForce.day)
    }

    /// An IOC sell at 10.00 for `shares` of `symbol`: executes every resting buy of it.
    public mutating func sweep(symbol: OUCHSymbol, shares: UInt32) -> OUCHEnterOrder {
        let ref = nextUserRefNum
        nextUserRefNum += 1
        return OUCHEnterOrder(
            userRefNum: ref, side: UInt8(ascii: "S"), quantity: shares, symbol: symbol, price: Self.lowestPrice,
            timeInForce: OUCHTimeInForce.immediateOrCancel)
    }
}
