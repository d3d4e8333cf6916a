/// What the snapshot service reads from one client (specs/itch.md, "Snapshot service"):
/// SoupBinTCP packets in, what to answer out. Pure, so that every byte a client can send
/// is testable (and fuzzed) without a socket: the service (Gateway's `SnapshotService`)
/// appends what `recv` gave and acts on each ``Action``.
///
/// One connection, one snapshot: after the request is answered (or the client broke the
/// protocol) nothing more is read.
public struct SnapshotRequestReader: Sendable {
    public enum Phase: Sendable, Equatable {
        case awaitingLogin, awaitingRequest
        /// The request was read (a snapshot or End of Session is the last answer).
        case answered
        /// The client broke the protocol; the connection is to be closed without an answer.
        case closed
    }

    public enum Action: Sendable, Equatable {
        /// A Login Request `L` (its fields are not checked: market data is public):
        /// answer Login Accepted.
        case login
        /// The Unsequenced Data `U` request: the 8-byte Stock fields it names, in order
        /// (empty: every symbol). Names the venue does not list are the service's to skip.
        case request([ITCHStock])
        /// A request whose payload is not whole Stock fields: answer End of Session.
        case malformedRequest
        /// A packet length outside 1...``maximumPacketLength``, or a packet the phase does
        /// not take: close without an answer.
        case close
    }

    /// The longest packet (type byte included) a client may send: a request for 127 symbols.
    public static let maximumPacketLength = 1024

    public private(set) var phase = Phase.awaitingLogin
    /// Received bytes not yet read; `start` is where the next packet begins.
    private var input: [UInt8] = []
    private var start = 0

    public init() {}

    /// True once nothing more is read from the client.
    public var isFinished: Bool { phase == .answered || phase == .closed }

    /// Bytes received from the client.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !isFinished else { return }
        if start > 0 {
            // Compacted only when more arrives, so a burst of heartbeats costs one move.
            input.removeFirst(start)
            start = 0
        }
        input.append(contentsOf: bytes)
    }

    /// The next thing to answer, or nil until more bytes arrive (or after the end).
    /// Client Heartbeats `R` are read and skipped.
    public mutating func next() -> Action? {
        while !isFinished, input.count - start >= 2 {
            let length = Int(input[start]) << 8 | Int(input[start + 1])
            guard length >= 1, length <= Self.maximumPacketLength else { return finish(.closed, .close) }
            guard input.count - start >= 2 + length else { return nil }
            let type = input[start + 2]
            let payload = (start + 3)..<(start + 2 + length)
            start += 2 + length
            switch (phase, type) {
            case (.awaitingLogin, UInt8(ascii: "L")):
                phase = .awaitingRequest
                return .login
            case (.awaitingRequest, UInt8(ascii: "U")):
                guard payload.count % 8 == 0 else { return finish(.answered, .malformedRequest) }
                var stocks: [ITCHStock] = []
                stocks.reserveCapacity(payload.count / 8)
                input.withUnsafeBytes { raw in
                    for offset in stride(from: payload.lowerBound, to: payload.upperBound, by: 8) {
                        stocks.append(ITCHStock(raw.baseAddress!, at: offset))
                    }
                }
                return finish(.answered, .request(stocks))
            case (_, UInt8(ascii: "R")):
                continue  // client heartbeat
            default:
                return finish(.closed, .close)
            }
        }
        return nil
    }

    private mutating func finish(_ phase: Phase, _ action: Action) -> Action {
        self.phase = phase
        input = []
        start = 0
        return action
    }
}
