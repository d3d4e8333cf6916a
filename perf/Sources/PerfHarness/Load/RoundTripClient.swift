/// One connection that the closed loop drives: requests numbered from 0, each
/// answered by exactly one response that names its number. FIX order entry (a
/// NewOrderSingle answered by its ExecutionReport) and the TCP echo floor both fit.
public protocol RoundTripClient {
    /// Encodes request `number` into the pending output (not yet written).
    mutating func enqueue(request number: Int) throws
    /// Writes the pending output in one go.
    mutating func flush() throws
    /// Blocks until bytes arrive (or a short timeout passes) and calls `response` with
    /// the number of every request answered in them and the monotonic time
    /// (``nowNanoseconds()``) taken when the read that brought them returned. Session
    /// traffic (heartbeats, test requests) is handled inside.
    mutating func receive(_ response: (_ request: Int, _ receivedAt: Int64) throws -> Void) throws
}
