import GatewayCore
import MarketData
import XCTest
import TestSupport

final class ITCHCodecTests: XCTestCase {
    // MARK: Golden vectors

    func testEncodesEveryMessageAsTheSpecExample() {
        for (message, expected) in Golden.itch {
            XCTAssertEqual(hex(message.encodedBytes), hex(unhex(expected)), "\(message)")
        }
    }

    func testDecodesEveryMessageOfTheSpec() throws {
        for (message, bytes) in Golden.itch {
            XCTAssertEqual(try decodeITCH(unhex(bytes)), message)
        }
    }

    func testGoldenVectorsCoverEveryTypeTheVenueSends() {
        XCTAssertEqual(Set(Golden.itch.map { $0.0.type }), Set("SRHAFECXDUPG".utf8))
    }

    func testEachLayoutTypeEncodesAndDecodesItsGoldenVectorDirectly() throws {
        func check<M: ITCHMessageLayout>(_ message: M, _ expected: String, line: UInt = #line) throws {
            XCTAssertEqual(hex(message.encodedBytes), hex(unhex(expected)), line: line)
            XCTAssertEqual(try decodeLayout(M.self, unhex(expected)), message, line: line)
        }
        try check(Golden.systemEvent, Golden.systemEventHex)
        try check(Golden.stockDirectory, Golden.stockDirectoryHex)
        try check(Golden.stockTradingAction, Golden.stockTradingActionHex)
        try check(Golden.addOrder, Golden.addOrderHex)
        try check(Golden.addOrderWithMPID, Golden.addOrderWithMPIDHex)
        try check(Golden.orderExecuted, Golden.orderExecutedHex)
        try check(Golden.orderExecutedWithPrice, Golden.orderExecutedWithPriceHex)
        try check(Golden.orderCancel, Golden.orderCancelHex)
        try check(Golden.orderDelete, Golden.orderDeleteHex)
        try check(Golden.orderReplace, Golden.orderReplaceHex)
        try check(Golden.trade, Golden.tradeHex)
        try check(Golden.snapshotComplete, Golden.snapshotCompleteHex)
    }

    func testLayoutsHaveTheSpecLengths() {
        XCTAssertEqual(ITCHSystemEvent.length, 12)
        XCTAssertEqual(ITCHStockDirectory.length, 39)
        XCTAssertEqual(ITCHStockTradingAction.length, 25)
        XCTAssertEqual(ITCHAddOrder.length, 36)
        XCTAssertEqual(ITCHAddOrderWithMPID.length, 40)
        XCTAssertEqual(ITCHOrderExecuted.length, 31)
        XCTAssertEqual(ITCHOrderExecutedWithPrice.length, 36)
        XCTAssertEqual(ITCHOrderCancel.length, 23)
        XCTAssertEqual(ITCHOrderDelete.length, 19)
        XCTAssertEqual(ITCHOrderReplace.length, 35)
        XCTAssertEqual(ITCHTrade.length, 44)
        XCTAssertEqual(ITCHSnapshotComplete.length, 19)
        for (message, bytes) in Golden.itch {
            XCTAssertEqual(unhex(bytes).count, message.length, "\(message)")
        }
    }

    func testSnapshotCompleteUsesTypeG() {
        XCTAssertEqual(ITCHMessageType.snapshotComplete, 0x47)
        XCTAssertEqual(ITCHSnapshotComplete.Offset.lastSequenceNumber, 11)
    }

    func testStockFieldIsLeftJustifiedAndSpacePadded() {
        XCTAssertEqual(ITCHStock("AAPL")!.rawValue, 0x4141_504C_2020_2020)
        XCTAssertEqual(ITCHStock("ABCDEFGH")!.description, "ABCDEFGH")
        XCTAssertEqual(ITCHStock("MSFT")!.description, "MSFT")
        XCTAssertNil(ITCHStock(""))
        XCTAssertNil(ITCHStock("ABCDEFGHI"))
        XCTAssertNil(ITCHStock("A\u{1}"))
    }

    // MARK: Encoding at an offset

    func testEncodesAtAnOffsetWithoutTouchingTheBytesAround() {
        var bytes = [UInt8](repeating: 0xEE, count: 64)
        let written = bytes.withUnsafeMutableBytes { ITCHMessage.orderDelete(Golden.orderDelete).encode(into: $0, at: 5) }
        XCTAssertEqual(written, 19)
        XCTAssertEqual(Array(bytes[0..<5]), [UInt8](repeating: 0xEE, count: 5))
        XCTAssertEqual(hex(Array(bytes[5..<24])), hex(unhex(Golden.orderDeleteHex)))
        XCTAssertEqual(Array(bytes[24...]), [UInt8](repeating: 0xEE, count: 40))

        var other = [UInt8](repeating: 0xEE, count: 50)
        let n = other.withUnsafeMutableBytes { Golden.trade.encode(into: $0, at: 6) }
        XCTAssertEqual(n, 44)
        XCTAssertEqual(hex(Array(other[6..<50])), hex(unhex(Golden.tradeHex)))
    }

    func testTimestampIsFortyEightBitsBigEndian() throws {
        let latest: UInt64 = 86_399_999_999_999  // 23:59:59.999999999 = 0x4E94914EFFFF
        let m = ITCHOrderDelete(header: ITCHHeader(stockLocate: 0x0102, trackingNumber: 0, timestamp: latest),
                                orderReference: 1)
        XCTAssertEqual(hex(m.encodedBytes), "44" + "0102" + "0000" + "4e94914effff" + "0000000000000001")
        XCTAssertEqual(try decodeITCH(m.encodedBytes), .orderDelete(m))
    }

    // MARK: Round trips

    func testEveryMessageRoundTripsWithVariedFields() throws {
        var rng = SplitMix64(seed: 11)
        func u8() -> UInt8 { UInt8.random(in: 0...UInt8.max, using: &rng) }
        func u16() -> UInt16 { UInt16.random(in: 0...UInt16.max, using: &rng) }
        func u32() -> UInt32 { UInt32.random(in: 0...UInt32.max, using: &rng) }
        func u64() -> UInt64 { UInt64.random(in: 0...UInt64.max, using: &rng) }
        func header() -> ITCHHeader {
            ITCHHeader(stockLocate: SymbolIndex(rawValue: u16()), trackingNumber: u16(),
                       timestamp: u64() & 0xFFFF_FFFF_FFFF)
        }
        func side() -> Side { Bool.random(using: &rng) ? .buy : .sell }
        func price() -> Price { Price(raw: Int64(u32())) }
        func stock() -> ITCHStock { ITCHStock(rawValue: u64()) }
        for _ in 0..<200 {
            let messages: [ITCHMessage] = [
                .systemEvent(ITCHSystemEvent(header: header(), eventCode: u8())),
                .stockDirectory(ITCHStockDirectory(
                    header: header(), stock: stock(), marketCategory: u8(), financialStatus: u8(), roundLotSize: u32(),
                    roundLotsOnly: u8(), issueClassification: u8(), issueSubType: u16(), authenticity: u8(),
                    shortSaleThreshold: u8(), ipoFlag: u8(), luldReferencePriceTier: u8(), etpFlag: u8(),
                    etpLeverageFactor: u32(), inverseIndicator: u8())),
                .stockTradingAction(ITCHStockTradingAction(
                    header: header(), stock: stock(), tradingState: u8(), reserved: u8(), reason: ITCHAlpha4(rawValue: u32()))),
                .addOrder(ITCHAddOrder(header: header(), orderReference: u64(), side: side(), shares: u32(), stock: stock(),
                                       price: price())),
                .addOrderWithMPID(ITCHAddOrderWithMPID(
                    header: header(), orderReference: u64(), side: side(), shares: u32(), stock: stock(), price: price(),
                    attribution: ITCHAlpha4(rawValue: u32()))),
                .orderExecuted(ITCHOrderExecuted(header: header(), orderReference: u64(), executedShares: u32(),
                                                 matchNumber: u64())),
                .orderExecutedWithPrice(ITCHOrderExecutedWithPrice(
                    header: header(), orderReference: u64(), executedShares: u32(), matchNumber: u64(), printable: u8(),
                    executionPrice: price())),
                .orderCancel(ITCHOrderCancel(header: header(), orderReference: u64(), canceledShares: u32())),
                .orderDelete(ITCHOrderDelete(header: header(), orderReference: u64())),
                .orderReplace(ITCHOrderReplace(header: header(), originalOrderReference: u64(), newOrderReference: u64(),
                                               shares: u32(), price: price())),
                .trade(ITCHTrade(header: header(), orderReference: u64(), side: side(), shares: u32(), stock: stock(),
                                 price: price(), matchNumber: u64())),
                .snapshotComplete(ITCHSnapshotComplete(header: header(), lastSequenceNumber: u64())),
            ]
            for message in messages {
                let bytes = message.encodedBytes
                XCTAssertEqual(bytes.count, message.length)
                XCTAssertEqual(try decodeITCH(bytes), message)
            }
        }
    }

    // MARK: Errors

    func testRejectsAnEmptyMessage() {
        XCTAssertThrowsError(try decodeITCH([])) { XCTAssertEqual($0 as? ITCHDecodingError, .empty) }
    }

    func testRejectsUnknownTypes() {
        // `B` (Broken Trade), `I` (NOII) and a lower-case letter are not sent by the venue.
        for type in [UInt8(ascii: "B"), UInt8(ascii: "I"), UInt8(ascii: "a"), 0x00] {
            var bytes = unhex(Golden.orderDeleteHex)
            bytes[0] = type
            XCTAssertThrowsError(try decodeITCH(bytes)) {
                XCTAssertEqual($0 as? ITCHDecodingError, .unknownMessageType(type))
            }
        }
    }

    func testRejectsEveryTypeOneByteShortAndOneByteLong() {
        for (message, text) in Golden.itch {
            let bytes = unhex(text)
            XCTAssertThrowsError(try decodeITCH(Array(bytes.dropLast()))) {
                XCTAssertEqual($0 as? ITCHDecodingError,
                               .wrongLength(type: message.type, expected: bytes.count, actual: bytes.count - 1))
            }
            XCTAssertThrowsError(try decodeITCH(bytes + [0x20])) {
                XCTAssertEqual($0 as? ITCHDecodingError,
                               .wrongLength(type: message.type, expected: bytes.count, actual: bytes.count + 1))
            }
        }
    }

    func testRejectsATypeByteThatIsNotTheLayoutsOwn() {
        let bytes = unhex(Golden.orderDeleteHex)
        XCTAssertThrowsError(try decodeLayout(ITCHSnapshotComplete.self, bytes)) {
            XCTAssertEqual($0 as? ITCHDecodingError, .unknownMessageType(UInt8(ascii: "D")))
        }
    }

    func testRejectsASideThatIsNeitherBuyNorSell() {
        var bytes = unhex(Golden.addOrderHex)
        bytes[ITCHAddOrder.Offset.side] = UInt8(ascii: "T")
        XCTAssertThrowsError(try decodeITCH(bytes)) {
            XCTAssertEqual($0 as? ITCHDecodingError, .invalidSide(type: UInt8(ascii: "A"), side: UInt8(ascii: "T")))
        }
        var trade = unhex(Golden.tradeHex)
        trade[ITCHTrade.Offset.side] = 0
        XCTAssertThrowsError(try decodeITCH(trade)) {
            XCTAssertEqual($0 as? ITCHDecodingError, .invalidSide(type: UInt8(ascii: "P"), side: 0))
        }
    }

    func testErrorsDescribeTheMessage() {
        XCTAssertEqual(ITCHDecodingError.wrongLength(type: 0x47, expected: 19, actual: 20).description,
                       "ITCH 0x47 ('G'): 20 bytes, expected 19")
        XCTAssertEqual(ITCHDecodingError.unknownMessageType(0x01).description, "unknown ITCH message type 0x01")
    }
}
