import CPerfSupport
import PerfSupport
import Rings

/// Sizes shared by the ring benchmarks (perf/README.md lists them).
enum RingSizes {
    /// Slots in the throughput ring: 4096 × 64 bytes = 256 KiB, which fits the
    /// consumer's L2 cache.
    static let throughputCapacity = 4096
    /// Records per push and per drain: the engine's default `batch_size`.
    static let batch = 256
    /// Records moved per measured iteration (2^22, about 4.2 million: long enough
    /// that a preemption by another process spoils few iterations).
    static let recordsPerRun = 1 << 22
    /// Round trips timed per measured iteration of the ping-pong benchmark.
    static let roundTripsPerRun = 50_000
    /// Round trips made, untimed, at the start of each iteration, after the threads
    /// wake from the semaphore and before the timed ones.
    static let warmupRoundTrips = 2_000
    /// Slots in each ping-pong ring (never more than one record is in flight).
    static let pingPongCapacity = 64
    /// Cores the two threads are pinned to.
    static let producerCore = 0
    static let consumerCore = 1
}

/// One producer thread pushing `recordsPerRun` 64-byte records in batches through an
/// `SPSCRing`, one consumer thread draining them in batches and checking that every
/// sequence number arrives once, in order.
final class RingThroughputRig: @unchecked Sendable {
    let ring: SPSCRing<Record64>
    let recordsPerRun: Int
    let batch: Int

    // Producer thread only (between begin and finish).
    private let staging: UnsafeMutableBufferPointer<Record64>
    private var producerSequence: UInt64 = 0
    private var startNanoseconds: Int64 = 0

    // Consumer thread only (between begin and finish).
    private var consumerSequence: UInt64 = 0
    private var outOfOrder = 0
    private var endNanoseconds: Int64 = 0

    private var producer: BenchmarkWorker!
    private var consumer: BenchmarkWorker!
    /// Both threads wait here after waking, so the clock starts when both run.
    private let startLine = StartLine(participants: 2)
    /// Written by the benchmark thread before `begin`.
    private var run = 0

    init(capacity: Int, batch: Int, recordsPerRun: Int) throws {
        Record64.checkLayout()
        ring = try SPSCRing<Record64>(capacity: capacity)
        self.batch = batch
        self.recordsPerRun = recordsPerRun
        staging = .allocate(capacity: batch)
        staging.initialize(repeating: Record64(sequence: 0))
        producer = BenchmarkWorker(name: "ring-producer", core: RingSizes.producerCore) { [unowned self] _ in
            self.produce()
        }
        consumer = BenchmarkWorker(name: "ring-consumer", core: RingSizes.consumerCore) { [unowned self] _ in
            self.consume()
        }
    }

    deinit { staging.deallocate() }

    var placement: String { "producer \(producer.placement), consumer \(consumer.placement)" }

    /// One measured iteration: both threads move `recordsPerRun` records. Returns the
    /// records per second from the producer's first push (once both threads are
    /// awake and past the start line) to the consumer's last record.
    func runOnce() -> (recordsPerSecond: Int, failure: String?) {
        run &+= 1
        consumer.begin(0)
        producer.begin(0)
        producer.finish()
        consumer.finish()
        let elapsed = max(endNanoseconds &- startNanoseconds, 1)
        let rate = Int(Double(recordsPerRun) * 1e9 / Double(elapsed))
        let failure = outOfOrder == 0 ? nil : "\(outOfOrder) records arrived out of sequence"
        return (rate, failure)
    }

    func stop() {
        producer.stop()
        consumer.stop()
    }

    private func produce() {
        var remaining = recordsPerRun
        var sequence = producerSequence
        let staging = self.staging
        startLine.arrive(run: run)
        startNanoseconds = nowNanoseconds()
        while remaining > 0 {
            let count = min(batch, remaining)
            // Build the batch as a producer would: each record gets its sequence number.
            for index in 0..<count {
                staging[index].w0 = sequence &+ UInt64(index)
            }
            var offset = 0
            while offset < count {
                let pushed = ring.push(contentsOf: UnsafeBufferPointer(rebasing: staging[offset..<count]))
                if pushed == 0 { cift_perf_cpu_relax() }
                offset &+= pushed
            }
            sequence &+= UInt64(count)
            remaining &-= count
        }
        producerSequence = sequence
    }

    private func consume() {
        var remaining = recordsPerRun
        var expected = consumerSequence
        var wrong = 0
        startLine.arrive(run: run)
        while remaining > 0 {
            let taken = ring.drain(maxCount: batch) { record in
                if record.w0 != expected { wrong &+= 1 }
                expected &+= 1
            }
            if taken == 0 { cift_perf_cpu_relax() }
            remaining &-= taken
        }
        endNanoseconds = nowNanoseconds()
        consumerSequence = expected
        outOfOrder = wrong
    }
}

/// The same records moved by one thread, on the producer's core: the floor the
/// cross-core figure is read against.
///
/// Job `copyLoop`: a plain loop that builds each batch exactly as the producer does,
/// copies it into a 4096-slot array (wrapping like the ring) and reads it back with
/// the consumer's check: the memory traffic of the ring without atomics or a second core.
/// Job `ringOneThread`: the same, through the `SPSCRing` (push then drain on one
/// thread): the ring's own bookkeeping without the cross-core cache traffic.
final class OneThreadRig: @unchecked Sendable {
    enum Job: Int {
        case copyLoop = 1
        case ringOneThread = 2
    }

    let ring: SPSCRing<Record64>
    let recordsPerRun: Int
    let batch: Int
    private let staging: UnsafeMutableBufferPointer<Record64>
    private let slots: UnsafeMutableBufferPointer<Record64>
    private var sequence: UInt64 = 0
    private var outOfOrder = 0
    private var elapsed: Int64 = 1
    private var worker: BenchmarkWorker!

    init(capacity: Int, batch: Int, recordsPerRun: Int) throws {
        Record64.checkLayout()
        ring = try SPSCRing<Record64>(capacity: capacity)
        precondition(batch <= capacity)
        self.batch = batch
        self.recordsPerRun = recordsPerRun
        staging = .allocate(capacity: batch)
        staging.initialize(repeating: Record64(sequence: 0))
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: Record64(sequence: 0))
        worker = BenchmarkWorker(name: "ring-one-thread", core: RingSizes.producerCore) { [unowned self] job in
            switch Job(rawValue: job) {
            case .copyLoop: self.copyLoop()
            case .ringOneThread: self.ringOneThread()
            case nil: preconditionFailure("unknown job \(job)")
            }
        }
    }

    deinit {
        staging.deallocate()
        slots.deallocate()
    }

    var placement: String { worker.placement }

    func runOnce(_ job: Job) -> (recordsPerSecond: Int, failure: String?) {
        worker.run(job.rawValue)
        let rate = Int(Double(recordsPerRun) * 1e9 / Double(max(elapsed, 1)))
        return (rate, outOfOrder == 0 ? nil : "\(outOfOrder) records out of sequence")
    }

    func stop() { worker.stop() }

    private func copyLoop() {
        let staging = self.staging
        let slots = self.slots
        let mask = slots.count - 1
        var produced = sequence
        var expected = sequence
        var wrong = 0
        var remaining = recordsPerRun
        let began = nowNanoseconds()
        while remaining > 0 {
            let count = min(batch, remaining)
            for index in 0..<count {
                staging[index].w0 = produced &+ UInt64(index)
            }
            // Copy in, wrapping at the end of the slot array as the ring does.
            let start = Int(truncatingIfNeeded: produced) & mask
            let beforeWrap = min(count, slots.count &- start)
            (slots.baseAddress! + start).update(from: staging.baseAddress!, count: beforeWrap)
            if count > beforeWrap {
                slots.baseAddress!.update(from: staging.baseAddress! + beforeWrap, count: count &- beforeWrap)
            }
            // Read back with the consumer's check.
            for index in 0..<count where slots[(start &+ index) & mask].w0 != expected &+ UInt64(index) {
                wrong &+= 1
            }
            produced &+= UInt64(count)
            expected &+= UInt64(count)
            remaining &-= count
        }
        elapsed = nowNanoseconds() &- began
        sequence = produced
        outOfOrder = wrong
    }

    private func ringOneThread() {
        let staging = self.staging
        var produced = sequence
        var expected = sequence
        var wrong = 0
        var remaining = recordsPerRun
        let start = nowNanoseconds()
        while remaining > 0 {
            let count = min(batch, remaining)
            for index in 0..<count {
                staging[index].w0 = produced &+ UInt64(index)
            }
            let pushed = ring.push(contentsOf: UnsafeBufferPointer(rebasing: staging[0..<count]))
            precondition(pushed == count, "one-thread ring refused a batch")
            _ = ring.drain(maxCount: count) { record in
                if record.w0 != expected { wrong &+= 1 }
                expected &+= 1
            }
            produced &+= UInt64(count)
            remaining &-= count
        }
        elapsed = nowNanoseconds() &- start
        sequence = produced
        outOfOrder = wrong
    }
}

/// Two threads on two cores, two rings: "ping" pushes one 64-byte record and
/// busy-spins until "pong" has popped it and pushed it back. Each round trip is timed
/// on the ping thread with two clock reads.
final class PingPongRig: @unchecked Sendable {
    let outbound: SPSCRing<Record64>
    let inbound: SPSCRing<Record64>
    let roundTrips: Int
    let warmup: Int
    let samples: LatencySamples
    let timerSamples: LatencySamples
    private var pingFailures = 0
    private var ping: BenchmarkWorker!
    private var pong: BenchmarkWorker!
    private var sequence: UInt64 = 0
    private var elapsed: Int64 = 1

    init(capacity: Int, roundTrips: Int, warmup: Int) throws {
        Record64.checkLayout()
        outbound = try SPSCRing<Record64>(capacity: capacity)
        inbound = try SPSCRing<Record64>(capacity: capacity)
        self.roundTrips = roundTrips
        self.warmup = warmup
        samples = LatencySamples(capacity: roundTrips)
        timerSamples = LatencySamples(capacity: roundTrips)
        ping = BenchmarkWorker(name: "ring-ping", core: RingSizes.producerCore) { [unowned self] job in
            if job == PingPongRig.timerJob {
                measureTimerOverhead(into: self.timerSamples, count: self.roundTrips)
            } else {
                self.pingSide()
            }
        }
        pong = BenchmarkWorker(name: "ring-pong", core: RingSizes.consumerCore) { [unowned self] _ in
            self.pongSide()
        }
    }

    var placement: String { "ping \(ping.placement), pong \(pong.placement)" }

    /// One measured iteration; the samples are left in `samples`.
    func runOnce() -> (roundTripsPerSecond: Int, failure: String?) {
        samples.removeAll()
        pong.begin(0)
        ping.begin(0)
        ping.finish()
        pong.finish()
        let rate = Int(Double(roundTrips) * 1e9 / Double(max(elapsed, 1)))
        return (rate, pingFailures == 0 ? nil : "\(pingFailures) replies carried the wrong sequence number")
    }

    private static let timerJob = 1

    /// The clock's own cost, on the ping thread, outside the measurement.
    func measureTimer() {
        timerSamples.removeAll()
        ping.run(PingPongRig.timerJob)
    }

    func stop() {
        ping.stop()
        pong.stop()
    }

    private func pingSide() {
        var failures = 0
        var record = Record64(sequence: sequence)
        var firstTimed: Int64 = 0
        for trip in 0..<(warmup &+ roundTrips) {
            if trip == warmup { firstTimed = nowNanoseconds() }
            record.w0 = sequence
            let start = nowNanoseconds()
            while !outbound.tryPush(record) { cift_perf_cpu_relax() }
            var reply = inbound.tryPop()
            while reply == nil {
                cift_perf_cpu_relax()
                reply = inbound.tryPop()
            }
            let end = nowNanoseconds()
            if reply.unsafelyUnwrapped.w0 != sequence { failures &+= 1 }
            if trip >= warmup { samples.append(end &- start) }
            sequence &+= 1
        }
        elapsed = nowNanoseconds() &- firstTimed
        pingFailures = failures
    }

    private func pongSide() {
        for _ in 0..<(warmup &+ roundTrips) {
            var request = outbound.tryPop()
            while request == nil {
                cift_perf_cpu_relax()
                request = outbound.tryPop()
            }
            while !inbound.tryPush(request.unsafelyUnwrapped) { cift_perf_cpu_relax() }
        }
    }
}
