import FIX
import GatewayCore
import XCTest

/// Records what a ``FIXOrderEntry`` does: commands submitted, replies as whole FIX
/// messages (with a session header the test writes, as the acceptor would).
struct RecordingOrderEntryIO: FIXOrderEntryIO {
    var acceptCommands = true
    var commands: [Command] = []
    var replies: [(session: Int, bytes: [UInt8])] = []

    mutating func submit(_ command: Command) -> Bool {
        guard acceptCommands else { return false }
        commands.append(command)
        return true
    }

    mutating func reply(session: Int, msgType: StaticString, encode: (inout FIXEncoder) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let seqNum = replies.count + 1
        let length = buffer.withUnsafeMutableBytes { raw -> Int in
            var e = FIXEncoder(buffer: raw)
            e.begin(msgType: msgType)
            e.append(FIXTag.senderCompID, ascii: "VENUE")
            e.append(FIXTag.targetCompID, ascii: "CLIENT")
            e.append(FIXTag.msgSeqNum, int: seqNum)
            e.append(FIXTag.sendingTime, timestamp: orderEntryNow)
            encode(&e)
            do { return try e.finish() } catch {
                XCTFail("encoding failed: \(error)")
                return 0
            }
        }
        replies.append((session, Array(buffer[0..<length])))
    }
}

let orderEntryNow = Timestamp(rawValue: 1_763_600_000_123_000_000)
let orderEntryValidator = FIXValidator(dictionary: fullDictionary)

/// A decoded reply: MsgType and body fields by tag (each tag once: checked by the validator).
struct DecodedReply {
    var msgType: String
    var fields: [Int: String]
    subscript(tag: Int) -> String? { fields[tag] }
}

/// Decodes `bytes`, fails the test unless the dictionary accepts the message.
func decodeReply(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws -> DecodedReply {
    try withMessage(bytes) { m in
        let problem = orderEntryValidator.validate(m)
        XCTAssertNil(problem, "reply rejected by the dictionary: \(String(describing: problem)) in \(String(decoding: bytes.map { $0 == 1 ? UInt8(ascii: "|") : $0 }, as: UTF8.self))", file: file, line: line)
        var fields: [Int: String] = [:]
        var it = m.fields
        while let f = try it.next() { fields[f.tag] = f.value.string }
        return DecodedReply(msgType: fields[35] ?? "", fields: fields)
    }
}

/// Two sessions: index 0 trades for account 3, index 1 for account 4; port source 2.
func makeOrderEntry(ordersPerSession: Int = 64) throws -> FIXOrderEntry {
    try FIXOrderEntry(accounts: [3, 4], symbols: ["AAPL": 1, "MSFT": 2, "IBM": 5], source: 2, ordersPerSession: ordersPerSession)
}

/// As ``makeOrderEntry(ordersPerSession:)`` with account names ACC3 and ACC4, and
/// session 0 also allowed ACC9 (index 9).
func makeNamedOrderEntry() throws -> FIXOrderEntry {
    try FIXOrderEntry(accounts: [3, 4], symbols: ["AAPL": 1, "MSFT": 2, "IBM": 5], source: 2, ordersPerSession: 64,
                      accountNames: ["ACC3", "ACC4"], allowedAccounts: [[(name: "ACC9", account: 9)], []])
}

/// A framed application message from the client: header then `body` (`|` for SOH).
func clientMessage(_ msgType: String, _ body: String, seqNum: Int = 2) -> [UInt8] {
    framed("35=\(msgType)|49=CLIENT|56=VENUE|34=\(seqNum)|52=20251120-00:53:20.123|\(body)")
}

extension FIXOrderEntry {
    /// Feeds `bytes` as a validated application message of `session`.
    func receive(_ bytes: [UInt8], session: Int = 0, connection: UInt32 = 9, io: inout RecordingOrderEntryIO) throws {
        try withMessage(bytes) { m in
            received(m, session: session, connection: connection, now: orderEntryNow, io: &io)
        }
    }
}

/// An event for session index 0 of source 2.
func fixEvent(_ kind: EventKind, _ configure: (inout Event) -> Void = { _ in }) -> Event {
    var e = Event(kind: kind)
    e.destination = OrderOrigin(source: 2, session: 1, connection: 9)
    e.account = 3
    e.symbol = 1
    e.sequence = 41
    e.timestamp = Timestamp(rawValue: 1_763_600_001_000_000_000)
    e.orderType = .limit
    e.price = Price(raw: 1_502_500)
    configure(&e)
    return e
}

let newOrderBody = "11=ORD1|55=AAPL|54=1|60=20251120-00:53:20|38=100|40=2|44=150.25|"
