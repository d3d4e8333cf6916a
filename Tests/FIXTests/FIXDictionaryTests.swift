import FIX
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

final class FIXDictionaryTests: XCTestCase {
    /// The complete FIX 4.4 dictionary: every message and field, components expanded,
    /// nested groups kept.
    func testCompleteDictionaryLoads() throws {
        let d = fullDictionary
        XCTAssertEqual(d.messagesByPackedType.count, 93)
        XCTAssertEqual(d.fieldsByNumber.compactMap { $0 }.count, 912)
        for type in ["0", "1", "2", "3", "4", "5", "A", "D", "F", "G", "H", "q", "r", "8", "9", "j", "AE", "AF", "d"] {
            XCTAssertNotNil(d.message(type: type), type)
        }
        XCTAssertNil(d.message(type: "ZZ"))
        XCTAssertEqual(d.headerRequiredTags, [8, 9, 35, 49, 56, 34, 52])
        XCTAssertTrue(d.headerTags.contains(115) && d.headerTags.contains(128) && d.headerTags.contains(627))
        XCTAssertEqual(d.headerGroups.map(\.layout.countTag), [627])
        XCTAssertEqual(d.trailerRequiredTags, [10])

        let logon = try XCTUnwrap(d.message(type: "A"))
        XCTAssertTrue(logon.isAdministrative)
        XCTAssertEqual(logon.requiredTags, [98, 108])

        let order = try XCTUnwrap(d.message(type: "D"))
        XCTAssertFalse(order.isAdministrative)
        // QuickFIX marks Symbol (in Instrument) and OrderQty (in OrderQtyData) optional:
        // the order entry refuses an order without them.
        XCTAssertEqual(order.requiredTags, [11, 54, 60, 40])
        for tag in [1, 15, 21, 38, 44, 59, 207, 528] { XCTAssertTrue(order.allowedTags.contains(tag), "\(tag)") }
        let parties = try XCTUnwrap(order.group(countTag: 453))
        XCTAssertEqual(parties.layout.delimiterTag, 448)
        XCTAssertEqual(parties.nested.map(\.layout.countTag), [802])
        XCTAssertTrue(parties.layout.memberTags.contains(802))
        XCTAssertFalse(order.allowedTags.contains(448))
        XCTAssertTrue(try XCTUnwrap(d.message(type: "H")).allowedTags.contains(790))

        XCTAssertEqual(d.field(54)?.format, .char)
        XCTAssertEqual(d.field(18)?.format, .multipleValues)
        XCTAssertEqual(d.field(44)?.format, .price)
        XCTAssertEqual(d.field(38)?.format, .decimal)
        XCTAssertEqual(d.field(52)?.format, .utcTimestamp)
        XCTAssertEqual(d.field(553)?.name, "Username")
        XCTAssertEqual(d.field(233)?.longAllowedValues.isEmpty, false)  // StipulationType: enums over 8 bytes
        XCTAssertNil(d.field(5001))
    }

    /// The venue's order-entry profile: a subset of the complete dictionary (same numbers
    /// and types), answering exactly the message types FIXOrderEntry and the session layer
    /// handle.
    func testProfileIsASubsetOfTheCompleteDictionaryAndMatchesWhatTheVenueHandles() throws {
        let profile = try FIXDictionaryLoader.load(contentsOf: profileURL)
        let full = fullDictionary
        for field in profile.fieldsByNumber.compactMap({ $0 }) {
            let same = try XCTUnwrap(full.field(field.number), field.name)
            XCTAssertEqual(same.name, field.name)
            // FIX 4.4 types MassCancelRejectReason CHAR yet lists 99 (Other), which the venue sends.
            if field.number != 532 { XCTAssertEqual(same.format, field.format, field.name) }
            for value in field.allowedValueNames { XCTAssertTrue(same.allowedValueNames.contains(value), "\(field.name) \(value)") }
        }
        var types: [String] = []
        for message in profile.messagesByPackedType.values {
            let same = try XCTUnwrap(full.message(type: message.msgType), message.name)
            XCTAssertEqual(same.name, message.name)
            for tag in message.allowedTags.tags { XCTAssertTrue(same.allowedTags.contains(tag), "\(message.name) \(tag)") }
            types.append(message.msgType)
        }
        // Inbound D F G H q (FIXOrderEntry.received), outbound 8 9 r j, and the session layer.
        XCTAssertEqual(Set(types), ["0", "1", "2", "3", "4", "5", "A", "D", "F", "G", "H", "q", "8", "9", "r", "j"])
        XCTAssertEqual(Set(FIXOrderEntry.answeredMessageTypes), ["D", "F", "G", "H", "q"])
    }

    func testDictionariesAreWellFormedXML() throws {
        for url in [dictionaryURL, profileURL] {
            XCTAssertNoThrow(try XMLDocument(data: Data(contentsOf: url)), url.path)
        }
    }

    /// xmllint comes from Debian's libxml2-utils (scripts/install-deps.sh).
    func testXmllintAcceptsTheDictionaries() throws {
        for url in [dictionaryURL, profileURL] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["xmllint", "--noout", url.path]
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            process.waitUntilExit()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            XCTAssertEqual(process.terminationStatus, 0, "xmllint: " + message)
        }
    }

    func testComponentsAndNestedGroupsExpand() throws {
        let xml = """
            <fix major="4" minor="4"><header/><trailer/><messages>
            <message name="N" msgtype="D" msgcat="app"><field name="A" required="Y"/><component name="C" required="N"/></message>
            </messages><components>
            <component name="C"><field name="B" required="Y"/><group name="NoG" required="N"><field name="E" required="Y"/><group name="NoH" required="N"><field name="F" required="N"/></group></group></component>
            </components><fields>
            <field number="1" name="A" type="STRING"/><field number="2" name="B" type="STRING"/>
            <field number="3" name="NoG" type="NUMINGROUP"/><field number="4" name="E" type="STRING"/>
            <field number="5" name="NoH" type="NUMINGROUP"/><field number="6" name="F" type="STRING"/>
            </fields></fix>
            """
        let d = try FIXDictionaryLoader.load(data: Data(xml.utf8))
        let m = try XCTUnwrap(d.message(type: "D"))
        XCTAssertEqual(m.requiredTags, [1])  // B is required only inside an optional component
        XCTAssertEqual(m.allowedTags.tags, [1, 2, 3])
        let g = try XCTUnwrap(m.group(countTag: 3))
        XCTAssertEqual(g.layout.delimiterTag, 4)
        XCTAssertEqual(g.layout.memberTags.tags, [4, 5])
        XCTAssertEqual(g.nested.first?.layout.memberTags.tags, [6])
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
        XCTAssertNil(load("<fields><field number=\"58\" name=\"Text\" type=\"STRING\"><value enum=\"LONGERTHAN8\" description=\"X\"/></field></fields>"))
        XCTAssertNotNil(load("<fields><field number=\"58\""))
    }
}
