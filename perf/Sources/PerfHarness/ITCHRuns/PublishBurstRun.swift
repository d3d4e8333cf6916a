import OUCH

#if canImport(Glibc)
import Glibc
#endif

/// The burst of `cift-perf itch`, after the closed loop, with a ``FeedCounter`` on its
/// own thread:
/// 1. **Add Order burst**: `count` resting Enter Orders written as fast as the
///    gateway takes them (64 per write, at most `window` unanswered), bounded by
///    `durationSeconds`; at the subscriber, the Add Orders and their packets per
///    second between the first and the last receipt.
/// 2. **Sweep** (`sweep`): from a second session (another account, so no self-trade
///    prevention), one IOC sell at 10.00 per symbol for every share resting on it:
///    each executes every resting buy of that symbol, one Order Executed per order,
///    so the feed publishes thousands of messages per engine command. This is the
///    gateway's publish rate at its fastest, without order entry as the bottleneck.
public enum PublishBurstRun {
    public struct Result: Codable, Sendable {
        public var ordersSent: Int
        public var ordersAccepted: Int
        public var orderEntrySeconds: Double
        public var stoppedByDuration: Bool
        public var addOrders: FeedCounter.Counts
        public var sweepOrders: Int
        public var sweepExecutionsExpected: Int
        public var executions: FeedCounter.Counts
        public var gapMessages: UInt64
        public var receiveBufferBytes: Int32
        public var ordersPerSecond: Double { orderEntrySeconds > 0 ? Double(ordersAccepted) / orderEntrySeconds : 0 }
    }

    public static func run(
        client: OUCHOrderEntryClient, sweeper: OUCHOrderEntryClient?, feed: ITCHFeedReceiver,
        source: inout RestingOrderSource, count: Int, window: Int, durationSeconds: Double
    ) throws -> Result {
        let counter = FeedCounter(feed: feed)
        counter.start()
        defer { counter.stop() }
        let firstRef = source.nextUserRefNum
        let start = nowNanoseconds()
        let deadline = start + Int64(durationSeconds * 1e9)
        var sent = 0, accepted = 0
        var stopped = false
        let batch = UnsafeMutableBufferPointer<OUCHEnterOrder>.allocate(capacity: 64)
        defer { batch.deallocate() }
        var fds = [pollfd(fd: client.socket.fd, events: Int16(POLLIN), revents: 0)]
        var lastAck = start
        let progress = Progress(label: "itch burst")
        while accepted < sent || sent < count {
            let now = nowNanoseconds()
            if now > deadline + 5_000_000_000 { throw HarnessError("burst: \(sent - accepted) orders unanswered 5 s after the deadline") }
            if now > deadline && sent < count {
                stopped = true
            }
            let room = min(64, window - (sent - accepted), stopped ? 0 : count - sent)
            if room > 0 {
                for i in 0..<room { batch[i] = source.next() }
                try client.send(UnsafeBufferPointer(rebasing: batch[0..<room]))
                sent += room
            }
            fds[0].revents = 0
            let ready = poll(&fds, 1, room > 0 ? 0 : 100)
            if ready > 0 {
                try client.receiveAvailable()
                try client.drain { packet in
                    guard case .message(let message) = packet else { return }
                    switch message {
                    case .orderAccepted(let a) where a.userRefNum >= firstRef:
                        accepted += 1
                        lastAck = nowNanoseconds()
                    case .rejected(let r): throw HarnessError("burst order \(r.userRefNum) rejected: \(r)")
                    default: break
                    }
                }
            }
            if stopped && sent == accepted { break }
            progress.update(sent: sent, received: accepted, total: count)
        }
        progress.finish()
        let orderEntrySeconds = Double(lastAck - start) / 1e9
        // Every Add Order of the burst reaches the subscriber (or 5 s pass: a loss).
        _ = counter.wait(seconds: 5) { add, _ in add.messages >= accepted }

        var sweepOrders = 0
        var expected = 0
        if let sweeper {
            // Every order the session entered rests (buys only), 1/8 on each symbol.
            let resting = Int(source.nextUserRefNum - 1)
            expected = resting
            for symbol in RestingOrderSource.symbols {
                let shares = UInt32(resting / 8 + 1) * RestingOrderSource.shares
                try sweeper.send(source.sweep(symbol: symbol, shares: shares))
                sweepOrders += 1
            }
            // Keep both sessions' sockets drained (each execution is also an OUCH
            // Order Executed to each side) while the feed catches up.
            let deadline = nowNanoseconds() + 10_000_000_000
            var pollSet = [pollfd(fd: client.socket.fd, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: sweeper.socket.fd, events: Int16(POLLIN), revents: 0)]
            while nowNanoseconds() < deadline {
                if counter.snapshot.executed.messages >= expected { break }
                pollSet[0].revents = 0
                pollSet[1].revents = 0
                if poll(&pollSet, 2, 5) > 0 {
                    if pollSet[0].revents != 0 { try client.receiveAvailable(); try client.drain { _ in } }
                    if pollSet[1].revents != 0 {
                        try sweeper.receiveAvailable()
                        try sweeper.drain { packet in
                            if case .message(.rejected(let r)) = packet { throw HarnessError("sweep rejected: \(r)") }
                        }
                    }
                }
            }
        }
        let snapshot = counter.snapshot
        if let failure = snapshot.failure { throw HarnessError(failure) }
        return Result(
            ordersSent: sent, ordersAccepted: accepted, orderEntrySeconds: orderEntrySeconds, stoppedByDuration: stopped,
            addOrders: snapshot.add, sweepOrders: sweepOrders, sweepExecutionsExpected: expected,
            executions: snapshot.executed, gapMessages: snapshot.gaps, receiveBufferBytes: feed.receiveBufferBytes)
    }
}
