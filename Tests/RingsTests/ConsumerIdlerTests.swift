@testable import Rings
import Atomics
import XCTest
import TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wait strategies with real producer and consumer threads. No assertion
/// depends on timing; the park timeouts in the wake-up tests are 30 s, so a
/// lost wake-up shows up as a `timedOut` count (and a slow test), never as a
/// flaky pass.
final class ConsumerIdlerTests: XCTestCase {
    static let neverTimeOut: Duration = .seconds(30)

    /// A producer that publishes in bursts with pauses between some of them,
    /// so the consumer runs out of work, spins, yields or parks, and is woken
    /// again, many times. Calls `signal.wake()` after every burst.
    func startBurstyProducer(
        ring: SPSCRing<Message>, signal: WakeSignal, messages: Int, seed: UInt64, name: String
    ) -> PinnedThread {
        startThread(name) {
            let backoff = makeBackoff()
            var random = SplitMix64(seed: seed)
            var next: UInt64 = 0
            let total = UInt64(messages)
            while next < total {
                let burst = Swift.min(UInt64(random.upTo(48)), total - next)
                var sent: UInt64 = 0
                while sent < burst {
                    if ring.tryPush(Message(next + sent)) {
                        sent += 1
                        backoff.reset()
                    } else {
                        signal.wake()
                        backoff.idle()
                    }
                }
                next += burst
                signal.wake()
                switch random.upTo(16) {
                case 1: usleep(200)  // long enough for the consumer to park
                case 2...4: sched_yield()
                default: break
                }
            }
        }
    }

    /// Allowed outcomes, for each strategy: every message arrives once, in
    /// order, intact. Busy-spin and spin-yield never park and never cost a
    /// producer a system call. Spin-park parks any number of times, and each
    /// park ends by a wake-up, by EAGAIN (the producer flipped the word before
    /// the consumer slept) or by EINTR; never by the 30 s timeout, because
    /// every burst is followed by `wake()`.
    func testEveryStrategyDeliversEverythingInOrder() {
        let strategies: [WaitStrategy] = [
            .busySpin, .spinThenYield(spins: 16), .spinThenPark(spins: 16, parkTimeout: Self.neverTimeOut),
            .spinThenPark(spins: 0, parkTimeout: Self.neverTimeOut),
        ]
        for (index, strategy) in strategies.enumerated() {
            let messages = Stress.count(40_000)
            let ring = try! SPSCRing<Message>(capacity: 64)
            let signal = WakeSignal()
            let received = Shared(ReceiveLog())
            let idler = ConsumerIdler(strategy: strategy, signal: signal)
            let consumer = startThread("idler-consumer") {
                var log = ReceiveLog()
                while log.received < messages {
                    let taken = ring.drain(maxCount: 16) { log.record($0) }
                    if taken > 0 { idler.reset() } else { idler.idle() }
                }
                received.value = log
            }
            let producer = startBurstyProducer(ring: ring, signal: signal, messages: messages, seed: UInt64(index), name: "idler-producer")
            producer.join()
            consumer.join()

            received.value.assertComplete(messages, strategy.configValue)
            let statistics = signal.statistics
            XCTAssertEqual(statistics.timedOut, 0, "\(strategy): a park timed out, so a wake-up was lost")
            if !strategy.parks {
                XCTAssertEqual(statistics.parks, 0, "\(strategy)")
                XCTAssertEqual(statistics.wakeSystemCalls, 0, "\(strategy)")
            }
        }
    }

    /// Two threads, two rings of capacity 1, two signals, both sides parking
    /// after zero spins: nearly every round trip goes through announce,
    /// re-check and futex_wait on both sides, which is where a lost wake-up
    /// would hide.
    ///
    /// Allowed outcomes per wait: the message is found in the re-check right
    /// after the announcement (no system call); futex_wait returns EAGAIN
    /// because the producer already flipped the word; futex_wait is woken by
    /// FUTEX_WAKE; futex_wait is interrupted (EINTR). Not allowed: a timeout,
    /// since each message is followed by `wake()`; a reply out of order.
    func testPingPongNeverLosesAWakeUp() {
        let roundTrips = Stress.count(20_000)
        let ping = try! SPSCRing<UInt64>(capacity: 1)
        let pong = try! SPSCRing<UInt64>(capacity: 1)
        let pingerSignal = WakeSignal()
        let pongerSignal = WakeSignal()
        let strategy = WaitStrategy.spinThenPark(spins: 0, parkTimeout: Self.neverTimeOut)
        let pingerIdler = ConsumerIdler(strategy: strategy, signal: pingerSignal)
        let pongerIdler = ConsumerIdler(strategy: strategy, signal: pongerSignal)
        let wrongReplies = Shared(0)

        let ponger = startThread("ponger") {
            for _ in 0..<roundTrips {
                var request: UInt64?
                while request == nil {
                    request = ping.tryPop()
                    if request == nil { pongerIdler.idle() }
                }
                pongerIdler.reset()
                let pushed = pong.tryPush(request! &* 2)
                precondition(pushed, "one message in flight: the reply ring cannot be full")
                pingerSignal.wake()
            }
        }
        let pinger = startThread("pinger") {
            var wrong = 0
            for round in 0..<UInt64(roundTrips) {
                let pushed = ping.tryPush(round)
                precondition(pushed, "one message in flight: the request ring cannot be full")
                pongerSignal.wake()
                var reply: UInt64?
                while reply == nil {
                    reply = pong.tryPop()
                    if reply == nil { pingerIdler.idle() }
                }
                pingerIdler.reset()
                if reply != round &* 2 { wrong += 1 }
            }
            wrongReplies.value = wrong
        }
        pinger.join()
        ponger.join()

        XCTAssertEqual(wrongReplies.value, 0)
        for (side, signal) in [("pinger", pingerSignal), ("ponger", pongerSignal)] {
            let statistics = signal.statistics
            XCTAssertEqual(statistics.timedOut, 0, "\(side): a park timed out, so a wake-up was lost: \(statistics)")
            XCTAssertEqual(
                statistics.parks, statistics.woken + statistics.valueChanged + statistics.interrupted,
                "\(side): every park ended by a wake-up: \(statistics)")
        }
        XCTAssertTrue(ping.isEmpty && pong.isEmpty)
    }

    /// The consumer is parked in futex_wait (with a 30 s timeout); one push
    /// and one `wake()` bring it back.
    ///
    /// Allowed outcomes: the consumer gets the message having been woken by
    /// FUTEX_WAKE (the usual case; one wake-up system call), or, if the
    /// sleep was interrupted (EINTR) and the consumer was re-checking at the
    /// moment of the push, by finding it in that re-check (no system call).
    /// Not allowed: a timeout, or a second wake-up system call for one push.
    func testOnePushWakesAParkedConsumer() {
        let ring = try! SPSCRing<UInt64>(capacity: 8)
        let signal = WakeSignal()
        let idler = ConsumerIdler(strategy: .spinThenPark(spins: 0, parkTimeout: Self.neverTimeOut), signal: signal)
        let received = Shared<UInt64?>(nil)
        let consumer = startThread("parked-consumer") {
            while true {
                if let value = ring.tryPop() {
                    idler.reset()
                    received.value = value
                    return
                }
                idler.idle()
            }
        }
        // Wait until the consumer has gone to sleep: its park counter moves
        // just before futex_wait; the pause lets it get into the call.
        XCTAssertTrue(waitUntil { signal.statistics.parks >= 1 }, "the consumer never parked")
        usleep(20_000)
        XCTAssertTrue(signal.isConsumerParked)

        XCTAssertTrue(ring.tryPush(42))
        signal.wake()
        consumer.join()

        XCTAssertEqual(received.value, 42)
        let statistics = signal.statistics
        XCTAssertEqual(statistics.timedOut, 0, "\(statistics)")
        XCTAssertLessThanOrEqual(statistics.wakeSystemCalls, 1, "\(statistics)")
        XCTAssertFalse(signal.isConsumerParked)
    }

    /// A parked consumer notices a shutdown flag that was set without any
    /// `wake()`, through its park timeout.
    ///
    /// Allowed outcomes: the park in progress when the flag is set ends by
    /// its timeout (expected) or by EINTR; the consumer re-polls, sees the
    /// flag, and returns. No wake-up system call is ever made. Not allowed: the
    /// consumer never returning (the test would hang in join).
    func testParkedConsumerNoticesShutdownThroughTheTimeout() {
        let ring = try! SPSCRing<UInt64>(capacity: 8)
        let signal = WakeSignal()
        let idler = ConsumerIdler(strategy: .spinThenPark(spins: 4, parkTimeout: .milliseconds(20)), signal: signal)
        let stop = ManagedAtomic(false)
        let consumer = startThread("stoppable") {
            // Acquiring: pairs with the releasing store of the flag below.
            while !stop.load(ordering: .acquiring) {
                if ring.tryPop() != nil { idler.reset() } else { idler.idle() }
            }
        }
        XCTAssertTrue(waitUntil { signal.statistics.parks >= 1 }, "the consumer never parked")
        // Releasing: the consumer's acquiring load sees everything before it.
        stop.store(true, ordering: .releasing)
        consumer.join()

        let statistics = signal.statistics
        XCTAssertEqual(statistics.wakeSystemCalls, 0, "\(statistics)")
        XCTAssertGreaterThanOrEqual(statistics.timedOut + statistics.interrupted, 1, "\(statistics)")
    }

    /// The engine's shape: one consumer polls several inbound rings, one per
    /// producer thread, and parks on one signal that every producer rings.
    ///
    /// Allowed outcomes: each producer's messages arrive once, in that
    /// producer's order, intact; how the two streams interleave is free. No
    /// park times out (every burst is followed by `wake()`).
    func testOneConsumerParksOnBehalfOfSeveralRings() {
        let messages = Stress.count(30_000)
        let rings = [try! SPSCRing<Message>(capacity: 32), try! SPSCRing<Message>(capacity: 32)]
        let signal = WakeSignal()
        let idler = ConsumerIdler(strategy: .spinThenPark(spins: 8, parkTimeout: Self.neverTimeOut), signal: signal)
        let logs = Shared([ReceiveLog(), ReceiveLog()])
        let consumer = startThread("engine-like") {
            var received = [ReceiveLog(), ReceiveLog()]
            while received[0].received < messages || received[1].received < messages {
                var taken = 0
                for index in rings.indices {
                    taken += rings[index].drain(maxCount: 8) { received[index].record($0) }
                }
                if taken > 0 { idler.reset() } else { idler.idle() }
            }
            logs.value = received
        }
        let producers = rings.indices.map { index in
            startBurstyProducer(ring: rings[index], signal: signal, messages: messages, seed: 100 + UInt64(index), name: "inbound-\(index)")
        }
        producers.forEach { $0.join() }
        consumer.join()

        logs.value[0].assertComplete(messages, "ring 0")
        logs.value[1].assertComplete(messages, "ring 1")
        XCTAssertEqual(signal.statistics.timedOut, 0, "\(signal.statistics)")
    }

    /// A consumer that never parks spares its producers the fence in `wake()`;
    /// one that parks does not.
    func testOnlyParkingConsumersMakeProducersCheck() {
        for strategy in [WaitStrategy.busySpin, .spinThenYield(spins: 3), .default] {
            let signal = WakeSignal()
            XCTAssertTrue(signal.wakeNeeded.load(ordering: .relaxed), "a fresh signal assumes its consumer may park")
            let idler = ConsumerIdler(strategy: strategy, signal: signal)
            XCTAssertEqual(signal.wakeNeeded.load(ordering: .relaxed), strategy.parks, "\(strategy)")
            signal.wake()
            XCTAssertEqual(signal.statistics.wakeSystemCalls, 0, "nobody is parked")
            XCTAssertTrue(idler.signal === signal)
        }
    }

    /// Polls `condition` every millisecond for up to 10 s.
    func waitUntil(_ condition: () -> Bool) -> Bool {
        for _ in 0..<10_000 {
            if condition() { return true }
            usleep(1_000)
        }
        return condition()
    }
}
