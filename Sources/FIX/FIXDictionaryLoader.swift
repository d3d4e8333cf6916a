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
/// Components are expanded where they are referenced (a component that is not
/// required makes its required fields optional); groups may nest, in messages,
/// components and the header. Field numbers must be below ``FIXTagSet/capacity``.
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

    /// A message body, a group entry or the header with its components expanded.
    struct Body {
        var required: [Int] = []
        var allowed = FIXTagSet()
        var groups: [FIXDictionary.Group] = []
        /// The first field in document order (a group's delimiter).
        var first: Int?
    }

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
            var long: [[UInt8]] = []
            for value in f.values {
                let bytes = Array(value.utf8)
                guard !bytes.isEmpty, !bytes.contains(0), !bytes.contains(FIXByte.soh) else {
                    throw FIXDictionaryError("field \(f.name): enum value \"\(value)\" is empty or holds NUL/SOH")
                }
                if let key = FIXDictionary.pack(bytes) { packed.insert(key) } else { long.append(bytes) }
            }
            fieldsByNumber[f.number] = FIXDictionary.Field(
                number: f.number, name: f.name, type: f.type, format: FIXValueFormat(quickFIXType: f.type),
                allowedValues: packed, longAllowedValues: long, allowedValueNames: f.values)
            numbersByName[f.name] = f.number
        }
        func number(_ name: String, in context: String) throws -> Int {
            guard let n = numbersByName[name] else {
                throw FIXDictionaryError("\(context) refers to field \(name), which <fields> does not define")
            }
            return n
        }
        var componentsByName: [String: [Item]] = [:]
        for (name, items) in c.components {
            guard componentsByName[name] == nil else { throw FIXDictionaryError("component \(name) is defined twice") }
            componentsByName[name] = items
        }

        /// Adds `items` to `body`; `required` is false inside an optional component.
        func expand(_ items: [Item], required: Bool, into body: inout Body, context: String, depth: Int) throws {
            guard depth < 16 else { throw FIXDictionaryError("\(context): components nest too deep (a cycle?)") }
            for item in items {
                switch item {
                case .field(let name, let isRequired):
                    let n = try number(name, in: context)
                    guard body.allowed.insert(n) else { throw FIXDictionaryError("\(context) lists \(name) twice") }
                    if isRequired && required { body.required.append(n) }
                    if body.first == nil { body.first = n }
                case .component(let name, let isRequired):
                    guard let inner = componentsByName[name] else {
                        throw FIXDictionaryError("\(context) refers to component \(name), which <components> does not define")
                    }
                    try expand(inner, required: required && isRequired, into: &body, context: "\(context) component \(name)",
                               depth: depth + 1)
                case .group(let name, let isRequired, let members):
                    let count = try number(name, in: context)
                    guard fieldsByNumber[count]?.format == .integer else {
                        throw FIXDictionaryError("\(context): group \(name) is not a NUMINGROUP field")
                    }
                    var entry = Body()
                    try expand(members, required: true, into: &entry, context: "\(context) group \(name)", depth: depth + 1)
                    guard let delimiter = entry.first else { throw FIXDictionaryError("\(context): group \(name) is empty") }
                    guard body.allowed.insert(count) else { throw FIXDictionaryError("\(context) lists \(name) twice") }
                    if isRequired && required { body.required.append(count) }
                    if body.first == nil { body.first = count }
                    body.groups.append(FIXDictionary.Group(
                        name: name,
                        layout: FIXGroupLayout(countTag: count, delimiterTag: delimiter, memberTags: entry.allowed),
                        isRequired: isRequired && required, nested: entry.groups,
                        requiredTags: entry.required.filter { $0 != delimiter }))
                }
            }
        }

        var header = Body()
        try expand(c.header, required: true, into: &header, context: "<header>", depth: 0)
        var trailer = Body()
        try expand(c.trailer, required: true, into: &trailer, context: "<trailer>", depth: 0)

        var messages: [UInt64: FIXDictionary.Message] = [:]
        for m in c.messages {
            let context = "message \(m.name)"
            guard let key = FIXDictionary.pack(Array(m.msgType.utf8)) else {
                throw FIXDictionaryError("\(context) has an invalid msgtype \"\(m.msgType)\"")
            }
            guard messages[key] == nil else { throw FIXDictionaryError("msgtype \(m.msgType) is defined twice") }
            var body = Body()
            try expand(m.items, required: true, into: &body, context: context, depth: 0)
            messages[key] = FIXDictionary.Message(
                name: m.name, msgType: m.msgType, isAdministrative: m.category == "admin",
                requiredTags: body.required, allowedTags: body.allowed, groups: body.groups,
                groupCountTags: FIXTagSet(body.groups.map(\.layout.countTag)))
        }
        return FIXDictionary(
            headerRequiredTags: header.required, headerTags: header.allowed, headerGroups: header.groups,
            trailerRequiredTags: trailer.required, trailerTags: trailer.allowed,
            fieldsByNumber: fieldsByNumber, messagesByPackedType: messages)
    }

    // MARK: Collecting the XML

    /// What `<message>`, `<component>`, `<group>`, `<header>` and `<trailer>` hold.
    indirect enum Item {
        case field(String, required: Bool)
        case component(String, required: Bool)
        case group(String, required: Bool, [Item])
    }
    struct MessageDefinition {
        var name: String
        var msgType: String
        var category: String
        var items: [Item] = []
    }
    struct FieldDefinition { var number: Int; var name: String; var type: String; var values: [String] = [] }

    final class Collector: NSObject, XMLParserDelegate {
        enum Section { case none, header, trailer, messages, components, fields }
        var major: String?
        var minor: String?
        var section = Section.none
        var header: [Item] = []
        var trailer: [Item] = []
        var messages: [MessageDefinition] = []
        var components: [(String, [Item])] = []
        var fields: [FieldDefinition] = []
        /// Open containers: the innermost last. Each is a list of items being filled,
        /// with the group's name and required flag (nil name: a message, component,
        /// header or trailer).
        var open: [(name: String?, required: Bool, items: [Item])] = []
        var problem: FIXDictionaryError?
        /// `<component>` elements open in `<components>`: 1 inside a definition, more
        /// inside a reference (which XMLParser also reports as ended).
        var componentDepth = 0

        func fail(_ parser: XMLParser, _ text: String) {
            if problem == nil { problem = FIXDictionaryError("line \(parser.lineNumber): " + text) }
            parser.abortParsing()
        }

        func required(_ a: [String: String]) -> Bool? {
            switch a["required"] {
            case "Y": true
            case "N": false
            default: nil
            }
        }

        func parser(
            _ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
            attributes a: [String: String] = [:]
        ) {
            if section == .components && element == "component" { componentDepth += 1 }
            switch (section, element) {
            case (.none, "fix"):
                major = a["major"]
                minor = a["minor"]
            case (.none, "header"):
                section = .header
                open = [(nil, true, [])]
            case (.none, "trailer"):
                section = .trailer
                open = [(nil, true, [])]
            case (.none, "messages"): section = .messages
            case (.none, "components"): section = .components
            case (.none, "fields"): section = .fields
            case (.messages, "message"):
                guard open.isEmpty, let name = a["name"], let type = a["msgtype"], let category = a["msgcat"] else {
                    return fail(parser, "<message> needs name, msgtype and msgcat")
                }
                messages.append(MessageDefinition(name: name, msgType: type, category: category))
                open = [(nil, true, [])]
            case (.components, "component") where open.isEmpty:
                guard let name = a["name"] else { return fail(parser, "<component> needs a name") }
                components.append((name, []))
                open = [(nil, true, [])]
            case (.header, "field"), (.trailer, "field"), (.messages, "field"), (.components, "field"):
                guard let name = a["name"], let isRequired = required(a), !open.isEmpty else {
                    return fail(parser, "<field> needs name and required=\"Y\"|\"N\" inside a message, component or group")
                }
                open[open.count - 1].items.append(.field(name, required: isRequired))
            case (.header, "component"), (.trailer, "component"), (.messages, "component"), (.components, "component"):
                guard let name = a["name"], !open.isEmpty else {
                    return fail(parser, "<component> reference needs a name, inside a message, component or group")
                }
                open[open.count - 1].items.append(.component(name, required: required(a) ?? false))
            case (.header, "group"), (.trailer, "group"), (.messages, "group"), (.components, "group"):
                guard let name = a["name"], let isRequired = required(a), !open.isEmpty else {
                    return fail(parser, "<group> needs name and required, inside a message, component or group")
                }
                open.append((name, isRequired, []))
            case (.fields, "field"):
                guard let text = a["number"], let number = Int(text), let name = a["name"], let type = a["type"] else {
                    return fail(parser, "<field> in <fields> needs number, name and type")
                }
                fields.append(FieldDefinition(number: number, name: name, type: type))
            case (.fields, "value"):
                guard let value = a["enum"], !fields.isEmpty else { return fail(parser, "<value> needs enum") }
                fields[fields.count - 1].values.append(value)
            default:
                fail(parser, "unexpected <\(element)>")
            }
        }

        func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
            switch (section, element) {
            case (.header, "header"):
                header = open.first?.items ?? []
                open = []
                section = .none
            case (.trailer, "trailer"):
                trailer = open.first?.items ?? []
                open = []
                section = .none
            case (_, "messages"), (_, "components"), (_, "fields"):
                section = .none
            case (.messages, "message"):
                if let body = open.first, !messages.isEmpty { messages[messages.count - 1].items = body.items }
                open = []
            case (.components, "component"):
                componentDepth -= 1
                if componentDepth == 0, open.count == 1 {
                    if !components.isEmpty { components[components.count - 1].1 = open[0].items }
                    open = []
                }
            case (_, "group"):
                guard open.count >= 2, let closed = open.popLast(), let name = closed.name else { return }
                open[open.count - 1].items.append(.group(name, required: closed.required, closed.items))
            default: break
            }
        }
    }
}
