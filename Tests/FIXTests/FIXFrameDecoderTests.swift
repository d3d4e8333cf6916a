import FIX
import XCTest

final class FIXFrameDecoderTests: XCTestCase {
    func testGoldenMessagesDecodeWhole() throws {
        for text in Golden.all {
            let bytes = fixBytes(text)
            try withMessage(bytes) { m in
                XCTAssertEqual(Array(m.bytes), bytes)
                XCTAssertEqual(m.length, bytes.count)
                XCTAssertEqual(m.bytes[m.trailerStart], UInt8(ascii: "1"))
                XCTAssertEqual(m.bytes[m.bodyStart - 1], 0x01)
            }
        }
        try withMessage(fixBytes(Golden.logon)) { m in
            XCTAssertEqual(m.bodyLength, 87)
            XCTAssertTrue(m.msgType?.equals("A") ?? false)
        }
    }

    func testEveryPrefixNeedsMoreData() {
        let bytes = fixBytes(Golden.newOrderSingle)
        for n in 0..<bytes.count {
            bytes.withUnsafeBytes { raw in
                let prefix = UnsafeRawBufferPointer(rebasing: raw[0..<n])
                guard case .needMoreData = try? FIXFrameDecoder().decode(prefix) else {
                    return XCTFail("prefix of \(n) bytes is not need-more-data")
                }
            }
        }
    }

    func testOneByteAtATimeAndRandomChunkingsGiveTheSameMessages() {
        let stream = Golden.all.flatMap(fixBytes) + Golden.all.reversed().flatMap(fixBytes)
        let expected = (Golden.all + Golden.all.reversed()).map { StreamItem.message(fixBytes($0)) }
        XCTAssertEqual(decodeStream([stream]).items, expected)
        XCTAssertEqual(decodeStream(stream.map { [$0] }).items, expected)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var chunks: [[UInt8]] = []
            var i = 0
            while i < stream.count {
                let n = Int.random(in: 1...40, using: &generator)
                chunks.append(Array(stream[i..<min(stream.count, i + n)]))
                i += n
            }
            let result = decodeStream(chunks)
            XCTAssertEqual(result.items, expected)
            XCTAssertEqual(result.leftover, 0)
        }
    }

    func testGarbageBeforeBeginStringIsSkippedToTheNextMessage() {
        let logon = fixBytes(Golden.logon)
        let result = decodeStream([Array("junk\r\n".utf8) + logon])
        XCTAssertEqual(result.items, [.error(.garbageBeforeBeginString), .message(logon)])
        // Byte by byte, the garbage is reported in pieces but every piece is skipped.
        let slow = decodeStream((Array("xx\r\n=8".utf8) + logon).map { [$0] })
        XCTAssertEqual(slow.items.last, .message(logon))
        XCTAssertFalse(slow.items.dropLast().contains { $0 != .error(.garbageBeforeBeginString) })
    }

    func testGarbageReportsHowFarToSkip() throws {
        let bytes = Array("abc".utf8) + fixBytes(Golden.logon)
        try bytes.withUnsafeBytes { raw in
            XCTAssertThrowsError(try FIXFrameDecoder().decode(raw)) { error in
                XCTAssertEqual(error as? FIXFramingError, FIXFramingError(.garbageBeforeBeginString, bytesToSkip: 3))
            }
        }
        // No message start buffered yet: all but a possible beginning of one ("8=F").
        try Array("zz8=F".utf8).withUnsafeBytes { raw in
            XCTAssertThrowsError(try FIXFrameDecoder().decode(raw)) { error in
                XCTAssertEqual((error as? FIXFramingError)?.bytesToSkip, 2)
            }
        }
    }

    func testUnsupportedBeginStringRequiresDisconnect() throws {
        let bytes = framed("35=0|", beginString: "FIX.4.2")
        try bytes.withUnsafeBytes { raw in
            XCTAssertThrowsError(try FIXFrameDecoder().decode(raw)) { error in
                let e = error as! FIXFramingError
                XCTAssertEqual(e.problem, .unsupportedBeginString)
                XCTAssertTrue(e.requiresDisconnect)
            }
        }
        // Reported as soon as the differing byte arrives.
        XCTAssertEqual(decodeStream([Array("8=FIX.4.2".utf8)]).items.first, .error(.unsupportedBeginString))
    }

    func testBodyLengthProblems() {
        let logon = fixBytes(Golden.logon)
        XCTAssertEqual(decodeStream([fixBytes("8=FIX.4.4|35=A|")]).items.first, .error(.bodyLengthMissing))
        XCTAssertEqual(decodeStream([fixBytes("8=FIX.4.4|9=8x|")]).items.first, .error(.bodyLengthNotNumeric))
        XCTAssertEqual(decodeStream([fixBytes("8=FIX.4.4|9=|35=A|")]).items.first, .error(.bodyLengthNotNumeric))
        // Too large: reported from the digits alone; the frame cannot be trusted, so
        // the rest of it reads as garbage and the stream recovers at the next message.
        let small = FIXFrameDecoder(maximumBodyLength: 100)
        let result = decodeStream([fixBytes("8=FIX.4.4|9=101") + logon], decoder: small)
        XCTAssertEqual(result.items, [.error(.bodyLengthTooLarge(maximum: 100)), .error(.garbageBeforeBeginString), .message(logon)])
        XCTAssertEqual(decodeStream([fixBytes("8=FIX.4.4|9=000000000001|")]).items.first,
                       .error(.bodyLengthTooLarge(maximum: 8192)))
    }

    func testMissingSOHAfterBeginStringAndCheckSum() {
        XCTAssertEqual(decodeStream([Array("8=FIX.4.49=5".utf8)]).items.first, .error(.missingSOH(tag: 8)))
        var bytes = framed("35=0|")
        bytes[bytes.count - 1] = UInt8(ascii: "X")
        let logon = fixBytes(Golden.logon)
        XCTAssertEqual(decodeStream([bytes + logon]).items, [.error(.missingSOH(tag: 10)), .error(.garbageBeforeBeginString), .message(logon)])
    }

    func testCheckSumMismatchDropsTheMessageAndTheStreamContinues() throws {
        var bad = fixBytes(Golden.logon)
        let digit = bad.count - 2  // last CheckSum digit, 7 → 8
        bad[digit] = UInt8(ascii: "8")
        let nos = fixBytes(Golden.newOrderSingle)
        let result = decodeStream([bad + nos])
        XCTAssertEqual(result.items, [.error(.checkSumMismatch(computed: 57, received: 58)), .message(nos)])
        try bad.withUnsafeBytes { raw in
            XCTAssertThrowsError(try FIXFrameDecoder().decode(raw)) { error in
                XCTAssertEqual((error as? FIXFramingError)?.bytesToSkip, bad.count)
            }
        }
    }

    func testCheckSumMalformed() {
        let nos = fixBytes(Golden.newOrderSingle)
        for trailer in ["10=57|", "10=5a7|", "10=0570|", "10=|"] {
            var bytes = framed("35=0|")
            bytes.removeLast(7)
            bytes += fixBytes(trailer)
            let result = decodeStream([bytes + nos])
            XCTAssertEqual(result.items.first, .error(.checkSumMalformed), trailer)
            XCTAssertEqual(result.items.last, .message(nos), trailer)
        }
    }

    func testBodyShorterOrLongerThanBodyLength() {
        let nos = fixBytes(Golden.newOrderSingle)
        // Declares 20, has 5: the early trailer gives it away, before 20 bytes arrive.
        let short = fixBytes("8=FIX.4.4|9=20|35=0|10=000|")
        XCTAssertEqual(decodeStream([short]).items, [.error(.bodyLengthMismatch(declared: 20, actual: 5))])
        XCTAssertEqual(decodeStream([short + nos]).items, [.error(.bodyLengthMismatch(declared: 20, actual: 5)), .message(nos)])
        // Declares 5, has 12.
        let long = fixBytes("8=FIX.4.4|9=5|35=0|112=ab|10=000|")
        XCTAssertEqual(decodeStream([long + nos]).items, [.error(.bodyLengthMismatch(declared: 5, actual: 12)), .message(nos)])
        XCTAssertEqual(decodeStream(long.map { [$0] } + nos.map { [$0] }).items,
                       [.error(.bodyLengthMismatch(declared: 5, actual: 12)), .message(nos)])
        // No trailer anywhere within the maximum: give up on the frame.
        let decoder = FIXFrameDecoder(maximumBodyLength: 10)
        let endless = fixBytes("8=FIX.4.4|9=5|35=0|") + Array(repeating: UInt8(ascii: "x"), count: 40)
        XCTAssertEqual(decodeStream([endless], decoder: decoder).items.first, .error(.bodyLengthMismatch(declared: 5, actual: nil)))
    }

    func testErrorsDescribeThemselves() {
        let e = FIXFramingError(.checkSumMismatch(computed: 57, received: 58), bytesToSkip: 112)
        XCTAssertEqual(e.description, "malformed FIX message: CheckSum (10) is 58, the bytes sum to 57; skipping 112 bytes")
        XCTAssertFalse(e.requiresDisconnect)
    }
}
