import Foundation
import GatewayCore
import Journal
import Matching

/// `cift-gateway run`: recovery, start-up, serving until told to stop, and a clean stop.
public enum GatewayProcess {
    public struct Options: Sendable {
        /// Keep what precedes corruption in the middle of the journal instead of refusing to start.
        public var truncateCorruptJournal: Bool
        public init(truncateCorruptJournal: Bool = false) { self.truncateCorruptJournal = truncateCorruptJournal }
    }

    /// Runs the gateway until SIGINT or SIGTERM. Returns the process exit status.
    public static func run(configuration: GatewayConfiguration, options: Options) throws -> Int32 {
        ShutdownSignals.block()
        let started = monotonicNanoseconds()
        let dataDirectory = try DataDirectory(path: configuration.dataDirectory)
        print(configuration.startupSummary())

        let engine = try MatchingEngine(configuration: EngineConfiguration(gateway: configuration))
        let recovery = try JournalReplay.replay(
            directory: dataDirectory.journalPath, into: engine, truncateCorruption: options.truncateCorruptJournal)
        Log.info(recovery.summary)

        let writer = try JournalWriter.open(
            directory: dataDirectory.journalPath, configuration: configuration, nextSequence: recovery.nextSequence)
        let runtime = try EngineRuntime(
            configuration: configuration, engine: engine, journal: writer,
            nextSequence: recovery.nextSequence, portCount: 0)
        try runtime.start()
        let elapsed = Double(monotonicNanoseconds() - started) / 1e6
        Log.info("ready in \(String(format: "%.1f", elapsed)) ms: engine on \(configuration.engine.core.map { "core \($0)" } ?? "any core"), journal \(configuration.journal.durability); order entry opens with the network front end (FIX \(configuration.fix.listen), OUCH \(configuration.ouch.listen))")
        fflush(nil)  // the banner reaches a pipe before "ready" does

        var status: Int32 = 0
        while true {
            if let signal = ShutdownSignals.wait(milliseconds: 500) {
                Log.info("received \(signal == SIGINT ? "SIGINT" : "SIGTERM"), stopping")
                break
            }
            if runtime.journalFailed {
                status = 1
                break
            }
        }
        if let error = runtime.stop() {
            Log.error("stopped with a journal error: \(error)")
            return 1
        }
        let last = runtime.nextSequence &- 1
        Log.info("stopped cleanly: " + (last == 0 ? "the journal is empty" : "journal written through sequence \(last)"))
        withExtendedLifetime(dataDirectory) {}
        return status
    }
}
