import MarketData
import OUCH

#if canImport(Glibc)
import Glibc
#endif

/// The closed loop of `cift-perf itch`: one Enter Order in flight. Per order it
/// measures
/// - **ack**: the write of the Enter Order → the read that brings its Order Accepted
///   (CLOCK_MONOTONIC);
/// - **feed**: the same write → the receipt of its Add Order on the multicast socket
///   (CLOCK_MONOTONIC); the Add Order is the one whose Order Reference Number equals
///   the Order Accepted's;
/// - **publish**: the gateway's stamp (the Add Order's ITCH timestamp: the command's
///   receive time, CLOCK_REALTIME, nanoseconds since UTC midnight) → the Add Order's
///   receipt (CLOCK_REALTIME), i.e. what follows the gateway's intake: engine ring,
///   engine, market-data ring, publisher, multicast send and loopback delivery;
/// - **intake**: the write (CLOCK_REALTIME) → the gateway's stamp, the other part of
///   *feed* (same machine, same clock: no synchronisation error).
/// - **behind**: the Order Accepted's read → the Add Order's receipt (CLOCK_MONOTONIC),
///   how far the feed trails the OUCH reply to the same order (0 when it came first;
///   those are counted in `feedBeforeAck`).
/// Single thread, `poll(2)` on the OUCH socket and the multicast socket.
public enum OrderToAddOrderRun {
    public struct Result: Codable, Sendable {
        public var orders: Int
        public var ack: LatencySummary
        public var feed: LatencySummary
        public var publish: LatencySummary
        public var intake: LatencySummary
        public var behind: LatencySummary
        public var stoppedByDuration: Bool
        /// Measured orders whose Add Order came before their Order Accepted.
        public var feedBeforeAck: Int
    }

    public static func run(
        client: OUCHOrderEntryClient, feed: ITCHFeedReceiver, source: inout RestingOrderSource,
        warmup: Int, orders: Int, durationSeconds: Double
    ) throws -> Result {
        let ack = LatencyHistogram(), toFeed = LatencyHistogram(), publish = LatencyHistogram(), intake = LatencyHistogram()
        let behind = LatencyHistogram()
        var addOrders: [UInt64: (monotonic: Int64, realtime: Int64, stamp: Int64)] = [:]
        addOrders.reserveCapacity(1_024)
        let progress = Progress(label: "itch closed loop")
        let deadline = nowNanoseconds() + Int64(durationSeconds * 1e9)
        var measured = 0
        var stopped = false
        var feedFirst = 0
        var fds = [pollfd(fd: client.socket.fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: feed.receiver.fd, events: Int16(POLLIN), revents: 0)]
        var index = 0
        while index < warmup + orders {
            if nowNanoseconds() > deadline {
                stopped = true
                break
            }
            let order = source.next()
            let sentRealtime = realtimeNanoseconds()
            let sent = nowNanoseconds()
            try client.send(order)
            var ackAt: Int64?
            var reference: UInt64?
            var feedAt: (monotonic: Int64, realtime: Int64, stamp: Int64)?
            let giveUp = sent + 5_000_000_000
            while ackAt == nil || feedAt == nil {
                fds[0].revents = 0
                fds[1].revents = 0
                let ready = poll(&fds, 2, 100)
                if ready < 0 && errno != EINTR { throw HarnessError("poll: errno \(errno)") }
                if nowNanoseconds() > giveUp {
                    throw HarnessError("order \(order.userRefNum): " + (ackAt == nil ? "no Order Accepted" : "no Add Order for reference \(reference!)") + " within 5 s")
                }
                if fds[0].revents != 0 {
                    try client.receiveAvailable()
                    let now = nowNanoseconds()
                    try client.drain { packet in
                        guard case .message(let message) = packet else { return }
                        switch message {
                        case .orderAccepted(let accepted) where accepted.userRefNum == order.userRefNum:
                            ackAt = now
                            reference = accepted.orderReferenceNumber
                        case .rejected(let rejected):
                            throw HarnessError("order \(rejected.userRefNum) rejected: \(rejected)")
                        default: break
                        }
                    }
                }
                if fds[1].revents != 0 {
                    try feed.receive(timeoutMilliseconds: 0) { receipt in
                        guard receipt.message.count == ITCHAddOrder.length,
                              receipt.message.load(fromByteOffset: 0, as: UInt8.self) == ITCHMessageType.addOrder,
                              let add = try? ITCHAddOrder(unchecked: receipt.message.baseAddress!)
                        else { return }
                        addOrders[add.orderReference] = (receipt.monotonic, receipt.realtime, Int64(add.header.timestamp))
                    }
                }
                if let reference, feedAt == nil, let found = addOrders.removeValue(forKey: reference) {
                    feedAt = found
                    if found.monotonic < ackAt! && index >= warmup { feedFirst += 1 }
                }
            }
            if index >= warmup {
                let f = feedAt!
                ack.record(nanoseconds: ackAt! - sent)
                toFeed.record(nanoseconds: f.monotonic - sent)
                publish.record(nanoseconds: ITCHTime.difference(ITCHTime.sinceMidnight(f.realtime), f.stamp))
                intake.record(nanoseconds: ITCHTime.difference(f.stamp, ITCHTime.sinceMidnight(sentRealtime)))
                behind.record(nanoseconds: f.monotonic - ackAt!)
                measured += 1
            }
            index += 1
            if index % 256 == 0 {
                try client.heartbeatIfIdle()
                progress.update(sent: index, received: index, total: warmup + orders)
            }
        }
        progress.finish()
        return Result(
            orders: measured, ack: ack.summary(), feed: toFeed.summary(), publish: publish.summary(),
            intake: intake.summary(), behind: behind.summary(), stoppedByDuration: stopped, feedBeforeAck: feedFirst)
    }
}
