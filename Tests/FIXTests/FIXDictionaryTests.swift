import FIX
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

final class FIXDictionaryTests: XCTestCase {
    func testCommittedDictionaryLoads() throws {
        let d = try FIXDictionaryLoader.load(contentsOf: dictionaryURL)
        XCTAssertEqual(d.messagesByPackedType.count, 16)
        for type in ["0", "1", "2", "3", "4", "5", "A", "D", "F", "G", "H", "q", "r", "8", "9", "j"] {
            XCTAssertNotNil(d.message(type: type), type)
        }
        XCTAssertNil(d.message(type: "AE"))
        XCTAssertEqual(d.headerRequiredTags, [8, 9, 35, 49, 56, 34, 52])
        XCTAssertEqual(d.trailerRequiredTags, [10])

        let logon = try XCTUnwrap(d.message(type: "A"))
        XCTAssertTrue(logon.isAdministrative)
        XCTAssertEqual(logon.requiredTags, [98, 108])
        XCTAssertEqual(logon.allowedTags.tags, [98, 108, 141, 553, 554])

        let order = try XCTUnwrap(d.message(type: "D"))
        XCTAssertFalse(order.isAdministrative)
        XCTAssertEqual(order.requiredTags, [11, 55, 54, 60, 38, 40])
        XCTAssertEqual(order.groups.map(\.layout), [FIXGroupLayout(countTag: 453, delimiterTag: 448, memberTags: FIXTagSet([447, 452]))])
        XCTAssertEqual(d.message(type: "8")?.requiredTags, [37, 17, 150, 39, 55, 54, 151, 14, 6])

        XCTAssertEqual(d.field(54)?.allowedValueNames, ["1", "2", "5", "6"])
        XCTAssertEqual(d.field(40)?.allowedValueNames, ["1", "2"])
        XCTAssertEqual(d.field(59)?.allowedValueNames, ["0", "1", "3", "4"])
        XCTAssertEqual(d.field(18)?.allowedValueNames, ["6"])
        XCTAssertEqual(d.field(18)?.format, .multipleValues)
        XCTAssertEqual(d.field(44)?.format, .price)
        XCTAssertEqual(d.field(38)?.format, .decimal)
        XCTAssertEqual(d.field(52)?.format, .utcTimestamp)
        XCTAssertEqual(d.field(553)?.name, "Username")
        XCTAssertNil(d.field(5001))
    }

    func testCommittedDictionaryIsWellFormedXML() throws {
        let data = try Data(contentsOf: dictionaryURL)
        XCTAssertNoThrow(try XMLDocument(data: data))
    }

    /// xmllint comes from Debian's libxml2-utils (scripts/install-deps.sh).
    func testXmllintAcceptsTheDictionary() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["xmllint", "--noout", dictionaryURL.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, "xmllint: " + message)
    }

    func testLoaderRefusesBrokenDictionaries() {
        func load(_ body: String, major: String = "4") -> Error? {
            let xml = "<fix major=\"\(major)\" minor=\"4\">" + body + "</fix>"
            do {
                _ = try FIXDictionaryLoader.load(data: Data(xml.utf8))
                return nil
            } catch { return error }
        }
        let fields = "<fields><field number=\"58\" name=\"Text\" type=\"STRING\"/></fields>"
        XCTAssertNil(load("<header/><trailer/><messages><message name=\"Logout\" msgtype=\"5\" msgcat=\"admin\"><field name=\"Text\" required=\"N\"/></message></messages>" + fields))
        XCTAssertNotNil(load("<messages/>" + fields, major: "5"))
        XCTAssertNotNil(load("<messages><message name=\"Logout\" msgtype=\"5\" msgcat=\"admin\"><field name=\"Nope\" required=\"N\"/></message></messages>" + fields))
        XCTAssertNotNil(load("<messages><message name=\"Logout\" msgtype=\"5\" msgcat=\"admin\"><component name=\"X\" required=\"N\"/></message></messages>" + fields))
        XCTAssertNotNil(load("<fields><field number=\"2000\" name=\"Big\" type=\"STRING\"/></fields>"))
        XCTAssertNotNil(load("<fields><field number=\"58\" name=\"Text\" type=\"STRING\"/><field number=\"58\" name=\"Text2\" type=\"STRING\"/></fields>"))
        XCTAssertNotNil(load("<fields><field number=\"58\" name=\"Text\" type=\"STRING\"><value enum=\"TOOLONGVALUE\" description=\"X\"/></field></fields>"))
        XCTAssertNotNil(load("<fields><field number=\"58\""))
    }
}
