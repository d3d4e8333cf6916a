/// What one closed-loop run measured.
public struct LoadResult: Sendable, Codable {
    public var load: LoadParameters
    public var latency: LatencySummary
    /// Measured responses per second.
    public var throughput: Double
    /// True when the duration ended the run before every order was sent.
    public var stoppedByDuration: Bool
    public var wallSeconds: Double
}
