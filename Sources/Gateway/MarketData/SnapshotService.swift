import GatewayCore
import MarketData
import Network

/// The snapshot service's connections (specs/itch.md, "Snapshot service"): TCP
/// connections of the market-data stage's listener, served through the network loop of
/// the stage's thread (its own, or the order-entry loop it shares a thread with), so
/// that a snapshot is the book at one instant, between two feed messages. A request is
/// answered in the callback that delivers it; a snapshot's bytes are handed to the loop
/// a piece at a time, as the connection's send buffer empties (`pump`, every cycle).
///
/// Readers share snapshots: the whole-book snapshot is built once per feed sequence
/// number, and every reader asking while the book is unchanged is handed the same bytes
/// (an array shared, not copied), so slow or idle readers cost one copy of the book
/// between them, not one each (issue 14: 34 readers that never read a 120,000-order
/// book's snapshot held 151 MB).
final class SnapshotService: NetworkHandler {
    struct Connection {
        let id: ConnectionID
        /// The client's packets (pure: `SnapshotRequestReader` in MarketData).
        var reader = SnapshotRequestReader()
        /// What is to be written, in order: small answers of its own and shared snapshots.
        var output: [[UInt8]] = []
        /// Bytes of `output[0]` already handed to the loop.
        var written = 0
        /// Logged in and asked by then, or (once it asked) read the whole snapshot by then.
        var deadline: Int64
        /// Everything is handed over after the request: close once the kernel has it all.
        var finishing = false
    }

    static let maximumConnections = 32
    /// A late joiner logs in and asks at once: a connection that has not within 2 s is
    /// closed, so idle connections cannot hold the 32 places for long.
    static let loginTimeoutNanoseconds: Int64 = 2_000_000_000
    /// A snapshot not read in full within 30 s of the request is abandoned: a reader that
    /// never reads would otherwise hold its place and its copy of the book for ever.
    static let sendTimeoutNanoseconds: Int64 = 30_000_000_000
    /// At most this much of a snapshot waits in a connection's send buffer: the rest is
    /// handed over as it drains (the loop closes a connection whose buffer would overflow).
    let pieceBytes: Int

    let publisher: ITCHPublisher
    private let clock: any Clock

    /// Connections closed at once because all 32 places were taken.
    private(set) var refusedAtCapacity: UInt64 = 0
    private(set) var connections: [Connection] = []
    private(set) var snapshotsServed: UInt64 = 0
    /// Snapshots encoded (each whole-book one is shared by every reader asking before the
    /// book changes).
    private(set) var snapshotsBuilt: UInt64 = 0
    /// The last whole-book snapshot and the feed sequence number it ends at (one copy of
    /// the book at most; replaced by the next one built after the book changed).
    private var shared: (lastSequenceNumber: UInt64, bytes: [UInt8])?

    init(publisher: ITCHPublisher, maxSendBufferBytes: Int, clock: any Clock) {
        self.clock = clock
        self.publisher = publisher
        pieceBytes = max(1_024, min(1 << 16, maxSendBufferBytes / 2))
        connections.reserveCapacity(Self.maximumConnections)
    }

    // MARK: NetworkHandler (the loop's thread)

    func opened(_ connection: ConnectionID, listener: ListenerID, loop: NetworkLoop) {
        guard connections.count < Self.maximumConnections else {
            // Beyond the places: closed at once, so a crowd costs a close each.
            refusedAtCapacity &+= 1
            loop.close(connection, reason: .closedByHandler)
            return
        }
        connections.append(Connection(id: connection, deadline: clock.now().rawValue + Self.loginTimeoutNanoseconds))
    }

    func received(_ connection: ConnectionID, bytes: UnsafeRawBufferPointer, loop: NetworkLoop) {
        guard let index = connections.firstIndex(where: { $0.id == connection }), !connections[index].reader.isFinished else { return }
        connections[index].reader.append(bytes)
        let now = clock.now()
        while let action = connections[index].reader.next() {
            switch action {
            case .login:
                connections[index].output.append(SnapshotEncoder.loginAccepted(session: publisher.configuration.session))
            case .malformedRequest:
                connections[index].output.append(SnapshotEncoder.endOfSession())
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
                connections[index].output.append(snapshot(locates: locates, now: now))
                connections[index].deadline = now.rawValue + Self.sendTimeoutNanoseconds
                snapshotsServed &+= 1
            case .close:
                loop.close(connection, reason: .closedByHandler)
                return
            }
        }
        pump(&connections[index], loop: loop)
    }

    func closed(_ connection: ConnectionID, reason: CloseReason, loop: NetworkLoop) {
        connections.removeAll { $0.id == connection }
    }

    /// Only when the service's loop is its own (the market-data stage on a thread without
    /// order entry): its work is done in the stage's cycle (`service`), not here.
    func turn(loop: NetworkLoop, nowNanoseconds: Int64) -> Bool { false }
    func hasPendingWork() -> Bool { false }

    // MARK: The stage's cycle

    /// Some connection has snapshot bytes not yet handed to the loop: the stage should
    /// come back soon (its buffer drains as the reader reads).
    var hasOutputWaiting: Bool { connections.contains { !$0.output.isEmpty } }

    /// Deadlines, and more of each snapshot as its connection's buffer empties. Returns
    /// whether anything happened.
    func service(loop: NetworkLoop, now: Timestamp) -> Bool {
        var worked = false
        for index in connections.indices {
            if now.rawValue > connections[index].deadline {
                // Too slow to log in and ask, or to read what it asked for.
                loop.close(connections[index].id, reason: .closedByHandler)
                worked = true
                continue
            }
            if pump(&connections[index], loop: loop) { worked = true }
        }
        return worked
    }

    /// Hands the next pieces of `c`'s output to the loop while its send buffer has room;
    /// closes it once everything went after its request and the kernel took it all.
    @discardableResult
    private func pump(_ c: inout Connection, loop: NetworkLoop) -> Bool {
        var worked = false
        while let first = c.output.first {
            if c.written == first.count {
                c.output.removeFirst()
                c.written = 0
                continue
            }
            guard let pending = loop.pendingOutputBytes(of: c.id), pending < pieceBytes else { break }
            let count = min(pieceBytes, first.count - c.written)
            let written = c.written
            let result = first.withUnsafeBytes { loop.send(c.id, UnsafeRawBufferPointer(rebasing: $0[written..<(written + count)])) }
            guard result == .queued else { return true }
            c.written += count
            worked = true
        }
        // Sent in full after the request, and the kernel has taken all of it (the End of
        // Session included): close.
        if c.output.isEmpty && c.reader.isFinished && !c.finishing && loop.pendingOutputBytes(of: c.id) == 0 {
            c.finishing = true
            loop.close(c.id, reason: .closedByHandler)
            worked = true
        }
        return worked
    }

    /// The snapshot for `locates` (nil: every symbol): the whole-book one is built once
    /// per feed sequence number and shared.
    private func snapshot(locates: Set<SymbolIndex>?, now: Timestamp) -> [UInt8] {
        let last = publisher.nextSequenceNumber - 1
        if locates == nil, let shared, shared.lastSequenceNumber == last { return shared.bytes }
        let bytes = SnapshotEncoder.snapshot(
            book: publisher.book, symbols: publisher.configuration.symbols, locates: locates,
            lastSequenceNumber: last, now: now)
        snapshotsBuilt &+= 1
        if locates == nil { shared = (last, bytes) }
        return bytes
    }
}
