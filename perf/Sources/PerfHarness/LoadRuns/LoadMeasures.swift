/// The histograms and error counts of one `cift-perf load` run against one target.
/// Latencies run from each request's intended send time (see ``LoadRequest``).
public final class LoadMeasures {
    /// New order → Order Accepted / ExecutionReport(New) (for the floor: its echo).
    public let ack = LatencyHistogram()
    /// Marketable order → its first execution.
    public let fill = LatencyHistogram()
    /// Resting order → its ITCH Add Order on the multicast feed (matched by order reference).
    public let feed = LatencyHistogram()
    /// Cancel → Order Canceled / ExecutionReport(Canceled).
    public let cancel = LatencyHistogram()
    /// Replace → Order Replaced / ExecutionReport(Replaced).
    public let replace = LatencyHistogram()

    public var counts = LoadCounts()

    public init() {}

    /// The measures by name, in report order, with what each measures.
    public var named: [(name: String, title: String, histogram: LatencyHistogram)] {
        [("ack", "order → ack", ack), ("fill", "order → first fill", fill), ("feed", "order → ITCH Add Order", feed),
         ("cancel", "cancel → canceled", cancel), ("replace", "replace → replaced", replace)]
    }
}

/// What went wrong or did not happen, counted (never asserted).
public struct LoadCounts: Sendable, Codable {
    public var issued = 0
    public var answered = 0
    public var measuredAnswered = 0
    /// Rejected / ExecutionReport(Rejected) answers.
    public var rejects = 0
    /// OrderCancelReject answers (FIX).
    public var cancelRejects = 0
    /// Cancels and replaces whose order was filled before they reached it (OUCH does not answer those).
    public var tooLate = 0
    /// Requests without an answer within the timeout.
    public var timeouts = 0
    /// Connections the peer closed or that failed during the run.
    public var disconnects = 0
    /// Answers that named no request of this run.
    public var unknownAnswers = 0
    /// Executions on this run's orders (both sides).
    public var executions = 0
    /// Marketable orders that ended without any execution.
    public var marketUnfilled = 0
    /// Add Orders of this run's resting orders that arrived before their acknowledgement.
    public var feedBeforeAck = 0
    /// MoldUDP64 messages missing on the feed (sequence gaps).
    public var feedGapMessages: UInt64 = 0
}
