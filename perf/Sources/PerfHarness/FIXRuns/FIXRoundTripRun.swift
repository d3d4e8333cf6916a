import Foundation

/// One closed-loop run against one target: connect, log on (FIX targets), drive the
/// load, log out, close.
public enum FIXRoundTripRun {
    /// `session` picks CLIENT1..CLIENT4 (the gateway's and the acceptor's sessions);
    /// `runIndex` makes the ClOrdIDs unique across runs on one gateway.
    public static func run(
        _ target: FIXRunTarget, at address: HostPort, load: LoadParameters, session: Int, runIndex: Int
    ) throws -> LoadResult {
        let seconds = Int(Date().timeIntervalSince1970) % 100_000
        let writer = NewOrderSingleWriter(prefix: "P\(seconds)R\(runIndex)-")
        let progress = Progress(label: "\(target.rawValue), \(load.inFlight) in flight")
        switch target {
        case .gateway, .quickfix, .gatewayTLS:
            let fix = try FIXClientSession(
                connectingTo: address, settings: FIXSessionSettings(senderCompID: "CLIENT\(session % 4 + 1)"))
            try fix.logOn()
            var client = FIXOrderEntryClient(session: fix, writer: writer)
            let result = try ClosedLoop.run(&client, load, progress: progress)
            try fix.logOut()
            return result
        case .floor, .floorTLS:
            var client = try EchoClient(connectingTo: address, writer: writer)
            defer { client.close() }
            return try ClosedLoop.run(&client, load, progress: progress)
        }
    }
}
