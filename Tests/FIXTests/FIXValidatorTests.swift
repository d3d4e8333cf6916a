import FIX
import XCTest

final class FIXValidatorTests: XCTestCase {
    static let validator = FIXValidator(dictionary: try! FIXDictionaryLoader.load(contentsOf: dictionaryURL))

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
        try check("35=D|" + head + "11=ORD-1|55=AAPL|54=1|60=20240102-14:30:00.123|40=2|", .requiredTagMissing, 38)
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
        try check("35=D|" + head + "11=ORD-1|55=AAPL|54=3|60=20240102-14:30:00.123|38=100|40=2|", .valueIsIncorrect, 54)
        try check("35=D|" + head + order + "59=6|", .valueIsIncorrect, 59)
        try check("35=D|" + head + order + "18=6 G|", .valueIsIncorrect, 18)
        try check("35=D|" + head + "11=ORD-1|55=AAPL|54=1|60=20240102-14:30:00.123|38=100|40=2|44=150.25001|", .valueIsIncorrect, 44)
        try check("35=A|" + head + "98=1|108=30|", .valueIsIncorrect, 98)
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
        try check("35=AE|" + head, .invalidMsgType, 35)
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
        try check("35=D|" + head + order + "453=1|448=FIRM|452=7|", .valueIsIncorrect, 452)
    }

    func testErrorDescription() {
        XCTAssertEqual(FIXValidationError(.requiredTagMissing, refTagID: 38).description, "Required tag missing (373=1), RefTagID 38")
    }
}
