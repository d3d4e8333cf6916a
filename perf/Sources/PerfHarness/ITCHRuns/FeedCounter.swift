import Foundation
import MarketData

/// The burst's subscriber thread: reads the multicast feed until stopped and counts,
/// per message type that matters here (Add Order `A`, Order Executed `E`), the
/// messages, the packets (by their first message's type) and the first and last
/// receipt (CLOCK_MONOTONIC). The counts are published under a lock after every
/// batch of packets, for the driving thread to wait on.
public final class FeedCounter: @unchecked Sendable {
    public struct Counts: Sendable, Codable {
        public var messages = 0
        public var packets = 0
        public var first: Int64 = 0
        public var last: Int64 = 0

        /// Messages per second between the first and the last receipt.
        public var messagesPerSecond: Double { last > first ? Double(messages) * 1e9 / Double(last - first) : 0 }
        public var packetsPerSecond: Double { last > first ? Double(packets) * 1e9 / Double(last - first) : 0 }
        public var seconds: Double { Double(last - first) / 1e9 }

        mutating func add(_ other: Counts) {
            guard other.messages > 0 || other.packets > 0 else { return }
            if messages == 0 && packets == 0 { first = other.first }
            messages += other.messages
            packets += other.packets
            last = other.last
        }
    }

    private let feed: ITCHFeedReceiver
    private let lock = NSLock()
    private var shared: (add: Counts, executed: Counts, gaps: UInt64, failure: String?) = (Counts(), Counts(), 0, nil)
    private var stopRequested = false
    private let done = DispatchSemaphore(value: 0)

    public init(feed: ITCHFeedReceiver) { self.feed = feed }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "itch-subscriber"
        thread.start()
    }

    public var snapshot: (add: Counts, executed: Counts, gaps: UInt64, failure: String?) {
        lock.lock()
        defer { lock.unlock() }
        return shared
    }

    /// Waits until `condition` holds for the counts or `seconds` pass; true if it held.
    public func wait(seconds: Double, until condition: (Counts, Counts) -> Bool) -> Bool {
        let deadline = nowNanoseconds() + Int64(seconds * 1e9)
        while nowNanoseconds() < deadline {
            let s = snapshot
            if condition(s.add, s.executed) { return true }
            usleep(1_000)
        }
        let s = snapshot
        return condition(s.add, s.executed)
    }

    public func stop() {
        lock.lock()
        stopRequested = true
        lock.unlock()
        done.wait()
    }

    private func run() {
        defer { done.signal() }
        while true {
            lock.lock()
            let stop = stopRequested
            lock.unlock()
            if stop { return }
            var add = Counts(), executed = Counts()
            var lastPacketType: UInt8 = 0
            var lastPacketTime: Int64 = 0
            do {
                try feed.receive(timeoutMilliseconds: 10) { receipt in
                    let type = receipt.message.load(fromByteOffset: 0, as: UInt8.self)
                    let newPacket = receipt.monotonic != lastPacketTime
                    lastPacketTime = receipt.monotonic
                    switch type {
                    case ITCHMessageType.addOrder:
                        if add.messages == 0 { add.first = receipt.monotonic }
                        add.messages += 1
                        add.last = receipt.monotonic
                        if newPacket || lastPacketType != type { add.packets += 1 }
                    case ITCHMessageType.orderExecuted:
                        if executed.messages == 0 { executed.first = receipt.monotonic }
                        executed.messages += 1
                        executed.last = receipt.monotonic
                        if newPacket || lastPacketType != type { executed.packets += 1 }
                    default: break
                    }
                    lastPacketType = newPacket ? type : lastPacketType
                }
            } catch {
                lock.lock()
                shared.failure = "\(error)"
                lock.unlock()
                return
            }
            lock.lock()
            shared.add.add(add)
            shared.executed.add(executed)
            shared.gaps = feed.gapMessages
            lock.unlock()
        }
    }
}
