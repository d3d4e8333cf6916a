import Foundation
import GatewayCore
import Journal
import Matching
import POSIX

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
        let started = MonotonicClock.nanoseconds()
        print(configuration.startupSummary())

        let server = try GatewayServer(
            configuration: configuration, truncateCorruptJournal: options.truncateCorruptJournal)
        let elapsed = Double(MonotonicClock.nanoseconds() - started) / 1e6
        Log.info("threading: \(server.threading.mode.rawValue) (\(server.threading.reason)); \(server.threadMap)")
        Log.info("ready in \(String(format: "%.1f", elapsed)) ms: OUCH 5.0 on \(configuration.ouch.listen.host):\(server.ouchPort), FIX 4.4 on \(configuration.fix.listen.host):\(server.fixPort) (\(server.networkBackend)), \(server.tlsDescription), ITCH 5.0 to \(configuration.marketData.group) (retransmission \(configuration.marketData.retransmission.host):\(server.marketDataRetransmissionPort)/udp, snapshots \(configuration.marketData.snapshot.host):\(server.marketDataSnapshotPort)), engine on \(configuration.engine.core.map { "core \($0)" } ?? "any core"), journal \(configuration.journal.durability)")
        fflush(nil)  // the banner reaches a pipe before "ready" does

        var status: Int32 = 0
        var lastCheck = server.clock.now()
        while true {
            let now = server.clock.now()
            if let minute = configuration.session.endOfDayMinutesUTC,
                EndOfDaySchedule.crossed(minute: minute, from: lastCheck, to: now)
            {
                Log.info("end of day (\(configuration.session.endOfDayMinutesUTC.map { String(format: "%02d:%02d UTC", $0 / 60, $0 % 60) } ?? ""))")
                while !server.endTradingDay() { usleep(1_000) }
            }
            lastCheck = now
            if let signal = ShutdownSignals.wait(milliseconds: 500) {
                if signal == SIGHUP {
                    do {
                        try server.reloadCertificates()
                        Log.info("received SIGHUP: TLS certificates read again; new connections use them")
                    } catch {
                        Log.error("received SIGHUP: TLS certificates not reloaded, the old ones stay: \(error)")
                    }
                    continue
                }
                Log.info("received \(signal == SIGINT ? "SIGINT" : "SIGTERM"), stopping")
                break
            }
            if server.hasFailed {
                status = 1
                break
            }
        }
        if let error = server.stop() {
            Log.error("stopped with an error: \(error)")
            return 1
        }
        let last = server.nextSequence &- 1
        Log.info("stopped cleanly: " + (last == 0 ? "the journal is empty" : "journal written through sequence \(last)"))
        return status
    }
}

/// When the configured end of day falls: the first check at or after the time, so a
/// gateway started after it (the day already ended, or will be ended by hand) does not
/// end it again.
enum EndOfDaySchedule {
    static func crossed(minute: Int, from previous: Timestamp, to now: Timestamp) -> Bool {
        let day = Timestamp.nanosecondsPerDay
        let dayStart = now.rawValue - now.nanosecondsSinceMidnight
        let target = dayStart + Int64(minute) * 60 * 1_000_000_000
        return previous.rawValue < target && now.rawValue >= target && now.rawValue - previous.rawValue < day
    }
}
