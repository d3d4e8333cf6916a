/// Connection set-up times against one listener, measured one connection after another
/// (no load running): plain TCP connect, or TCP connect → TLS established (client
/// certificate presented and verified). Each connection is closed right after (TLS:
/// close_notify), before the next one starts.
public enum HandshakeRun {
    public struct Result: Codable, Sendable {
        public var name: String
        public var title: String
        public var connections: Int
        /// Percentiles in µs.
        public var latency: LatencySummary
        public var tlsVersion: String?
    }

    public static func run(to address: HostPort, transport: ClientTransport, count: Int, name: String, title: String) throws -> Result {
        let histogram = LatencyHistogram()
        var version: String?
        let progress = Progress(label: title)
        for i in 0..<count {
            switch transport {
            case .plain:
                let start = nowNanoseconds()
                let socket = try TCPSocket.connect(to: address)
                histogram.record(nanoseconds: nowNanoseconds() - start)
                socket.close()
            case .tls(let context):
                let connection = try TLSTransport(connectingTo: address, context: context)
                histogram.record(nanoseconds: connection.handshakeNanoseconds)
                if version == nil { version = connection.protocolVersion }
                connection.close()
            }
            progress.update(sent: i + 1, received: i + 1, total: count)
        }
        progress.finish()
        return Result(name: name, title: title, connections: count, latency: histogram.summary(), tlsVersion: version)
    }
}
