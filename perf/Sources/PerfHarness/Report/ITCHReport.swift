import Foundation

/// What `cift-perf itch` prints and (`--json`) writes: the closed loop's four
/// latencies side by side, the burst's rates, and the targets beside them (stated,
/// not asserted).
public struct ITCHReport: Codable {
    public var date: String
    public var host: String
    public var cores: Int
    public var loadAverage: String
    public var command: [String]
    public var closedLoop: OrderToAddOrderRun.Result?
    public var burst: PublishBurstRun.Result?

    public static let addOrderTargetMicroseconds = 10.0
    public static let publishTargetMessagesPerSecond = 2_000_000.0

    public init(command: [String], closedLoop: OrderToAddOrderRun.Result?, burst: PublishBurstRun.Result?) {
        date = ISO8601DateFormatter().string(from: Date())
        host = ProcessInfo.processInfo.hostName
        cores = ProcessInfo.processInfo.activeProcessorCount
        loadAverage = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        self.command = command
        self.closedLoop = closedLoop
        self.burst = burst
    }

    public func render() -> String {
        var lines: [String] = []
        if let c = closedLoop {
            lines.append("Closed loop, 1 order in flight, \(c.orders) measured orders (µs):")
            lines.append(row(["measure", "count", "p50", "p90", "p99", "p99.9", "max"]))
            for (name, l) in [("order -> OUCH Order Accepted", c.ack), ("order -> ITCH Add Order received", c.feed),
                              ("gateway stamp -> Add Order received", c.publish), ("order -> gateway stamp (intake)", c.intake),
                              ("Order Accepted -> Add Order (feed behind)", c.behind)] {
                lines.append(row([name, String(l.count), f(l.p50), f(l.p90), f(l.p99), f(l.p999), f(l.max)]))
            }
            lines.append("  Add Order received before the Order Accepted: \(c.feedBeforeAck) of \(c.orders) measured orders")
            let verdict = c.publish.p50 <= Self.addOrderTargetMicroseconds ? "met" : "MISSED"
            lines.append("  target: Add Order within \(f(Self.addOrderTargetMicroseconds)) µs (p50) of the engine accepting it:"
                         + " gateway stamp -> Add Order p50 \(f(c.publish.p50)) µs: \(verdict)"
                         + " (the stamp is the command's receipt, before the engine: an upper bound)")
            if c.stoppedByDuration { lines.append("  note: the closed loop reached --duration before --orders") }
        }
        if let b = burst {
            lines.append("")
            lines.append("Burst: \(b.ordersAccepted) of \(b.ordersSent) orders accepted in \(String(format: "%.3f", b.orderEntrySeconds)) s"
                         + " (\(String(format: "%.0f", b.ordersPerSecond)) orders/s)" + (b.stoppedByDuration ? ", stopped by --burst-duration" : ""))
            lines.append(row(["at the subscriber", "messages", "packets", "seconds", "msgs/s", "packets/s", "msgs/pkt"]))
            for (name, c) in [("Add Orders (order entry burst)", b.addOrders), ("Order Executed (sweep)", b.executions)] where c.messages > 0 {
                lines.append(row([name, String(c.messages), String(c.packets), String(format: "%.4f", c.seconds),
                                  String(format: "%.0f", c.messagesPerSecond), String(format: "%.0f", c.packetsPerSecond),
                                  String(format: "%.1f", c.packets > 0 ? Double(c.messages) / Double(c.packets) : 0)]))
            }
            if b.sweepOrders > 0 {
                lines.append("  sweep: \(b.sweepOrders) IOC sells, \(b.executions.messages) of \(b.sweepExecutionsExpected) Order Executed received")
            }
            lines.append("  messages lost (MoldUDP64 sequence gaps): \(b.gapMessages); subscriber SO_RCVBUF \(b.receiveBufferBytes) bytes")
            let best = max(b.addOrders.messagesPerSecond, b.executions.messagesPerSecond)
            lines.append("  target: >= 2,000,000 ITCH messages/s published in bursts: best end to end \(String(format: "%.0f", best))/s: "
                         + (best >= Self.publishTargetMessagesPerSecond ? "met" : "MISSED")
                         + " (the publisher's own rate: MarketDataBenchmarks ITCHPublisherThroughput)")
        }
        return lines.joined(separator: "\n")
    }

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    }

    func f(_ v: Double) -> String { v >= 100 ? String(format: "%.0f", v) : String(format: "%.1f", v) }

    func row(_ cells: [String]) -> String {
        let widths = [41, 9, 9, 9, 11, 10, 9]
        return zip(cells, widths).enumerated().map { i, pair in
            let (cell, width) = pair
            let pad = String(repeating: " ", count: max(0, width - cell.count))
            return i == 0 ? cell + pad : pad + cell
        }.joined(separator: " ")
    }
}
