import FIX
import GatewayCore
import XCTest

final class FIXEncoderTests: XCTestCase {
    /// Encodes into a fresh buffer of `capacity` bytes and returns the message.
    func encode(capacity: Int = 1024, _ build: (inout FIXEncoder) -> Void) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0xEE, count: capacity)
        return try buffer.withUnsafeMutableBytes { raw in
            var encoder = FIXEncoder(buffer: raw)
            build(&encoder)
            let n = try encoder.finish()
            return Array(raw[0..<n])
        }
    }

    func header(_ e: inout FIXEncoder, _ type: StaticString, sender: StaticString, target: StaticString, seq: Int, ms: Int64) {
        e.begin(msgType: type)
        e.append(49, ascii: sender)
        e.append(56, ascii: target)
        e.append(34, int: seq)
        e.append(52, timestamp: Golden.at(milliseconds: ms))
    }

    func testGoldenLogon() throws {
        let bytes = try encode { e in
            header(&e, "A", sender: "CLIENT1", target: "CIFT", seq: 1, ms: 0)
            e.append(98, int: 0)
            e.append(108, int: 30)
            e.append(553, bytes: "alice".utf8)
            e.append(554, bytes: "secret".utf8)
        }
        XCTAssertEqual(bytes, fixBytes(Golden.logon))
    }

    func testGoldenNewOrderSingle() throws {
        let bytes = try encode { e in
            header(&e, "D", sender: "CLIENT1", target: "CIFT", seq: 2, ms: 123)
            e.append(11, clientOrderID: ClientOrderID("ORD-1")!)
            e.append(1, ascii: "ACC1")
            e.append(18, char: UInt8(ascii: "6"))
            e.append(55, ascii: "AAPL")
            e.append(54, char: UInt8(ascii: "1"))
            e.append(60, timestamp: Golden.at(milliseconds: 123))
            e.append(38, int: 100)
            e.append(40, char: UInt8(ascii: "2"))
            e.append(44, price: Price(raw: 1_502_500))
            e.append(59, char: UInt8(ascii: "0"))
        }
        XCTAssertEqual(bytes, fixBytes(Golden.newOrderSingle))
    }

    func testGoldenExecutionReport() throws {
        let bytes = try encode { e in
            header(&e, "8", sender: "CIFT", target: "CLIENT1", seq: 2, ms: 125)
            e.append(37, int: 42)
            e.append(11, clientOrderID: ClientOrderID("ORD-1")!)
            e.append(17, ascii: "E-1")
            e.append(150, char: UInt8(ascii: "0"))
            e.append(39, char: UInt8(ascii: "0"))
            e.append(55, ascii: "AAPL")
            e.append(54, char: UInt8(ascii: "1"))
            e.append(38, int: 100)
            e.append(40, char: UInt8(ascii: "2"))
            e.append(44, price: Price(raw: 1_502_500))
            e.append(151, int: 100)
            e.append(14, int: 0)
            e.append(6, price: .zero)
            e.append(60, timestamp: Golden.at(milliseconds: 125))
        }
        XCTAssertEqual(bytes, fixBytes(Golden.executionReport))
    }

    func testPricesAreTrimmedFIXDecimals() throws {
        let cases: [(Int64, String)] = [
            (1_000_000, "100"), (1_005_000, "100.5"), (1, "0.0001"), (1_502_500, "150.25"), (0, "0"),
            (12_345, "1.2345"), (-25_000, "-2.5"), (10, "0.001"), (Int64.max, "922337203685477.5807"),
        ]
        for (raw, text) in cases {
            let bytes = try encode { e in
                e.begin(msgType: "0")
                e.append(44, price: Price(raw: raw))
            }
            try withMessage(bytes) { m in
                XCTAssertEqual(m.firstValue(of: 44)?.string, text)
                XCTAssertEqual(m.firstValue(of: 44)?.price, Price(raw: raw))
            }
        }
    }

    func testRoundTripThroughTheDecoder() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let seq = Int.random(in: 1...9_999_999, using: &generator)
            let price = Price(raw: Int64.random(in: 0...10_000_000_000, using: &generator))
            let qty = Int.random(in: -1000...1_000_000_000, using: &generator)
            let time = Golden.at(milliseconds: Int64.random(in: 0...10_000_000_000, using: &generator))
            let textLength = Int.random(in: 1...300, using: &generator)
            let text = (0..<textLength).map { _ in UInt8.random(in: 0x20...0x7E, using: &generator) }
            let bytes = try encode { e in
                e.begin(msgType: "D")
                e.append(34, int: seq)
                e.append(44, price: price)
                e.append(38, int: qty)
                e.append(60, timestamp: time)
                e.append(58, bytes: text)
                e.append(43, bool: true)
            }
            try withMessage(bytes) { m in
                XCTAssertEqual(m.length, bytes.count)
                XCTAssertTrue(m.msgType?.equals("D") ?? false)
                var it = m.bodyFields
                _ = try it.next()
                XCTAssertEqual(try it.next()?.value.int, seq)
                XCTAssertEqual(try it.next()?.value.price, price)
                XCTAssertEqual(try it.next()?.value.int, qty)
                XCTAssertEqual(try it.next()?.value.utcTimestamp, time)
                XCTAssertEqual(try it.next().map { Array($0.value.bytes) }, text)
                XCTAssertEqual(try it.next()?.value.bool, true)
                XCTAssertTrue(it.isAtEnd)
            }
        }
    }

    func testBufferReuseAndCopiedValues() throws {
        var buffer = [UInt8](repeating: 0, count: 256)
        let original = fixBytes(Golden.logon)
        try buffer.withUnsafeMutableBytes { raw in
            var e = FIXEncoder(buffer: raw)
            for seq in 1...3 {
                e.begin(msgType: "0")
                e.append(34, int: seq)
                let n = try e.finish()
                try withMessage(Array(raw[0..<n])) { XCTAssertEqual($0.firstValue(of: 34)?.int, seq) }
            }
            // A received value copied into a reply.
            try withMessage(original) { m in
                e.begin(msgType: "0")
                e.append(112, value: m.firstValue(of: 553)!)
            }
            let n = try e.finish()
            try withMessage(Array(raw[0..<n])) { XCTAssertEqual($0.firstValue(of: 112)?.string, "alice") }
        }
    }

    func testErrors() {
        XCTAssertThrowsError(try encode { _ in }) { XCTAssertEqual($0 as? FIXEncodingError, .notBegun) }
        XCTAssertThrowsError(try encode { e in e.begin(msgType: "0"); e.append(58, bytes: [UInt8]()) }) {
            XCTAssertEqual($0 as? FIXEncodingError, .invalidValue(tag: 58))
        }
        XCTAssertThrowsError(try encode { e in e.begin(msgType: "0"); e.append(58, bytes: [0x41, 0x01]) }) {
            XCTAssertEqual($0 as? FIXEncodingError, .invalidValue(tag: 58))
        }
        XCTAssertThrowsError(try encode { e in e.begin(msgType: "0"); e.append(11, clientOrderID: .empty) }) {
            XCTAssertEqual($0 as? FIXEncodingError, .invalidValue(tag: 11))
        }
        XCTAssertThrowsError(try encode(capacity: 40) { e in
            e.begin(msgType: "0")
            e.append(58, bytes: Array(repeating: UInt8(ascii: "x"), count: 30))
        }) { XCTAssertEqual($0 as? FIXEncodingError, .bufferTooSmall(capacity: 40)) }
        // Exactly enough room: 8=FIX.4.4|9=5|35=0|10=163| is 26 bytes.
        XCTAssertEqual(try? encode(capacity: 26) { $0.begin(msgType: "0") }, framed("35=0|"))
        XCTAssertThrowsError(try encode(capacity: 25) { $0.begin(msgType: "0") })
    }
}
