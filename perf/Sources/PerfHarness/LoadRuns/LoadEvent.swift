/// An answer from a target, in the protocol-neutral form ``LoadBook`` reads. Tokens
/// are request numbers (see ``LoadRequest``).
public enum LoadEvent: Sendable {
    /// Order Accepted / ExecutionReport(New) (the floor: the echo of any request).
    case accepted(token: Int, orderReference: UInt64)
    case executed(token: Int, quantity: UInt32)
    /// The order named by `token` is canceled (asked for or not: IOC remainder, self-trade prevention).
    case canceled(token: Int)
    case replaced(token: Int, original: Int, orderReference: UInt64, quantity: UInt32)
    case rejected(token: Int)
    /// OrderCancelReject (FIX) for the cancel or replace `token`.
    case cancelRejected(token: Int)
}

/// One connection of a load run: a real protocol client (or the floor's raw bytes).
/// Used by the run's one thread.
public protocol LoadConnection: AnyObject {
    var fd: Int32 { get }
    /// Writes (or queues until ``flush()``) the request `token`; `order` is the order a
    /// cancel or replace names.
    func send(_ request: LoadRequest, token: Int, order: LoadRequest?) throws
    func flush() throws
    /// Reads what has arrived (the socket is readable) and hands every answer to `handle`
    /// with the time the read returned.
    func readAvailable(_ handle: (LoadEvent, Int64) -> Void) throws
    /// A heartbeat when the connection was idle.
    func keepAlive() throws
    /// Logs out (protocol clients) and closes.
    func close()
}
