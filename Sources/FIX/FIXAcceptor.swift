import GatewayCore

/// The FIX 4.4 session layer, acceptor side, for the connections of one I/O thread:
/// bytes and a clock in, bytes (through `FIXAcceptorIO`) and validated application
/// messages out. No sockets, no threads; every rule is in specs/fix44.md, "Session
/// layer". Used from one thread.
public final class FIXAcceptor {
    /// The largest MsgSeqNum a SequenceReset may move the expected number to (32 bits, as
    /// QuickFIX and most engines keep it). The expected number only grows by one per
    /// message or by NewSeqNo, so this bound keeps `seq + 1` from overflowing: a client's
    /// `36=9223372036854775807` followed by `34=9223372036854775807` trapped the process.
    public static let maximumSeqNum = Int(Int32.max)

    public let configuration: FIXAcceptorConfiguration
    let validator: FIXValidator
    /// The dictionary's header tags, for one pass over a message's header.
    let headerTags: FIXTagSet
    let decoder: FIXFrameDecoder
    var sessions: [FIXSessionState]
    var connections: [UInt32: FIXSessionConnection] = [:]
    /// Where outbound messages are encoded; reused for every message.
    let buffer: UnsafeMutableRawBufferPointer
    var testRequestCounter = 0
    /// `.endOfEachReceive`: the session whose inbound number is waiting for the end of
    /// the current `received` call.
    var inboundNumberPending: Int?
    /// The engine-answer baseline of a store created from now on: the configuration's
    /// until recovery ends, then the journal's end (``finishRecovery(journalEnd:)``).
    var newStoreBaseline: UInt64
    /// Failed Logons and lock-outs (shared with the OUCH server of the same thread);
    /// nil: none counted.
    public var loginThrottle: LoginThrottle?

    public init(configuration: FIXAcceptorConfiguration) throws(FIXMessageStoreError) {
        self.configuration = configuration
        validator = FIXValidator(dictionary: configuration.dictionary)
        headerTags = configuration.dictionary.headerTags
        decoder = FIXFrameDecoder(maximumBodyLength: configuration.maximumBodyLength)
        var sessions: [FIXSessionState] = []
        newStoreBaseline = configuration.newStoreBaseline
        for s in configuration.sessions {
            let store = try FIXMessageStore(directory: configuration.storeDirectory, name: s.storeName,
                                            synchronous: configuration.synchronousStore,
                                            newStoreBaseline: configuration.newStoreBaseline)
            sessions.append(FIXSessionState(configuration: s, store: store))
        }
        self.sessions = sessions
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: configuration.maximumBodyLength + 512,
                                                        alignment: 8)
    }

    deinit {
        buffer.deallocate()
        for s in sessions { s.store.close() }
    }

    // MARK: Queries

    /// The index of the session whose client is `clientCompID`.
    public func session(clientCompID: String) -> Int? {
        sessions.firstIndex { $0.configuration.clientCompID == clientCompID }
    }

    public func store(session: Int) -> FIXMessageStore { sessions[session].store }

    public func isLoggedOn(session: Int) -> Bool { sessions[session].connection != nil }

    public func connection(session: Int) -> UInt32? { sessions[session].connection }

    /// True while a ResendRequest of theirs is still being served.
    public func isResending(session: Int) -> Bool { sessions[session].resendNext <= sessions[session].resendEnd }

    // MARK: Connections

    /// A new TCP connection: it must log on within `logonTimeoutNanoseconds`.
    /// Whether `connection` is open and has not logged on yet (for the gateway's bound on
    /// connections waiting to log on).
    public func isAwaitingLogon(_ connection: UInt32) -> Bool {
        if case .awaitingLogon = connections[connection] { return true }
        return false
    }

    public func opened(_ connection: UInt32, now: Timestamp) {
        connections[connection] = .awaitingLogon(since: now)
    }

    /// Bytes received on `connection`; returns how many were consumed. The caller
    /// keeps the rest (a partial message) and passes it again, followed by what
    /// arrives next. After the acceptor closes the connection it returns
    /// `bytes.count`.
    @discardableResult
    public func received<IO: FIXAcceptorIO>(
        _ connection: UInt32, _ bytes: UnsafeRawBufferPointer, now: Timestamp, io: inout IO
    ) -> Int {
        let consumed = receivedMessages(connection, bytes, now: now, io: &io)
        if let index = inboundNumberPending {
            // `.endOfEachReceive`: the numbers of every application message just handed
            // on, in one write, before the engine (on this thread) can take them.
            inboundNumberPending = nil
            do throws(FIXMessageStoreError) {
                try sessions[index].store.flush()
            } catch {
                if let connection = sessions[index].connection { drop(connection, reason: error.description, io: &io) }
            }
        }
        return consumed
    }

    private func receivedMessages<IO: FIXAcceptorIO>(
        _ connection: UInt32, _ bytes: UnsafeRawBufferPointer, now: Timestamp, io: inout IO
    ) -> Int {
        var consumed = 0
        while consumed < bytes.count {
            guard connections[connection] != nil else { return bytes.count }
            let rest = UnsafeRawBufferPointer(rebasing: bytes[consumed...])
            do throws(FIXFramingError) {
                switch try decoder.decode(rest) {
                case .needMoreData:
                    return consumed
                case .message(let message):
                    consumed += message.length
                    handle(message, connection: connection, now: now, io: &io)
                }
            } catch {
                if error.requiresDisconnect {
                    refuseBeginString(connection, rest, now: now, io: &io)
                    return bytes.count
                }
                if case .awaitingLogon = connections[connection], error.problem != .garbageBeforeBeginString {
                    // A Logon that is framed wrongly (BodyLength, CheckSum): the FIX session
                    // test cases disconnect. Line noise before "8=" is still skipped.
                    io.logSessionEvent("FIX connection \(connection): garbled message before Logon (\(error)), disconnecting")
                    drop(connection, reason: "garbled message before Logon: \(error)", io: &io)
                    return bytes.count
                }
                // Garbled: dropped without a Reject, no sequence number consumed.
                if case .session(let index) = connections[connection], error.problem != .garbageBeforeBeginString {
                    io.logSessionEvent("FIX \(sessions[index].configuration.clientCompID): garbled message dropped, "
                        + "expecting MsgSeqNum \(sessions[index].store.nextTargetSeqNum): \(error)")
                }
                consumed += error.bytesToSkip
            }
        }
        return connections[connection] == nil ? bytes.count : consumed
    }

    /// The peer closed the connection (or the socket failed).
    public func closed<IO: FIXAcceptorIO>(_ connection: UInt32, now: Timestamp, io: inout IO) {
        guard let state = connections.removeValue(forKey: connection) else { return }
        if case .session(let index) = state { endSession(index, io: &io) }
    }

    /// Writes every session store's pending records and inbound number
    /// (`FIXMessageStore.flush`). Call before anything given to `io.send` can reach a
    /// peer: the stores are written behind, so this is what keeps a message from being on
    /// the wire without being in its store. A session whose store cannot be written is
    /// disconnected (as when an append fails), with the error as the reason.
    /// True when some session's store holds messages not yet in its file (a write failed,
    /// or nothing flushed them yet).
    public var hasUnwrittenStores: Bool { sessions.contains { $0.store.hasUnwrittenData } }

    public func flushStores<IO: FIXAcceptorIO>(io: inout IO) {
        for index in sessions.indices where sessions[index].store.hasUnwrittenData {
            do throws(FIXMessageStoreError) {
                try sessions[index].store.flush()
            } catch {
                if let connection = sessions[index].connection {
                    drop(connection, reason: error.description, io: &io)
                }
            }
        }
    }

    /// Timers (logon and logout timeouts, Heartbeat, TestRequest, silence) and the
    /// continuation of ResendRequests larger than one batch.
    public func tick<IO: FIXAcceptorIO>(now: Timestamp, io: inout IO) {
        for (connection, state) in connections {
            if case .awaitingLogon(let since) = state,
               now.rawValue - since.rawValue >= configuration.logonTimeoutNanoseconds {
                drop(connection, reason: "no Logon within the logon timeout", io: &io)
            }
        }
        for index in sessions.indices {
            guard let connection = sessions[index].connection else {
                rollIdleSessionDay(index, now: now)
                continue
            }
            do throws(FIXMessageStoreError) {
                if let at = sessions[index].logoutSentAt,
                   now.rawValue - at.rawValue >= configuration.logoutTimeoutNanoseconds {
                    drop(connection, reason: "no Logout reply", io: &io)
                    continue
                }
                if let schedule = configuration.schedule, sessions[index].logoutSentAt == nil,
                   now.rawValue >= schedule.closingTime(ofDay: sessions[index].sessionDay).rawValue {
                    logout(session: index, text: "End of session day", now: now, io: &io)
                    continue
                }
                try serveResend(index, now: now, io: &io)
                let interval = sessions[index].heartBtInt
                guard interval > 0 else { continue }
                let silence = now.rawValue - sessions[index].lastReceived.rawValue
                let limit = interval + Int64(Double(interval) * configuration.graceFraction)
                if silence >= 2 * limit {
                    drop(connection, reason: "no message from the counterparty (TestRequest unanswered)", io: &io)
                    continue
                }
                if silence >= limit && !sessions[index].testRequestSent {
                    try sendTestRequest(index, now: now, io: &io)
                }
                if now.rawValue - sessions[index].lastSent.rawValue >= interval {
                    try sendHeartbeat(index, testReqID: nil, now: now, io: &io)
                }
            } catch {
                drop(connection, reason: error.description, io: &io)
            }
        }
    }

    /// A logged-off session's store starts the new session day as soon as it opens
    /// (not only at the next Logon), so that `store(session:)` tells the truth.
    func rollIdleSessionDay(_ index: Int, now: Timestamp) {
        guard let schedule = configuration.schedule, schedule.isOpen(at: now),
              sessions[index].store.sessionDay != schedule.sessionDay(at: now) else { return }
        do throws(FIXMessageStoreError) {
            try startSessionDayIfNeeded(index, now: now)
        } catch {
            // Retried on the next tick and again at Logon, which refuses on failure.
        }
    }

    // MARK: Sending

    /// Sends an application message on `session`: the acceptor writes the header
    /// (49, 56, 34, 52), `encode` appends the body fields, then the message is stored
    /// under its MsgSeqNum and sent if the session is logged on (otherwise the client
    /// gets it by ResendRequest after its next Logon). Returns the MsgSeqNum.
    ///
    /// `answering`: the journal sequence of the command whose engine event this message
    /// reports (0: none). The store keeps it, and an answer the store already holds —
    /// journal replay after a restart meets every answer again — is neither stored nor
    /// sent (returns 0): replay appends only the answers a crash kept out of the store.
    @discardableResult
    public func sendApplication<IO: FIXAcceptorIO>(
        session index: Int, msgType: StaticString, now: Timestamp, answering engineSequence: UInt64 = 0,
        io: inout IO, encode: (inout FIXEncoder) -> Void
    ) throws -> Int {
        if engineSequence != 0 && sessions[index].store.holdsAnswer(to: engineSequence) { return 0 }
        var encoder = beginMessage(index, msgType: msgType, seq: sessions[index].store.nextSenderSeqNum, now: now)
        // An answer to a message sent on behalf of a third party goes back to it.
        if !sessions[index].answerDeliverTo.isEmpty {
            encoder.append(FIXTag.deliverToCompID, bytes: sessions[index].answerDeliverTo)
        }
        if !sessions[index].answerOnBehalfOf.isEmpty {
            encoder.append(FIXTag.onBehalfOfCompID, bytes: sessions[index].answerOnBehalfOf)
        }
        encode(&encoder)
        let length = try encoder.finish()
        try emit(index, administrative: false, answering: engineSequence, length: length, now: now, io: &io)
        if msgType.utf8CodeUnitCount == 1 && msgType.utf8Start.pointee == UInt8(ascii: "j") {
            logBusinessReject(index, length: length, io: &io)
        }
        return sessions[index].store.nextSenderSeqNum - 1
    }

    /// Starts the Logout handshake: sends Logout with `text`; the connection is closed
    /// when their Logout arrives or after `logoutTimeoutNanoseconds`.
    public func logout<IO: FIXAcceptorIO>(session index: Int, text: String, now: Timestamp, io: inout IO) {
        guard let connection = sessions[index].connection, sessions[index].logoutSentAt == nil else { return }
        do throws(FIXMessageStoreError) {
            try sendLogout(index, text: text, now: now, io: &io)
            sessions[index].logoutSentAt = now
        } catch {
            drop(connection, reason: error.description, io: &io)
        }
    }

    // MARK: Internals shared by the extensions

    /// Closes `connection`. The reason handed to `io.close` names the session's CompID
    /// and sequence numbers when the connection had logged on.
    func drop<IO: FIXAcceptorIO>(_ connection: UInt32, reason: String, io: inout IO) {
        guard let state = connections.removeValue(forKey: connection) else { return }
        if case .session(let index) = state {
            let store = sessions[index].store
            io.close(connection, reason: "session \(sessions[index].configuration.clientCompID) (next MsgSeqNum in "
                + "\(store.nextTargetSeqNum), out \(store.nextSenderSeqNum)): \(reason)")
            endSession(index, io: &io)
        } else {
            io.close(connection, reason: reason)
        }
    }

    /// A BeginString other than FIX.4.4: Logout "Incorrect BeginString" first (FIX session
    /// test case 2.h), then the connection is closed. Logged on: the session's own
    /// Logout. Before Logon: an unsequenced one to the CompIDs the bytes carry, if any.
    func refuseBeginString<IO: FIXAcceptorIO>(
        _ connection: UInt32, _ bytes: UnsafeRawBufferPointer, now: Timestamp, io: inout IO
    ) {
        let text = "Incorrect BeginString"
        if case .session(let index) = connections[connection] {
            io.logSessionEvent("FIX \(sessions[index].configuration.clientCompID): \(text), Logout and disconnect")
            do throws(FIXMessageStoreError) {
                try sendLogout(index, text: text, now: now, io: &io)
            } catch {}
        } else {
            var sender: FIXValue?
            var target: FIXValue?
            var fields = FIXFieldIterator(bytes)
            while let field = try? fields.next(), sender == nil || target == nil {
                if field.tag == FIXTag.senderCompID, sender == nil { sender = field.value }
                if field.tag == FIXTag.targetCompID, target == nil { target = field.value }
                if field.tag == FIXTag.checkSum { break }
            }
            io.logSessionEvent("FIX connection \(connection) (49=\(sender?.string ?? "?")): \(text), Logout and disconnect")
            if let sender, let target { sendUnsequencedLogout(connection, sender: sender, target: target, text: text, now: now, io: &io) }
        }
        drop(connection, reason: text, io: &io)
    }

    func endSession<IO: FIXAcceptorIO>(_ index: Int, io: inout IO) {
        sessions[index].connection = nil
        // What was not sent stays in the store: the client asks for it after its next Logon.
        sessions[index].catchUpFrom = 0
        sessions[index].resendNext = 1
        sessions[index].resendEnd = 0
        sessions[index].gapRequestedThrough = 0
        sessions[index].logoutSentAt = nil
        sessions[index].testRequestSent = false
        sessions[index].resendChunkEnd = 0
        if sessions[index].configuration.resetOnDisconnect {
            do throws(FIXMessageStoreError) {
                try sessions[index].store.reset()
            } catch {
                io.logSessionEvent("FIX \(sessions[index].configuration.clientCompID): ResetOnDisconnect failed: \(error)")
            }
        }
        io.sessionStateChanged(session: index, loggedOn: false)
    }
}

/// Per-session state (the store holds what survives a restart).
struct FIXSessionState {
    let configuration: FIXSessionConfiguration
    /// Replaced only by RefreshOnLogon.
    var store: FIXMessageStore
    let ourCompID: [UInt8]
    let clientCompID: [UInt8]
    var connection: UInt32?
    /// HeartBtInt in nanoseconds.
    var heartBtInt: Int64 = 0
    var lastSent = Timestamp.zero
    var lastReceived = Timestamp.zero
    var testRequestSent = false
    var logoutSentAt: Timestamp?
    /// Their ResendRequest still being served: resendNext…resendEnd (empty when next > end).
    var resendNext = 1
    var resendEnd = 0
    /// We sent a ResendRequest (16=0) because of a message up to this MsgSeqNum; 0: none outstanding.
    var gapRequestedThrough = 0
    /// With a schedule: the session day this session logged on in.
    var sessionDay = 0
    /// With ResendRequestChunkSize: the EndSeqNo of the chunk we asked for last; when the
    /// expected number passes it and the gap goes on, the next chunk is asked for. 0: none.
    var resendChunkEnd = 0
    /// While the application handles an inbound message: its OnBehalfOfCompID (115),
    /// which our answers carry as DeliverToCompID (128), and its DeliverToCompID, which
    /// they carry as OnBehalfOfCompID. Buffers reserved once and reused: no allocation
    /// per message.
    var answerDeliverTo: [UInt8] = []
    var answerOnBehalfOf: [UInt8] = []
    /// Output is paced: messages from this MsgSeqNum on are stored and not sent yet
    /// (``FIXAcceptor/paceOutput(io:)`` sends them as the connection drains). 0: live.
    var catchUpFrom = 0

    init(configuration: FIXSessionConfiguration, store: FIXMessageStore) {
        self.configuration = configuration
        self.store = store
        ourCompID = Array(configuration.ourCompID.utf8)
        clientCompID = Array(configuration.clientCompID.utf8)
        answerDeliverTo.reserveCapacity(64)
        answerOnBehalfOf.reserveCapacity(64)
    }
}

enum FIXSessionConnection {
    case awaitingLogon(since: Timestamp)
    case session(Int)
}
