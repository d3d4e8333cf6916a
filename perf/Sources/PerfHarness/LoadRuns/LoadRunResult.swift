/// What one load run measured against one target.
public struct LoadRunResult {
    public var label: String
    public var plan: LoadPlan
    public var connections: Int
    public var measures: LoadMeasures
    /// Measured answers per second, from the first measured request's intended time to the last measured answer.
    public var throughput: Double
    /// True when the duration ended issuing before the order count.
    public var stoppedByDuration: Bool
    public var wallSeconds: Double
}
