import GatewayCore
import SoupBinTCP

/// The bytes of one snapshot (specs/itch.md, "Snapshot service"): SoupBinTCP Sequenced
/// Data packets, one ITCH message each — per symbol a Stock Directory, a Stock Trading
/// Action and an Add Order per resting order in priority order — then a Snapshot
/// Complete with the feed sequence number the book is as of, then End of Session.
/// Built once per request on the market-data thread (a snapshot is not per message).
/// The packets are the SoupBinTCP module's.
public enum SnapshotEncoder {
    /// Login Accepted: the feed's MoldUDP64 session, and sequence number 1 (a snapshot
    /// is a stream of its own, numbered from 1).
    public static func loginAccepted(session: MoldUDP64Session) -> [UInt8] {
        let accepted = SoupBinTCPLoginAccepted(session: session.description, sequenceNumber: 1)
        return SoupBinTCPEncoder.bytes(capacity: SoupBinTCPLoginAccepted.encodedLength) { accepted.encode($0) }
    }

    /// End of Session: the last packet of every answer (after a snapshot, or alone for a
    /// malformed request).
    public static func endOfSession() -> [UInt8] {
        SoupBinTCPEncoder.bytes(capacity: SoupBinTCPEncoder.headerLength) { SoupBinTCPEncoder.endOfSession($0) }
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
            let length = scratch.withUnsafeMutableBytes {
                SoupBinTCPEncoder.packet(type: SoupBinTCPPacketType.sequencedData, $0.baseAddress!) { message.encode($0) }
            }
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
        out += endOfSession()
        return out
    }
}
