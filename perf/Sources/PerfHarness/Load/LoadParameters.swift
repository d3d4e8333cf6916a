/// How much load one closed-loop run offers.
public struct LoadParameters: Sendable, Codable {
    /// Requests outstanding at any time: a new one is sent for each response.
    public var inFlight: Int
    /// Round trips at the start that are not measured.
    public var warmup: Int
    /// Measured round trips, at most.
    public var measured: Int
    /// The run stops sending after this many seconds (warm-up included), whichever comes first.
    public var durationSeconds: Double

    public init(inFlight: Int, warmup: Int, measured: Int, durationSeconds: Double) {
        self.inFlight = inFlight
        self.warmup = warmup
        self.measured = measured
        self.durationSeconds = durationSeconds
    }

    public var total: Int { warmup + measured }
}
