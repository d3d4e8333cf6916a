import GatewayCore
import SoupBinTCP

/// The SoupBinTCP 4.1 / OUCH 5.0 server of one I/O thread: its users, their sequenced
/// streams and UserRefNum high-water marks, and its connections. A pure state machine:
/// bytes, engine events and a clock in; bytes, engine commands and closes out through
/// an ``OUCHServerIO``. The rules are specs/soupbintcp.md and specs/ouch.md.
///
/// One loop turn of the owner, in this order:
/// 1. ``received(_:bytes:now:io:)`` for every connection that has bytes (stop reading
///    a connection that answers `.paused`), ``opened(_:now:)`` / ``closed(_:now:io:)``;
///    ``resume(now:io:)`` while anything is paused;
/// 2. ``handle(_:)`` for every engine event of this I/O thread;
/// 3. ``tick(now:io:)``;
/// 4. ``flush(now:io:)``: writes the stores, then sends the sequenced messages;
/// 5. submit the queued sends to the kernel.
///
/// Single-threaded: every method is called by the owning I/O thread. It may be built
/// on another thread (to report configuration and store errors before the threads
/// start) and handed over across a happens-before edge (thread start), hence
/// `@unchecked Sendable`; it is never used by two threads at once. The generic
/// methods are `@inlinable` so that they specialise for the owner's IO type.
public final class OUCHServer: @unchecked Sendable {
    public let configuration: OUCHServerConfiguration

    @usableFromInline let source: UInt8
    @usableFromInline let sessionName: String
    @usableFromInline let heartbeatInterval: Int64
    @usableFromInline let loginTimeout: Int64
    @usableFromInline let defaultHeartbeatTimeout: Int64
    @usableFromInline let minimumHeartbeatTimeout: Int64
    @usableFromInline let replayBytesPerFlush: Int
    @usableFromInline let frameDecoder: SoupBinTCPFrameDecoder

    @usableFromInline var users: [OUCHServerUser] = []
    @usableFromInline var accounts: [OUCHServerAccount] = []
    /// Order-entry messages refused or ignored for the message-rate limit.
    public internal(set) var rateLimitedMessages: UInt64 = 0
    /// User index by `OrderOrigin.session` (-1: not this server's).
    @usableFromInline var userBySession: [Int32]
    /// Symbol directory: index into `symbolEntries` by the OUCH Symbol's 8 bytes.
    @usableFromInline var symbolsByName: [UInt64: Int] = [:]
    @usableFromInline var symbolEntries: [(index: SymbolIndex, tick: Int64)] = []
    /// OUCH Symbol by engine `SymbolIndex.rawValue`.
    @usableFromInline var symbolNames: [OUCHSymbol]

    @usableFromInline var connections: [OUCHServerConnection] = []
    @usableFromInline var connectionSlots: [UInt32: Int] = [:]
    /// Failed logins and lock-outs (shared with the FIX acceptor of the same thread);
    /// nil: none counted.
    public var loginThrottle: LoginThrottle?
    /// Between ``beginRecovery()`` and ``finishRecovery(journalEnd:)``: events come from
    /// journal replay.
    public private(set) var recovering = false
    @usableFromInline var freeSlots: [Int] = []
    /// Connections that answered `.paused`, in the order they did.
    @usableFromInline var pausedConnections: [UInt32] = []
    /// Cancel-on-disconnect commands the engine ring has not taken yet; submitted
    /// before any other command, so that a user who logs in again never has new
    /// orders canceled by the old connection's disconnect.
    @usableFromInline var pendingDisconnects: [Command] = []
    @usableFromInline var sessionEnded = false
    /// Room for one unsequenced packet (login answers, heartbeats).
    @usableFromInline let scratch: UnsafeMutableRawPointer

    /// Opens (or creates) every user's store in the configured data directory and
    /// rebuilds from them the UserRefNum high-water marks and the attributes of the
    /// day's orders. Throws ``ConfigurationError`` or ``OUCHStoreError``.
    public init(configuration: OUCHServerConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        source = configuration.source
        sessionName = configuration.sessionName.trimmingSpaces
        heartbeatInterval = configuration.heartbeatInterval.nanoseconds
        loginTimeout = configuration.loginTimeout.nanoseconds
        defaultHeartbeatTimeout = configuration.defaultHeartbeatTimeout.nanoseconds
        minimumHeartbeatTimeout = configuration.minimumHeartbeatTimeout.nanoseconds
        replayBytesPerFlush = configuration.replayBytesPerFlush
        frameDecoder = SoupBinTCPFrameDecoder(
            direction: .clientToServer, maximumLength: configuration.maximumMessageLength + 1)
        scratch = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 16)

        let maxSession = Int(configuration.users.map(\.session).max() ?? 0)
        userBySession = [Int32](repeating: -1, count: maxSession + 1)
        let maxSymbol = Int(configuration.symbols.map(\.index.rawValue).max() ?? 0)
        symbolNames = [OUCHSymbol](repeating: OUCHSymbol("?")!, count: maxSymbol + 1)
        for entry in configuration.symbols {
            let name = OUCHSymbol(entry.name)!
            symbolsByName[name.rawValue] = symbolEntries.count
            symbolEntries.append((entry.index, entry.tick.raw))
            symbolNames[Int(entry.index.rawValue)] = name
        }

        do {
            for user in configuration.users {
                let slot: Int
                if let existing = accounts.firstIndex(where: { $0.index == user.account }) {
                    slot = existing
                } else {
                    slot = accounts.count
                    accounts.append(OUCHServerAccount(index: user.account))
                }
                var recoveredHighWater: UInt32 = 0
                var recoveredOrders: [UInt32: OUCHOrderAttributes?] = [:]
                let store = try OUCHSessionStore(
                    directory: configuration.dataDirectory, username: user.username, session: sessionName,
                    synchronous: configuration.synchronousStores, newStoreBaseline: configuration.newStreamBaseline
                ) { message in
                    Self.recover(message, highWater: &recoveredHighWater, orders: &recoveredOrders)
                }
                accounts[slot].highWater = max(accounts[slot].highWater, recoveredHighWater, store.persistedHighWater)
                accounts[slot].answeredHighWater = max(accounts[slot].answeredHighWater, recoveredHighWater)
                for (userRefNum, attributes) in recoveredOrders {
                    accounts[slot].orders[userRefNum] = attributes
                }
                userBySession[Int(user.session)] = Int32(users.count)
                users.append(OUCHServerUser(
                    user, accountSlot: slot, store: store, maxMessagesPerSecond: configuration.maxMessagesPerSecond))
            }
        } catch {
            // Every stored property is set, so deinit runs for this instance: it closes
            // the stores opened so far and frees `scratch`.
            throw error
        }
    }

    deinit {
        for user in users { user.store.close() }
        scratch.deallocate()
    }

    /// Reads back one stored message at start-up: the UserRefNums it names raise the
    /// high-water mark; Accepted and Replaced give the attributes of live orders.
    static func recover(
        _ bytes: UnsafeRawBufferPointer, highWater: inout UInt32, orders: inout [UInt32: OUCHOrderAttributes?]
    ) {
        guard let message = try? OUCHOutboundMessage(decoding: bytes) else { return }
        switch message {
        case .orderAccepted(let m):
            highWater = max(highWater, m.userRefNum)
            orders[m.userRefNum] = OUCHOrderAttributes(
                side: m.side, timeInForce: m.timeInForce, display: m.display, capacity: m.capacity,
                intermarketSweep: m.intermarketSweep, crossType: m.crossType, firm: m.appendage.firm)
        case .orderReplaced(let m):
            highWater = max(highWater, m.userRefNum)
            let firm = orders[m.originalUserRefNum].flatMap { $0?.firm }
            orders[m.originalUserRefNum] = .some(nil)
            orders[m.userRefNum] = OUCHOrderAttributes(
                side: m.side, timeInForce: m.timeInForce, display: m.display, capacity: m.capacity,
                intermarketSweep: m.intermarketSweep, crossType: m.crossType, firm: firm)
        case .rejected(let m):
            highWater = max(highWater, m.userRefNum)
            orders[m.userRefNum] = .some(nil)
        case .orderModified(let m):
            if case .some(.some(var attributes)) = orders[m.userRefNum] {
                attributes.side = m.side
                orders[m.userRefNum] = attributes
            }
        case .systemEvent, .orderCanceled, .orderExecuted, .brokenTrade, .accountQueryResponse:
            break
        }
    }

    // MARK: Queries

    /// The store of `username` (case-insensitive), for tools and tests.
    public func store(of username: String) -> OUCHSessionStore? {
        users.first { $0.username == username.uppercased() }?.store
    }

    /// The next UserRefNum `account` may use (what Account Query Response reports).
    public func nextUserRefNum(account: AccountIndex) -> UInt32? {
        accounts.first { $0.index == account }.map { $0.highWater == .max ? .max : $0.highWater + 1 }
    }

    /// True when the connection answered `.paused` and has not been resumed.
    public func isPaused(_ connection: UInt32) -> Bool {
        connectionSlots[connection].map { connections[$0].paused } ?? false
    }

    /// True when a logged-in connection has stored messages it has not been sent yet
    /// (it is replaying): the owner should not park its loop, so that ``flush(now:io:)``
    /// keeps sending.
    public var hasPendingOutput: Bool {
        for connection in connections where connection.phase == .loggedIn && !connection.paced {
            if connection.nextSequence <= users[connection.user].store.durableCount { return true }
        }
        return false
    }

    /// Raises `account`'s UserRefNum high-water mark, e.g. to the highest UserRefNum
    /// of the day that journal recovery found for it (a command the engine journaled
    /// just before a crash, whose answer never reached the store).
    public func raiseHighWater(account: AccountIndex, to userRefNum: UInt32) {
        guard let slot = accounts.firstIndex(where: { $0.index == account }) else { return }
        accounts[slot].highWater = max(accounts[slot].highWater, userRefNum)
    }

    // MARK: Connections

    /// Whether `connection` is open and has not logged in yet (for the gateway's bound on
    /// connections waiting to log in).
    public func isAwaitingLogin(_ connection: UInt32) -> Bool {
        guard let slot = connectionSlots[connection] else { return false }
        return connections[slot].phase == .awaitingLogin
    }

    /// A new TCP connection: it has `loginTimeout` to log in.
    public func opened(_ connection: UInt32, now: Timestamp) {
        if let old = connectionSlots[connection], let command = forget(old, now: now) {
            pendingDisconnects.append(command)
        }
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = connections.count
            connections.append(OUCHServerConnection())
            connections[slot].buffer.reserveCapacity(frameDecoder.maximumLength + 2)
        }
        connections[slot].id = connection
        connections[slot].isOpen = true
        connections[slot].session = SoupBinTCPServerSession(openedAt: now.rawValue, heartbeatTimeout: defaultHeartbeatTimeout)
        connections[slot].user = -1
        connections[slot].nextSequence = 1
        connections[slot].buffer.removeAll(keepingCapacity: true)
        connections[slot].paused = false
        connectionSlots[connection] = slot
    }

    /// Bytes arrived on a connection. Processes every whole packet; keeps a partial
    /// one for the next call.
    @inlinable
    public func received<IO: OUCHServerIO>(
        _ connection: UInt32, bytes: UnsafeRawBufferPointer, now: Timestamp, io: inout IO
    ) -> OUCHReceiveOutcome {
        guard let slot = connectionSlots[connection] else { return .consumed }
        connections[slot].session.received(now: now.rawValue)
        if connections[slot].paused || !connections[slot].buffer.isEmpty || !pendingDisconnects.isEmpty {
            connections[slot].buffer.append(contentsOf: bytes)
            if connections[slot].paused { return .paused }
            guard submitPendingDisconnects(&io) else {
                pause(slot)
                return .paused
            }
            return processBuffered(slot, now: now, io: &io)
        }
        let (consumed, status) = process(slot, bytes, now: now, io: &io)
        if status == .closed { return .consumed }
        if consumed < bytes.count {
            connections[slot].buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[consumed...]))
        }
        if status == .paused {
            pause(slot)
            return .paused
        }
        return .consumed
    }

    /// Retries what the engine ring refused: pending cancel-on-disconnect commands, then
    /// each paused connection's bytes. True when nothing is left paused: the owner
    /// resumes reading every connection.
    @inlinable
    public func resume<IO: OUCHServerIO>(now: Timestamp, io: inout IO) -> Bool {
        guard submitPendingDisconnects(&io) else { return false }
        while let id = pausedConnections.first {
            guard let slot = connectionSlots[id], connections[slot].paused else {
                pausedConnections.removeFirst()
                continue
            }
            connections[slot].paused = false
            // Time spent paused is the server's doing: the client's heartbeats are
            // waiting in the socket.
            connections[slot].session.received(now: now.rawValue)
            if processBuffered(slot, now: now, io: &io) == .paused { return false }
            pausedConnections.removeFirst()
        }
        return true
    }

    /// The connection is gone (closed by the peer or the network). A logged-in user
    /// with cancel-on-disconnect gets a `sessionDisconnected` command, which is kept and
    /// retried until the engine ring takes it.
    @inlinable
    public func closed<IO: OUCHServerIO>(_ connection: UInt32, now: Timestamp, io: inout IO) {
        guard let slot = connectionSlots[connection] else { return }
        release(slot, now: now, io: &io)
    }

    /// Timers: the login timeout, the client heartbeat timeout, and a Server Heartbeat
    /// to every logged-in connection that has been sent nothing for `heartbeatInterval`.
    /// Also retries pending cancel-on-disconnect commands.
    @inlinable
    public func tick<IO: OUCHServerIO>(now: Timestamp, io: inout IO) {
        _ = submitPendingDisconnects(&io)
        let t = now.rawValue
        for slot in connections.indices where connections[slot].isOpen {
            switch connections[slot].session.due(
                now: t, loginTimeout: loginTimeout, heartbeatInterval: heartbeatInterval,
                readingPaused: connections[slot].paused)
            {
            case .nothing:
                continue
            case .serverHeartbeat:
                let n = SoupBinTCPEncoder.serverHeartbeat(scratch)
                io.send(connections[slot].id, UnsafeRawBufferPointer(start: scratch, count: n))
                connections[slot].session.sent(now: t)
            case .close(let reason):
                drop(slot, reason: reason, now: now, io: &io)
            }
        }
    }

    /// Writes every store that has new messages (one `pwrite` each, plus the
    /// high-water mark when it moved), then sends each logged-in connection the
    /// sequenced messages it has not had: everything new, and at most
    /// `replayBytesPerFlush` of older messages while it replays. Call once per loop turn.
    /// An error is a failed write: treat it like a journal failure (stop).
    @inlinable
    public func flush<IO: OUCHServerIO>(now: Timestamp, io: inout IO) throws(OUCHStoreError) {
        try writeStores()
        for slot in connections.indices where connections[slot].phase == .loggedIn {
            try pump(slot, budget: replayBytesPerFlush, now: now, io: &io)
        }
    }

    /// Writes every store that has new messages or a moved high-water mark, without
    /// sending anything (for a shutdown).
    public func flushStores() throws(OUCHStoreError) {
        try writeStores()
    }

    /// Flushes every store with new messages. The UserRefNum high-water mark goes to a
    /// store's header only when no message in the streams names it (a UserRefNum the
    /// engine has not answered yet, or a replace OUCH does not answer): otherwise a
    /// restart recovers it from the messages, and the second `pwrite` is saved.
    @usableFromInline
    func writeStores() throws(OUCHStoreError) {
        for index in users.indices {
            let store = users[index].store
            let account = users[index].accountSlot
            let highWater = accounts[account].highWater
            let header: UInt32? =
                highWater > accounts[account].answeredHighWater && highWater != store.persistedHighWater
                ? highWater : nil
            if store.hasUnflushedMessages || header != nil {
                try store.flush(highWater: header)
            }
        }
    }

    /// True when some user's stream holds messages not yet in its file.
    public var hasUnwrittenStores: Bool { users.contains { $0.store.hasUnflushedMessages } }

    /// Journal replay starts: each stream will meet the answers it holds again.
    public func beginRecovery() {
        recovering = true
        for user in users { user.store.beginRecovery() }
    }

    /// Ends journal replay (whose events went through ``handle(_:)``, each stream keeping
    /// only the answers a crash kept out of it): a stream created before the journal's
    /// end was known carries the answers after `journalEnd`; what replay appended is
    /// written. Returns how many messages replay appended.
    @discardableResult
    public func finishRecovery(journalEnd: UInt64) throws(OUCHStoreError) -> Int {
        recovering = false
        var appended = 0
        for user in users {
            appended += user.store.messageCount - user.store.durableCount
            try user.store.settleBaseline(journalEnd)
            try user.store.flush()
        }
        return appended
    }

    /// Appends a System Event (start or end of day) to every user's stream.
    /// `answering`: the journal sequence of the venue command that announced it (0:
    /// none), so that recovery can give a stream the System Event a crash kept out.
    public func systemEvent(_ code: SystemEventCode, now: Timestamp, answering engineSequence: UInt64 = 0) {
        let message = OUCHSystemEvent(
            timestamp: UInt64(now.nanosecondsSinceMidnight),
            eventCode: code == .startOfDay ? OUCHSystemEventCode.startOfDay : OUCHSystemEventCode.endOfDay)
        for user in users { user.store.append(message, answering: engineSequence) }
    }

    /// Ends the session: writes the stores, sends every logged-in connection all it
    /// has not had, then End of Session, and closes it. Later logins are refused with
    /// `S` (session not available). Cancel-on-disconnect applies to these closes.
    @inlinable
    public func endOfSession<IO: OUCHServerIO>(now: Timestamp, io: inout IO) throws(OUCHStoreError) {
        sessionEnded = true
        try writeStores()
        for slot in connections.indices where connections[slot].phase == .loggedIn {
            let store = users[connections[slot].user].store
            while connections[slot].nextSequence <= store.durableCount {
                try pump(slot, budget: replayBytesPerFlush, paced: false, now: now, io: &io)
            }
            let n = SoupBinTCPEncoder.endOfSession(scratch)
            io.send(connections[slot].id, UnsafeRawBufferPointer(start: scratch, count: n))
            drop(slot, reason: "end of session", now: now, io: &io)
        }
        for slot in connections.indices where connections[slot].phase == .awaitingLogin {
            drop(slot, reason: "end of session", now: now, io: &io)
        }
    }

    // MARK: Internals (generic paths)

    @inlinable
    func pause(_ slot: Int) {
        if !connections[slot].paused {
            connections[slot].paused = true
            pausedConnections.append(connections[slot].id)
        }
    }

    @inlinable
    func submitPendingDisconnects<IO: OUCHServerIO>(_ io: inout IO) -> Bool {
        if pendingDisconnects.isEmpty { return true }
        var taken = 0
        while taken < pendingDisconnects.count {
            guard io.submit(pendingDisconnects[taken]) else { break }
            taken += 1
        }
        pendingDisconnects.removeFirst(taken)
        return pendingDisconnects.isEmpty
    }

    /// Processes the connection's buffered bytes (taken out of the connection while
    /// the packets are handled, which may change the connection's state).
    @inlinable
    func processBuffered<IO: OUCHServerIO>(_ slot: Int, now: Timestamp, io: inout IO) -> OUCHReceiveOutcome {
        var taken: [UInt8] = []
        swap(&taken, &connections[slot].buffer)
        let (consumed, status) = taken.withUnsafeBytes { process(slot, $0, now: now, io: &io) }
        if status == .closed {
            // The slot is free now; give it back its buffer's capacity for the next connection.
            taken.removeAll(keepingCapacity: true)
            swap(&taken, &connections[slot].buffer)
            return .consumed
        }
        if consumed == taken.count {
            taken.removeAll(keepingCapacity: true)
        } else if consumed > 0 {
            taken.removeFirst(consumed)
        }
        swap(&taken, &connections[slot].buffer)
        if status == .paused {
            pause(slot)
            return .paused
        }
        return .consumed
    }

    /// Handles every whole packet at the start of `bytes`; returns the bytes consumed.
    @inlinable
    func process<IO: OUCHServerIO>(
        _ slot: Int, _ bytes: UnsafeRawBufferPointer, now: Timestamp, io: inout IO
    ) -> (Int, OUCHProcessStatus) {
        var offset = 0
        while true {
            let result: SoupBinTCPDecodeResult
            do throws(SoupBinTCPFramingError) {
                result = try frameDecoder.decode(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            } catch {
                drop(slot, reason: error.description, now: now, io: &io)
                return (offset, .closed)
            }
            guard case .frame(let frame) = result else { return (offset, .needMoreData) }
            switch handlePacket(slot, frame, now: now, io: &io) {
            case .done: offset += frame.length
            case .paused: return (offset, .paused)
            case .closed: return (offset, .closed)
            }
        }
    }

    @inlinable
    func handlePacket<IO: OUCHServerIO>(
        _ slot: Int, _ frame: SoupBinTCPFrame, now: Timestamp, io: inout IO
    ) -> OUCHPacketStatus {
        switch connections[slot].session.request(frame) {
        case .login(let payload):
            return login(slot, payload, now: now, io: &io)
        case .data(let payload):
            return order(slot, payload, now: now, io: &io)
        case .nothing:
            return .done
        case .logout:
            drop(slot, reason: "logout requested", now: now, io: &io)
            return .closed
        case .violation(let reason):
            drop(slot, reason: reason, now: now, io: &io)
            return .closed
        }
    }

    @inlinable
    func login<IO: OUCHServerIO>(
        _ slot: Int, _ payload: UnsafeRawBufferPointer, now: Timestamp, io: inout IO
    ) -> OUCHPacketStatus {
        let address = io.peerAddress(of: connections[slot].id)
        switch decideLogin(
            payload, certificateSubject: io.certificateSubject(of: connections[slot].id), peerAddress: address, now: now
        ) {
        case .malformed(let reason):
            drop(slot, reason: reason, now: now, io: &io)
            return .closed
        case .reject(let code, var reason, let failedCredentials, let username):
            if failedCredentials, let lockout = loginThrottle?.failed(identity: username, address: address, now: now.rawValue) {
                reason += "; \(lockout)"
            }
            let n = SoupBinTCPEncoder.loginRejected(code, scratch)
            io.send(connections[slot].id, UnsafeRawBufferPointer(start: scratch, count: n))
            drop(slot, reason: reason, now: now, io: &io)
            return .closed
        case .accept(let user, let next, let timeout):
            loginThrottle?.succeeded(identity: users[user].username)
            bind(slot, user: user, nextSequence: next, heartbeatTimeout: timeout, now: now)
            let n = SoupBinTCPLoginAccepted(session: sessionName, sequenceNumber: UInt64(next)).encode(scratch)
            io.send(connections[slot].id, UnsafeRawBufferPointer(start: scratch, count: n))
            return .done
        }
    }

    @inlinable
    func order<IO: OUCHServerIO>(
        _ slot: Int, _ payload: UnsafeRawBufferPointer, now: Timestamp, io: inout IO
    ) -> OUCHPacketStatus {
        switch translate(slot, payload, now: now) {
        case .handled:
            return .done
        case .close(let reason):
            drop(slot, reason: reason, now: now, io: &io)
            return .closed
        case .submit(let command, let accountSlot, let highWater):
            guard io.submit(command) else { return .paused }
            if highWater != 0 { accounts[accountSlot].highWater = highWater }
            return .done
        }
    }

    /// Sends the connection the durable messages it has not had. Paced
    /// (``OUCHServerConfiguration/paceOutputBytes``) unless `paced` is false (the end of
    /// the session sends everything before End of Session).
    @inlinable
    func pump<IO: OUCHServerIO>(
        _ slot: Int, budget: Int, paced: Bool = true, now: Timestamp, io: inout IO
    ) throws(OUCHStoreError) {
        let store = users[connections[slot].user].store
        let id = connections[slot].id
        var remaining = budget
        // Live messages go at once unless the connection has the pace mark's worth queued.
        var room = Int.max
        connections[slot].paced = false
        if paced && configuration.paceOutputBytes > 0 {
            room = configuration.paceOutputBytes - io.pendingOutputBytes(of: id)
            if room <= 0 {
                connections[slot].paced = true
                return
            }
        }
        while remaining > 0 && connections[slot].nextSequence <= store.durableCount {
            let (messages, bytes) = try store.withPackets(
                from: connections[slot].nextSequence, maxBytes: remaining, maxRecentBytes: room
            ) {
                packets, count in
                io.send(id, packets)
                return (count, packets.count)
            }
            connections[slot].nextSequence += messages
            connections[slot].session.sent(now: now.rawValue)
            remaining -= bytes
            if room != Int.max {
                room -= bytes
                if room <= 0 {
                    connections[slot].paced = connections[slot].nextSequence <= store.durableCount
                    return
                }
            }
        }
    }

    /// Closes a connection on the server's initiative.
    @inlinable
    func drop<IO: OUCHServerIO>(_ slot: Int, reason: String, now: Timestamp, io: inout IO) {
        io.close(connections[slot].id, reason: reason)
        release(slot, now: now, io: &io)
    }

    /// Forgets a connection; cancel-on-disconnect for a logged-in user.
    @inlinable
    func release<IO: OUCHServerIO>(_ slot: Int, now: Timestamp, io: inout IO) {
        if let command = forget(slot, now: now) {
            pendingDisconnects.append(command)
            _ = submitPendingDisconnects(&io)
        }
    }
}
