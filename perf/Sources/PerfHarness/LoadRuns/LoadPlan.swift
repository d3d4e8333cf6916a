/// How one `cift-perf load` run offers its load.
public struct LoadPlan: Sendable, Codable {
    public enum Mode: String, Sendable, Codable {
        /// `inFlight` requests outstanding per connection; a new one for each answer.
        case closed
        /// `rate` requests per second over all connections, each timed from its place
        /// in the schedule (its intended send time), whether or not it could be sent then.
        case open
    }
    public var mode: Mode
    public var inFlight: Int
    public var rate: Double
    /// Requests at the start that are not measured.
    public var warmup: Int
    /// Measured requests, at most.
    public var orders: Int
    /// The run stops issuing after this many seconds (warm-up included), whichever comes first.
    public var durationSeconds: Double
    /// An unanswered request counts as a timeout after this long.
    public var timeoutSeconds: Double = 5
    public var mix: OrderMix
    public var seed: UInt64 = 42

    public init(mode: Mode, inFlight: Int, rate: Double, warmup: Int, orders: Int, durationSeconds: Double, mix: OrderMix) {
        self.mode = mode
        self.inFlight = inFlight
        self.rate = rate
        self.warmup = warmup
        self.orders = orders
        self.durationSeconds = durationSeconds
        self.mix = mix
    }

    public var total: Int { warmup + orders }

    public var label: String {
        mode == .closed ? "closed loop, \(inFlight) in flight per connection" : "open loop, \(Int(rate)) requests/s"
    }
}
