/// A ratio of the gateway's figure to another target's (or a bound), with the goal.
public struct LoadRatio: Sendable, Codable {
    public var what: String
    public var value: Double
    /// "≤" or "≥".
    public var relation: String
    public var goal: Double
    public var met: Bool

    public var line: String {
        String(format: "%@ = %.3g (target %@ %.3g: %@)", what, value, relation, goal, met ? "met" : "MISSED")
    }

    /// The goals of issue 12 (perf/RESULTS.md "Targets"), from the same invocation's runs:
    /// OUCH order→ack p50 ≤ 1.5× the TCP floor and p99 ≤ 2×; FIX: what the gateway adds
    /// to the floor's p50 at most a third of what QuickFIX adds, p99 at most QuickFIX's,
    /// throughput at least 2× QuickFIX's (closed loop; the goal is stated for 16 in
    /// flight per connection); order → ITCH Add Order p50 ≤ 1.5× the floor's round trip;
    /// an open-loop run (no floor): p99 under 1 ms with nothing lost.
    static func compute(_ targets: [LoadReport.Target]) -> [LoadRatio] {
        var ratios: [LoadRatio] = []
        guard let gateway = targets.first(where: { $0.target == "gateway" }), let ack = gateway.latencies["ack"] else { return [] }
        let p = gateway.protocolName
        let floor = targets.first(where: { $0.target == "floor" })?.latencies["ack"]
        if let floor, floor.p50 > 0, p == "OUCH" {
            let r = ack.p50 / floor.p50
            ratios.append(LoadRatio(what: "OUCH order→ack p50, gateway / TCP floor", value: r, relation: "≤", goal: 1.5, met: r <= 1.5))
            if floor.p99 > 0 {
                let r99 = ack.p99 / floor.p99
                ratios.append(LoadRatio(what: "OUCH order→ack p99, gateway / TCP floor", value: r99, relation: "≤", goal: 2, met: r99 <= 2))
            }
        } else if let floor, floor.p50 > 0 {
            let r = ack.p50 / floor.p50
            ratios.append(LoadRatio(what: "\(p) order→ack p50, gateway / TCP floor (stated)", value: r, relation: "≤", goal: 1.25, met: r <= 1.25))
        }
        if let quickfix = targets.first(where: { $0.target == "quickfix" }), let q = quickfix.latencies["ack"], q.p50 > 0 {
            if let floor, q.p50 > floor.p50 {
                let added = (ack.p50 - floor.p50) / (q.p50 - floor.p50)
                ratios.append(LoadRatio(what: "FIX order→ack p50 added to the floor, gateway / QuickFIX", value: added, relation: "≤",
                                        goal: 1.0 / 3.0, met: added <= 1.0 / 3.0))
            }
            let r = ack.p50 / q.p50
            ratios.append(LoadRatio(what: "FIX order→ack p50, gateway / QuickFIX (stated)", value: r, relation: "≤", goal: 1, met: r <= 1))
            if q.p99 > 0 {
                let r99 = ack.p99 / q.p99
                ratios.append(LoadRatio(what: "FIX order→ack p99, gateway / QuickFIX", value: r99, relation: "≤", goal: 1, met: r99 <= 1))
            }
            if quickfix.throughput > 0 {
                let t = gateway.throughput / quickfix.throughput
                ratios.append(LoadRatio(what: "FIX throughput, gateway / QuickFIX (\(gateway.plan.inFlight) in flight per connection)",
                                        value: t, relation: "≥", goal: 2, met: t >= 2))
            }
        }
        if let feed = gateway.latencies["feed"], let floor, floor.p50 > 0 {
            let r = feed.p50 / floor.p50
            ratios.append(LoadRatio(what: "\(p) order→ITCH Add Order p50, gateway / TCP floor round trip", value: r, relation: "≤", goal: 1.5, met: r <= 1.5))
        }
        if gateway.plan.mode == .open {
            ratios.append(LoadRatio(what: "\(p) open loop \(Int(gateway.plan.rate)) requests/s, order→ack p99 (µs)", value: ack.p99,
                                    relation: "<", goal: 1_000, met: ack.p99 < 1_000))
            let c = gateway.counts
            let lost = Double(c.timeouts + c.disconnects + c.unknownAnswers)
            ratios.append(LoadRatio(what: "\(p) open loop: requests lost (timeouts, disconnects, unknown answers)", value: lost,
                                    relation: "≤", goal: 0, met: lost == 0))
        }
        if let tls = targets.first(where: { $0.target == "gateway-tls" })?.latencies["ack"], ack.p50 > 0 {
            let r = tls.p50 / ack.p50
            ratios.append(LoadRatio(what: "\(p) order→ack p50, TLS / plain (same gateway)", value: r, relation: "≤", goal: 1.2, met: r <= 1.2))
            if ack.p99 > 0 {
                let r99 = tls.p99 / ack.p99
                ratios.append(LoadRatio(what: "\(p) order→ack p99, TLS / plain (stated; the goal is on p50)", value: r99, relation: "≤", goal: 1.2, met: r99 <= 1.2))
            }
        }
        if let floor = targets.first(where: { $0.target == "floor" })?.latencies["ack"],
           let floorTLS = targets.first(where: { $0.target == "floor-tls" })?.latencies["ack"], floor.p50 > 0 {
            let r = floorTLS.p50 / floor.p50
            ratios.append(LoadRatio(what: "\(p) echo p50, TLS floor / TCP floor (the transport alone; stated)", value: r, relation: "≤", goal: 1.2, met: r <= 1.2))
        }
        return ratios
    }
}
