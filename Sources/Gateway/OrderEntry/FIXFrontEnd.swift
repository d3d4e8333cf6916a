import FIX
import Foundation
import GatewayCore
import POSIX
import Network

#if canImport(Glibc)
import Glibc
#endif

/// The FIX 4.4 side of one I/O thread: the session layer (`FIXAcceptor`), the order-entry
/// mapping (`FIXOrderEntry`), the partial message each connection left, and
/// cancel-on-disconnect commands the engine ring has not taken yet.
///
/// I/O thread only, called by `OrderEntryHandler`.
final class FIXFrontEnd {
    let acceptor: FIXAcceptor
    let orderEntry: FIXOrderEntry
    /// Engine session number of FIX session k is k + 1 (OUCH users start at 0x8000).
    let cancelOnDisconnect: [Bool]
    let source: UInt8
    /// Per connection slot: the bytes of an incomplete message, kept until the rest
    /// arrives. A buffer keeps its capacity when its connection ends, so a message split
    /// across reads allocates nothing once the slot has held one that long.
    private var partial = [[UInt8]](repeating: [], count: 1 << 16)
    /// sessionDisconnected commands refused by a full ring; retried each turn, first.
    private(set) var pendingDisconnects: [Command] = []
    private var lastTick: Int64 = 0
    /// Per-session message logs (sessions with `message_log = true`); nil: none.
    let messageLog: FIXMessageLog?

    init(acceptor: FIXAcceptor, orderEntry: FIXOrderEntry, cancelOnDisconnect: [Bool], source: UInt8,
         messageLog: FIXMessageLog? = nil) {
        self.acceptor = acceptor
        self.orderEntry = orderEntry
        self.cancelOnDisconnect = cancelOnDisconnect
        self.source = source
        self.messageLog = messageLog
    }

    func opened(_ connection: ConnectionID, now: Timestamp) {
        // Whatever a slot's earlier connection left is not this one's.
        partial[connection.slot].removeAll(keepingCapacity: true)
        acceptor.opened(connection.rawValue, now: now)
    }

    func received(_ connection: ConnectionID, bytes: UnsafeRawBufferPointer, now: Timestamp, io: inout FIXSessionIO) {
        let id = connection.rawValue
        let slot = connection.slot
        if !partial[slot].isEmpty {
            // Taken out while the acceptor reads it (the acceptor's calls may reach this
            // front end again), put back with what is left.
            var kept: [UInt8] = []
            swap(&kept, &partial[slot])
            kept.append(contentsOf: bytes)
            let used = kept.withUnsafeBytes { acceptor.received(id, $0, now: now, io: &io) }
            if used == kept.count {
                kept.removeAll(keepingCapacity: true)
            } else if used > 0 {
                kept.removeFirst(used)
            }
            swap(&kept, &partial[slot])
            return
        }
        let used = acceptor.received(id, bytes, now: now, io: &io)
        if used < bytes.count { partial[slot].append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[used...])) }
    }

    func closed(_ connection: ConnectionID, now: Timestamp, io: inout FIXSessionIO) {
        partial[connection.slot].removeAll(keepingCapacity: true)
        acceptor.closed(connection.rawValue, now: now, io: &io)
    }

    /// The session `index` lost its connection: cancel its orders if configured.
    func sessionEnded(_ index: Int, port: OrderEntryPort, now: Timestamp) {
        guard index < cancelOnDisconnect.count, cancelOnDisconnect[index] else { return }
        let command = Command(
            kind: .sessionDisconnected,
            origin: OrderOrigin(source: source, session: UInt16(index + 1), connection: 0), timestamp: now)
        if !pendingDisconnects.isEmpty || !port.submit(command, wake: false) {
            pendingDisconnects.append(command)
        }
    }

    /// Retries refused disconnect commands; true when none is left.
    func retryDisconnects(port: OrderEntryPort) -> Bool {
        while let first = pendingDisconnects.first {
            guard port.submit(first, wake: false) else { return false }
            pendingDisconnects.removeFirst()
        }
        return true
    }

    /// Writes every session store's pending records (at shutdown, after the loop has
    /// stopped: an error is reported, not turned into a disconnect).
    func flushStores() throws {
        for index in 0..<acceptor.configuration.sessions.count {
            try acceptor.store(session: index).flush()
        }
    }

    /// Timers, at most every 100 ms.
    func tick(nowNanoseconds: Int64, now: Timestamp, io: inout FIXSessionIO) {
        guard nowNanoseconds - lastTick >= 100_000_000 else { return }
        lastTick = nowNanoseconds
        acceptor.tick(now: now, io: &io)
    }
}

/// What the FIX session layer and the order-entry mapping do to the world, on the I/O
/// thread: bytes to the loop, commands to the engine, replies back through the acceptor.
struct FIXSessionIO: FIXAcceptorIO, FIXOrderEntryIO {
    unowned(unsafe) let loop: NetworkLoop
    unowned(unsafe) let port: OrderEntryPort
    unowned(unsafe) let frontEnd: FIXFrontEnd
    let now: Timestamp
    var submitted = false
    /// The journal sequence of the engine event being reported (0: the replies answer
    /// a client's message): kept with each stored report for recovery.
    var answering: UInt64 = 0

    mutating func send(_ connection: UInt32, _ bytes: UnsafeRawBufferPointer) {
        _ = loop.send(ConnectionID(rawValue: connection), bytes)
    }

    mutating func close(_ connection: UInt32, reason: String) {
        // The acceptor's reason names the session's CompID and sequence numbers.
        Log.info("FIX: closing connection \(ConnectionID(rawValue: connection)): \(reason)")
        _ = loop.close(ConnectionID(rawValue: connection), reason: .closedByHandler)
    }

    mutating func logSessionEvent(_ text: String) {
        Log.info(text)
    }

    mutating func logMessage(session: Int, inbound: Bool, _ bytes: UnsafeRawBufferPointer) {
        frontEnd.messageLog?.write(session: session, inbound: inbound, bytes, now: now)
    }

    func certificateSubject(of connection: UInt32) -> String? {
        loop.tlsPeerSubject(of: ConnectionID(rawValue: connection))
    }

    func peerAddress(of connection: UInt32) -> UInt32 {
        loop.peerAddress(of: ConnectionID(rawValue: connection))
    }

    func pendingOutputBytes(of connection: UInt32) -> Int {
        loop.pendingOutputBytes(of: ConnectionID(rawValue: connection)) ?? 0
    }

    mutating func application(_ message: FIXMessage, session: Int, connection: UInt32) {
        frontEnd.orderEntry.received(message, session: session, connection: connection, now: now, io: &self)
    }

    mutating func sessionStateChanged(session: Int, loggedOn: Bool) {
        if !loggedOn {
            frontEnd.sessionEnded(session, port: port, now: now)
            submitted = true
        }
    }

    mutating func submit(_ command: Command) -> Bool {
        guard port.submit(command, wake: false) else { return false }
        submitted = true
        return true
    }

    mutating func reply(session: Int, msgType: StaticString, encode: (inout FIXEncoder) -> Void) {
        var io = self
        do {
            try frontEnd.acceptor.sendApplication(
                session: session, msgType: msgType, now: now, answering: answering, io: &io, encode: encode)
        } catch {
            Log.error("FIX: could not send \(msgType) on session \(session): \(error)")
        }
    }
}
