import GatewayCore
import OUCH
import XCTest
import SoupBinTCP
import TestSupport

final class OUCHCodecTests: XCTestCase {
    /// OUCH messages are encoded in place behind the SoupBinTCP header.
    func testFramesMessagesInPlaceAsSoupBinTCPData() {
        XCTAssertEqual(
            hex(SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.sequencedData(Golden.orderCanceled, $0) }),
            hex(unhex(Golden.sequencedCanceledHex)))
        XCTAssertEqual(
            hex(SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.unsequencedData(Golden.cancelOrder, $0) }),
            hex(unhex(Golden.unsequencedCancelHex)))
    }

    // MARK: Golden vectors

    func testEncodesEveryInboundMessageAsTheSpecExample() {
        for (message, expected) in Golden.inbound {
            XCTAssertEqual(hex(message.encodedBytes), hex(unhex(expected)), "\(message)")
        }
    }

    func testEncodesEveryOutboundMessageAsTheSpecExample() {
        for (message, expected) in Golden.outbound {
            XCTAssertEqual(hex(message.encodedBytes), hex(unhex(expected)), "\(message)")
        }
    }

    func testDecodesEveryInboundMessageOfTheSpec() throws {
        for (message, bytes) in Golden.inbound {
            XCTAssertEqual(try unhex(bytes).withUnsafeBytes { try OUCHInboundMessage(decoding: $0) }, message)
        }
    }

    func testDecodesEveryOutboundMessageOfTheSpec() throws {
        for (message, bytes) in Golden.outbound {
            XCTAssertEqual(try unhex(bytes).withUnsafeBytes { try OUCHOutboundMessage(decoding: $0) }, message)
        }
    }

    func testLayoutsHaveTheSpecLengths() {
        XCTAssertEqual(OUCHEnterOrder.fixedLength, 47)
        XCTAssertEqual(OUCHReplaceOrder.fixedLength, 40)
        XCTAssertEqual(OUCHCancelOrder.fixedLength, 9)
        XCTAssertEqual(OUCHModifyOrder.fixedLength, 10)
        XCTAssertEqual(OUCHAccountQueryRequest.fixedLength, 1)
        XCTAssertEqual(OUCHSystemEvent.fixedLength, 10)
        XCTAssertEqual(OUCHOrderAccepted.fixedLength, 64)
        XCTAssertEqual(OUCHOrderReplaced.fixedLength, 68)
        XCTAssertEqual(OUCHOrderCanceled.fixedLength, 18)
        XCTAssertEqual(OUCHOrderExecuted.fixedLength, 36)
        XCTAssertEqual(OUCHBrokenTrade.fixedLength, 36)
        XCTAssertEqual(OUCHRejected.fixedLength, 29)
        XCTAssertEqual(OUCHOrderModified.fixedLength, 18)
        XCTAssertEqual(OUCHAccountQueryResponse.fixedLength, 13)
    }

    // MARK: Round trips

    func testEveryMessageRoundTripsWithVariedFields() throws {
        var rng = SplitMix64(seed: 7)
        func u32() -> UInt32 { UInt32.random(in: 0...UInt32.max, using: &rng) }
        func u64() -> UInt64 { UInt64.random(in: 0...UInt64.max, using: &rng) }
        func letter() -> UInt8 { UInt8.random(in: 0x20...0x7E, using: &rng) }
        func clOrdID() -> OUCHClOrdID { OUCHClOrdID(String((0..<Int.random(in: 0...14, using: &rng)).map { _ in Character(UnicodeScalar(letter())) }))! }
        func appendage() -> OUCHAppendage {
            OUCHAppendage(
                firm: Bool.random(using: &rng) ? OUCHFirm(rawValue: u32()) : nil,
                minimumQuantity: Bool.random(using: &rng) ? u32() : nil,
                postOnly: Bool.random(using: &rng) ? letter() : nil)
        }
        for _ in 0..<200 {
            let inbound: [OUCHInboundMessage] = [
                .enterOrder(OUCHEnterOrder(
                    userRefNum: u32(), side: letter(), quantity: u32(), symbol: OUCHSymbol(rawValue: u64()), price: u64(),
                    timeInForce: letter(), display: letter(), capacity: letter(), intermarketSweep: letter(),
                    crossType: letter(), clOrdID: clOrdID(), appendage: appendage())),
                .replaceOrder(OUCHReplaceOrder(
                    originalUserRefNum: u32(), userRefNum: u32(), quantity: u32(), price: u64(), timeInForce: letter(),
                    display: letter(), intermarketSweep: letter(), clOrdID: clOrdID(), appendage: appendage())),
                .cancelOrder(OUCHCancelOrder(userRefNum: u32(), quantity: u32())),
                .modifyOrder(OUCHModifyOrder(userRefNum: u32(), side: letter(), quantity: u32())),
                .accountQueryRequest(OUCHAccountQueryRequest()),
            ]
            for message in inbound {
                XCTAssertEqual(try message.encodedBytes.withUnsafeBytes { try OUCHInboundMessage(decoding: $0) }, message)
            }
            let outbound: [OUCHOutboundMessage] = [
                .systemEvent(OUCHSystemEvent(timestamp: u64(), eventCode: letter())),
                .orderAccepted(OUCHOrderAccepted(
                    timestamp: u64(), userRefNum: u32(), side: letter(), quantity: u32(), symbol: OUCHSymbol(rawValue: u64()),
                    price: u64(), timeInForce: letter(), display: letter(), orderReferenceNumber: u64(),
                    capacity: letter(), intermarketSweep: letter(), crossType: letter(), orderState: letter(),
                    clOrdID: clOrdID(), appendage: appendage())),
                .orderReplaced(OUCHOrderReplaced(
                    timestamp: u64(), originalUserRefNum: u32(), userRefNum: u32(), side: letter(), quantity: u32(),
                    symbol: OUCHSymbol(rawValue: u64()), price: u64(), timeInForce: letter(), display: letter(),
                    orderReferenceNumber: u64(), capacity: letter(), intermarketSweep: letter(), crossType: letter(),
                    orderState: letter(), clOrdID: clOrdID(), appendage: appendage())),
                .orderCanceled(OUCHOrderCanceled(
                    timestamp: u64(), userRefNum: u32(), quantity: u32(), reason: OUCHCancelReason(rawValue: letter()))),
                .orderExecuted(OUCHOrderExecuted(
                    timestamp: u64(), userRefNum: u32(), quantity: u32(), price: u64(), liquidityFlag: letter(),
                    matchNumber: u64(), appendage: appendage())),
                .brokenTrade(OUCHBrokenTrade(
                    timestamp: u64(), userRefNum: u32(), matchNumber: u64(), reason: letter(), clOrdID: clOrdID())),
                .rejected(OUCHRejected(
                    timestamp: u64(), userRefNum: u32(), reason: OUCHRejectReason(rawValue: UInt16(truncatingIfNeeded: u32())),
                    clOrdID: clOrdID())),
                .orderModified(OUCHOrderModified(timestamp: u64(), userRefNum: u32(), side: letter(), quantity: u32())),
                .accountQueryResponse(OUCHAccountQueryResponse(timestamp: u64(), nextUserRefNum: u32())),
            ]
            for message in outbound {
                XCTAssertEqual(try message.encodedBytes.withUnsafeBytes { try OUCHOutboundMessage(decoding: $0) }, message)
            }
        }
    }

    /// OUCH messages inside SoupBinTCP packets, cut into random pieces on the way:
    /// every message decodes to what was sent, both directions.
    func testMessagesInAByteStreamDecodeFromAnyChunking() throws {
        var inboundStream: [UInt8] = []
        for (message, _) in Golden.inbound { inboundStream += Client.data(raw: message.encodedBytes) }
        var outboundStream: [UInt8] = []
        for (message, _) in Golden.outbound {
            outboundStream += message.encodedBytes.withUnsafeBytes { p in SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.sequencedData(p, $0) } }
        }
        var rng = SplitMix64(seed: 1234)
        for maxPiece in [1, 2, 5, 13, 100] {
            var reader = SoupBinTCPStreamReader(direction: .clientToServer, maximumLength: 513)
            var inbound: [OUCHInboundMessage] = []
            for piece in chunks(inboundStream, maxPiece: maxPiece, using: &rng) {
                reader.append(contentsOf: piece)
                while let message = try reader.next({ frame in try OUCHInboundMessage(decoding: frame.payload) }) {
                    inbound.append(message)
                }
            }
            XCTAssertEqual(inbound, Golden.inbound.map(\.0))

            var outReader = SoupBinTCPStreamReader(direction: .serverToClient)
            var outbound: [OUCHOutboundMessage] = []
            for piece in chunks(outboundStream, maxPiece: maxPiece, using: &rng) {
                outReader.append(contentsOf: piece)
                while let message = try outReader.next({ frame in try OUCHOutboundMessage(decoding: frame.payload) }) {
                    outbound.append(message)
                }
            }
            XCTAssertEqual(outbound, Golden.outbound.map(\.0))
        }
    }

    // MARK: Appendage

    func testSkipsUnknownTagsByTheirLength() throws {
        // MaxFloor (5, u32), an unassigned tag 200 with 3 bytes, MinQty 300, PostOnly N.
        let appendage: [UInt8] = [5, 5, 0, 0, 0, 100, 4, 200, 1, 2, 3, 5, 3, 0, 0, 1, 44, 2, 12, UInt8(ascii: "N")]
        var bytes = unhex(Golden.enterOrderPlainHex)
        bytes[45] = 0
        bytes[46] = UInt8(appendage.count)
        bytes += appendage
        let order = try decoded(OUCHEnterOrder.self, bytes)
        XCTAssertEqual(order.appendage.minimumQuantity, 300)
        XCTAssertEqual(order.appendage.postOnly, UInt8(ascii: "N"))
        XCTAssertNil(order.appendage.firm)
        XCTAssertEqual(order.appendage.skippedElements, 2)
    }

    func enterWith(appendage: [UInt8]) -> [UInt8] {
        var bytes = unhex(Golden.enterOrderPlainHex)
        bytes[45] = UInt8(appendage.count >> 8)
        bytes[46] = UInt8(appendage.count & 0xFF)
        return bytes + appendage
    }

    func testNamesEveryMalformedAppendage() {
        XCTAssertEqual(
            decodeError(OUCHEnterOrder.self, enterWith(appendage: [0])),
            .malformedAppendage(.enterOrder, offset: 47, problem: .zeroElementLength))
        XCTAssertEqual(
            decodeError(OUCHEnterOrder.self, enterWith(appendage: [2, 12, UInt8(ascii: "P"), 9, 1])),
            .malformedAppendage(.enterOrder, offset: 50, problem: .elementOverrunsAppendage(length: 9, remaining: 1)))
        XCTAssertEqual(
            decodeError(OUCHEnterOrder.self, enterWith(appendage: [4, 3, 0, 0, 1])),
            .malformedAppendage(.enterOrder, offset: 47, problem: .wrongValueLength(tag: 3, expected: 4, actual: 3)))
        XCTAssertEqual(
            decodeError(OUCHEnterOrder.self, enterWith(appendage: [3, 2, 65, 66])),
            .malformedAppendage(.enterOrder, offset: 47, problem: .wrongValueLength(tag: 2, expected: 4, actual: 2)))
        XCTAssertEqual(
            decodeError(OUCHEnterOrder.self, enterWith(appendage: [3, 12, 80, 80])),
            .malformedAppendage(.enterOrder, offset: 47, problem: .wrongValueLength(tag: 12, expected: 1, actual: 2)))
        XCTAssertEqual(
            decodeError(OUCHEnterOrder.self, enterWith(appendage: [2, 12, 80, 2, 12, 78])),
            .malformedAppendage(.enterOrder, offset: 50, problem: .repeatedTag(12)))
        XCTAssertEqual(
            OUCHDecodingError.malformedAppendage(.enterOrder, offset: 47, problem: .wrongValueLength(tag: 3, expected: 4, actual: 3))
                .description,
            "Enter Order ('O'): optional appendage element at offset 47: MinQty (tag 3) has a 3-byte value, expected 4")
    }

    // MARK: Malformed messages

    func testNamesEveryMalformedMessage() {
        XCTAssertEqual(decodeError(OUCHCancelOrder.self, []), .empty)
        XCTAssertEqual(decodeError(OUCHCancelOrder.self, unhex("5800000008000000")), .wrongLength(.cancelOrder, expected: 9, actual: 8))
        XCTAssertEqual(decodeError(OUCHCancelOrder.self, unhex("580000000800000000 00")), .wrongLength(.cancelOrder, expected: 9, actual: 10))
        XCTAssertEqual(decodeError(OUCHModifyOrder.self, unhex("4d0000000854000000")), .wrongLength(.modifyOrder, expected: 10, actual: 9))
        XCTAssertEqual(decodeError(OUCHAccountQueryRequest.self, unhex("5100")), .wrongLength(.accountQueryRequest, expected: 1, actual: 2))
        XCTAssertEqual(
            decodeError(OUCHEnterOrder.self, Array(unhex(Golden.enterOrderPlainHex).prefix(46))),
            .wrongLength(.enterOrder, expected: 47, actual: 46))
        XCTAssertEqual(
            decodeError(OUCHEnterOrder.self, unhex(Golden.enterOrderPlainHex) + [2, 12, 80]),
            .appendageLengthMismatch(.enterOrder, declared: 0, actual: 3))
        XCTAssertEqual(
            decodeError(OUCHEnterOrder.self, Array(unhex(Golden.enterOrderHex).dropLast())),
            .appendageLengthMismatch(.enterOrder, declared: 9, actual: 8))
        XCTAssertEqual(
            decodeError(OUCHReplaceOrder.self, Array(unhex(Golden.replaceOrderHex).prefix(39))),
            .wrongLength(.replaceOrder, expected: 40, actual: 39))
        XCTAssertEqual(decodeError(OUCHCancelOrder.self, unhex(Golden.modifyOrderHex)), .unknownMessageType(UInt8(ascii: "M")))
        XCTAssertThrowsError(try [UInt8(ascii: "Z")].withUnsafeBytes { try OUCHInboundMessage(decoding: $0) }) {
            XCTAssertEqual($0 as? OUCHDecodingError, .unknownMessageType(UInt8(ascii: "Z")))
        }
        XCTAssertThrowsError(try [UInt8(ascii: "O")].withUnsafeBytes { try OUCHOutboundMessage(decoding: $0) }) {
            XCTAssertEqual($0 as? OUCHDecodingError, .unknownMessageType(UInt8(ascii: "O")))
        }
        XCTAssertEqual(
            decodeError(OUCHOrderAccepted.self, Array(unhex(Golden.orderAcceptedHex).prefix(63))),
            .wrongLength(.orderAccepted, expected: 64, actual: 63))
        XCTAssertEqual(
            OUCHDecodingError.wrongLength(.cancelOrder, expected: 9, actual: 8).description,
            "Cancel Order ('X'): 8 bytes, expected 9")
    }

    // MARK: Fields

    func testAlphaFieldsPadAndTrim() {
        XCTAssertEqual(OUCHSymbol("AAPL")!.bytes, Array("AAPL    ".utf8))
        XCTAssertEqual(OUCHSymbol("AAPL")!.description, "AAPL")
        XCTAssertNil(OUCHSymbol("TOOLONGSYM"))
        XCTAssertNil(OUCHSymbol(""))
        XCTAssertFalse(OUCHSymbol(rawValue: 0x4141_504C_2020_20FF).isPrintableASCII)
        XCTAssertEqual(OUCHClOrdID("ORD-1")!.bytes, Array("ORD-1         ".utf8))
        XCTAssertEqual(OUCHClOrdID("ORD-1")!.clientOrderID, ClientOrderID("ORD-1"))
        XCTAssertEqual(OUCHClOrdID("ABCDEFGHIJKLMN")!.clientOrderID, ClientOrderID("ABCDEFGHIJKLMN"))
        XCTAssertEqual(OUCHClOrdID.blank.clientOrderID, ClientOrderID.empty)
        XCTAssertEqual(OUCHClOrdID(ClientOrderID("ABCDEFGHIJKLMNOPQ")!).description, "ABCDEFGHIJKLMN")
        XCTAssertEqual(OUCHClOrdID(ClientOrderID("X-9")!), OUCHClOrdID("X-9"))
        var bytes = unhex(Golden.enterOrderPlainHex)
        bytes[OUCHEnterOrder.Offset.clOrdID + 2] = 0
        XCTAssertNil(try decoded(OUCHEnterOrder.self, bytes).clOrdID.clientOrderID)
        XCTAssertEqual(OUCHFirm("FRMA")!.rawValue, 0x4652_4D41)
        XCTAssertEqual(OUCHRejectReason.invalidQuantity.description, "0x0013")
    }
}
