import GatewayCore
import Matching
import PerfSupport

/// What `CountingSink` counts: kept in memory of its own (allocated once per rig), not
/// in the sink value.
struct SinkTotals {
    var events = 0
    var digest: UInt64 = 0
}

/// Counts the engine's events and folds their kinds and quantities into a digest, so
/// that none of the work is optimised away. Allocates nothing.
///
/// The counts live behind a pointer rather than in the struct: since the engine wraps
/// the caller's sink in `RiskTrackingSink` (it emits through
/// `withUnsafeMutablePointer(to: &sink)`), a sink whose state is stored inline came back
/// from `process` unchanged in these release builds (0 events after the prefill), so
/// the replay check failed and the sink's work could be dropped. The gateway's own sink
/// (`PendingSink`) keeps its state in a class and is not affected (perf/README.md,
/// "Risk gates and the shared-memory ring").
struct CountingSink: EventSink {
    let totals: UnsafeMutablePointer<SinkTotals>

    /// Starts `totals` again from zero.
    init(_ totals: UnsafeMutablePointer<SinkTotals>) {
        self.totals = totals
        totals.pointee = SinkTotals()
    }

    var events: Int { totals.pointee.events }
    var digest: UInt64 { totals.pointee.digest }

    @inlinable
    mutating func emit(_ event: Event) {
        totals.pointee.events &+= 1
        totals.pointee.digest =
            (totals.pointee.digest ^ (UInt64(event.kind.rawValue) << 32 | UInt64(event.quantity))) &* 0x0000_0100_0000_01B3
    }
}

/// A matching engine on its own thread, pinned to core 1 as the gateway's engine is
/// by default (`engine.core = 1`), replaying an `OrderFlow`.
///
/// Setup builds the engine and feeds it `prefill` on the benchmark thread, then hands
/// it to the worker (the semaphore is the happens-before edge the engine's threading
/// contract asks for); from then on only the worker touches it. Each iteration the
/// worker processes `measured` (timed), then `restore` (not timed).
final class MatchingRig: @unchecked Sendable {
    enum Job: Int {
        /// Process `measured` between two clock reads.
        case throughput = 1
        /// Process `measured` with two clock reads around every command.
        case perCommandLatency = 2
        /// Process `restore`, then check the book is back to the start.
        case restore = 3
        /// Back-to-back clock reads, as many as there are measured commands.
        case timerOverhead = 4
    }

    static let engineCore = 1

    let flow: OrderFlow
    private let engine: MatchingEngine
    // Copies of the streams in memory of their own: the hot loop reads plain pointers
    // (no array bounds checks, no retain/release).
    private let measured: UnsafeMutableBufferPointer<Command>
    private let restore: UnsafeMutableBufferPointer<Command>
    let samples: LatencySamples
    let timerSamples: LatencySamples

    // Worker thread only between begin and finish; read by the benchmark thread after.
    private var sequence: UInt64 = 1
    private var digest: UInt64 = 0
    /// The sinks' counts (one sink at a time: setup's prefill, then the worker's jobs).
    private let totals: UnsafeMutablePointer<SinkTotals>
    private(set) var elapsedNanoseconds: Int64 = 1
    private(set) var failure: String?
    private var worker: BenchmarkWorker!

    /// - Parameter configuration: the flow's own (the gateway's default capacities)
    ///   unless given.
    init(flow: OrderFlow, configuration: EngineConfiguration? = nil, recordLatency: Bool) {
        self.flow = flow
        engine = MatchingEngine(configuration: configuration ?? flow.configuration)
        measured = .allocate(capacity: flow.measured.count)
        _ = measured.initialize(from: flow.measured)
        restore = .allocate(capacity: flow.restore.count)
        _ = restore.initialize(from: flow.restore)
        samples = LatencySamples(capacity: recordLatency ? flow.measured.count : 0)
        timerSamples = LatencySamples(capacity: recordLatency ? flow.measured.count : 0)

        totals = .allocate(capacity: 1)
        totals.initialize(to: SinkTotals())
        var prefillSink = CountingSink(totals)
        for command in flow.prefill {
            engine.process(command, sequence: sequence, into: &prefillSink)
            sequence &+= 1
        }
        precondition(engine.openOrderCount == flow.liveAfterPrefill, "prefill did not build the expected book")
        precondition(prefillSink.events >= flow.prefill.count, "the sink missed the prefill's events")

        worker = BenchmarkWorker(name: "matching-engine", core: MatchingRig.engineCore) { [unowned self] job in
            switch Job(rawValue: job) {
            case .throughput: self.processMeasured()
            case .perCommandLatency: self.processMeasuredTimingEach()
            case .restore: self.processRestore()
            case .timerOverhead: measureTimerOverhead(into: self.timerSamples, count: self.timerSamples.capacity)
            case nil: preconditionFailure("unknown job \(job)")
            }
        }
    }

    deinit {
        measured.deallocate()
        restore.deallocate()
        totals.deallocate()
    }

    var placement: String { "engine \(worker.placement)" }

    /// Runs `job` on the engine thread and waits for it.
    func run(_ job: Job) {
        if job == .timerOverhead { timerSamples.removeAll() }
        if job == .perCommandLatency { samples.removeAll() }
        worker.run(job.rawValue)
    }

    /// Commands per second of the last measured job.
    var commandsPerSecond: Int {
        Int(Double(measured.count) * 1e9 / Double(max(elapsedNanoseconds, 1)))
    }

    func stop() { worker.stop() }

    // MARK: Engine thread

    private func processMeasured() {
        let commands = UnsafeBufferPointer(measured)
        var sink = CountingSink(totals)
        var sequence = self.sequence
        let start = nowNanoseconds()
        for index in 0..<commands.count {
            engine.process(commands[index], sequence: sequence, into: &sink)
            sequence &+= 1
        }
        elapsedNanoseconds = nowNanoseconds() &- start
        self.sequence = sequence
        finishMeasured(sink)
    }

    private func processMeasuredTimingEach() {
        let commands = UnsafeBufferPointer(measured)
        let samples = self.samples
        var sink = CountingSink(totals)
        var sequence = self.sequence
        let start = nowNanoseconds()
        for index in 0..<commands.count {
            let before = nowNanoseconds()
            engine.process(commands[index], sequence: sequence, into: &sink)
            let after = nowNanoseconds()
            samples.append(after &- before)
            sequence &+= 1
        }
        elapsedNanoseconds = nowNanoseconds() &- start
        self.sequence = sequence
        finishMeasured(sink)
    }

    /// The replay must match the generation: same number of events, same live count.
    private func finishMeasured(_ sink: CountingSink) {
        digest ^= sink.digest
        if sink.events != flow.mix.events || engine.openOrderCount != flow.liveAfterMeasured {
            failure =
                "replay diverged from generation: \(sink.events) events (expected \(flow.mix.events)), "
                + "\(engine.openOrderCount) live orders (expected \(flow.liveAfterMeasured))"
        }
    }

    private func processRestore() {
        var sink = CountingSink(totals)
        for index in 0..<restore.count {
            engine.process(restore[index], sequence: sequence, into: &sink)
            sequence &+= 1
        }
        digest ^= sink.digest
        if engine.openOrderCount != flow.liveAfterPrefill {
            failure = "restore left \(engine.openOrderCount) live orders (expected \(flow.liveAfterPrefill))"
        }
    }
}
