@testable import Rings
import XCTest
import TestSupport

/// Two threads, one producer and one consumer, millions of messages in total,
/// at every capacity edge and with every producer and consumer API.
///
/// Allowed outcomes, for every test here: the consumer receives the sequence
/// numbers 0, 1, 2, … N-1 exactly once each, in that order, each record
/// intact (every word matches its sequence number). How often the producer
/// found the ring full and the consumer found it empty depends on scheduling
/// and is not asserted. Not allowed: a gap (a lost message), a repeat (a
/// duplicate), a reordering, or a torn record (a slot read before its write
/// was visible, or overwritten before its read finished).
final class SPSCRingStressTests: XCTestCase {
    enum ProducerMode: CaseIterable { case single, batch, claim }
    enum ConsumerMode: CaseIterable { case single, drain, peek }

    struct Outcome {
        var log: ReceiveLog
        var producerSawFull: Int
        var consumerSawEmpty: Int
    }

    /// Runs one producer thread and one consumer thread over a fresh ring.
    /// `producer`/`consumer` nil means a random API per operation.
    func run(
        capacity: Int, messages: Int, producer: ProducerMode?, consumer: ConsumerMode?,
        initialIndex: UInt64 = 0, seed: UInt64 = 1
    ) throws -> Outcome {
        let ring = try SPSCRing<Message>(capacity: capacity, initialIndex: initialIndex)
        let total = UInt64(messages)
        let maxBatch = capacity * 2 + 3
        let sawFull = Shared(0)
        let received = Shared(ReceiveLog())
        let sawEmpty = Shared(0)

        let producerThread = startThread("ring-producer") {
            let backoff = makeBackoff()
            var random = SplitMix64(seed: seed)
            let scratch = UnsafeMutableBufferPointer<Message>.allocate(capacity: maxBatch)
            defer { scratch.deallocate() }
            var next: UInt64 = 0
            var full = 0
            while next < total {
                let mode = producer ?? ProducerMode.allCases[random.upTo(3) - 1]
                let wanted = Int(Swift.min(UInt64(random.upTo(maxBatch)), total - next))
                var pushed = 0
                switch mode {
                case .single:
                    pushed = ring.tryPush(Message(next)) ? 1 : 0
                case .batch:
                    for index in 0..<wanted { scratch[index] = Message(next + UInt64(index)) }
                    pushed = ring.push(contentsOf: UnsafeBufferPointer(rebasing: scratch[0..<wanted]))
                case .claim:
                    let slots = ring.claim(upTo: wanted)
                    // Publish all of the claim, or (one time in four) only part of it.
                    let publishing = slots.isEmpty ? 0 : (random.upTo(4) == 1 ? random.upTo(slots.count) : slots.count)
                    for index in 0..<publishing { slots[index] = Message(next + UInt64(index)) }
                    ring.publish(publishing)
                    pushed = publishing
                }
                next += UInt64(pushed)
                if pushed == 0 {
                    full += 1
                    backoff.idle()
                } else {
                    backoff.reset()
                }
            }
            sawFull.value = full
        }

        let consumerThread = startThread("ring-consumer") {
            let backoff = makeBackoff()
            var random = SplitMix64(seed: seed ^ 0xC0FFEE)
            var log = ReceiveLog()
            var empty = 0
            while UInt64(log.received) < total {
                let mode = consumer ?? ConsumerMode.allCases[random.upTo(3) - 1]
                let wanted = random.upTo(maxBatch)
                var taken = 0
                switch mode {
                case .single:
                    if let message = ring.tryPop() {
                        log.record(message)
                        taken = 1
                    }
                case .drain:
                    taken = ring.drain(maxCount: wanted) { log.record($0) }
                case .peek:
                    let slots = ring.peek(upTo: wanted)
                    let consuming = slots.isEmpty ? 0 : (random.upTo(4) == 1 ? random.upTo(slots.count) : slots.count)
                    for index in 0..<consuming { log.record(slots[index]) }
                    ring.consume(consuming)
                    taken = consuming
                }
                if taken == 0 {
                    empty += 1
                    backoff.idle()
                } else {
                    backoff.reset()
                }
            }
            // Nothing may be left over: the producer stopped at exactly N.
            if let extra = ring.tryPop() {
                log.record(extra)
            }
            received.value = log
            sawEmpty.value = empty
        }

        producerThread.join()
        consumerThread.join()
        XCTAssertTrue(ring.isEmpty)
        return Outcome(log: received.value, producerSawFull: sawFull.value, consumerSawEmpty: sawEmpty.value)
    }

    /// The message count for `capacity`: small rings hand over a message or two
    /// per cross-core round trip (or per scheduler time slice, on a loaded
    /// machine), so they get fewer. About 3.6 million messages in all at scale 1.
    func messages(forCapacity capacity: Int) -> Int {
        switch capacity {
        case ...2: return Stress.count(60_000)
        case ...64: return Stress.count(120_000)
        default: return Stress.count(500_000)
        }
    }

    func testOneAtATime() throws {
        for capacity in [1, 2, 4, 1024] {
            let count = messages(forCapacity: capacity)
            let outcome = try run(capacity: capacity, messages: count, producer: .single, consumer: .single)
            outcome.log.assertComplete(count, "tryPush/tryPop, capacity \(capacity)")
        }
    }

    func testBatchPushAndBatchDrain() throws {
        for capacity in [1, 2, 4, 1024] {
            let count = messages(forCapacity: capacity)
            let outcome = try run(capacity: capacity, messages: count, producer: .batch, consumer: .drain, seed: 2)
            outcome.log.assertComplete(count, "push(contentsOf:)/drain, capacity \(capacity)")
        }
    }

    func testClaimPublishAndPeekConsume() throws {
        for capacity in [1, 2, 4, 1024] {
            let count = messages(forCapacity: capacity)
            let outcome = try run(capacity: capacity, messages: count, producer: .claim, consumer: .peek, seed: 3)
            outcome.log.assertComplete(count, "claim/publish + peek/consume, capacity \(capacity)")
        }
    }

    /// Every producer API against every consumer API, chosen at random per
    /// operation, so a batch publish meets a single pop and a claim meets a
    /// drain at arbitrary slot positions.
    func testMixedOperations() throws {
        for capacity in [1, 4, 64, 1024] {
            let count = messages(forCapacity: capacity)
            let outcome = try run(capacity: capacity, messages: count, producer: nil, consumer: nil, seed: 4)
            outcome.log.assertComplete(count, "mixed, capacity \(capacity)")
        }
    }

    /// The same traffic with `head` and `tail` starting just below 2^64, so
    /// both threads cross the wrap of the 64-bit indices mid-stream.
    func testAcrossTheWrapOf64BitIndices() throws {
        for capacity in [2, 1024] {
            let count = messages(forCapacity: capacity)
            let start = UInt64.max - UInt64(count / 2)
            let outcome = try run(capacity: capacity, messages: count, producer: nil, consumer: nil, initialIndex: start, seed: 5)
            outcome.log.assertComplete(count, "across 2^64, capacity \(capacity)")
        }
    }
}
