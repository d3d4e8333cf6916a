import GatewayCore
import Matching
import Rings
import POSIX

/// The highest signals-ring record the journal shows applied (journal replay notes
/// every command of the bridge's port).
struct AppliedSignals {
    private(set) var highest: UInt64 = 0
    init(highest: UInt64 = 0) { self.highest = highest }
    mutating func note(_ command: Command) { highest = max(highest, SignalRecord.sequence(of: command)) }
}

/// Opens the two rings and builds the bridge at start-up, on the starting thread, after
/// journal replay and before the engine thread runs.
enum SharedMemoryBridgeSetup {
    static func make(
        _ c: GatewayConfiguration, port: OrderEntryPort, engine: MatchingEngine, appliedThrough: UInt64, clock: any Clock
    ) throws -> SignalBridgeAgent
    {
        let signals = try SharedMemoryRing.createOrAttach(
            path: c.sharedMemory.signalsPath, kind: .signals, capacity: c.sharedMemory.capacity)
        let fills = try SharedMemoryRing.createOrAttach(
            path: c.sharedMemory.fillsPath, kind: .fills, capacity: c.sharedMemory.capacity)
        // Records the journal already holds are not applied twice (their slots may not
        // have been freed before a crash).
        let skipped = try signals.skip(to: appliedThrough)
        if skipped > 0 { Log.info("shared memory: \(skipped) signals record(s) already applied before the restart, skipped") }
        if signals.producerIndex > signals.consumerIndex {
            Log.info("shared memory: \(signals.producerIndex - signals.consumerIndex) signals record(s) published while the gateway was down")
        }
        let strategyName = c.sharedMemory.strategyAccount.isEmpty ? c.accounts.last!.name : c.sharedMemory.strategyAccount
        let strategy = try c.account(named: strategyName, key: "shared_memory.strategy_account")
        var positions: [SymbolIndex: Int64] = [:]
        for (index, _) in c.symbolDirectory { positions[index] = engine.position(account: strategy, symbol: index) }
        let accounts = Dictionary(uniqueKeysWithValues: c.accounts.enumerated().map { ($1.name, AccountIndex(rawValue: UInt16($0 + 1))) })
        let bridge = SignalBridge(
            signals: signals, fills: fills, port: port, strategyAccount: strategy,
            symbols: c.symbolDirectory.map { ($0.index, $0.settings.name) }, accounts: accounts, positions: positions,
            clock: clock)
        let wait = try WaitStrategy(
            c.sharedMemory.waitStrategy, spins: c.sharedMemory.spinCount,
            parkTimeout: .microseconds(c.sharedMemory.pollIntervalMicroseconds))
        let backoff = BridgePollBackoff(
            activeNanoseconds: Int64(c.sharedMemory.pollIntervalMicroseconds) * 1_000,
            idleNanoseconds: Int64(c.sharedMemory.idlePollIntervalMicroseconds) * 1_000,
            idleAfterNanoseconds: Int64(c.sharedMemory.idleAfterMilliseconds) * 1_000_000,
            now: MonotonicClock.nanoseconds())
        return SignalBridgeAgent(bridge: bridge, waitStrategy: wait, backoff: backoff)
    }
}
