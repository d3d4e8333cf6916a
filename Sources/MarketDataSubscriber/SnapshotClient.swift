import POSIX

#if canImport(Glibc)
import Glibc
#endif
import MarketData
import SoupBinTCP

/// A snapshot as the venue's snapshot service sent it.
public struct ITCHSnapshot: Sendable, Equatable {
    /// The MoldUDP64 session, from Login Accepted.
    public var session: String
    /// The ITCH messages in the order received (directory, trading actions, resting
    /// orders), without the closing Snapshot Complete.
    public var messages: [ITCHMessage]
    /// From Snapshot Complete: the last feed message the snapshot includes (0 when
    /// the feed had sent none). The feed is joined at the one after.
    public var lastSequenceNumber: UInt64

    public init(session: String, messages: [ITCHMessage], lastSequenceNumber: UInt64) {
        self.session = session
        self.messages = messages
        self.lastSequenceNumber = lastSequenceNumber
    }
}

/// Fetches one snapshot from the venue's snapshot service (specs/itch.md, "Snapshot
/// service"): a TCP connection framed with SoupBinTCP 4.1 (the SoupBinTCP module).
/// Login Request → Login Accepted → one Unsequenced Data packet naming the wanted
/// symbols (8-byte Stock fields; empty for all) → Sequenced Data packets, one ITCH
/// message each, ending with Snapshot Complete `G` → End of Session `Z` (or close).
///
/// Blocking, with one deadline over the whole exchange. A connection per snapshot.
public enum SnapshotClient {
    /// Connects to `server`, asks for `symbols` (all when empty) and returns the
    /// snapshot; throws if the server breaks the protocol or `timeoutMilliseconds`
    /// pass first.
    public static func fetch(
        from server: IPv4Endpoint, symbols: [ITCHStock] = [], timeoutMilliseconds: Int = 5000
    ) throws(SubscriberError) -> ITCHSnapshot {
        let context = "snapshot server \(server)"
        let deadline = UInt64(MonotonicClock.nanoseconds()) + UInt64(timeoutMilliseconds) * 1_000_000
        let fd = try Socket.open(family: AF_INET, type: Int32(SOCK_STREAM.rawValue), on: context, as: SubscriberError.self)
        defer { SystemCall.release(fd) }
        try Socket.connect(fd, to: server.socketAddress, on: context, as: SubscriberError.self)
        try Socket.setOption(
            fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, Int32(1), "setsockopt(TCP_NODELAY)", on: context,
            as: SubscriberError.self)

        let login = SoupBinTCPLoginRequest(
            username: "", password: "", requestedSession: "", requestedSequenceNumber: 1, heartbeatTimeoutMilliseconds: 0)
        try sendAll(fd, SoupBinTCPEncoder.bytes(capacity: login.encodedLength) { login.encode($0) }, context)

        var reader = SoupBinTCPStreamReader(direction: .serverToClient)
        var soup = SoupBinTCPClientSession(loginSentAt: MonotonicClock.nanoseconds())
        var messages: [ITCHMessage] = []
        var lastSequenceNumber: UInt64?
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)
        defer { scratch.deallocate() }

        while true {
            // Take every whole packet already received.
            while true {
                let step: Step?
                do {
                    step = try reader.next { frame throws(SubscriberError) -> Step in
                        try handle(soup.received(frame, now: MonotonicClock.nanoseconds()), messages: &messages, last: &lastSequenceNumber)
                    }
                } catch let error as SubscriberError {
                    throw error
                } catch {
                    throw .snapshotProtocol("\(error)")
                }
                guard let step else { break }
                switch step {
                case .continue:
                    break
                case .loggedIn:
                    try sendAll(fd, request(symbols), context)
                case .finished:
                    guard let session = soup.session else { throw .snapshotProtocol("End of Session before Login Accepted") }
                    guard let lastSequenceNumber else {
                        throw .snapshotProtocol("End of Session before Snapshot Complete")
                    }
                    return ITCHSnapshot(session: session, messages: messages, lastSequenceNumber: lastSequenceNumber)
                }
            }
            let now = UInt64(MonotonicClock.nanoseconds())
            guard now < deadline else { throw .snapshotTimedOut(afterMilliseconds: timeoutMilliseconds) }
            let remaining = Int((deadline - now) / 1_000_000) + 1
            guard try Socket.waitReadable(fd, milliseconds: remaining, on: context, as: SubscriberError.self) else { continue }
            guard let count = try Socket.receive(fd, into: scratch, on: context, as: SubscriberError.self) else { continue }
            if count == 0 {
                // The server closes after End of Session; a close right after Snapshot
                // Complete is as good.
                if let session = soup.session, let lastSequenceNumber {
                    return ITCHSnapshot(session: session, messages: messages, lastSequenceNumber: lastSequenceNumber)
                }
                throw .snapshotProtocol("connection closed before Snapshot Complete")
            }
            reader.append(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
        }
    }

    enum Step { case `continue`, loggedIn, finished }

    /// What one event of the SoupBinTCP session means for the snapshot: the session says
    /// whether the packet was allowed (Login first, one login answer, nothing after End
    /// of Session); the snapshot's own rule is that nothing follows Snapshot Complete.
    static func handle(
        _ event: SoupBinTCPClientSession.Event, messages: inout [ITCHMessage], last: inout UInt64?
    ) throws(SubscriberError) -> Step {
        switch event {
        case .loggedIn:
            return .loggedIn
        case .loginRejected(let reason):
            throw .snapshotProtocol("Login Rejected, reason '\(String(UnicodeScalar(reason)))'")
        case .sequenced(let payload, _):
            guard last == nil else { throw .snapshotProtocol("Sequenced Data after Snapshot Complete") }
            let message: ITCHMessage
            do { message = try ITCHMessage(decoding: payload) } catch { throw .snapshotProtocol("\(error)") }
            if case .snapshotComplete(let complete) = message {
                last = complete.lastSequenceNumber
            } else {
                messages.append(message)
            }
            return .continue
        case .endOfSession:
            return .finished
        case .violation(let reason):
            throw .snapshotProtocol(reason)
        case .unsequenced, .nothing:
            return .continue
        }
    }

    /// The Unsequenced Data packet whose payload is the wanted Stock fields.
    static func request(_ symbols: [ITCHStock]) -> [UInt8] {
        var payload: [UInt8] = []
        payload.reserveCapacity(symbols.count * 8)
        for stock in symbols {
            for shift in stride(from: 56, through: 0, by: -8) {
                payload.append(UInt8(truncatingIfNeeded: stock.rawValue >> UInt64(shift)))
            }
        }
        return payload.withUnsafeBytes { bytes in
            SoupBinTCPEncoder.bytes(capacity: 3 + bytes.count) { SoupBinTCPEncoder.unsequencedData(bytes, $0) }
        }
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8], _ context: String) throws(SubscriberError) {
        let outcome: Result<Void, SubscriberError> = bytes.withUnsafeBytes { all in
            var offset = 0
            while offset < all.count {
                let sent: Int?
                do throws(SubscriberError) {
                    sent = try Socket.send(fd, UnsafeRawBufferPointer(rebasing: all[offset...]), on: context, as: SubscriberError.self)
                    if sent == nil {
                        // The send buffer is full (a snapshot request never fills it, in practice).
                        _ = try Socket.waitReadable(fd, milliseconds: 10, on: context, as: SubscriberError.self)
                    }
                } catch {
                    return .failure(error)
                }
                offset += sent ?? 0
            }
            return .success(())
        }
        try outcome.get()
    }
}
