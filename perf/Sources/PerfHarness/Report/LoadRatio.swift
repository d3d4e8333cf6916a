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

    /// OUCH: gateway/floor order→ack p50 ≤ 1.25. FIX: gateway/QuickFIX order→ack p50 ≤ 1/3 and
    /// throughput ≥ 10; gateway/floor p50 stated (no goal). Any protocol: order → Add Order p50 < 10 µs.
    static func compute(_ targets: [LoadReport.Target]) -> [LoadRatio] {
        var ratios: [LoadRatio] = []
        guard let gateway = targets.first(where: { $0.target == "gateway" }), let ack = gateway.latencies["ack"] else { return [] }
        let p = gateway.protocolName
        if let floor = targets.first(where: { $0.target == "floor" })?.latencies["ack"], floor.p50 > 0 {
            let r = ack.p50 / floor.p50
            ratios.append(LoadRatio(what: "\(p) order→ack p50, gateway / TCP floor", value: r, relation: "≤",
                                    goal: p == "OUCH" ? 1.25 : 1.5, met: r <= (p == "OUCH" ? 1.25 : 1.5)))
        }
        if let quickfix = targets.first(where: { $0.target == "quickfix" }), let q = quickfix.latencies["ack"], q.p50 > 0 {
            let r = ack.p50 / q.p50
            ratios.append(LoadRatio(what: "FIX order→ack p50, gateway / QuickFIX", value: r, relation: "≤", goal: 1.0 / 3.0, met: r <= 1.0 / 3.0))
            if quickfix.throughput > 0 {
                let t = gateway.throughput / quickfix.throughput
                ratios.append(LoadRatio(what: "FIX throughput, gateway / QuickFIX", value: t, relation: "≥", goal: 10, met: t >= 10))
            }
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
        if let feed = gateway.latencies["feed"] {
            ratios.append(LoadRatio(what: "\(p) order→ITCH Add Order p50 (µs)", value: feed.p50, relation: "<", goal: 10, met: feed.p50 < 10))
        }
        return ratios
    }
}
