import FIX
import XCTest

final class FIXValidatorTests: XCTestCase {
    static let validator = FIXValidator(dictionary: fullDictionary)

    let head = "49=CLIENT1|56=CIFT|34=2|52=20240102-14:30:00.123|"
    let order = "11=ORD-1|55=AAPL|54=1|60=20240102-14:30:00.123|38=100|40=2|44=150.25|"

    func validate(_ bytes: [UInt8]) throws -> FIXValidationError? {
        try withMessage(bytes) { Self.validator.validate($0) }
    }

    func check(_ body: String, _ reason: FIXSessionRejectReason?, _ tag: Int?, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try validate(framed(body))
        XCTAssertEqual(result, reason.map { FIXValidationError($0, refTagID: tag) }, body, file: file, line: line)
    }

    func testGoldenMessagesAreValid() throws {
        for text in Golden.all { XCTAssertNil(try validate(fixBytes(text)), text) }
        try check("35=D|" + head + order + "453=2|448=FIRM|447=D|452=1|448=T1|452=12|18=6|59=3|", nil, nil)
        try check("35=D|" + head + order + "18=6 6|", nil, nil)
    }

    func testInvalidTagNumber() throws {
        try check("35=D|" + head + order + "5001=X|", .invalidTagNumber, 5001)
        try check("35=D|" + head + order + "4x=X|", .invalidTagNumber, nil)
    }

    func testRequiredTagMissing() throws {
        try check("35=D|" + head + "11=ORD-1|55=AAPL|54=1|60=20240102-14:30:00.123|38=100|", .requiredTagMissing, 40)
        try check("35=A|49=C|56=V|34=1|98=0|108=30|", .requiredTagMissing, 52)
        try check("49=C|56=V|34=1|", .requiredTagMissing, 35)
    }

    func testTagNotDefinedForMessageType() throws {
        try check("35=A|" + head + "98=0|108=30|44=1|", .tagNotDefinedForMessageType, 44)
        // A group member outside its group.
        try check("35=D|" + head + order + "448=FIRM|", .tagNotDefinedForMessageType, 448)
    }

    func testTagWithoutValue() throws {
        try check("35=D|" + head + order + "58=|", .tagSpecifiedWithoutValue, 58)
    }

    func testValueIsIncorrect() throws {
        try check("35=D|" + head + "11=ORD-1|55=AAPL|54=Z|60=20240102-14:30:00.123|38=100|40=2|", .valueIsIncorrect, 54)
        try check("35=D|" + head + order + "59=9|", .valueIsIncorrect, 59)
        try check("35=D|" + head + order + "18=6 T|", .valueIsIncorrect, 18)
        try check("35=A|" + head + "98=7|108=30|", .valueIsIncorrect, 98)
        // Venue limits are not session rules: five decimals are FIX, the order entry refuses them.
        try check("35=D|" + head + "11=ORD-1|55=AAPL|54=1|60=20240102-14:30:00.123|38=100|40=2|44=150.25001|", nil, nil)
    }

    func testIncorrectDataFormat() throws {
        try check("35=A|" + head + "98=0|108=thirty|", .incorrectDataFormat, 108)
        try check("35=A|49=C|56=V|34=1|52=2024-01-02 14:30|98=0|108=30|", .incorrectDataFormat, 52)
        try check("35=D|" + head + "11=ORD-1|55=AAPL|54=1|60=20240102-14:30:00.123|38=1x|40=2|", .incorrectDataFormat, 38)
        try check("35=D|" + head + order + "59=00|", .incorrectDataFormat, 59)
        try check("35=A|" + head + "98=0|108=30|141=T|", .incorrectDataFormat, 141)
        try check("35=D|" + head + "11=ORD-1|55=AAPL|54=1|60=20240102-14:30:00.123|38=100|40=2|44=1.5.0|", .incorrectDataFormat, 44)
    }

    func testInvalidMsgType() throws {
        try check("35=ZZ|" + head, .invalidMsgType, 35)
        // A FIX 4.4 type the venue does not answer is valid here (the order entry answers 35=j 380=3).
        try check("35=AF|" + head + "584=M1|585=1|", nil, nil)
    }

    func testTagAppearsMoreThanOnce() throws {
        try check("35=D|" + head + order + "55=MSFT|", .tagAppearsMoreThanOnce, 55)
        try check("35=A|" + head + "98=0|108=30|34=3|", .tagAppearsMoreThanOnce, 34)
    }

    func testTagSpecifiedOutOfRequiredOrder() throws {
        try check("49=C|35=A|56=V|34=1|52=20240102-14:30:00.000|98=0|108=30|", .tagSpecifiedOutOfRequiredOrder, 35)
        // A header field after the body has started.
        try check("35=A|49=C|56=V|34=1|98=0|52=20240102-14:30:00.000|108=30|", .tagSpecifiedOutOfRequiredOrder, 52)
    }

    func testRepeatingGroups() throws {
        try check("35=D|" + head + order + "453=2|448=FIRM|452=1|", .incorrectNumInGroupCount, 453)
        try check("35=D|" + head + order + "453=1|452=1|448=FIRM|", .repeatingGroupFieldsOutOfOrder, 452)
        try check("35=D|" + head + order + "453=1|448=FIRM|452=99|", .valueIsIncorrect, 452)
    }

    /// What simplefix-style clients send by default: standard fields the venue does not act on.
    func testStandardFieldsTheVenueDoesNotUseAreValid() throws {
        try check("35=D|" + head + "115=FIRM|128=DESK|" + order + "1=ACC1|21=1|15=USD|207=XNAS|528=A|", nil, nil)
        try check("35=D|49=CLIENT1|56=CIFT|115=FIRM|128=DESK|34=2|52=20240102-14:30:00.123456|" + order + "1=ACC1|21=1|15=USD|207=XNAS|528=A|", nil, nil)
        try check("35=H|" + head + "37=NONE|11=ORD-1|55=AAPL|54=1|790=REQ-1|", nil, nil)
    }

    func testNestedGroups() throws {
        try check("35=D|" + head + order + "453=1|448=FIRM|447=D|452=1|802=2|523=S1|803=1|523=S2|803=2|", nil, nil)
        try check("35=D|" + head + order + "453=1|448=FIRM|802=2|523=S1|", .incorrectNumInGroupCount, 802)
        try check("35=D|" + head + order + "453=1|448=FIRM|802=1|803=1|523=S1|", .repeatingGroupFieldsOutOfOrder, 803)
        // A header group (NoHops).
        try check("35=D|49=CLIENT1|56=CIFT|34=2|52=20240102-14:30:00.123|627=1|628=HUB|629=20240102-14:30:00.000|" + order, nil, nil)
    }

    func testOptions() throws {
        let lenient = FIXValidationOptions(validateUserDefinedFields: false, allowUnknownMessageFields: true,
                                           validateFieldsOutOfOrder: false)
        func check(_ body: String, _ options: FIXValidationOptions, _ expected: FIXValidationError?, line: UInt = #line) throws {
            XCTAssertEqual(try withMessage(framed(body)) { Self.validator.validate($0, options: options) }, expected, line: line)
        }
        // User-defined tags: refused by default, ignored when not validated.
        try check("35=D|" + head + order + "5001=X|", FIXValidationOptions(), FIXValidationError(.invalidTagNumber, refTagID: 5001))
        try check("35=D|" + head + order + "5001=X|", FIXValidationOptions(validateUserDefinedFields: false), nil)
        // Unknown below 5000, and defined but not for the message type.
        try check("35=D|" + head + order + "4999=X|", lenient, nil)
        try check("35=A|" + head + "98=0|108=30|44=1|", lenient, nil)
        try check("35=A|" + head + "98=0|108=30|44=1|", FIXValidationOptions(validateUserDefinedFields: false),
                  FIXValidationError(.tagNotDefinedForMessageType, refTagID: 44))
        // A header field after the body.
        try check("35=A|49=C|56=V|34=1|98=0|52=20240102-14:30:00.000|108=30|", lenient, nil)
    }

    func testErrorDescription() {
        XCTAssertEqual(FIXValidationError(.requiredTagMissing, refTagID: 38).description, "Required tag missing (373=1), RefTagID 38")
    }
}
