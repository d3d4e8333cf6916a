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
    /// Bytes of an incomplete message per connection, kept until the rest arrives.
    private var partial: [UInt32: [UInt8]] = [:]
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
        acceptor.opened(connection.rawValue, now: now)
    }

    func received(_ connection: ConnectionID, bytes: UnsafeRawBufferPointer, now: Timestamp, io: inout FIXSessionIO) {
        let id = connection.rawValue
        if var kept = partial.removeValue(forKey: id) {
            kept.append(contentsOf: bytes)
            kept.withUnsafeBytes { all in
                let used = acceptor.received(id, all, now: now, io: &io)
                if used < all.count { partial[id] = Array(all[used...]) }
            }
            return
        }
        let used = acceptor.received(id, bytes, now: now, io: &io)
        if used < bytes.count { partial[id] = Array(bytes[used...]) }
    }

    func closed(_ connection: ConnectionID, now: Timestamp, io: inout FIXSessionIO) {
        partial[connection.rawValue] = nil
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

/// Where the per-session FIX message logs go and which sessions have one.
struct FIXMessageLogSettings {
    var directory: String
    /// Client CompID by session index; nil where the session's log is off.
    var sessions: [String?]

    /// Nil when no session has `message_log = true`.
    init?(gateway c: GatewayConfiguration, dataDirectory: String) {
        let sessions = c.fix.sessions.map { $0.options.messageLog ? $0.senderCompID : nil }
        guard sessions.contains(where: { $0 != nil }) else { return nil }
        self.sessions = sessions
        directory = c.fix.messageLogDirectory.isEmpty ? dataDirectory + "/fix-messages" : c.fix.messageLogDirectory
    }
}

/// Every message of the logged sessions, in and out, appended to
/// `<directory>/<CompID>-<YYYYMMDD>.log` (one file per session per UTC day): a line per
/// message, `<UTC time> IN|OUT <the message as received or sent, SOH kept>`. Off by
/// default; when on, one `write` per message from a reused buffer (the day's file is
/// opened when the first message of the day comes). A file that cannot be opened or
/// written is reported once and that session's log stops: it never stops trading.
///
/// I/O thread only.
final class FIXMessageLog {
    let settings: FIXMessageLogSettings
    /// Each session's log of the day (nil until its first message of the day).
    private var files: [FileDescriptor?]
    private var days: [Int64]
    private var failed: [Bool]
    private var line: [UInt8] = []

    init(settings: FIXMessageLogSettings) {
        self.settings = settings
        files = Array(repeating: nil, count: settings.sessions.count)
        days = Array(repeating: -1, count: settings.sessions.count)
        failed = Array(repeating: false, count: settings.sessions.count)
        line.reserveCapacity(16_384)
        try? FileManager.default.createDirectory(atPath: settings.directory, withIntermediateDirectories: true)
    }

    deinit {
        for case let file? in files { file.closeIgnoringErrors() }
    }

    func write(session: Int, inbound: Bool, _ bytes: UnsafeRawBufferPointer, now: Timestamp) {
        guard session < settings.sessions.count, let compID = settings.sessions[session], !failed[session] else { return }
        let day = now.rawValue / 86_400_000_000_000
        if day != days[session] {
            files[session]?.closeIgnoringErrors()
            files[session] = nil
            let stamp = FIXMessageLog.date(day)
            let path = "\(settings.directory)/\(compID)-\(stamp).log"
            do {
                files[session] = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_APPEND)
            } catch {
                failed[session] = true
                Log.error("FIX \(compID): cannot open its message log: \(error); its message log is off")
                return
            }
            days[session] = day
        }
        line.removeAll(keepingCapacity: true)
        var time = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))  // 32 bytes for the timestamp
        withUnsafeMutableBytes(of: &time) { raw in
            FIXUTCTimestamp.format(now, into: raw.baseAddress!)
            line.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[0..<FIXUTCTimestamp.millisecondsLength]))
        }
        let direction: StaticString = inbound ? " IN  " : " OUT "
        line.append(contentsOf: UnsafeBufferPointer(start: direction.utf8Start, count: direction.utf8CodeUnitCount))
        line.append(contentsOf: bytes)
        line.append(UInt8(ascii: "\n"))
        guard let file = files[session] else { return }
        do {
            try line.withUnsafeBytes { try file.append($0) }
        } catch {
            failed[session] = true
            Log.error("FIX \(compID): message log write failed: \(error); its message log is off")
        }
    }

    /// `YYYYMMDD` of a day number (days since 1970-01-01).
    static func date(_ day: Int64) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(day) * 86_400)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d%02d%02d", c.year!, c.month!, c.day!)
    }
}
