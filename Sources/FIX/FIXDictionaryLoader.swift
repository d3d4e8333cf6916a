import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// A dictionary file that cannot be used.
public struct FIXDictionaryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "FIX dictionary: " + message }
}

/// Reads a FIX data dictionary in QuickFIX's XML format (`<fix major="4" minor="4">`
/// with `<header>`, `<trailer>`, `<messages>`, `<components>` and `<fields>`) into a
/// ``FIXDictionary``. Runs once at start-up, so Foundation's XMLParser is fine.
///
/// Supported: fields and repeating groups (one level) inside messages. Components
/// are not: the venue's dictionary has none, and a `<component>` reference is an
/// error rather than silently ignored. Field numbers must be below
/// ``FIXTagSet/capacity``; enumerated values at most eight bytes.
public enum FIXDictionaryLoader {
    public static func load(contentsOf url: URL) throws -> FIXDictionary {
        try load(data: Data(contentsOf: url))
    }

    public static func load(data: Data) throws -> FIXDictionary {
        let parser = XMLParser(data: data)
        let collector = Collector()
        parser.delegate = collector
        guard parser.parse() else {
            if let problem = collector.problem { throw problem }
            throw FIXDictionaryError(
                "XML error at line \(parser.lineNumber): \(parser.parserError.map { "\($0)" } ?? "unknown")")
        }
        if let problem = collector.problem { throw problem }
        guard collector.major == "4", collector.minor == "4" else {
            throw FIXDictionaryError("not a FIX 4.4 dictionary (major \(collector.major ?? "-"), minor \(collector.minor ?? "-"))")
        }
        return try resolve(collector)
    }

    // MARK: Resolving names to numbers

    static func resolve(_ c: Collector) throws -> FIXDictionary {
        var fieldsByNumber = [FIXDictionary.Field?](repeating: nil, count: FIXTagSet.capacity)
        var numbersByName: [String: Int] = [:]
        for f in c.fields {
            guard f.number > 0, f.number < FIXTagSet.capacity else {
                throw FIXDictionaryError("field \(f.name) has number \(f.number), outside 1..<\(FIXTagSet.capacity)")
            }
            guard fieldsByNumber[f.number] == nil, numbersByName[f.name] == nil else {
                throw FIXDictionaryError("field \(f.name) (\(f.number)) is defined twice")
            }
            var packed = Set<UInt64>()
            for value in f.values {
                guard let key = FIXDictionary.pack(Array(value.utf8)) else {
                    throw FIXDictionaryError("field \(f.name): enum value \"\(value)\" is empty or longer than 8 bytes")
                }
                packed.insert(key)
            }
            fieldsByNumber[f.number] = FIXDictionary.Field(
                number: f.number, name: f.name, type: f.type, format: FIXValueFormat(quickFIXType: f.type),
                allowedValues: packed, allowedValueNames: f.values)
            numbersByName[f.name] = f.number
        }
        func number(_ name: String, in context: String) throws -> Int {
            guard let n = numbersByName[name] else {
                throw FIXDictionaryError("\(context) refers to field \(name), which <fields> does not define")
            }
            return n
        }

        var headerRequired: [Int] = []
        var headerTags = FIXTagSet()
        for ref in c.header {
            let n = try number(ref.name, in: "<header>")
            headerTags.insert(n)
            if ref.required { headerRequired.append(n) }
        }
        var trailerRequired: [Int] = []
        var trailerTags = FIXTagSet()
        for ref in c.trailer {
            let n = try number(ref.name, in: "<trailer>")
            trailerTags.insert(n)
            if ref.required { trailerRequired.append(n) }
        }

        var messages: [UInt64: FIXDictionary.Message] = [:]
        for m in c.messages {
            let context = "message \(m.name)"
            guard let key = FIXDictionary.pack(Array(m.msgType.utf8)) else {
                throw FIXDictionaryError("\(context) has an invalid msgtype \"\(m.msgType)\"")
            }
            guard messages[key] == nil else { throw FIXDictionaryError("msgtype \(m.msgType) is defined twice") }
            var required: [Int] = []
            var allowed = FIXTagSet()
            var groups: [FIXDictionary.Group] = []
            for ref in m.fields {
                let n = try number(ref.name, in: context)
                guard allowed.insert(n) else { throw FIXDictionaryError("\(context) lists \(ref.name) twice") }
                if ref.required { required.append(n) }
            }
            for g in m.groups {
                let count = try number(g.name, in: context)
                guard fieldsByNumber[count]?.format == .integer else {
                    throw FIXDictionaryError("\(context): group \(g.name) is not a NUMINGROUP field")
                }
                guard let first = g.fields.first else { throw FIXDictionaryError("\(context): group \(g.name) is empty") }
                var members = FIXTagSet()
                for ref in g.fields { members.insert(try number(ref.name, in: "\(context) group \(g.name)")) }
                guard allowed.insert(count) else { throw FIXDictionaryError("\(context) lists \(g.name) twice") }
                if g.required { required.append(count) }
                groups.append(FIXDictionary.Group(
                    name: g.name,
                    layout: FIXGroupLayout(
                        countTag: count, delimiterTag: try number(first.name, in: context), memberTags: members),
                    isRequired: g.required))
            }
            messages[key] = FIXDictionary.Message(
                name: m.name, msgType: m.msgType, isAdministrative: m.category == "admin",
                requiredTags: required, allowedTags: allowed, groups: groups)
        }
        return FIXDictionary(
            headerRequiredTags: headerRequired, headerTags: headerTags,
            trailerRequiredTags: trailerRequired, trailerTags: trailerTags,
            fieldsByNumber: fieldsByNumber, messagesByPackedType: messages)
    }

    // MARK: Collecting the XML

    struct FieldRef { var name: String; var required: Bool }
    struct GroupDefinition { var name: String; var required: Bool; var fields: [FieldRef] = [] }
    struct MessageDefinition {
        var name: String
        var msgType: String
        var category: String
        var fields: [FieldRef] = []
        var groups: [GroupDefinition] = []
    }
    struct FieldDefinition { var number: Int; var name: String; var type: String; var values: [String] = [] }

    final class Collector: NSObject, XMLParserDelegate {
        enum Section { case none, header, trailer, messages, components, fields }
        var major: String?
        var minor: String?
        var section = Section.none
        var header: [FieldRef] = []
        var trailer: [FieldRef] = []
        var messages: [MessageDefinition] = []
        var fields: [FieldDefinition] = []
        var group: GroupDefinition?
        var problem: FIXDictionaryError?

        func fail(_ parser: XMLParser, _ text: String) {
            if problem == nil { problem = FIXDictionaryError("line \(parser.lineNumber): " + text) }
            parser.abortParsing()
        }

        func parser(
            _ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
            attributes a: [String: String] = [:]
        ) {
            switch (section, element) {
            case (.none, "fix"):
                major = a["major"]
                minor = a["minor"]
            case (.none, "header"): section = .header
            case (.none, "trailer"): section = .trailer
            case (.none, "messages"): section = .messages
            case (.none, "components"): section = .components
            case (.none, "fields"): section = .fields
            case (.header, "field"), (.trailer, "field"), (.messages, "field"):
                guard let name = a["name"], let required = a["required"], required == "Y" || required == "N" else {
                    return fail(parser, "<field> needs name and required=\"Y\"|\"N\"")
                }
                let ref = FieldRef(name: name, required: required == "Y")
                if section == .header {
                    header.append(ref)
                } else if section == .trailer {
                    trailer.append(ref)
                } else if group != nil {
                    group!.fields.append(ref)
                } else if !messages.isEmpty {
                    messages[messages.count - 1].fields.append(ref)
                } else {
                    fail(parser, "<field> outside a <message>")
                }
            case (.messages, "message"):
                guard let name = a["name"], let type = a["msgtype"], let category = a["msgcat"] else {
                    return fail(parser, "<message> needs name, msgtype and msgcat")
                }
                messages.append(MessageDefinition(name: name, msgType: type, category: category))
            case (.messages, "group"):
                guard group == nil, !messages.isEmpty else { return fail(parser, "nested or misplaced <group>") }
                guard let name = a["name"], let required = a["required"] else {
                    return fail(parser, "<group> needs name and required")
                }
                group = GroupDefinition(name: name, required: required == "Y")
            case (.fields, "field"):
                guard let text = a["number"], let number = Int(text), let name = a["name"], let type = a["type"] else {
                    return fail(parser, "<field> in <fields> needs number, name and type")
                }
                fields.append(FieldDefinition(number: number, name: name, type: type))
            case (.fields, "value"):
                guard let value = a["enum"], !fields.isEmpty else { return fail(parser, "<value> needs enum") }
                fields[fields.count - 1].values.append(value)
            case (_, "component"):
                fail(parser, "components are not supported")
            default:
                fail(parser, "unexpected <\(element)>")
            }
        }

        func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
            switch element {
            case "header", "trailer", "messages", "components", "fields": section = .none
            case "group":
                if let g = group, !messages.isEmpty { messages[messages.count - 1].groups.append(g) }
                group = nil
            default: break
            }
        }
    }
}
