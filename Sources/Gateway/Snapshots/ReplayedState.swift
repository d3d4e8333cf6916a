import FIX
import GatewayCore
import Matching

/// Everything journal replay rebuilds, as one value: the engine, the FIX order table,
/// the last shared-memory signal applied, and the highest OUCH UserRefNum each account
/// used. A start-up builds one by replaying the journal (from a snapshot's state, or from
/// empty); the snapshot thread keeps one, a replica that follows the journal, and writes
/// it out (specs/snapshots.md).
///
/// One thread at a time, like the engine inside it.
final class ReplayedState: @unchecked Sendable {
    let engine: MatchingEngine
    let fixOrderEntry: FIXOrderEntry
    var appliedSignals = AppliedSignals()
    var highestUserReference: [AccountIndex: UInt32] = [:]
    /// The `OrderOrigin.source` of commands from the shared-memory bridge.
    let bridgeSource: UInt8

    init(engine: MatchingEngine, fixOrderEntry: FIXOrderEntry, bridgeSource: UInt8) {
        self.engine = engine
        self.fixOrderEntry = fixOrderEntry
        self.bridgeSource = bridgeSource
    }

    /// What a replayed command teaches the layers beside the engine, before the engine
    /// takes it (the FIX table remembers a request before its answer comes).
    func note(_ command: Command) {
        fixOrderEntry.restore(command: command)
        if command.origin.source == bridgeSource { appliedSignals.note(command) }
        if command.keyKind == .userReference && (command.kind == .newOrder || command.kind == .replace) {
            highestUserReference[command.account] = max(highestUserReference[command.account] ?? 0, command.userReference)
        }
    }

    /// A replica's step: the command through the engine, and each FIX event through the
    /// order table (its reports dropped; the live gateway's streams have them).
    func apply(_ command: Command, sequence: UInt64) {
        note(command)
        var sink = TableSink(fixOrderEntry: fixOrderEntry)
        engine.process(command, sequence: sequence, into: &sink)
    }

    /// Routes as the start-up's replay does: FIX events (not OUCH users', not end of day)
    /// to the order table.
    private struct TableSink: EventSink {
        let fixOrderEntry: FIXOrderEntry
        mutating func emit(_ event: Event) {
            guard event.kind != .systemEvent, event.destination.session < GatewayConfiguration.ouchSessionBase else { return }
            fixOrderEntry.replay(event: event)
        }
    }

    // MARK: Snapshot body

    /// The body of a snapshot file: the engine section, the FIX order table section and
    /// the gateway section, in that order.
    func writeBody() -> [UInt8] {
        var writer = SnapshotWriter(reservingCapacity: 1 << 16)
        writer.section { engine.writeSnapshot(into: &$0) }
        writer.section { fixOrderEntry.writeSnapshot(into: &$0) }
        writer.section { w in
            w.u64(appliedSignals.highest)
            w.u64(UInt64(highestUserReference.count))
            for (account, reference) in highestUserReference.sorted(by: { $0.key < $1.key }) {
                w.u16(account.rawValue)
                w.u32(reference)
            }
        }
        return writer.bytes
    }

    /// Loads a body into this state, whose engine must be new.
    func readBody(_ body: UnsafeRawBufferPointer) throws {
        var reader = SnapshotReader(body)
        try reader.section("engine section") { (r: inout SnapshotReader) throws in try engine.restoreSnapshot(from: &r) }
        try reader.section("FIX order table section") { (r: inout SnapshotReader) throws in try fixOrderEntry.restoreSnapshot(from: &r) }
        try reader.section("gateway section") { (r: inout SnapshotReader) throws in
            appliedSignals = AppliedSignals(highest: try r.u64())
            let count = try r.count(bytesEach: 6, name: "UserRefNum marks")
            for _ in 0..<count {
                let account = AccountIndex(rawValue: try r.u16())
                highestUserReference[account] = try r.u32()
            }
        }
        guard reader.remaining == 0 else { throw SnapshotFormatError("\(reader.remaining) byte(s) after the last section") }
    }
}
