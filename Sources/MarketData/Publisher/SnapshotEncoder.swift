import GatewayCore

/// The bytes of one snapshot (specs/itch.md, "Snapshot service"): SoupBinTCP Sequenced
/// Data packets, one ITCH message each — per symbol a Stock Directory, a Stock Trading
/// Action and an Add Order per resting order in priority order — then a Snapshot
/// Complete with the feed sequence number the book is as of, then End of Session.
/// Built once per request on the market-data thread (a snapshot is not per message).
public enum SnapshotEncoder {
    /// SoupBinTCP packet types the service sends.
    public static let loginAccepted = UInt8(ascii: "A")
    public static let sequencedData = UInt8(ascii: "S")
    public static let endOfSession = UInt8(ascii: "Z")

    /// Login Accepted: the session (10) and sequence number 1, right-aligned in 20.
    public static func loginAccepted(session: MoldUDP64Session) -> [UInt8] {
        var out: [UInt8] = [0, 31, loginAccepted]
        out += session.bytes
        out += [UInt8](repeating: UInt8(ascii: " "), count: 19) + [UInt8(ascii: "1")]
        return out
    }

    /// The snapshot of `locates` (every symbol of `symbols` when nil) from `book`,
    /// which is as of feed message `lastSequenceNumber`.
    public static func snapshot(
        book: ITCHBookBuilder, symbols: [ITCHSymbol], locates: Set<SymbolIndex>?, lastSequenceNumber: UInt64, now: Timestamp
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + 48 * (book.orderCount + 2 * symbols.count))
        let t = UInt64(now.nanosecondsSinceMidnight)
        var scratch = [UInt8](repeating: 0, count: 64)
        func append<M: ITCHMessageLayout>(_ message: M) {
            let length = scratch.withUnsafeMutableBytes { message.encode($0.baseAddress!) }
            out += [UInt8(truncatingIfNeeded: (length + 1) >> 8), UInt8(truncatingIfNeeded: length + 1), sequencedData]
            out += scratch[0..<length]
        }
        for symbol in symbols where locates?.contains(symbol.locate) ?? true {
            let header = ITCHHeader(stockLocate: symbol.locate, timestamp: t)
            append(ITCHStockDirectory.venue(header: header, stock: symbol.stock, roundLotSize: symbol.roundLotSize))
            append(ITCHStockTradingAction(header: header, stock: symbol.stock,
                                          tradingState: book.tradingState(symbol.locate) ?? ITCHTradingState.trading))
            for side in [Side.buy, Side.sell] {
                // Bids best (highest) first, asks best (lowest) first; FIFO within a price.
                book.forEachOrder(symbol.locate, side: side) { order in
                    append(ITCHAddOrder(header: header, orderReference: order.reference, side: order.side,
                                        shares: order.shares, stock: symbol.stock, price: order.price))
                }
            }
        }
        append(ITCHSnapshotComplete(header: ITCHHeader(stockLocate: .none, timestamp: t), lastSequenceNumber: lastSequenceNumber))
        out += [0, 1, endOfSession]
        return out
    }
}
