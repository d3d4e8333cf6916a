@testable import Rings
import XCTest
import TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `WakeSignal` in eventfd mode: the consumer sleeps in poll(2) on the
/// eventfd (as the network loop does in io_uring or epoll), producers write
/// it only when the consumer has announced parking. No assertion depends on
/// timing; the consumer's waits have a 30 s timeout that a lost wake-up would
/// hit, and the race test requires zero timeouts.
final class WakeSignalEventFDTests: XCTestCase {
    /// Whether the eventfd is readable right now (poll with a 0 timeout).
    func isReadable(_ descriptor: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLIN) != 0
    }

    func testAttachingSwitchesTheSignalToEventFD() throws {
        let signal = WakeSignal()
        XCTAssertFalse(signal.usesEventFD)
        let consumer = try signal.attachEventFDConsumer()
        XCTAssertTrue(signal.usesEventFD)
        XCTAssertGreaterThanOrEqual(consumer.fileDescriptor, 0)
        XCTAssertFalse(isReadable(consumer.fileDescriptor))
    }

    /// A wake-up while the consumer runs is a fence and a load: no write.
    func testWakeOfARunningConsumerMakesNoSystemCall() throws {
        let signal = WakeSignal()
        let consumer = try signal.attachEventFDConsumer()
        for _ in 0..<1_000 { signal.wake() }
        XCTAssertEqual(signal.statistics.wakeSystemCalls, 0)
        XCTAssertFalse(isReadable(consumer.fileDescriptor))
        XCTAssertFalse(consumer.consumeWakeUps())
    }

    /// Announced: the first wake-up writes the eventfd and takes the state
    /// back to running, so the next ones make no system call.
    func testWakeOfAParkedConsumerWritesTheEventFDOnce() throws {
        let signal = WakeSignal()
        let consumer = try signal.attachEventFDConsumer()
        consumer.announceParking()
        XCTAssertTrue(signal.isConsumerParked)
        signal.wake()
        signal.wake()
        XCTAssertFalse(signal.isConsumerParked)
        XCTAssertEqual(signal.statistics.wakeSystemCalls, 1)
        XCTAssertTrue(isReadable(consumer.fileDescriptor))
        XCTAssertTrue(consumer.consumeWakeUps())
        XCTAssertFalse(isReadable(consumer.fileDescriptor))
        XCTAssertFalse(consumer.consumeWakeUps())
        consumer.endPark(.woken)
        XCTAssertEqual(signal.statistics.parks, 1)
        XCTAssertEqual(signal.statistics.woken, 1)
    }

    /// The re-check found work and called the park off: producers see a
    /// running consumer again.
    func testCancelledParkingMakesNoSystemCall() throws {
        let signal = WakeSignal()
        let consumer = try signal.attachEventFDConsumer()
        consumer.announceParking()
        consumer.cancelParking()
        signal.wake()
        XCTAssertEqual(signal.statistics.wakeSystemCalls, 0)
        XCTAssertFalse(isReadable(consumer.fileDescriptor))
    }

    func testParkOutcomesAreCounted() throws {
        let signal = WakeSignal()
        let consumer = try signal.attachEventFDConsumer()
        for outcome in [WakeSignal.EventFDParkOutcome.woken, .timedOut, .interrupted, .interrupted] {
            consumer.announceParking()
            consumer.endPark(outcome)
            XCTAssertFalse(signal.isConsumerParked)
        }
        let statistics = signal.statistics
        XCTAssertEqual(statistics.parks, 4)
        XCTAssertEqual(statistics.woken, 1)
        XCTAssertEqual(statistics.timedOut, 1)
        XCTAssertEqual(statistics.interrupted, 2)
        XCTAssertEqual(statistics.valueChanged, 0)
    }

    /// The signal owns the eventfd: it is closed when the signal goes.
    func testTheEventFDIsClosedWithTheSignal() throws {
        var signal: WakeSignal? = WakeSignal()
        let descriptor = try signal!.attachEventFDConsumer().fileDescriptor
        XCTAssertNotEqual(fcntl(descriptor, F_GETFD), -1)
        signal = nil
        XCTAssertEqual(fcntl(descriptor, F_GETFD), -1)
        XCTAssertEqual(errno, EBADF)
    }

    /// A producer publishing in bursts (with pauses long enough for the
    /// consumer to park) against a consumer that announces, re-checks the
    /// ring, and sleeps in poll(2) on the eventfd with a 30 s timeout.
    ///
    /// Allowed outcomes per park: the record is found in the re-check (no
    /// system call on either side, or one unneeded eventfd write whose
    /// readability ends the next poll at once); poll returns because the
    /// eventfd was written before or while it slept. Not allowed: a poll
    /// timeout (every burst is followed by `wake()`), a record lost,
    /// duplicated or out of order.
    func testEveryPublishWakesAConsumerParkedOnTheEventFD() throws {
        let messages = Stress.count(20_000)
        let ring = try SPSCRing<Message>(capacity: 64)
        let signal = WakeSignal()
        let consumer = try signal.attachEventFDConsumer()
        let received = Shared(ReceiveLog())
        let timeouts = Shared(0)

        let consumerThread = startThread("eventfd-consumer") {
            var log = ReceiveLog()
            while log.received < messages {
                if ring.drain(maxCount: 16, { log.record($0) }) > 0 { continue }
                consumer.announceParking()
                if !ring.isEmpty {
                    consumer.cancelParking()
                    continue
                }
                var entry = pollfd(fd: consumer.fileDescriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&entry, 1, 30_000)
                if ready == 1 {
                    _ = consumer.consumeWakeUps()
                    consumer.endPark(.woken)
                } else if ready == 0 {
                    timeouts.value += 1
                    consumer.endPark(.timedOut)
                } else {
                    consumer.endPark(.interrupted)
                }
            }
            received.value = log
        }
        let producerThread = startThread("eventfd-producer") {
            var random = SplitMix64(seed: 7)
            var next: UInt64 = 0
            let total = UInt64(messages)
            while next < total {
                let burst = Swift.min(UInt64(random.upTo(32)), total - next)
                var sent: UInt64 = 0
                while sent < burst {
                    if ring.tryPush(Message(next + sent)) {
                        sent += 1
                    } else {
                        signal.wake()
                        sched_yield()
                    }
                }
                next += burst
                signal.wake()
                switch random.upTo(8) {
                case 1: usleep(100)
                case 2: sched_yield()
                default: break
                }
            }
        }
        producerThread.join()
        consumerThread.join()

        received.value.assertComplete(messages, "eventfd consumer")
        XCTAssertEqual(timeouts.value, 0, "a park timed out, so a wake-up was lost")
        XCTAssertEqual(signal.statistics.timedOut, 0)
        XCTAssertGreaterThan(signal.statistics.parks, 0, "the consumer never parked; the test did not exercise the protocol")
    }
}
