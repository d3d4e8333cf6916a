import Foundation

/// A ratio of the gateway's figure to another target's, with the goal for it.
public struct TargetRatio: Sendable, Codable {
    public var inFlight: Int
    /// "p50" or "throughput".
    public var metric: String
    /// "quickfix" or "floor".
    public var against: FIXRunTarget
    public var ratio: Double
    /// The goal (`ratio <= goal` for p50, `ratio >= goal` for throughput), or nil when none is set.
    public var goal: Double?
    public var met: Bool?

    public var line: String {
        let what = metric == "p50" ? "p50 latency" : "throughput"
        var text = String(format: "%d in flight: gateway/%@ %@ = %.2f", inFlight, against.rawValue, what, ratio)
        if let goal, let met {
            text += String(format: " (target %@ %.2f: %@)", metric == "p50" ? "≤" : "≥", goal, met ? "met" : "MISSED")
        }
        return text
    }

    /// The ratios for the gateway against QuickFIX and the floor at each in-flight
    /// count present: p50 (goal ≤ 1/3 of QuickFIX, ≤ 1.5× the floor) and throughput
    /// (goal ≥ 10× QuickFIX at 64 in flight).
    public static func compute(_ results: [FIXRunResult]) -> [TargetRatio] {
        var ratios: [TargetRatio] = []
        let inFlights = Array(Set(results.map(\.inFlight))).sorted()
        for n in inFlights {
            guard let gateway = results.first(where: { $0.target == .gateway && $0.inFlight == n }) else { continue }
            for other in [FIXRunTarget.quickfix, .floor] {
                guard let o = results.first(where: { $0.target == other && $0.inFlight == n }) else { continue }
                if o.result.latency.p50 > 0 {
                    let r = gateway.result.latency.p50 / o.result.latency.p50
                    let goal = other == .quickfix ? 1.0 / 3.0 : 1.5
                    ratios.append(TargetRatio(inFlight: n, metric: "p50", against: other, ratio: r, goal: goal, met: r <= goal))
                }
                if o.result.throughput > 0 {
                    let r = gateway.result.throughput / o.result.throughput
                    let goal: Double? = other == .quickfix && n == 64 ? 10 : nil
                    ratios.append(TargetRatio(
                        inFlight: n, metric: "throughput", against: other, ratio: r, goal: goal, met: goal.map { r >= $0 }))
                }
            }
        }
        return ratios
    }
}
