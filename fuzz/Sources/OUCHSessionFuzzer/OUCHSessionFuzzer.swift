import CFuzzerDriver
import Foundation
import FuzzSupport
import GatewayCore
import OUCH
import SoupBinTCP

// The SoupBinTCP 4.1 / OUCH 5.0 server as the gateway runs it, without the socket:
// login, heartbeats, logout, sequenced streams and replay, Enter / Replace / Cancel /
// Modify, with the commands going to a real matching engine (through an inbound ring
// that holds 6 commands, so that pausing and resuming run too) and its events coming
// back as OUCH messages. Users OUCH01/demo (account 1) and OUCH02/Secret (account 2,
// firm FRMA); a fresh server and stores for every input.
//
// Input: records `op · length · bytes`:
// - op 0 / 1: `length` bytes arrive on connection 1 / 2;
// - op 2: the clock moves `length` × 100 ms and the timers run (no bytes follow);
// - op 3: connection 1 + (length & 1) closes and a new one opens in its place (no bytes);
// - op 4: End of Session to everyone (no bytes).
// Every record is followed by an owner turn: engine, resume, flush.
//
// Checks beyond "no trap": what each connection is sent is whole SoupBinTCP server
// packets, and every Sequenced Data payload is an OUCH message that decodes.

@_cdecl("OUCHSessionFuzzer_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    cift_fuzzer_run(argc, argv)
}

let scratch = FuzzScratchDirectory("ouch-session")
/// 2025-11-20 14:30:00 UTC.
let start = Timestamp(rawValue: 1_763_649_000 * 1_000_000_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    scratch.empty()
    var input = FuzzInput(data, size)
    let run = OUCHSessionRun()
    while !input.isAtEnd {
        let op = input.byte() % 5
        let length = Int(input.byte())
        switch op {
        case 0, 1: run.receive(UInt32(op) + 1, input.take(length))
        case 2: run.advance(milliseconds: Int64(length) * 100)
        case 3: run.reconnect(UInt32(length & 1) + 1)
        default: run.endOfSession()
        }
        run.turn()
    }
    run.finish()
    return 0
}

final class OUCHSessionRun {
    let server: OUCHServer
    let venue = FuzzVenue()
    var io = OUCHSessionFuzzIO()
    var now = start

    init() {
        var configuration = OUCHServerConfiguration(
            users: [
                OUCHUser(username: "OUCH01", password: "demo", account: 1, session: 101, cancelOnDisconnect: true),
                OUCHUser(username: "OUCH02", password: "Secret", account: 2, session: 102, cancelOnDisconnect: false,
                         firm: "FRMA"),
            ],
            symbols: FuzzVenue.symbols.map { OUCHSymbolEntry(name: $0.name, index: $0.index, tick: Price(raw: $0.tick)) },
            sessionName: "20251120", dataDirectory: scratch.path + "/20251120", source: 1)
        configuration.maxMessagesPerSecond = 20
        configuration.replayBytesPerFlush = 1024
        server = try! OUCHServer(configuration: configuration)
        server.opened(1, now: now)
        server.opened(2, now: now)
    }

    func receive(_ connection: UInt32, _ bytes: UnsafeRawBufferPointer) {
        _ = server.received(connection, bytes: bytes, now: now, io: &io)
    }

    func advance(milliseconds: Int64) {
        now = Timestamp(rawValue: now.rawValue + milliseconds * 1_000_000)
        server.tick(now: now, io: &io)
    }

    func reconnect(_ connection: UInt32) {
        server.closed(connection, now: now, io: &io)
        io.check(connection)
        io.received[connection] = nil
        server.opened(connection, now: now)
    }

    func endOfSession() {
        try! server.endOfSession(now: now, io: &io)
    }

    /// One owner turn: the engine takes what the ring holds and answers; paused
    /// connections resume; the stores are written and the sequenced messages sent.
    func turn() {
        while !io.ring.isEmpty {
            let commands = io.ring
            io.ring = []
            for event in venue.process(commands) { server.handle(event) }
            _ = server.resume(now: now, io: &io)
        }
        try! server.flush(now: now, io: &io)
    }

    func finish() {
        advance(milliseconds: 60_000)
        turn()
        for connection in io.received.keys { io.check(connection) }
    }
}

/// The server's outside world: an engine ring of 6 slots; what each connection is sent.
struct OUCHSessionFuzzIO: OUCHServerIO {
    static let ringCapacity = 6
    var ring: [Command] = []
    var received: [UInt32: [UInt8]] = [:]

    mutating func send(_ connection: UInt32, _ bytes: UnsafeRawBufferPointer) {
        received[connection, default: []].append(contentsOf: bytes)
    }

    mutating func submit(_ command: Command) -> Bool {
        guard ring.count < Self.ringCapacity else { return false }
        ring.append(command)
        return true
    }

    mutating func close(_ connection: UInt32, reason: String) {
        if fuzzVerbose { print("closed \(connection): \(reason)") }
        check(connection)
        received[connection] = nil
    }

    /// Everything sent to `connection` is whole server packets with decodable OUCH inside.
    func check(_ connection: UInt32) {
        let bytes = received[connection] ?? []
        let decoder = SoupBinTCPFrameDecoder(direction: .serverToClient, maximumLength: Int(UInt16.max))
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let rest = UnsafeRawBufferPointer(rebasing: raw[offset...])
                do throws(SoupBinTCPFramingError) {
                    guard case .frame(let frame) = try decoder.decode(rest) else {
                        preconditionFailure("connection \(connection) was sent a partial packet: \(Array(rest))")
                    }
                    if fuzzVerbose { print("sent on \(connection): \(SoupBinTCPPacketType.name(frame.type, .serverToClient))") }
                    if frame.type == SoupBinTCPPacketType.sequencedData {
                        do throws(OUCHDecodingError) {
                            let message = try OUCHOutboundMessage(decoding: frame.payload)
                            if fuzzVerbose { print("  \(message)") }
                        } catch {
                            preconditionFailure("connection \(connection) was sent an OUCH message that does not decode: \(error)")
                        }
                    }
                    offset += frame.length
                } catch {
                    preconditionFailure("connection \(connection) was sent a malformed packet: \(error)")
                }
            }
        }
    }
}
