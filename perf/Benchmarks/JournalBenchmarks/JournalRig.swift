import Foundation
import GatewayCore
import Journal
import PerfSupport

/// A `JournalWriter` in `.write` durability on a file in a temporary directory, fed
/// the way the gateway's journal thread (`JournalLoop.run`) feeds it: each command
/// encoded with `CommandRecord.encode` into one 96-byte scratch area, appended, and
/// the batch flushed with one `pwrite`.
///
/// `reset()` (outside the measurement) closes the writer, deletes its file and opens
/// a new one, so every iteration appends to a fresh file from sequence 1 and the file
/// never reaches `maxFileSize` (no roll inside a measurement).
final class JournalRig: @unchecked Sendable {
    let batchSize: Int
    let recordsPerIteration: Int
    let root: String
    let directory: String
    let commands: [Command]
    let scratch = UnsafeMutableRawPointer.allocate(byteCount: CommandRecord.size, alignment: 8)
    var writer: JournalWriter?

    // Results of the last `run()`.
    var appendNanoseconds: Int64 = 0
    var flushNanoseconds: Int64 = 0
    var totalNanoseconds: Int64 = 0
    var failure: String?

    init(batchSize: Int, recordsPerIteration: Int) throws {
        precondition(recordsPerIteration % batchSize == 0)
        self.batchSize = batchSize
        self.recordsPerIteration = recordsPerIteration
        var temporary = NSTemporaryDirectory()
        if !temporary.hasSuffix("/") { temporary += "/" }
        var template = Array((temporary + "cift-journal-bench.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw JournalRigError("mkdtemp failed: errno \(errno)") }
        root = String(cString: made)
        directory = root + "/journal"
        commands = (0..<1_024).map { (i: Int) -> Command in JournalRig.command(i) }
        try reset()
    }

    /// A New Order as an OUCH session would journal it; `i` varies side, symbol,
    /// account, quantity, price and identifiers.
    static func command(_ i: Int) -> Command {
        let side: Side = i % 2 == 0 ? .buy : .sell
        let timeInForce: TimeInForce = i % 7 == 0 ? .immediateOrCancel : .day
        let symbol = SymbolIndex(rawValue: UInt16(1 + i % 8))
        let account = AccountIndex(rawValue: UInt16(1 + i % 32))
        let origin = OrderOrigin(source: 1, session: UInt16(i % 4), connection: UInt32(7 + i % 4))
        let quantity = UInt32(100 * (1 + i % 10))
        let price = Price(raw: 1_000_000 + Int64(i % 500) * 100)
        let clientOrderID = ClientOrderID("O\(100_000 + i)")!
        let timestamp = Timestamp(rawValue: 1_795_000_000_000_000_000 + Int64(i) * 1_000)
        return Command(
            kind: .newOrder, side: side, orderType: .limit, timeInForce: timeInForce, keyKind: .userReference,
            symbol: symbol, account: account, origin: origin, quantity: quantity, price: price,
            userReference: UInt32(1 + i), clientOrderID: clientOrderID, timestamp: timestamp)
    }

    var configuration: JournalConfiguration { JournalConfiguration(directory: directory, durability: .write) }

    /// A new writer on an empty journal directory.
    func reset() throws {
        if let writer { try writer.close() }
        writer = nil
        if FileManager.default.fileExists(atPath: directory) { try FileManager.default.removeItem(atPath: directory) }
        writer = try JournalWriter(configuration: configuration, nextSequence: 1)
    }

    /// Appends `recordsPerIteration` records in batches of `batchSize`, flushing after
    /// each batch. Times the appends (encode + append) and the flushes apart: three
    /// clock reads per batch.
    func run() {
        guard let writer else { failure = "no writer"; return }
        let payload = UnsafeRawBufferPointer(start: scratch, count: CommandRecord.size)
        var sequence = writer.nextSequence
        var append: Int64 = 0
        var flush: Int64 = 0
        let start = nowNanoseconds()
        commands.withUnsafeBufferPointer { commands in
            var k = 0
            do {
                for _ in 0..<(recordsPerIteration / batchSize) {
                    let t0 = nowNanoseconds()
                    for _ in 0..<batchSize {
                        CommandRecord.encode(commands[k], into: scratch)
                        try writer.append(sequence: sequence, payload: payload)
                        sequence &+= 1
                        k = k == commands.count - 1 ? 0 : k + 1
                    }
                    let t1 = nowNanoseconds()
                    try writer.flush()
                    let t2 = nowNanoseconds()
                    append &+= t1 &- t0
                    flush &+= t2 &- t1
                }
            } catch {
                failure = "journal write failed: \(error)"
            }
        }
        totalNanoseconds = nowNanoseconds() &- start
        appendNanoseconds = append
        flushNanoseconds = flush
    }

    /// Checks what the last `run()` left in the writer's statistics.
    func check(expectedRecords: UInt64) -> String? {
        guard let s = writer?.statistics else { return "no writer" }
        if s.recordsAppended != expectedRecords { return "appended \(s.recordsAppended), expected \(expectedRecords)" }
        if s.automaticFlushes != 0 { return "\(s.automaticFlushes) automatic flushes" }
        if s.filesCreated != 1 { return "\(s.filesCreated) files created" }
        if s.writeCalls != s.flushes { return "\(s.writeCalls) pwrite calls for \(s.flushes) flushes (short writes)" }
        return nil
    }

    /// Closes the writer and deletes the temporary directory.
    func remove() {
        try? writer?.close()
        writer = nil
        try? FileManager.default.removeItem(atPath: root)
        scratch.deallocate()
    }
}

struct JournalRigError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
