#if canImport(Glibc)
import Glibc
#endif
import CCiftSystem
import GatewayCore
import MarketData

/// The snapshot service's connections (specs/itch.md, "Snapshot service"), driven by the
/// market-data thread between feed messages, so that a snapshot is the book at one
/// instant. Non-blocking sockets; a snapshot's bytes are built when requested and
/// written as the socket takes them.
///
/// Readers share snapshots: the whole-book snapshot is built once per feed sequence
/// number, and every reader asking while the book is unchanged is handed the same bytes
/// (an array shared, not copied), so slow or idle readers cost one copy of the book
/// between them, not one each (issue 14: 34 readers that never read a 120,000-order
/// book's snapshot held 151 MB).
final class SnapshotService {
    struct Connection {
        let fd: Int32
        /// The client's packets (pure: `SnapshotRequestReader` in MarketData).
        var reader = SnapshotRequestReader()
        /// What is to be written, in order: small answers of its own and shared snapshots.
        var output: [[UInt8]] = []
        /// Bytes of `output[0]` already written.
        var written = 0
        /// Logged in and asked by then, or (once it asked) read the whole snapshot by then.
        var deadline: Int64
    }

    static let maximumConnections = 32
    /// A late joiner logs in and asks at once: a connection that has not within 2 s is
    /// closed, so idle connections cannot hold the 32 places for long.
    static let loginTimeoutNanoseconds: Int64 = 2_000_000_000
    /// A snapshot not read in full within 30 s of the request is abandoned: a reader that
    /// never reads would otherwise hold its place and its copy of the book for ever.
    static let sendTimeoutNanoseconds: Int64 = 30_000_000_000

    /// Connections closed at once because all 32 places were taken (accepted first, so the
    /// listener does not stay readable and the backlog does not fill).
    private(set) var refusedAtCapacity: UInt64 = 0

    let listener: Int32
    private(set) var connections: [Connection] = []
    private(set) var snapshotsServed: UInt64 = 0
    /// Snapshots encoded (each whole-book one is shared by every reader asking before the
    /// book changes).
    private(set) var snapshotsBuilt: UInt64 = 0
    private var buffer = [UInt8](repeating: 0, count: 4096)
    /// The last whole-book snapshot and the feed sequence number it ends at (one copy of
    /// the book at most; replaced by the next one built after the book changed).
    private var shared: (lastSequenceNumber: UInt64, bytes: [UInt8])?

    init(listener: Int32) { self.listener = listener }

    /// Accepts, reads, answers and writes; returns whether anything happened.
    func service(publisher: ITCHPublisher, now: Timestamp) -> Bool {
        var worked = false
        while connections.count < Self.maximumConnections {
            let fd = cift_accept_nonblocking(listener)
            if fd < 0 { break }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            connections.append(Connection(fd: fd, deadline: now.rawValue + Self.loginTimeoutNanoseconds))
            worked = true
        }
        // Beyond the places: accept and close, so a crowd of connections costs a close each
        // instead of a listener that stays readable (a busy loop) and a full backlog.
        if connections.count >= Self.maximumConnections {
            for _ in 0..<64 {
                let fd = cift_accept_nonblocking(listener)
                if fd < 0 { break }
                _ = close(fd)
                refusedAtCapacity &+= 1
                worked = true
            }
        }
        var index = 0
        while index < connections.count {
            let keep = serve(&connections[index], publisher: publisher, now: now, worked: &worked)
            if keep {
                index += 1
            } else {
                _ = close(connections[index].fd)
                connections.remove(at: index)
                worked = true
            }
        }
        return worked
    }

    /// One connection's turn; false when it is finished or broken.
    private func serve(_ c: inout Connection, publisher: ITCHPublisher, now: Timestamp, worked: inout Bool) -> Bool {
        if !c.reader.isFinished {
            if now.rawValue > c.deadline { return false }
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if n == 0 { return false }
                if n < 0 { if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { break } else { return false } }
                buffer.withUnsafeBytes { c.reader.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                worked = true
            }
            while let action = c.reader.next() {
                switch action {
                case .login:
                    c.output.append(SnapshotEncoder.loginAccepted(session: publisher.configuration.session))
                case .malformedRequest:
                    c.output.append([0, 1, SnapshotEncoder.endOfSession])
                case .request(let stocks):
                    var locates: Set<SymbolIndex>?
                    if !stocks.isEmpty {
                        var wanted = Set<SymbolIndex>()
                        for stock in stocks {
                            if let symbol = publisher.configuration.symbols.first(where: { $0.stock == stock }) {
                                wanted.insert(symbol.locate)
                            }
                        }
                        locates = wanted
                    }
                    c.output.append(snapshot(publisher: publisher, locates: locates, now: now))
                    c.deadline = now.rawValue + Self.sendTimeoutNanoseconds
                    snapshotsServed &+= 1
                case .close:
                    return false
                }
                worked = true
            }
        }
        if !c.output.isEmpty && c.reader.isFinished && now.rawValue > c.deadline { return false }
        while let first = c.output.first {
            if c.written == first.count {
                c.output.removeFirst()
                c.written = 0
                continue
            }
            let written = c.written
            let n = first.withUnsafeBytes {
                send(c.fd, $0.baseAddress! + written, $0.count - written, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
            }
            if n < 0 { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR }
            c.written += n
            worked = true
        }
        // Sent in full after the request: the End of Session has gone; close.
        return !c.reader.isFinished
    }

    /// The snapshot for `locates` (nil: every symbol): the whole-book one is built once
    /// per feed sequence number and shared.
    private func snapshot(publisher: ITCHPublisher, locates: Set<SymbolIndex>?, now: Timestamp) -> [UInt8] {
        let last = publisher.nextSequenceNumber - 1
        if locates == nil, let shared, shared.lastSequenceNumber == last { return shared.bytes }
        let bytes = SnapshotEncoder.snapshot(
            book: publisher.book, symbols: publisher.configuration.symbols, locates: locates,
            lastSequenceNumber: last, now: now)
        snapshotsBuilt &+= 1
        if locates == nil { shared = (last, bytes) }
        return bytes
    }

    func closeAll() {
        for c in connections { _ = close(c.fd) }
        connections.removeAll()
    }
}
