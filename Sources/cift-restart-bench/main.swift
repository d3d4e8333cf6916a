// cift-restart-bench: how long a restart takes after a long day, with and without an
// engine snapshot (issue 14; results in perf/RESULTS.md).
//
//   cift-restart-bench --data-dir DIR [--commands N] [--every M]
//
// 0. Times a start on an empty data directory: the start-up's fixed cost.
// 1. Writes a journal of N commands (default 10,000,000) into DIR, as order entry would
//    have: OUCH users and FIX sessions of the embedded configuration entering (45 %),
//    canceling (45 %) and replacing (10 %) limit orders around 100.00 on the eight demo
//    symbols, a tenth of them through the touch, so that orders rest, trade and leave.
// 2. Starts the gateway on DIR with `journal.snapshot_every_commands = M` (default
//    1,000,000): no snapshot exists, so the start-up replays the whole journal (timed).
//    The snapshot thread then follows the journal from its start in the background and
//    writes snapshots; the bench waits for the last and stops the gateway.
// 3. Starts the gateway again (timed): it loads the newest snapshot and replays the
//    journal after it. Prints both times and their ratio.
//
// Run it on a quiet machine (no build or test running); it prints `uptime` first.
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Gateway
import GatewayCore
import Journal

var dataDirectory = ""
var commandCount = 10_000_000
var every = 1_000_000
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--data-dir": dataDirectory = arguments.next() ?? ""
    case "--commands": commandCount = Int(arguments.next() ?? "") ?? -1
    case "--every": every = Int(arguments.next() ?? "") ?? -1
    default:
        FileHandle.standardError.write("usage: cift-restart-bench --data-dir DIR [--commands N] [--every M]\n".data(using: .utf8)!)
        exit(2)
    }
}
guard !dataDirectory.isEmpty, commandCount > 0, every > 0 else {
    FileHandle.standardError.write("usage: cift-restart-bench --data-dir DIR [--commands N] [--every M]\n".data(using: .utf8)!)
    exit(2)
}

func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
func say(_ text: String) { FileHandle.standardOutput.write((text + "\n").data(using: .utf8)!) }

let uptime = Process()
uptime.executableURL = URL(fileURLWithPath: "/usr/bin/uptime")
try? uptime.run()
uptime.waitUntilExit()

var configuration = GatewayConfiguration.embeddedDefault
configuration.dataDirectory = dataDirectory
configuration.engine.core = nil
configuration.ouch.listen = ListenAddress(host: "127.0.0.1", port: 0)
configuration.fix.listen = ListenAddress(host: "127.0.0.1", port: 0)
configuration.marketData.retransmission = ListenAddress(host: "127.0.0.1", port: 0)
configuration.marketData.snapshot = ListenAddress(host: "127.0.0.1", port: 0)
configuration.sharedMemory.enabled = false
configuration.journal.snapshotEveryCommands = every

// MARK: 0. The fixed cost: a start with an empty journal (same configuration, same machine)

try? FileManager.default.removeItem(atPath: dataDirectory)
do {
    let started = DispatchTime.now().uptimeNanoseconds
    let empty = try GatewayServer(configuration: configuration)
    say(String(format: "start with an empty journal: %.2f s", seconds(since: started)))
    empty.stop()
}

// MARK: 1. The journal

try? FileManager.default.removeItem(atPath: dataDirectory)
try FileManager.default.createDirectory(atPath: dataDirectory + "/journal", withIntermediateDirectories: true)
do {
    let started = DispatchTime.now().uptimeNanoseconds
    let writer = try JournalWriter(configuration: JournalConfiguration(directory: dataDirectory + "/journal"), nextSequence: 1)
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next(_ bound: Int) -> Int {
        // SplitMix64: the same journal on every run.
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
    // Per owner (4 OUCH users, 4 FIX sessions): the next key, and recent keys to cancel.
    var nextKey = [UInt32](repeating: 1, count: 8)
    var recent = [[UInt32]](repeating: [], count: 8)
    let payload = UnsafeMutableRawPointer.allocate(byteCount: CommandRecord.size, alignment: 8)
    defer { payload.deallocate() }
    let startTime = SystemClock().now().rawValue
    for index in 0..<commandCount {
        let owner = next(8)
        let isFIX = owner >= 4
        let account = AccountIndex(rawValue: UInt16(owner % 4 + 1))
        let origin = OrderOrigin(
            source: 1, session: isFIX ? UInt16(owner - 3) : GatewayConfiguration.ouchSessionBase + UInt16(owner), connection: 1)
        let keyKind: OrderKeyKind = isFIX ? .clientOrderID : .userReference
        func id(_ key: UInt32) -> ClientOrderID { isFIX ? ClientOrderID(bytes: Array("C\(key)".utf8))! : .empty }
        let timestamp = Timestamp(rawValue: startTime + Int64(index) * 1_000)
        let roll = next(100)
        var command: Command
        if roll < 45, let target = recent[owner].isEmpty ? nil : recent[owner].remove(at: next(recent[owner].count)) {
            let key = nextKey[owner]
            nextKey[owner] += 1
            command = Command(
                kind: .cancel, keyKind: keyKind, account: account, origin: origin, quantity: 0,
                userReference: isFIX ? 0 : target, clientOrderID: id(key), originalClientOrderID: id(target), timestamp: timestamp)
            if !isFIX { command.userReference = target }
        } else if roll < 55, let target = recent[owner].last {
            let key = nextKey[owner]
            nextKey[owner] += 1
            recent[owner][recent[owner].count - 1] = key
            command = Command(
                kind: .replace, keyKind: keyKind, account: account, origin: origin, quantity: UInt32(100 * (1 + next(5))),
                price: Price(raw: Int64(1_000_000 + 100 * (next(41) - 20))), userReference: isFIX ? 0 : key,
                originalUserReference: isFIX ? 0 : target, clientOrderID: id(key), originalClientOrderID: id(target),
                timestamp: timestamp)
        } else {
            let key = nextKey[owner]
            nextKey[owner] += 1
            recent[owner].append(key)
            if recent[owner].count > 50_000 { recent[owner].removeFirst(10_000) }
            let side: Side = next(2) == 0 ? .buy : .sell
            // Mostly away from the touch, sometimes through it: orders rest, and some trade.
            let offset = next(10) == 0 ? -next(5) : 1 + next(30)
            let price = 1_000_000 + (side == .buy ? -offset : offset) * 100
            command = Command(
                kind: .newOrder, side: side, keyKind: keyKind, symbol: SymbolIndex(rawValue: UInt16(1 + next(8))),
                account: account, origin: origin, quantity: UInt32(100 * (1 + next(5))), price: Price(raw: Int64(price)),
                userReference: isFIX ? 0 : key, clientOrderID: id(key), timestamp: timestamp)
        }
        CommandRecord.encode(command, into: payload)
        try writer.append(sequence: UInt64(index + 1), payload: UnsafeRawBufferPointer(start: payload, count: CommandRecord.size))
        if index % 4096 == 4095 { _ = try writer.flush() }
    }
    _ = try writer.flush()
    try writer.close()
    say(String(format: "journal: %d commands written in %.1f s", commandCount, seconds(since: started)))
}

// MARK: 2. A restart with no snapshot: the whole journal

var started = DispatchTime.now().uptimeNanoseconds
var gateway = try GatewayServer(configuration: configuration)
let full = seconds(since: started)
say(String(format: "restart without a snapshot: %.2f s (%d commands replayed)", full, gateway.recovery.commandCount))
say("  \(gateway.recovery.summary)")
// The snapshot thread starts from the beginning of the journal, behind the engine.
started = DispatchTime.now().uptimeNanoseconds
while (gateway.snapshotsWritten.lastSequence ?? 0) + UInt64(every) <= UInt64(commandCount) {
    usleep(50_000)
    if seconds(since: started) > 600 { break }
}
say(String(format: "snapshot thread: %llu snapshot(s), the last after command %llu, %.1f s after the start (at idle priority)",
           gateway.snapshotsWritten.count, gateway.snapshotsWritten.lastSequence ?? 0, seconds(since: started)))
gateway.stop()

// MARK: 3. A restart from the newest snapshot

started = DispatchTime.now().uptimeNanoseconds
gateway = try GatewayServer(configuration: configuration)
let fromSnapshot = seconds(since: started)
say(String(format: "restart from the snapshot after command %llu: %.2f s (%d commands replayed)",
           gateway.loadedSnapshot?.sequence ?? 0, fromSnapshot, gateway.recovery.commandCount))
say("  \(gateway.recovery.summary)")
gateway.stop()
let snapshotBytes = (try? FileManager.default.attributesOfItem(
    atPath: dataDirectory + "/snapshots/" + SnapshotFileName.newest(in: dataDirectory + "/snapshots"))[.size] as? Int) ?? 0
say(String(format: "ratio: %.1fx faster from the snapshot (%d-byte snapshot)", full / fromSnapshot, snapshotBytes))

enum SnapshotFileName {
    static func newest(in directory: String) -> String {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".csn") }.sorted().last ?? ""
    }
}
