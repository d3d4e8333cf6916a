import FIX
import Foundation
import GatewayCore
import Journal
import MarketData
import Matching
import OUCH

/// What a start rebuilds before any connection is accepted (specs/recovery.md): the
/// replayed state (engine, FIX order table, signals applied, UserRefNum marks), from the
/// newest usable snapshot and the journal after it; the session streams (OUCH per user,
/// FIX per session), each given the answers a crash kept out of it; and the feed, caught
/// up with what it had not published. All of it on the starting thread; the stage that
/// owns each part from then on takes it over (``ThreadConfined``).
struct StartupRecovery {
    /// The replayed state: the engine, holding the replayed books (the engine stage's from
    /// now on); its signals and UserRefNum marks are read at start-up.
    let state: ReplayedState
    /// Order entry's, once its thread starts.
    let fixOrderEntry: ThreadConfined<FIXOrderEntry>
    let ouchServer: ThreadConfined<OUCHServer>
    let fixAcceptor: ThreadConfined<FIXAcceptor>
    /// The feed's publisher (the market-data stage's).
    let publisher: ITCHPublisher
    let result: JournalReplay.Result
    /// The snapshot the start began from (nil: the whole journal was replayed).
    let loaded: (position: JournalPosition, body: [UInt8])?
    /// A fresh replayed state, for the snapshot thread's replica.
    let makeState: () throws -> ReplayedState
    let fingerprint: UInt64
    let snapshotDirectory: SnapshotDirectory

    /// Recovers into new objects. `inboundNumberWrite`: when the FIX acceptor writes its
    /// inbound sequence numbers (which depends on the threading mode).
    static func run(
        _ configuration: GatewayConfiguration, dataDirectory: DataDirectory, now: Timestamp, truncateCorruptJournal: Bool,
        inboundNumberWrite: FIXAcceptorConfiguration.InboundNumberWrite
    ) throws -> StartupRecovery {
        let engineConfiguration = try EngineConfiguration(gateway: configuration)
        let fixAccounts = try configuration.fix.sessions.enumerated().map { i, s in
            try configuration.account(named: s.account, key: "fix.sessions[\(i)].account")
        }
        let fixSymbols = Dictionary(uniqueKeysWithValues: configuration.symbolDirectory.map { ($1.name, $0) })
        // Account (1) must name the session's account, or one of its allowed_accounts.
        let fixAllowedAccounts = try configuration.fix.sessions.enumerated().map { i, s in
            try s.allowedAccounts.enumerated().map { j, name in
                (name: name, account: try configuration.account(named: name, key: "fix.sessions[\(i)].allowed_accounts[\(j)]"))
            }
        }
        let makeState = {
            ReplayedState(
                engine: MatchingEngine(configuration: engineConfiguration),
                fixOrderEntry: try FIXOrderEntry(
                    accounts: fixAccounts, symbols: fixSymbols, source: GatewayPort.orderEntry.source,
                    maxMessagesPerSecond: configuration.fix.maxMessagesPerSecond,
                    accountNames: configuration.fix.sessions.map(\.account),
                    allowedAccounts: fixAllowedAccounts),
                bridgeSource: GatewayPort.bridge.source)
        }
        // New, or loaded from the newest usable snapshot, which the journal after it then
        // brings up to date (specs/snapshots.md).
        let fingerprint = ReplayFingerprint.of(
            engine: engineConfiguration, fixAccounts: fixAccounts,
            fixAllowedAccounts: fixAllowedAccounts.map { $0.map(\.account) }, fixOrdersPerSession: 4096)
        let snapshotDirectory = SnapshotDirectory(dataDirectory: dataDirectory.path)
        let loaded = try SnapshotLoader.newestUsable(
            in: snapshotDirectory, journalDirectory: dataDirectory.journalPath, fingerprint: fingerprint, makeState: makeState)
        let state = try loaded?.state ?? makeState()
        // The feed continues today's store; what it had not published before a restart
        // comes from the replay (catchUp), a new day starts from the replayed book.
        let publisher = try MarketDataFeed.openPublisher(
            configuration, dataDirectory: dataDirectory.path, now: now, completeThrough: loaded?.position.sequence ?? 0)
        // The session streams are opened before the replay, which hands them every
        // replayed event: each keeps the answers it lacks, and the clients get them on
        // their next login.
        var ouchConfiguration = try OUCHServerConfiguration(
            gateway: configuration, source: GatewayPort.orderEntry.source, dataDirectory: dataDirectory.path, now: now)
        ouchConfiguration.newStreamBaseline = EngineAnswerMark.unsettled
        try FileManager.default.createDirectory(atPath: dataDirectory.path + "/fix", withIntermediateDirectories: true)
        var fixConfiguration = try FIXAcceptorConfiguration(gateway: configuration, storeDirectory: dataDirectory.path + "/fix")
        fixConfiguration.newStoreBaseline = EngineAnswerMark.unsettled
        fixConfiguration.inboundNumberWrite = inboundNumberWrite
        let ouchServer = try OUCHServer(configuration: ouchConfiguration)
        let fixAcceptor = try FIXAcceptor(configuration: fixConfiguration)
        ouchServer.beginRecovery()
        fixAcceptor.beginRecovery()
        var fixRecoveryIO = FIXRecoveryIO(acceptor: fixAcceptor, now: now)
        let orderEntrySource = GatewayPort.orderEntry.source
        let result = try JournalReplay.replay(
            directory: dataDirectory.journalPath, into: state.engine, truncateCorruption: truncateCorruptJournal,
            resumingAfter: loaded?.position,
            observeCommand: { state.note($0) },
            observeEvent: { event in
                if event.kind == .systemEvent {
                    if event.code == SystemEventCode.endOfDay.rawValue {
                        ouchServer.systemEvent(.endOfDay, now: event.timestamp, answering: event.sequence)
                    }
                } else if event.destination.source == orderEntrySource {
                    if event.destination.session >= GatewayConfiguration.ouchSessionBase {
                        ouchServer.handle(event)
                    } else {
                        state.fixOrderEntry.recover(event: event, io: &fixRecoveryIO)
                    }
                }
                publisher.catchUp(event)
            })
        if let failure = fixRecoveryIO.failure { throw failure }
        let journalEnd = result.nextSequence - 1
        let ouchAppended = try ouchServer.finishRecovery(journalEnd: journalEnd)
        try fixAcceptor.finishRecovery(journalEnd: journalEnd)
        if ouchAppended > 0 || fixRecoveryIO.appended > 0 {
            Log.info("recovery: \(ouchAppended) OUCH and \(fixRecoveryIO.appended) FIX answer(s) to journaled commands were missing from the session streams and are appended")
        }
        if publisher.resumeEngineSequence == nil {
            try MarketDataFeed.beginSessionDay(publisher, engine: state.engine, baseline: journalEnd, now: now)
        }
        return StartupRecovery(
            state: state, fixOrderEntry: ThreadConfined(state.fixOrderEntry),
            ouchServer: ThreadConfined(ouchServer), fixAcceptor: ThreadConfined(fixAcceptor), publisher: publisher,
            result: result, loaded: loaded.map { ($0.position, $0.body) }, makeState: makeState, fingerprint: fingerprint,
            snapshotDirectory: snapshotDirectory)
    }

    /// Every part the starting thread built lets go of the starting thread: the stage
    /// threads started next claim them.
    func handOver() {
        fixOrderEntry.handOver()
        ouchServer.handOver()
        fixAcceptor.handOver()
    }
}
