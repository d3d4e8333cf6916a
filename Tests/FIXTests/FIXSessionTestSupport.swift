import FIX
import Foundation
import GatewayCore
import XCTest

/// Records what the acceptor does.
struct FIXSessionFakeIO: FIXAcceptorIO {
    var events: [String] = []
    var messageLog: [(session: Int, inbound: Bool, bytes: [UInt8])] = []
    var sent: [(connection: UInt32, bytes: [UInt8])] = []
    var closed: [(connection: UInt32, reason: String)] = []
    var applications: [(session: Int, connection: UInt32, bytes: [UInt8])] = []
    var states: [(session: Int, loggedOn: Bool)] = []

    mutating func send(_ connection: UInt32, _ bytes: UnsafeRawBufferPointer) { sent.append((connection, Array(bytes))) }
    mutating func close(_ connection: UInt32, reason: String) { closed.append((connection, reason)) }
    mutating func application(_ message: FIXMessage, session: Int, connection: UInt32) {
        applications.append((session, connection, Array(message.bytes)))
    }
    mutating func sessionStateChanged(session: Int, loggedOn: Bool) { states.append((session, loggedOn)) }
    mutating func logSessionEvent(_ text: String) { events.append(text) }
    mutating func logMessage(session: Int, inbound: Bool, _ bytes: UnsafeRawBufferPointer) {
        messageLog.append((session, inbound, Array(bytes)))
    }
}

/// A message's fields by tag (a repeated tag keeps its last value).
func fixFields(_ bytes: [UInt8]) -> [Int: String] {
    var out: [Int: String] = [:]
    for part in bytes.split(separator: 0x01) {
        let text = String(decoding: part, as: UTF8.self)
        guard let eq = text.firstIndex(of: "="), let tag = Int(text[..<eq]) else { continue }
        out[tag] = String(text[text.index(after: eq)...])
    }
    return out
}

let fixSessionEpoch = Timestamp(nanoseconds: 1_704_205_800_000_000_000)  // 2024-01-02 14:30:00 UTC
let second: Int64 = 1_000_000_000

/// One acceptor with one session (client BANK1, us CIFT, password "secret"),
/// a fake I/O, a clock and a client that encodes real FIX messages.
final class FIXSessionHarness {
    let directory: String
    var acceptor: FIXAcceptor
    var io = FIXSessionFakeIO()
    var now = fixSessionEpoch
    var clientSeq = 1
    var taken = 0
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)

    static let dictionary = fullDictionary

    static func configuration(directory: String, resendBatchSize: Int = 64, schedule: FIXSessionSchedule? = nil,
                              maximumLatency: Int64? = nil,
                              session options: (inout FIXSessionConfiguration) -> Void = { _ in }) -> FIXAcceptorConfiguration {
        var session = FIXSessionConfiguration(clientCompID: "BANK1", ourCompID: "CIFT", username: "trader", password: "secret")
        options(&session)
        return FIXAcceptorConfiguration(
            sessions: [session],
            storeDirectory: directory, dictionary: dictionary, schedule: schedule, maximumLatencyNanoseconds: maximumLatency,
            resendBatchSize: resendBatchSize)
    }

    init(directory: String? = nil, resendBatchSize: Int = 64, schedule: FIXSessionSchedule? = nil,
         maximumLatency: Int64? = nil, now: Timestamp = fixSessionEpoch,
         session options: (inout FIXSessionConfiguration) -> Void = { _ in }) throws {
        self.now = now
        if let directory {
            self.directory = directory
        } else {
            self.directory = NSTemporaryDirectory() + "fixsession-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        }
        acceptor = try FIXAcceptor(configuration: Self.configuration(
            directory: self.directory, resendBatchSize: resendBatchSize, schedule: schedule, maximumLatency: maximumLatency,
            session: options))
    }

    deinit { buffer.deallocate() }

    func removeDirectory() { try? FileManager.default.removeItem(atPath: directory) }

    /// A client message; MsgSeqNum is the next client number unless `seq` is given
    /// (which does not advance it).
    func message(_ type: StaticString, seq: Int? = nil, possDup: Bool = false, sender: String = "BANK1",
                 sendingTime: Timestamp? = nil, body: (inout FIXEncoder) -> Void = { _ in }) -> [UInt8] {
        let number: Int
        if let seq { number = seq } else { number = clientSeq; clientSeq += 1 }
        var e = FIXEncoder(buffer: buffer)
        e.begin(msgType: type)
        e.append(FIXTag.senderCompID, bytes: Array(sender.utf8))
        e.append(FIXTag.targetCompID, ascii: "CIFT")
        e.append(FIXTag.msgSeqNum, int: number)
        if possDup { e.append(FIXTag.possDupFlag, bool: true) }
        e.append(FIXTag.sendingTime, timestamp: sendingTime ?? now)
        if possDup { e.append(FIXTag.origSendingTime, timestamp: now) }
        body(&e)
        let n = try! e.finish()
        return Array(buffer[0..<n])
    }

    func logonMessage(heartBtInt: Int = 30, reset: Bool = false, password: String = "secret", sender: String = "BANK1",
                      seq: Int? = nil, sendingTime: Timestamp? = nil) -> [UInt8] {
        message("A", seq: seq, sender: sender, sendingTime: sendingTime) { e in
            e.append(FIXTag.encryptMethod, int: 0)
            e.append(FIXTag.heartBtInt, int: heartBtInt)
            if reset { e.append(FIXTag.resetSeqNumFlag, bool: true) }
            e.append(FIXTag.username, ascii: "trader")
            e.append(FIXTag.password, bytes: Array(password.utf8))
        }
    }

    func newOrder(seq: Int? = nil, possDup: Bool = false, clOrdID: String = "ORD1") -> [UInt8] {
        message("D", seq: seq, possDup: possDup) { e in
            e.append(FIXTag.clOrdID, bytes: Array(clOrdID.utf8))
            e.append(FIXTag.symbol, ascii: "AAPL")
            e.append(FIXTag.side, char: UInt8(ascii: "1"))
            e.append(FIXTag.transactTime, timestamp: self.now)
            e.append(FIXTag.orderQty, int: 100)
            e.append(FIXTag.ordType, char: UInt8(ascii: "2"))
            e.append(FIXTag.price, price: Price(raw: 1_502_500))
        }
    }

    func receive(_ bytes: [UInt8], on connection: UInt32 = 1) {
        let consumed = bytes.withUnsafeBytes { acceptor.received(connection, $0, now: now, io: &io) }
        XCTAssertEqual(consumed, bytes.count)
    }

    func tick(after nanoseconds: Int64) {
        now = Timestamp(nanoseconds: now.rawValue + nanoseconds)
        acceptor.tick(now: now, io: &io)
    }

    /// Opens connection 1 and logs on; returns the Logon reply.
    @discardableResult
    func logOn(connection: UInt32 = 1, reset: Bool = false) -> [Int: String] {
        acceptor.opened(connection, now: now)
        receive(logonMessage(reset: reset), on: connection)
        let replies = drain()
        XCTAssertEqual(replies.first?[35], "A")
        return replies.first ?? [:]
    }

    /// The messages sent since the last call, as fields.
    /// What the acceptor sent since the last drain. The stores are flushed first, as the
    /// gateway does before a turn's sends reach the kernel.
    func drain() -> [[Int: String]] {
        acceptor.flushStores(io: &io)
        defer { taken = io.sent.count }
        return io.sent[taken...].map { fixFields($0.bytes) }
    }

    func sendExecutionReport(_ execID: String) throws -> Int {
        try acceptor.sendApplication(session: 0, msgType: "8", now: now, io: &io) { e in
            e.append(FIXTag.orderID, ascii: "1")
            e.append(FIXTag.execID, bytes: Array(execID.utf8))
            e.append(FIXTag.execType, char: UInt8(ascii: "0"))
            e.append(FIXTag.ordStatus, char: UInt8(ascii: "0"))
            e.append(FIXTag.symbol, ascii: "AAPL")
            e.append(FIXTag.side, char: UInt8(ascii: "1"))
            e.append(FIXTag.leavesQty, int: 100)
            e.append(FIXTag.cumQty, int: 0)
            e.append(FIXTag.avgPx, int: 0)
        }
    }
}
