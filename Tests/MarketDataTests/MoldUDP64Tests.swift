import GatewayCore
import MarketData
import XCTest
import TestSupport

final class MoldUDP64Tests: XCTestCase {
    // MARK: Session

    func testSessionIsTenSpacePaddedBytes() {
        XCTAssertEqual(hex(Golden.session.bytes), Golden.sessionHex)
        XCTAssertEqual(hex(MoldUDP64Session("ABC")!.bytes), "41424320202020202020")
        XCTAssertEqual(MoldUDP64Session("ABC")!.description, "ABC")
        XCTAssertNil(MoldUDP64Session("ABCDEFGHIJK"))
        XCTAssertEqual(MoldUDP64Session.tradingDay(year: 2026, month: 11, day: 21), Golden.session)
        XCTAssertEqual(MoldUDP64Session.tradingDay(year: 2027, month: 1, day: 5).description, "CIFT270105")
    }

    // MARK: Downstream packets: golden vectors

    func testBuildsThePacketWithTwoMessagesOfTheSpec() {
        let builder = MoldUDP64PacketBuilder(session: Golden.session)
        builder.begin(sequenceNumber: 1)
        XCTAssertTrue(builder.append(ITCHMessage.systemEvent(Golden.systemEvent)))
        XCTAssertTrue(builder.append(Golden.addOrder))
        XCTAssertEqual(builder.messageCount, 2)
        XCTAssertEqual(builder.nextSequenceNumber, 3)
        XCTAssertEqual(builder.byteCount, 72)
        XCTAssertEqual(hex(builder.packet), hex(unhex(Golden.twoMessagePacketHex)))
    }

    func testDecodesThePacketWithTwoMessagesOfTheSpec() throws {
        let (header, messages) = try decodePacket(unhex(Golden.twoMessagePacketHex))
        XCTAssertEqual(header, MoldUDP64Header(session: Golden.session, sequenceNumber: 1, messageCount: 2))
        XCTAssertEqual(messages.map { $0.0 }, [1, 2])
        XCTAssertEqual(try decodeITCH(messages[0].1), .systemEvent(Golden.systemEvent))
        XCTAssertEqual(try decodeITCH(messages[1].1), .addOrder(Golden.addOrder))
    }

    func testHeartbeatGoldenVector() throws {
        let heartbeat = MoldUDP64Header.heartbeat(session: Golden.session, nextSequenceNumber: 3)
        XCTAssertEqual(hex(heartbeat.encodedBytes), hex(unhex(Golden.heartbeatHex)))
        let (header, messages) = try decodePacket(unhex(Golden.heartbeatHex))
        XCTAssertTrue(header.isHeartbeat)
        XCTAssertFalse(header.isEndOfSession)
        XCTAssertEqual(header.sequenceNumber, 3)
        XCTAssertTrue(messages.isEmpty)
        // An empty builder is a heartbeat too.
        let builder = MoldUDP64PacketBuilder(session: Golden.session)
        builder.begin(sequenceNumber: 3)
        XCTAssertEqual(hex(builder.packet), hex(unhex(Golden.heartbeatHex)))
    }

    func testEndOfSessionGoldenVector() throws {
        let end = MoldUDP64Header.endOfSession(session: Golden.session, nextSequenceNumber: 3)
        XCTAssertEqual(hex(end.encodedBytes), hex(unhex(Golden.endOfSessionHex)))
        let (header, messages) = try decodePacket(unhex(Golden.endOfSessionHex))
        XCTAssertTrue(header.isEndOfSession)
        XCTAssertEqual(header.messageCount, 0xFFFF)
        XCTAssertTrue(messages.isEmpty)
    }

    func testHeaderOffsets() {
        XCTAssertEqual(MoldUDP64Header.length, 20)
        XCTAssertEqual(MoldUDP64Header.Offset.sequenceNumber, 10)
        XCTAssertEqual(MoldUDP64Header.Offset.messageCount, 18)
    }

    // MARK: Downstream packets: errors

    func testRejectsAPacketShorterThanItsHeader() {
        XCTAssertThrowsError(try decodePacket(Array(unhex(Golden.heartbeatHex).prefix(19)))) {
            XCTAssertEqual($0 as? MoldUDP64DecodingError, .packetTooShort(actual: 19))
        }
        XCTAssertThrowsError(try decodePacket([])) {
            XCTAssertEqual($0 as? MoldUDP64DecodingError, .packetTooShort(actual: 0))
        }
    }

    func testRejectsATruncatedMessage() {
        let bytes = unhex(Golden.twoMessagePacketHex)
        // The Add Order (block 1 at offset 34) loses its last byte.
        XCTAssertThrowsError(try decodePacket(Array(bytes.dropLast()))) {
            XCTAssertEqual($0 as? MoldUDP64DecodingError,
                           .truncatedBlock(index: 1, offset: 34, declaredLength: 36, remaining: 35))
        }
    }

    func testRejectsATruncatedLengthPrefix() {
        let bytes = unhex(Golden.twoMessagePacketHex)
        // Cut after the first byte of block 1's length prefix.
        XCTAssertThrowsError(try decodePacket(Array(bytes.prefix(35)))) {
            XCTAssertEqual($0 as? MoldUDP64DecodingError,
                           .truncatedBlock(index: 1, offset: 34, declaredLength: 2, remaining: 1))
        }
    }

    func testRejectsACountLargerThanTheBlocks() {
        var bytes = unhex(Golden.twoMessagePacketHex)
        bytes[19] = 3
        XCTAssertThrowsError(try decodePacket(bytes)) {
            XCTAssertEqual($0 as? MoldUDP64DecodingError,
                           .truncatedBlock(index: 2, offset: 72, declaredLength: 2, remaining: 0))
        }
    }

    func testRejectsACountSmallerThanTheBlocks() {
        var bytes = unhex(Golden.twoMessagePacketHex)
        bytes[19] = 1
        XCTAssertThrowsError(try decodePacket(bytes)) {
            XCTAssertEqual($0 as? MoldUDP64DecodingError, .trailingBytes(declared: 1, extraBytes: 38))
        }
    }

    func testRejectsBytesAfterAHeartbeatOrEndOfSession() {
        XCTAssertThrowsError(try decodePacket(unhex(Golden.heartbeatHex) + [0])) {
            XCTAssertEqual($0 as? MoldUDP64DecodingError, .trailingBytes(declared: 0, extraBytes: 1))
        }
        XCTAssertThrowsError(try decodePacket(unhex(Golden.endOfSessionHex) + unhex("000c" + Golden.systemEventHex))) {
            XCTAssertEqual($0 as? MoldUDP64DecodingError, .trailingBytes(declared: 0, extraBytes: 14))
        }
    }

    func testRejectsAZeroLengthBlock() {
        let bytes = unhex(Golden.sessionHex + " 0000000000000001 0001 0000")
        XCTAssertThrowsError(try decodePacket(bytes)) {
            XCTAssertEqual($0 as? MoldUDP64DecodingError, .zeroLengthBlock(index: 0, offset: 20))
        }
    }

    func testABlockWithAWrongITCHLengthIsAnITCHError() throws {
        // The packet is well formed; the message inside it is a Delete one byte short.
        let delete = unhex(Golden.orderDeleteHex).dropLast()
        let bytes = unhex(Golden.sessionHex + " 0000000000000005 0001 0012") + delete
        let (_, messages) = try decodePacket(bytes)
        XCTAssertEqual(messages.map { $0.0 }, [5])
        XCTAssertThrowsError(try decodeITCH(messages[0].1)) {
            XCTAssertEqual($0 as? ITCHDecodingError, .wrongLength(type: UInt8(ascii: "D"), expected: 19, actual: 18))
        }
    }

    // MARK: Request packets

    func testRequestGoldenVector() throws {
        XCTAssertEqual(hex(Golden.request.encodedBytes), hex(unhex(Golden.requestHex)))
        let decoded = try decodeRequest(unhex(Golden.requestHex))
        XCTAssertEqual(decoded, Golden.request)
    }

    func testRequestRejectsAnyOtherLength() {
        for bytes in [Array(unhex(Golden.requestHex).dropLast()), unhex(Golden.requestHex) + [0], []] {
            XCTAssertThrowsError(try decodeRequest(bytes)) {
                XCTAssertEqual($0 as? MoldUDP64DecodingError, .wrongRequestLength(actual: bytes.count))
            }
        }
    }

    func testRequestRoundTrips() throws {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<100 {
            let request = MoldUDP64Request(
                session: MoldUDP64Session(high: rng.next(), low: UInt16(truncatingIfNeeded: rng.next())),
                sequenceNumber: rng.next(), requestedMessageCount: UInt16(truncatingIfNeeded: rng.next()))
            var bytes = [UInt8](repeating: 0, count: 24)
            XCTAssertEqual(bytes.withUnsafeMutableBytes { request.encode(into: $0, at: 4) }, 20)
            let decoded = try decodeRequest(Array(bytes[4...]))
            XCTAssertEqual(decoded, request)
        }
    }

    // MARK: Builder

    func testBuilderSaysWhenTheNextMessageWouldNotFitAndFlushes() throws {
        // Room for the header and exactly two Add Order blocks: 20 + 2 × (2 + 36) = 96.
        let builder = MoldUDP64PacketBuilder(session: Golden.session, maximumPacketSize: 96)
        var sent: [[UInt8]] = []
        var next: UInt64 = 1
        builder.begin(sequenceNumber: next)
        for reference in 1...5 as ClosedRange<UInt64> {
            var m = Golden.addOrder
            m.orderReference = reference
            if !builder.wouldFit(ITCHAddOrder.length) {
                sent.append(Array(builder.packet))
                next = builder.nextSequenceNumber
                builder.begin(sequenceNumber: next)
            }
            XCTAssertTrue(builder.append(m))
        }
        sent.append(Array(builder.packet))
        XCTAssertEqual(sent.map(\.count), [96, 96, 58])

        var references: [UInt64] = []
        var sequences: [UInt64] = []
        for packet in sent {
            let (header, messages) = try decodePacket(packet)
            XCTAssertEqual(Int(header.messageCount), messages.count)
            for (sequence, bytes) in messages {
                sequences.append(sequence)
                guard case .addOrder(let m) = try decodeITCH(bytes) else { return XCTFail("not an Add Order") }
                references.append(m.orderReference)
            }
        }
        XCTAssertEqual(sequences, [1, 2, 3, 4, 5])
        XCTAssertEqual(references, [1, 2, 3, 4, 5])
    }

    func testAppendThatDoesNotFitChangesNothing() {
        let builder = MoldUDP64PacketBuilder(session: Golden.session, maximumPacketSize: 100)
        builder.begin(sequenceNumber: 7)
        XCTAssertTrue(builder.append(Golden.trade))        // 20 + 46 = 66
        XCTAssertFalse(builder.wouldFit(ITCHTrade.length))  // 66 + 46 > 100
        XCTAssertTrue(builder.wouldFit(ITCHOrderExecuted.length))  // 66 + 33 = 99
        let before = Array(builder.packet)
        XCTAssertFalse(builder.append(Golden.trade))
        XCTAssertNil(builder.reserve(length: 33))
        XCTAssertEqual(Array(builder.packet), before)
        XCTAssertEqual(builder.messageCount, 1)
        XCTAssertTrue(builder.append(Golden.orderExecuted))
        XCTAssertEqual(builder.byteCount, 99)
        XCTAssertFalse(builder.wouldFit(0))
    }

    func testReserveHandsOutTheSlotForEncodingInPlace() throws {
        let builder = MoldUDP64PacketBuilder(session: Golden.session)
        builder.begin(sequenceNumber: 1)
        let slot = try XCTUnwrap(builder.reserve(length: ITCHSystemEvent.length))
        XCTAssertEqual(Golden.systemEvent.encode(into: slot), 12)
        let raw = unhex(Golden.addOrderHex)
        XCTAssertTrue(raw.withUnsafeBytes { builder.append($0) })
        XCTAssertEqual(hex(builder.packet), hex(unhex(Golden.twoMessagePacketHex)))
    }

    func testResetEmptiesThePacketAndKeepsItsSequenceNumber() {
        let builder = MoldUDP64PacketBuilder(session: Golden.session)
        builder.begin(sequenceNumber: 3)
        XCTAssertTrue(builder.append(Golden.orderDelete))
        builder.reset()
        XCTAssertTrue(builder.isEmpty)
        XCTAssertEqual(builder.sequenceNumber, 3)
        XCTAssertEqual(hex(builder.packet), hex(unhex(Golden.heartbeatHex)))
    }

    func testDefaultPacketHoldsAsManyMessagesAsFitIn1400Bytes() throws {
        let builder = MoldUDP64PacketBuilder(session: Golden.session)
        XCTAssertEqual(builder.maximumPacketSize, 1400)
        builder.begin(sequenceNumber: 1)
        while builder.append(Golden.orderDelete) {}
        // (1400 − 20) / (2 + 19) = 65 blocks, 1,385 bytes.
        XCTAssertEqual(builder.messageCount, 65)
        XCTAssertEqual(builder.byteCount, 1385)
        let (header, messages) = try decodePacket(Array(builder.packet))
        XCTAssertEqual(header.messageCount, 65)
        XCTAssertEqual(messages.last?.0, 65)
    }
}
