import GatewayCore
import OUCH
import SoupBinTCP

/// The example messages of specs/ouch.md and specs/soupbintcp.md and their bytes.
/// The hex was worked out from shared/protocols.md's layouts field by field (big-endian
/// integers, space-padded alpha), independently of the module's encoders.
enum Golden {
    static let timestamp: UInt64 = 52_200_000_000_000  // 14:30:00.000000000

    // MARK: OUCH inbound

    /// Buy 100 AAPL at 150.2500, Day, visible, agency, not ISO, continuous, ClOrdID
    /// ORD-1, UserRefNum 7, appendage Firm FRMA and PostOnly P.
    static let enterOrder = OUCHEnterOrder(
        userRefNum: 7, side: OUCHSide.buy, quantity: 100, symbol: OUCHSymbol("AAPL")!, price: 1_502_500,
        timeInForce: OUCHTimeInForce.day, display: OUCHDisplay.visible, capacity: OUCHCapacity.agency,
        intermarketSweep: UInt8(ascii: "N"), crossType: OUCHCrossType.continuous, clOrdID: OUCHClOrdID("ORD-1")!,
        appendage: OUCHAppendage(firm: OUCHFirm("FRMA"), postOnly: OUCHPostOnly.postOnly))
    static let enterOrderHex =
        "4f 00000007 42 00000064 4141504c20202020 000000000016ed24 30 59 41 4e 4e"
        + " 4f52442d31202020202020202020 0009 05 02 46524d41 02 0c 50"

    /// The same without appendage.
    static var enterOrderPlain: OUCHEnterOrder {
        var m = enterOrder
        m.appendage = .none
        return m
    }
    static let enterOrderPlainHex =
        "4f 00000007 42 00000064 4141504c20202020 000000000016ed24 30 59 41 4e 4e"
        + " 4f52442d31202020202020202020 0000"

    /// Replace 7 by 8: 200 at 150.3000, Day, visible, not ISO, ClOrdID ORD-2.
    static let replaceOrder = OUCHReplaceOrder(
        originalUserRefNum: 7, userRefNum: 8, quantity: 200, price: 1_503_000, timeInForce: OUCHTimeInForce.day,
        display: OUCHDisplay.visible, intermarketSweep: UInt8(ascii: "N"), clOrdID: OUCHClOrdID("ORD-2")!)
    static let replaceOrderHex =
        "55 00000007 00000008 000000c8 000000000016ef18 30 59 4e 4f52442d32202020202020202020 0000"

    static let cancelOrder = OUCHCancelOrder(userRefNum: 8, quantity: 0)
    static let cancelOrderHex = "58 00000008 00000000"

    static let modifyOrder = OUCHModifyOrder(userRefNum: 8, side: OUCHSide.sellShort, quantity: 50)
    static let modifyOrderHex = "4d 00000008 54 00000032"

    static let accountQueryRequest = OUCHAccountQueryRequest()
    static let accountQueryRequestHex = "51"

    // MARK: OUCH outbound

    static let systemEvent = OUCHSystemEvent(timestamp: timestamp, eventCode: OUCHSystemEventCode.startOfDay)
    static let systemEventHex = "53 00002f79c2751000 53"

    static let orderAccepted = OUCHOrderAccepted(
        timestamp: timestamp, userRefNum: 7, side: OUCHSide.buy, quantity: 100, symbol: OUCHSymbol("AAPL")!,
        price: 1_502_500, timeInForce: OUCHTimeInForce.day, display: OUCHDisplay.visible, orderReferenceNumber: 42,
        capacity: OUCHCapacity.agency, intermarketSweep: UInt8(ascii: "N"), crossType: OUCHCrossType.continuous,
        orderState: OUCHOrderState.live, clOrdID: OUCHClOrdID("ORD-1")!,
        appendage: OUCHAppendage(postOnly: OUCHPostOnly.postOnly))
    static let orderAcceptedHex =
        "41 00002f79c2751000 00000007 42 00000064 4141504c20202020 000000000016ed24 30 59"
        + " 000000000000002a 41 4e 4e 4c 4f52442d31202020202020202020 0003 02 0c 50"

    static let orderReplaced = OUCHOrderReplaced(
        timestamp: timestamp, originalUserRefNum: 7, userRefNum: 8, side: OUCHSide.buy, quantity: 200,
        symbol: OUCHSymbol("AAPL")!, price: 1_503_000, timeInForce: OUCHTimeInForce.day,
        display: OUCHDisplay.visible, orderReferenceNumber: 43, capacity: OUCHCapacity.agency,
        intermarketSweep: UInt8(ascii: "N"), crossType: OUCHCrossType.continuous, orderState: OUCHOrderState.live,
        clOrdID: OUCHClOrdID("ORD-2")!)
    static let orderReplacedHex =
        "55 00002f79c2751000 00000007 00000008 42 000000c8 4141504c20202020 000000000016ef18 30 59"
        + " 000000000000002b 41 4e 4e 4c 4f52442d32202020202020202020 0000"

    static let orderCanceled = OUCHOrderCanceled(
        timestamp: timestamp, userRefNum: 8, quantity: 200, reason: .userRequested)
    static let orderCanceledHex = "43 00002f79c2751000 00000008 000000c8 55"

    static let orderExecuted = OUCHOrderExecuted(
        timestamp: timestamp, userRefNum: 8, quantity: 100, price: 1_503_000, liquidityFlag: OUCHLiquidityFlag.removed,
        matchNumber: 9)
    static let orderExecutedHex = "45 00002f79c2751000 00000008 00000064 000000000016ef18 52 0000000000000009 0000"

    static let brokenTrade = OUCHBrokenTrade(
        timestamp: timestamp, userRefNum: 8, matchNumber: 9, reason: UInt8(ascii: "E"), clOrdID: OUCHClOrdID("ORD-2")!)
    static let brokenTradeHex = "42 00002f79c2751000 00000008 0000000000000009 45 4f52442d32202020202020202020"

    static let rejected = OUCHRejected(
        timestamp: timestamp, userRefNum: 9, reason: .invalidQuantity, clOrdID: OUCHClOrdID("ORD-3")!)
    static let rejectedHex = "4a 00002f79c2751000 00000009 0013 4f52442d33202020202020202020"

    static let orderModified = OUCHOrderModified(
        timestamp: timestamp, userRefNum: 8, side: OUCHSide.sellShort, quantity: 50)
    static let orderModifiedHex = "4d 00002f79c2751000 00000008 54 00000032"

    static let accountQueryResponse = OUCHAccountQueryResponse(timestamp: timestamp, nextUserRefNum: 10)
    static let accountQueryResponseHex = "51 00002f79c2751000 0000000a"

    static let inbound: [(OUCHInboundMessage, String)] = [
        (.enterOrder(enterOrder), enterOrderHex),
        (.enterOrder(enterOrderPlain), enterOrderPlainHex),
        (.replaceOrder(replaceOrder), replaceOrderHex),
        (.cancelOrder(cancelOrder), cancelOrderHex),
        (.modifyOrder(modifyOrder), modifyOrderHex),
        (.accountQueryRequest(accountQueryRequest), accountQueryRequestHex),
    ]

    static let outbound: [(OUCHOutboundMessage, String)] = [
        (.systemEvent(systemEvent), systemEventHex),
        (.orderAccepted(orderAccepted), orderAcceptedHex),
        (.orderReplaced(orderReplaced), orderReplacedHex),
        (.orderCanceled(orderCanceled), orderCanceledHex),
        (.orderExecuted(orderExecuted), orderExecutedHex),
        (.brokenTrade(brokenTrade), brokenTradeHex),
        (.rejected(rejected), rejectedHex),
        (.orderModified(orderModified), orderModifiedHex),
        (.accountQueryResponse(accountQueryResponse), accountQueryResponseHex),
    ]

    // MARK: Framed (specs/soupbintcp.md has the packets; SoupBinTCPTests their vectors)

    static let sequencedCanceledHex = "0013 53 43 00002f79c2751000 00000008 000000c8 55"
    static let unsequencedCancelHex = "000a 55 580000000800000000"
}
