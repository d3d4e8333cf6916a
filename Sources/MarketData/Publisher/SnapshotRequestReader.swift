import SoupBinTCP

/// What the snapshot service reads from one client (specs/itch.md, "Snapshot service"):
/// SoupBinTCP packets in (found by the SoupBinTCP module's frame decoder), what to
/// answer out. Pure, so that every byte a client can send
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
        /// A packet length outside 1...``maximumPacketLength``, a packet SoupBinTCP does
        /// not allow in the phase, a Logout Request: close without an answer.
        case close
    }

    /// The longest packet (type byte included) a client may send: a request for 127 symbols.
    public static let maximumPacketLength = 1024

    public private(set) var phase = Phase.awaitingLogin
    /// The SoupBinTCP rules of the connection (which packets may come when).
    private var session = SoupBinTCPServerSession(openedAt: 0, heartbeatTimeout: .max)
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
    /// Client Heartbeats `R` and Debug packets `+` are read and skipped.
    public mutating func next() -> Action? {
        while !isFinished {
            let start = self.start
            // The frame decoder reads in place: what it finds is turned into an answer
            // before the buffer is touched again.
            let session = self.session
            let step: (consumed: Int, action: Action?)? = input.withUnsafeBytes { all in
                let frame: SoupBinTCPFrame
                do throws(SoupBinTCPFramingError) {
                    guard case .frame(let found) = try Self.decoder.decode(UnsafeRawBufferPointer(rebasing: all[start...]))
                    else { return nil }
                    frame = found
                } catch {
                    // A Length of 0 or above the maximum, or a server's packet type.
                    return (0, .close)
                }
                // The SoupBinTCP rules (Login first; heartbeats and debug skipped), then
                // the snapshot service's own: one request, and nothing after it.
                switch session.request(frame) {
                case .login:
                    return (frame.length, .login)
                case .data(let payload):
                    guard payload.count % 8 == 0 else { return (frame.length, .malformedRequest) }
                    var stocks: [ITCHStock] = []
                    stocks.reserveCapacity(payload.count / 8)
                    for offset in stride(from: 0, to: payload.count, by: 8) {
                        stocks.append(ITCHStock(payload.baseAddress!, at: offset))
                    }
                    return (frame.length, .request(stocks))
                case .nothing:
                    return (frame.length, nil)
                case .logout, .violation:
                    return (0, .close)
                }
            }
            guard let step else { return nil }
            self.start += step.consumed
            switch step.action {
            case nil: continue  // a client heartbeat
            case .login?:
                phase = .awaitingRequest
                // Market data is public: every login is accepted. The service keeps its
                // own deadlines, so the session's timers are not used.
                self.session.loggedIn(heartbeatTimeout: .max, now: 0)
                return .login
            case .request(let stocks)?: return finish(.answered, .request(stocks))
            case .malformedRequest?: return finish(.answered, .malformedRequest)
            case .close?: return finish(.closed, .close)
            }
        }
        return nil
    }

    /// Finds packets: client-to-server types only, Length at most ``maximumPacketLength``.
    private static let decoder = SoupBinTCPFrameDecoder(direction: .clientToServer, maximumLength: maximumPacketLength)

    private mutating func finish(_ phase: Phase, _ action: Action) -> Action {
        self.phase = phase
        input = []
        start = 0
        return action
    }
}
