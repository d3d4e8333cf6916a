import FIX
import GatewayCore
import XCTest

final class FIXFieldTests: XCTestCase {
    /// Runs `body` with a value holding `text`.
    func value<R>(_ text: String, _ body: (FIXValue) -> R) -> R {
        Array(text.utf8).withUnsafeBytes { body(FIXValue($0)) }
    }

    func testFieldsInOrder() throws {
        let expected: [(Int, String)] = [
            (8, "FIX.4.4"), (9, "87"), (35, "A"), (49, "CLIENT1"), (56, "CIFT"), (34, "1"),
            (52, "20240102-14:30:00.000"), (98, "0"), (108, "30"), (553, "alice"), (554, "secret"), (10, "057"),
        ]
        try withMessage(fixBytes(Golden.logon)) { m in
            var it = m.fields
            var got: [(Int, String)] = []
            while let f = try it.next() { got.append((f.tag, f.value.string)) }
            XCTAssertEqual(got.map(\.0), expected.map(\.0))
            XCTAssertEqual(got.map(\.1), expected.map(\.1))
            var body = m.bodyFields
            XCTAssertEqual(try body.peekTag(), 35)
            XCTAssertEqual(try body.next()?.offset, m.bodyStart)
            XCTAssertEqual(m.firstValue(of: 108)?.int, 30)
            XCTAssertNil(m.firstValue(of: 44))
        }
    }

    func testFieldErrors() {
        func firstError(_ text: String) -> FIXFieldError? {
            fixBytes(text).withUnsafeBytes { raw -> FIXFieldError? in
                var it = FIXFieldIterator(raw)
                do {
                    while try it.next() != nil {}
                    return nil
                } catch { return error as? FIXFieldError }
            }
        }
        XCTAssertEqual(firstError("35=|"), .tagWithoutValue(tag: 35))
        XCTAssertEqual(firstError("35=A|4x=1|"), .invalidTagNumber(offset: 5))
        XCTAssertEqual(firstError("=1|"), .invalidTagNumber(offset: 0))
        XCTAssertEqual(firstError("035=A|"), .invalidTagNumber(offset: 0))
        XCTAssertEqual(firstError("35A|"), .invalidTagNumber(offset: 0))
        XCTAssertEqual(firstError("1234567890=1|"), .invalidTagNumber(offset: 0))
        XCTAssertEqual(firstError("58=abc"), .missingSOH(tag: 58))
        XCTAssertNil(firstError("58=a=b|"))
    }

    func testIntegers() {
        XCTAssertEqual(value("30") { $0.int }, 30)
        XCTAssertEqual(value("-17") { $0.int }, -17)
        XCTAssertEqual(value("007") { $0.int }, 7)
        XCTAssertEqual(value("9223372036854775807") { $0.int }, Int.max)
        XCTAssertEqual(value("-9223372036854775808") { $0.int }, Int.min)
        for bad in ["", "-", "1.0", "+1", "1 ", "9223372036854775808", "x"] {
            XCTAssertNil(value(bad) { $0.int }, bad)
        }
    }

    func testPrices() {
        XCTAssertEqual(value("100") { $0.price }, Price(raw: 1_000_000))
        XCTAssertEqual(value("100.5") { $0.price }, Price(raw: 1_005_000))
        XCTAssertEqual(value("0.0001") { $0.price }, Price(raw: 1))
        XCTAssertEqual(value("150.2500") { $0.price }, Price(raw: 1_502_500))
        XCTAssertEqual(value(".5") { $0.price }, Price(raw: 5_000))
        XCTAssertEqual(value("7.") { $0.price }, Price(raw: 70_000))
        XCTAssertEqual(value("-2.5") { $0.price }, Price(raw: -25_000))
        XCTAssertEqual(value("922337203685477.5807") { $0.price }, Price(raw: Int64.max))
        // More than four decimals is refused, zeros included: the venue never rounds.
        for bad in ["0.00001", "1.00000", "100.12345", "", ".", "-", "1.2.3", "1,5", "1e3", "922337203685477.5808"] {
            XCTAssertNil(value(bad) { $0.price }, bad)
        }
        XCTAssertTrue(value("1.00000") { $0.isDecimal })
        XCTAssertFalse(value("1.0.0") { $0.isDecimal })
    }

    func testCharsAndBooleans() {
        XCTAssertEqual(value("1") { $0.char }, UInt8(ascii: "1"))
        XCTAssertNil(value("12") { $0.char })
        XCTAssertEqual(value("Y") { $0.bool }, true)
        XCTAssertEqual(value("N") { $0.bool }, false)
        XCTAssertNil(value("y") { $0.bool })
        XCTAssertTrue(value("FIX.4.4") { $0.equals("FIX.4.4") })
        XCTAssertFalse(value("FIX.4.4") { $0.equals("FIX.4.2") })
        XCTAssertTrue(value("ORD-1") { $0.equals(bytes: Array("ORD-1".utf8)) })
    }

    func testUTCTimestamps() {
        XCTAssertEqual(value("20240102-14:30:00") { $0.utcTimestamp }, Golden.base)
        XCTAssertEqual(value("20240102-14:30:00.125") { $0.utcTimestamp }, Golden.at(milliseconds: 125))
        XCTAssertEqual(value("19700101-00:00:00.000") { $0.utcTimestamp }, Timestamp.zero)
        XCTAssertEqual(value("20240229-23:59:59.999") { $0.utcTimestamp }?.rawValue, 1_709_251_199_999_000_000)
        XCTAssertEqual(value("19691231-23:59:59") { $0.utcTimestamp }?.rawValue, -1_000_000_000)
        for bad in ["20230229-00:00:00", "20241301-00:00:00", "20240100-00:00:00", "20240102-24:00:00",
                    "20240102-14:60:00", "20240102-14:30:61", "20240102 14:30:00", "20240102-14:30:00.12",
                    "20240102-14:30:00.1234", "2024010-14:30:00.000", "20240102-14:30:00,000"] {
            XCTAssertNil(value(bad) { $0.utcTimestamp }, bad)
        }
    }

    /// Microseconds and nanoseconds, as many engines send on 4.4 sessions.
    func testUTCTimestampFinerFractions() {
        XCTAssertEqual(value("20240102-14:30:00.125001") { $0.utcTimestamp }?.rawValue, Golden.at(milliseconds: 125).rawValue + 1_000)
        XCTAssertEqual(value("20240102-14:30:00.125000007") { $0.utcTimestamp }?.rawValue, Golden.at(milliseconds: 125).rawValue + 7)
        for bad in ["20240102-14:30:00.12345", "20240102-14:30:00.1234567", "20240102-14:30:00.1234567890"] {
            XCTAssertNil(value(bad) { $0.utcTimestamp }, bad)
        }
    }

    /// A time a Timestamp cannot hold (nanoseconds in Int64: 1677-09-21 to 2262-04-11) is
    /// not a value, never an overflow: the fuzzer's `52=99991231-23:59:59` trapped here.
    func testUTCTimestampsOutsideTheRepresentableRange() {
        for bad in ["99991231-23:59:59", "22620411-23:47:17", "22630101-00:00:00.000", "00000101-00:00:00",
                    "16770921-00:12:43", "16000101-00:00:00.000000"] {
            XCTAssertNil(value(bad) { $0.utcTimestamp }, bad)
        }
        XCTAssertEqual(value("22620411-23:47:16") { $0.utcTimestamp }?.rawValue, 9_223_372_036_000_000_000)
        XCTAssertEqual(value("16770921-00:12:44") { $0.utcTimestamp }?.rawValue, -9_223_372_036_000_000_000)
    }

    func testTimestampFormatRoundTrips() {
        var generator = SystemRandomNumberGenerator()
        var out = [UInt8](repeating: 0, count: FIXUTCTimestamp.millisecondsLength)
        for _ in 0..<2000 {
            // 1900 … 2199, whole milliseconds.
            let ms = Int64.random(in: -2_208_988_800_000...7_258_118_399_999, using: &generator)
            let t = Timestamp(rawValue: ms * 1_000_000)
            out.withUnsafeMutableBytes { FIXUTCTimestamp.format(t, into: $0.baseAddress!) }
            XCTAssertEqual(out.withUnsafeBytes { FIXUTCTimestamp.parse($0) }, t)
        }
        out.withUnsafeMutableBytes { FIXUTCTimestamp.format(Golden.at(milliseconds: 123), into: $0.baseAddress!) }
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "20240102-14:30:00.123")
    }

    func testDuplicateTagsOutsideGroups() throws {
        XCTAssertNil(try withMessage(fixBytes(Golden.newOrderSingle)) { try $0.firstDuplicateTag() })
        XCTAssertEqual(try withMessage(framed("35=D|11=A|55=X|11=B|")) { try $0.firstDuplicateTag() }, 11)
        XCTAssertEqual(try withMessage(framed("35=D|5001=A|55=X|5001=B|")) { try $0.firstDuplicateTag() }, 5001)
        let parties = FIXTagSet([448, 447, 452])
        let twoParties = framed("35=D|453=2|448=A|452=1|448=B|452=3|55=X|")
        XCTAssertNil(try withMessage(twoParties) { try $0.firstDuplicateTag(groupMembers: parties) })
        XCTAssertEqual(try withMessage(twoParties) { try $0.firstDuplicateTag() }, 448)
    }

    func testRepeatingGroupReader() throws {
        let layout = FIXGroupLayout(countTag: 453, delimiterTag: 448, memberTags: FIXTagSet([447, 452]))
        func read(_ body: String) throws -> (entries: [[Int]], next: Int?) {
            try withMessage(framed(body)) { m in
                var it = m.bodyFields
                while let f = try it.next(), f.tag != 453 {}
                var reader = FIXGroupReader(layout: layout, count: Int(String(body.split(separator: "|").first { $0.hasPrefix("453=") }!.dropFirst(4)))!)
                var entries: [[Int]] = []
                while let f = try reader.next(from: &it) {
                    if reader.entryIndex == entries.count { entries.append([]) }
                    entries[reader.entryIndex].append(f.tag)
                }
                return (entries, try it.next()?.tag)
            }
        }
        let two = try read("35=D|453=2|448=A|447=D|452=1|448=B|452=3|55=X|")
        XCTAssertEqual(two.entries, [[448, 447, 452], [448, 452]])
        XCTAssertEqual(two.next, 55)
        XCTAssertEqual(try read("35=D|453=0|55=X|").entries, [])
        XCTAssertThrowsError(try read("35=D|453=3|448=A|448=B|55=X|")) {
            XCTAssertEqual($0 as? FIXGroupError, .countMismatch(countTag: 453, declared: 3, found: 2))
        }
        XCTAssertThrowsError(try read("35=D|453=1|448=A|448=B|55=X|")) {
            XCTAssertEqual($0 as? FIXGroupError, .countMismatch(countTag: 453, declared: 1, found: 2))
        }
        XCTAssertThrowsError(try read("35=D|453=1|452=1|448=A|55=X|")) {
            XCTAssertEqual($0 as? FIXGroupError, .outOfOrder(tag: 452))
        }
        XCTAssertThrowsError(try read("35=D|453=1|448=A|452=1|452=3|55=X|")) {
            XCTAssertEqual($0 as? FIXGroupError, .outOfOrder(tag: 452))
        }
    }

    func testTagSet() {
        var set = FIXTagSet()
        XCTAssertTrue(set.insert(0))
        XCTAssertTrue(set.insert(1023))
        XCTAssertFalse(set.insert(1023))
        XCTAssertTrue(set.contains(1023))
        XCTAssertFalse(set.contains(1024))
        XCTAssertFalse(set.contains(-1))
        XCTAssertEqual(set.union(FIXTagSet([64, 65])).tags, [0, 64, 65, 1023])
    }
}
