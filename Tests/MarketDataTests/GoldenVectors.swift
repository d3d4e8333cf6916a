import GatewayCore
import MarketData

/// The example messages of specs/itch.md and specs/moldudp64.md and their bytes.
/// The hex was written out by hand from shared/protocols.md's layouts, field by
/// field (big-endian integers, space-padded alpha), independently of the encoders.
enum Golden {
    /// 14:30:00.000000000 = 52,200,000,000,000 ns = 0x2F79C2751000 (u48).
    static let timestamp: UInt64 = 52_200_000_000_000
    static let aapl = ITCHStock("AAPL")!
    /// Stock locate 1, tracking number 0.
    static let header = ITCHHeader(stockLocate: 1, trackingNumber: 0, timestamp: timestamp)
    /// Stock locate 0 (System Event, Snapshot Complete).
    static let venueHeader = ITCHHeader(stockLocate: 0, trackingNumber: 0, timestamp: timestamp)

    // MARK: ITCH

    static let systemEvent = ITCHSystemEvent(header: venueHeader, eventCode: ITCHSystemEventCode.startOfMessages)
    static let systemEventHex = "53 0000 0000 2f79c2751000 4f"

    static let stockDirectory = ITCHStockDirectory.venue(header: header, stock: aapl, roundLotSize: 100)
    static let stockDirectoryHex =
        "52 0001 0000 2f79c2751000 4141504c20202020 51 20 00000064 4e 43 5a20 50 4e 4e 20 4e 00000000 4e"

    static let stockTradingAction = ITCHStockTradingAction(
        header: header, stock: aapl, tradingState: ITCHTradingState.halted)
    static let stockTradingActionHex = "48 0001 0000 2f79c2751000 4141504c20202020 48 20 20202020"

    /// Buy 100 AAPL at 150.2500 (raw 1,502,500 = 0x16ED24), order reference 42.
    static let addOrder = ITCHAddOrder(
        header: header, orderReference: 42, side: .buy, shares: 100, stock: aapl, price: Price(raw: 1_502_500))
    static let addOrderHex = "41 0001 0000 2f79c2751000 000000000000002a 42 00000064 4141504c20202020 0016ed24"

    /// Sell 100 AAPL at 150.3000 (0x16EF18), reference 43, attributed to CIFT.
    static let addOrderWithMPID = ITCHAddOrderWithMPID(
        header: header, orderReference: 43, side: .sell, shares: 100, stock: aapl, price: Price(raw: 1_503_000),
        attribution: ITCHAlpha4("CIFT")!)
    static let addOrderWithMPIDHex =
        "46 0001 0000 2f79c2751000 000000000000002b 53 00000064 4141504c20202020 0016ef18 43494654"

    /// 40 shares of 42 executed, match number 9.
    static let orderExecuted = ITCHOrderExecuted(header: header, orderReference: 42, executedShares: 40, matchNumber: 9)
    static let orderExecutedHex = "45 0001 0000 2f79c2751000 000000000000002a 00000028 0000000000000009"

    /// 20 shares of 42 executed at 150.3000, match number 10, printable.
    static let orderExecutedWithPrice = ITCHOrderExecutedWithPrice(
        header: header, orderReference: 42, executedShares: 20, matchNumber: 10, printable: ITCHPrintable.printable,
        executionPrice: Price(raw: 1_503_000))
    static let orderExecutedWithPriceHex =
        "43 0001 0000 2f79c2751000 000000000000002a 00000014 000000000000000a 59 0016ef18"

    /// 10 shares of 42 canceled.
    static let orderCancel = ITCHOrderCancel(header: header, orderReference: 42, canceledShares: 10)
    static let orderCancelHex = "58 0001 0000 2f79c2751000 000000000000002a 0000000a"

    static let orderDelete = ITCHOrderDelete(header: header, orderReference: 42)
    static let orderDeleteHex = "44 0001 0000 2f79c2751000 000000000000002a"

    /// 42 replaced by 44: 200 shares at 150.3000.
    static let orderReplace = ITCHOrderReplace(
        header: header, originalOrderReference: 42, newOrderReference: 44, shares: 200, price: Price(raw: 1_503_000))
    static let orderReplaceHex = "55 0001 0000 2f79c2751000 000000000000002a 000000000000002c 000000c8 0016ef18"

    /// A sell of 100 at 150.2500 against a hidden order (reference 0), match 11.
    static let trade = ITCHTrade(
        header: header, orderReference: 0, side: .sell, shares: 100, stock: aapl, price: Price(raw: 1_502_500),
        matchNumber: 11)
    static let tradeHex =
        "50 0001 0000 2f79c2751000 0000000000000000 53 00000064 4141504c20202020 0016ed24 000000000000000b"

    /// The snapshot includes feed messages up to 1,234 (0x4D2); join at 1,235.
    static let snapshotComplete = ITCHSnapshotComplete(header: venueHeader, lastSequenceNumber: 1234)
    static let snapshotCompleteHex = "47 0000 0000 2f79c2751000 00000000000004d2"

    static let itch: [(ITCHMessage, String)] = [
        (.systemEvent(systemEvent), systemEventHex),
        (.stockDirectory(stockDirectory), stockDirectoryHex),
        (.stockTradingAction(stockTradingAction), stockTradingActionHex),
        (.addOrder(addOrder), addOrderHex),
        (.addOrderWithMPID(addOrderWithMPID), addOrderWithMPIDHex),
        (.orderExecuted(orderExecuted), orderExecutedHex),
        (.orderExecutedWithPrice(orderExecutedWithPrice), orderExecutedWithPriceHex),
        (.orderCancel(orderCancel), orderCancelHex),
        (.orderDelete(orderDelete), orderDeleteHex),
        (.orderReplace(orderReplace), orderReplaceHex),
        (.trade(trade), tradeHex),
        (.snapshotComplete(snapshotComplete), snapshotCompleteHex),
    ]

    // MARK: MoldUDP64

    /// `CIFT261121`: the session for 21 November 2026.
    static let session = MoldUDP64Session("CIFT261121")!
    static let sessionHex = "43494654323631313231"

    /// Messages 1 and 2 of the session: the System Event and the Add Order above.
    static let twoMessagePacketHex =
        sessionHex + " 0000000000000001 0002"
        + " 000c " + systemEventHex
        + " 0024 " + addOrderHex

    /// Idle after message 2: next expected is 3.
    static let heartbeatHex = sessionHex + " 0000000000000003 0000"

    /// The session ended after message 2.
    static let endOfSessionHex = sessionHex + " 0000000000000003 ffff"

    /// Resend message 2 (one message).
    static let request = MoldUDP64Request(session: session, sequenceNumber: 2, requestedMessageCount: 1)
    static let requestHex = sessionHex + " 0000000000000002 0001"
}
