import CFuzzerDriver
import FIX
import Foundation
import FuzzSupport
import GatewayCore

// The FIX 4.4 acceptor as the gateway runs it, without the socket: session layer
// (`FIXAcceptor`: logon, sequence numbers, resend, reject, logout, timers) and order
// entry (`FIXOrderEntry`: D, F, G, q, H) wired as `FIXFrontEnd` wires them, with the
// commands going to a real matching engine and its events coming back as reports.
// One session (client BANK1, us CIFT, user trader, password secret, account 1), a fresh
// acceptor and store for every input, SendingTime checked against 2024-01-02 14:30:00
// (±120 s).
//
// Input, two forms (the first bytes decide):
// - `8=FIX...`: raw bytes, received as they are (BodyLength and CheckSum as written);
// - otherwise lines separated by `\n`: each line is a message body from `35=` on, with
//   `|` for SOH; the harness writes `8=FIX.4.4|9=<length>|` before it and `10=<sum>|`
//   after it, so that mutations reach the session instead of dying as checksum
//   errors. A line `@t<seconds>` moves the clock and runs the timers; `@c` closes the
//   connection and opens a new one.
//
// Checks beyond "no trap": everything the acceptor sends is one whole FIX message that
// the venue's own dictionary accepts.

@_cdecl("FIXSessionFuzzer_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    cift_fuzzer_run(argc, argv)
}

let dictionary = try! FIXDictionaryLoader.load(contentsOf: URL(fileURLWithPath: FuzzPaths.fixDictionary))
let validator = FIXValidator(dictionary: dictionary)
let scratch = FuzzScratchDirectory("fix-session")
/// 2024-01-02 14:30:00 UTC: the seeds' SendingTime.
let start = Timestamp(rawValue: 1_704_205_800_000_000_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    scratch.empty()
    let session = FIXSessionRun()
    let input = UnsafeRawBufferPointer(start: data, count: size)
    if input.starts(with: "8=FIX".utf8) {
        session.receive(input)
    } else {
        for line in input.split(separator: UInt8(ascii: "\n")) {
            session.perform(UnsafeRawBufferPointer(rebasing: line))
        }
    }
    session.finish()
    return 0
}

/// One input's acceptor, order entry and engine.
final class FIXSessionRun {
    let acceptor: FIXAcceptor
    let orderEntry: FIXOrderEntry
    let venue = FuzzVenue()
    var now = start
    var connection: UInt32 = 1
    /// What the previous receive left unconsumed (a partial message), as FIXFrontEnd keeps it.
    var partial: [UInt8] = []
    var commands: [Command] = []

    init() {
        let configuration = FIXAcceptorConfiguration(
            sessions: [FIXSessionConfiguration(clientCompID: "BANK1", ourCompID: "CIFT", username: "trader", password: "secret")],
            storeDirectory: scratch.path, dictionary: dictionary, maximumLatencyNanoseconds: 120_000_000_000,
            resendBatchSize: 4, maximumBodyLength: 2048)
        acceptor = try! FIXAcceptor(configuration: configuration)
        orderEntry = try! FIXOrderEntry(
            accounts: [1], symbols: Dictionary(uniqueKeysWithValues: FuzzVenue.symbols.map { ($0.name, $0.index) }),
            source: 1, ordersPerSession: 8, maxMessagesPerSecond: 20)
        acceptor.opened(connection, now: now)
    }

    /// One line of the text form.
    func perform(_ line: UnsafeRawBufferPointer) {
        if line.first == UInt8(ascii: "@") {
            if line.count >= 2 && line[1] == UInt8(ascii: "c") {
                var io = FIXSessionFuzzIO(run: self)
                acceptor.closed(connection, now: now, io: &io)
                connection += 1
                partial = []
                acceptor.opened(connection, now: now)
                turn()
            } else if line.count >= 2 && line[1] == UInt8(ascii: "t") {
                var seconds: Int64 = 0
                for b in line.dropFirst(2).prefix(6) where b >= 48 && b <= 57 { seconds = seconds * 10 + Int64(b - 48) }
                now = Timestamp(rawValue: now.rawValue + seconds * 1_000_000_000)
                var io = FIXSessionFuzzIO(run: self)
                acceptor.tick(now: now, io: &io)
                turn()
            }
            return
        }
        framed(line).withUnsafeBytes { receive($0) }
    }

    /// `8=FIX.4.4|9=n|` + body (with `|` as SOH, ending in SOH) + `10=sss|`.
    func framed(_ line: UnsafeRawBufferPointer) -> [UInt8] {
        var body = line.map { $0 == UInt8(ascii: "|") ? 0x01 : $0 }
        if body.last != 0x01 { body.append(0x01) }
        var out = Array("8=FIX.4.4\u{01}9=\(body.count)\u{01}".utf8) + body
        let sum = out.reduce(0) { ($0 + Int($1)) & 0xFF }
        out += Array("10=".utf8) + [UInt8(48 + sum / 100), UInt8(48 + sum / 10 % 10), UInt8(48 + sum % 10), 0x01]
        return out
    }

    /// Bytes from the socket: what was kept, then these, as FIXFrontEnd.received does.
    func receive(_ bytes: UnsafeRawBufferPointer) {
        var io = FIXSessionFuzzIO(run: self)
        partial.append(contentsOf: bytes)
        let all = partial
        let used = all.withUnsafeBytes { acceptor.received(connection, $0, now: now, io: &io) }
        precondition(used >= 0 && used <= all.count, "received consumed \(used) of \(all.count) bytes")
        partial = Array(all[used...])
        turn()
    }

    /// The engine takes the turn's commands; its events go back to the session; the
    /// store is written as before a turn's sends leave.
    func turn() {
        var io = FIXSessionFuzzIO(run: self)
        while !commands.isEmpty {
            let batch = commands
            commands = []
            for event in venue.process(batch) { orderEntry.handle(event, now: now, io: &io) }
        }
        acceptor.flushStores(io: &io)
    }

    /// The end of the input: the timers after a long silence, then the peer goes away.
    func finish() {
        var io = FIXSessionFuzzIO(run: self)
        now = Timestamp(rawValue: now.rawValue + 300_000_000_000)
        acceptor.tick(now: now, io: &io)
        acceptor.closed(connection, now: now, io: &io)
        turn()
    }
}

/// The acceptor's and the order entry's outside world, as FIXSessionIO is in the gateway.
struct FIXSessionFuzzIO: FIXAcceptorIO, FIXOrderEntryIO {
    unowned let run: FIXSessionRun

    mutating func send(_ connection: UInt32, _ bytes: UnsafeRawBufferPointer) {
        let problem: String?
        do throws(FIXFramingError) {
            switch try FIXFrameDecoder(maximumBodyLength: 99_999_999).decode(bytes) {
            case .needMoreData: problem = "an incomplete message"
            case .message(let message):
                if message.length != bytes.count {
                    problem = "\(bytes.count - message.length) bytes after the message"
                } else if let invalid = validator.validate(message) {
                    problem = "a message the dictionary rejects: \(invalid)"
                } else {
                    problem = nil
                }
            }
        } catch {
            problem = "a message that does not frame: \(error)"
        }
        let text = String(decoding: bytes.map { $0 == 1 ? UInt8(ascii: "|") : $0 }, as: UTF8.self)
        if let problem { preconditionFailure("the acceptor sent \(problem): \(text)") }
        if fuzzVerbose { print("sent on \(connection): \(text)") }
    }

    mutating func close(_ connection: UInt32, reason: String) {
        if fuzzVerbose { print("closed \(connection): \(reason)") }
    }

    mutating func application(_ message: FIXMessage, session: Int, connection: UInt32) {
        run.orderEntry.received(message, session: session, connection: connection, now: run.now, io: &self)
    }

    mutating func sessionStateChanged(session: Int, loggedOn: Bool) {
        if !loggedOn {
            // Cancel-on-disconnect, as FIXFrontEnd.sessionEnded submits it.
            run.commands.append(Command(
                kind: .sessionDisconnected, origin: OrderOrigin(source: 1, session: UInt16(session + 1), connection: 0),
                timestamp: run.now))
        }
    }

    mutating func submit(_ command: Command) -> Bool {
        run.commands.append(command)
        return true
    }

    mutating func reply(session: Int, msgType: StaticString, encode: (inout FIXEncoder) -> Void) {
        var io = self
        do {
            try run.acceptor.sendApplication(session: session, msgType: msgType, now: run.now, io: &io, encode: encode)
        } catch {
            preconditionFailure("could not send \(msgType): \(error)")
        }
    }
}
