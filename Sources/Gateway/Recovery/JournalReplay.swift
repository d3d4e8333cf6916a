import GatewayCore
import Journal
import Matching

/// Start-up recovery: every journaled command, in sequence order, through the engine
/// before any connection is accepted. The engine is deterministic, so the books come
/// back exactly as they were when the last command was written.
public enum JournalReplay {
    public struct Result: Sendable {
        /// The sequence number the first new command gets.
        public var nextSequence: UInt64
        /// Commands replayed.
        public var commandCount: Int
        /// Events the replay produced (discarded: their acknowledgements left before the stop).
        public var eventCount: Int
        public var report: JournalRecoveryReport

        /// One line for the operator log.
        public var summary: String {
            var text = "recovery: "
            if let resumed = report.resumedAfter { text += "state after command \(resumed) loaded from a snapshot; " }
            text += "replayed \(commandCount) command(s) producing \(eventCount) event(s); next sequence \(nextSequence)"
            text += "; \(report.files.count) journal file(s) read, \(report.fileBytes) bytes"
            if let truncation = report.truncation { text += "; " + truncation.description }
            return text
        }
    }

    /// An event sink that counts and shows each event to the observer: replayed events
    /// are not sent again.
    struct CountingSink: EventSink {
        var count = 0
        let observe: ((Event) -> Void)?
        mutating func emit(_ event: Event) {
            count += 1
            observe?(event)
        }
    }

    /// Replays `directory` into `engine`. A torn tail is truncated and reported; corruption
    /// in the middle stops with an error naming file and offset, unless `truncateCorruption`
    /// asks to keep what precedes it (the rest is moved aside, never deleted).
    ///
    /// `resumingAfter`: the engine holds a snapshot's state, which covers the journal up
    /// to that record; only the commands after it are replayed.
    ///
    /// `observeCommand` and `observeEvent` see every replayed command and, right after
    /// it, the events it produced: how the order-entry layers rebuild what they keep
    /// about open orders.
    public static func replay(
        directory: String, into engine: MatchingEngine, truncateCorruption: Bool,
        resumingAfter resume: JournalPosition? = nil,
        observeCommand: ((Command) -> Void)? = nil, observeEvent: ((Event) -> Void)? = nil
    ) throws -> Result {
        var sink = CountingSink(observe: observeEvent)
        var commands = 0
        let options = JournalRecoveryOptions(middleCorruption: truncateCorruption ? .quarantine : .fail)
        let report = try JournalRecovery.recover(directory: directory, options: options, resumingAfter: resume) { sequence, payload in
            let command = try CommandRecord.decode(payload)
            observeCommand?(command)
            engine.process(command, sequence: sequence, into: &sink)
            commands += 1
        }
        return Result(
            nextSequence: report.nextSequence ?? (resume.map { $0.sequence + 1 } ?? 1), commandCount: commands,
            eventCount: sink.count, report: report)
    }
}
