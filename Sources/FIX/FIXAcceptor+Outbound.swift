import GatewayCore

extension FIXAcceptor {
    /// Begins a message in the shared buffer with the standard header:
    /// 35, 49 (ours), 56 (theirs), 34, 52.
    func beginMessage(_ index: Int, msgType: StaticString, seq: Int, now: Timestamp) -> FIXEncoder {
        var encoder = FIXEncoder(buffer: buffer)
        encoder.begin(msgType: msgType)
        encoder.append(FIXTag.senderCompID, bytes: sessions[index].ourCompID)
        encoder.append(FIXTag.targetCompID, bytes: sessions[index].clientCompID)
        encoder.append(FIXTag.msgSeqNum, int: seq)
        encoder.append(FIXTag.sendingTime, timestamp: now)
        return encoder
    }

    /// Stores `buffer[0..<length]` under the next outbound MsgSeqNum and sends it if
    /// the session has a connection.
    func emit<IO: FIXAcceptorIO>(
        _ index: Int, administrative: Bool, answering engineSequence: UInt64 = 0, length: Int, now: Timestamp, io: inout IO
    ) throws(FIXMessageStoreError) {
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<length])
        var paced = false
        if let connection = sessions[index].connection, configuration.paceOutputBytes > 0 {
            if sessions[index].catchUpFrom == 0 && io.pendingOutputBytes(of: connection) > configuration.paceOutputBytes {
                sessions[index].catchUpFrom = sessions[index].store.nextSenderSeqNum
            }
            paced = sessions[index].catchUpFrom != 0
        }
        // A paced administrative message keeps its bytes, so that it is sent in its place.
        try sessions[index].store.append(
            administrative: administrative, answering: engineSequence, keepingBytes: paced, message: bytes)
        io.logMessage(session: index, inbound: false, bytes)
        if let connection = sessions[index].connection, !paced {
            io.send(connection, bytes)
            sessions[index].lastSent = now
        }
    }

    /// Sends paced sessions what their stores hold and their connections have not had,
    /// in order, while the connection's queued output stays under half the pace mark;
    /// a session that catches up goes live again. Each turn, after the stores are
    /// written.
    public func paceOutput<IO: FIXAcceptorIO>(now: Timestamp, io: inout IO) {
        for index in sessions.indices
        where sessions[index].resendNext <= sessions[index].resendEnd && sessions[index].connection != nil {
            do throws(FIXMessageStoreError) {
                try serveResend(index, budget: Self.resendMessagesPerTurn, now: now, io: &io)
            } catch {
                if let connection = sessions[index].connection { drop(connection, reason: error.description, io: &io) }
            }
        }
        for index in sessions.indices where sessions[index].catchUpFrom != 0 {
            guard let connection = sessions[index].connection else {
                sessions[index].catchUpFrom = 0
                continue
            }
            let store = sessions[index].store
            do throws(FIXMessageStoreError) {
                while sessions[index].catchUpFrom < store.nextSenderSeqNum,
                      io.pendingOutputBytes(of: connection) <= configuration.paceOutputBytes / 2 {
                    let seq = sessions[index].catchUpFrom
                    if let bytes = try store.storedBytes(seq) {
                        bytes.withUnsafeBytes { io.send(connection, $0) }
                    } else {
                        // An administrative message stored before pacing began: never
                        // the case, since pacing begins at the first message not sent.
                        sendGapFill(index, seq: seq, newSeqNo: seq + 1, connection: connection, now: now, io: &io)
                    }
                    sessions[index].lastSent = now
                    sessions[index].catchUpFrom = seq + 1
                }
            } catch {
                drop(connection, reason: error.description, io: &io)
                continue
            }
            if sessions[index].catchUpFrom >= store.nextSenderSeqNum { sessions[index].catchUpFrom = 0 }
        }
    }

    /// Whether any session's output is paced or a resend is being served
    /// (``paceOutput(now:io:)`` has work; only with ``FIXAcceptorConfiguration/paceOutputBytes``).
    public var isPacingOutput: Bool {
        configuration.paceOutputBytes > 0
            && sessions.contains { $0.catchUpFrom != 0 || ($0.resendNext <= $0.resendEnd && $0.connection != nil) }
    }

    /// Whether a paced or resending session's connection has room for more now: the
    /// loop should turn again at once rather than sleep (a full one wakes it when its
    /// send completes).
    public func hasOutputReady<IO: FIXAcceptorIO>(io: inout IO) -> Bool {
        guard configuration.paceOutputBytes > 0 else { return false }
        for session in sessions {
            guard let connection = session.connection,
                  session.catchUpFrom != 0 || session.resendNext <= session.resendEnd
            else { continue }
            if io.pendingOutputBytes(of: connection) <= configuration.paceOutputBytes / 2 { return true }
        }
        return false
    }

    /// Stored messages resent per turn with output pacing: each is a read from the store,
    /// so a small batch keeps a shared duty cycle's orders moving.
    static let resendMessagesPerTurn = 16

    /// The longest Text (58) the acceptor writes: a reason that quotes a client's value
    /// is cut here, so that an administrative message always fits the session's buffer
    /// (the largest body a client may send plus 512 bytes).
    static let maximumTextLength = 256

    /// `text` as the bytes of a Text field, cut at ``maximumTextLength``.
    static func textField(_ text: String) -> [UInt8] { Array(text.utf8.prefix(maximumTextLength)) }

    /// Logout (34=1, not stored, no session's numbers touched) to whoever `sender`
    /// claims to be: for refused Logons and a wrong BeginString before Logon.
    func sendUnsequencedLogout<IO: FIXAcceptorIO>(
        _ connection: UInt32, sender: FIXValue, target: FIXValue, text: String, now: Timestamp, io: inout IO
    ) {
        var encoder = FIXEncoder(buffer: buffer)
        encoder.begin(msgType: "5")
        encoder.append(FIXTag.senderCompID, value: target)
        encoder.append(FIXTag.targetCompID, value: sender)
        encoder.append(FIXTag.msgSeqNum, int: 1)
        encoder.append(FIXTag.sendingTime, timestamp: now)
        encoder.append(FIXTag.text, bytes: Self.textField(text))
        if let length = try? encoder.finish() {
            io.send(connection, UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        }
    }

    /// Logs the BusinessMessageReject just encoded in `buffer[0..<length]`: 45, 372, 380, 58.
    func logBusinessReject<IO: FIXAcceptorIO>(_ index: Int, length: Int, io: inout IO) {
        var refSeqNum = "?", refMsgType = "?", reason = "?", text = ""
        var fields = FIXFieldIterator(UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        while let field = try? fields.next() {
            switch field.tag {
            case FIXTag.refSeqNum: refSeqNum = field.value.string
            case FIXTag.refMsgType: refMsgType = field.value.string
            case 380: reason = field.value.string
            case FIXTag.text: text = field.value.string
            default: break
            }
        }
        io.logSessionEvent("FIX \(sessions[index].configuration.clientCompID): BusinessMessageReject of MsgSeqNum "
            + "\(refSeqNum) (35=\(refMsgType)): 380=\(reason) \(text)")
    }

    func emitAdministrative<IO: FIXAcceptorIO>(
        _ index: Int, _ encoder: inout FIXEncoder, now: Timestamp, io: inout IO
    ) throws(FIXMessageStoreError) {
        let length: Int
        do throws(FIXEncodingError) {
            length = try encoder.finish()
        } catch {
            // Cannot happen with Text cut at maximumTextLength; were it to, the message is
            // not sent (and takes no MsgSeqNum) rather than failing the session's store.
            io.logSessionEvent("FIX \(sessions[index].configuration.clientCompID): an administrative message was not sent: \(error)")
            return
        }
        try emit(index, administrative: true, length: length, now: now, io: &io)
    }

    func sendLogonReply<IO: FIXAcceptorIO>(
        _ index: Int, heartBtInt: Int, reset: Bool, now: Timestamp, io: inout IO
    ) throws(FIXMessageStoreError) {
        var encoder = beginMessage(index, msgType: "A", seq: sessions[index].store.nextSenderSeqNum, now: now)
        encoder.append(FIXTag.encryptMethod, int: 0)
        encoder.append(FIXTag.heartBtInt, int: heartBtInt)
        if reset { encoder.append(FIXTag.resetSeqNumFlag, bool: true) }
        try emitAdministrative(index, &encoder, now: now, io: &io)
    }

    func sendHeartbeat<IO: FIXAcceptorIO>(
        _ index: Int, testReqID: FIXValue?, now: Timestamp, io: inout IO
    ) throws(FIXMessageStoreError) {
        var encoder = beginMessage(index, msgType: "0", seq: sessions[index].store.nextSenderSeqNum, now: now)
        if let testReqID { encoder.append(FIXTag.testReqID, value: testReqID) }
        try emitAdministrative(index, &encoder, now: now, io: &io)
    }

    func sendTestRequest<IO: FIXAcceptorIO>(_ index: Int, now: Timestamp, io: inout IO) throws(FIXMessageStoreError) {
        testRequestCounter += 1
        var encoder = beginMessage(index, msgType: "1", seq: sessions[index].store.nextSenderSeqNum, now: now)
        encoder.append(FIXTag.testReqID, bytes: Array("TEST\(testRequestCounter)".utf8))
        try emitAdministrative(index, &encoder, now: now, io: &io)
        sessions[index].testRequestSent = true
    }

    func sendLogout<IO: FIXAcceptorIO>(
        _ index: Int, text: String?, now: Timestamp, io: inout IO
    ) throws(FIXMessageStoreError) {
        let seq = sessions[index].store.nextSenderSeqNum
        var encoder = beginMessage(index, msgType: "5", seq: seq, now: now)
        if let text { encoder.append(FIXTag.text, bytes: Self.textField(text)) }
        try emitAdministrative(index, &encoder, now: now, io: &io)
        io.logSessionEvent("FIX \(sessions[index].configuration.clientCompID): Logout sent (MsgSeqNum \(seq)), "
            + "expecting MsgSeqNum \(sessions[index].store.nextTargetSeqNum): \(text ?? "reply to theirs")")
    }

    /// Session-level Reject of inbound `seq`: 45, 371 (when known), 372 (when
    /// readable), 373, 58.
    func sendReject<IO: FIXAcceptorIO>(
        _ index: Int, message: FIXMessage, seq: Int, error: FIXValidationError, text: String,
        now: Timestamp, io: inout IO
    ) throws(FIXMessageStoreError) {
        var encoder = beginMessage(index, msgType: "3", seq: sessions[index].store.nextSenderSeqNum, now: now)
        // Back to the third party the message came from or was meant for (115 ↔ 128).
        if let onBehalfOf = message.firstValue(of: FIXTag.onBehalfOfCompID) {
            encoder.append(FIXTag.deliverToCompID, value: onBehalfOf)
        }
        if let deliverTo = message.firstValue(of: FIXTag.deliverToCompID) {
            encoder.append(FIXTag.onBehalfOfCompID, value: deliverTo)
        }
        encoder.append(FIXTag.refSeqNum, int: seq)
        if let tag = error.refTagID { encoder.append(FIXTag.refTagID, int: tag) }
        let type = message.msgType
        if let type, type.count > 0, !type.bytes.contains(FIXByte.soh) {
            encoder.append(FIXTag.refMsgType, value: type)
        }
        encoder.append(FIXTag.sessionRejectReason, int: error.reason.rawValue)
        encoder.append(FIXTag.text, bytes: Self.textField(text))
        try emitAdministrative(index, &encoder, now: now, io: &io)
        io.logSessionEvent("FIX \(sessions[index].configuration.clientCompID): session Reject of MsgSeqNum \(seq) "
            + "(35=\(type?.string ?? "?")): 373=\(error.reason.rawValue)"
            + (error.refTagID.map { " 371=\($0)" } ?? "") + ": \(text)")
    }

    // MARK: Serving a ResendRequest

    /// Sends at most `budget` (default `resendBatchSize`) stored messages of the pending
    /// resend range: application messages again with 43=Y and 122 = their original 52,
    /// administrative runs as one SequenceReset-GapFill each. With output pacing, only
    /// while the connection has less than half the pace mark queued. `tick` continues,
    /// and with pacing ``paceOutput(now:io:)`` every turn, a small batch at a time, so
    /// that a 10,000-message resend goes as fast as the client reads without holding
    /// up the orders of the duty cycle it shares.
    func serveResend<IO: FIXAcceptorIO>(
        _ index: Int, budget: Int? = nil, now: Timestamp, io: inout IO
    ) throws(FIXMessageStoreError) {
        guard let connection = sessions[index].connection else { return }
        let store = sessions[index].store
        var budget = max(budget ?? configuration.resendBatchSize, 1)
        let pace = configuration.paceOutputBytes
        while budget > 0 && sessions[index].resendNext <= sessions[index].resendEnd,
              pace == 0 || io.pendingOutputBytes(of: connection) <= pace / 2 {
            let first = sessions[index].resendNext
            if case .application(let bytes) = try store.message(first) {
                resendApplication(index, bytes: bytes, connection: connection, now: now, io: &io)
                sessions[index].resendNext = first + 1
                budget -= 1
                continue
            }
            var next = first + 1
            budget -= 1
            while budget > 0 && next <= sessions[index].resendEnd {
                if case .application = try store.message(next) { break }
                next += 1
                budget -= 1
            }
            sendGapFill(index, seq: first, newSeqNo: next, connection: connection, now: now, io: &io)
            sessions[index].resendNext = next
        }
    }

    /// SequenceReset-GapFill under MsgSeqNum `seq` (a resend: 43=Y, 122 = now; not
    /// stored).
    func sendGapFill<IO: FIXAcceptorIO>(
        _ index: Int, seq: Int, newSeqNo: Int, connection: UInt32, now: Timestamp, io: inout IO
    ) {
        var encoder = FIXEncoder(buffer: buffer)
        encoder.begin(msgType: "4")
        encoder.append(FIXTag.senderCompID, bytes: sessions[index].ourCompID)
        encoder.append(FIXTag.targetCompID, bytes: sessions[index].clientCompID)
        encoder.append(FIXTag.msgSeqNum, int: seq)
        encoder.append(FIXTag.possDupFlag, bool: true)
        encoder.append(FIXTag.sendingTime, timestamp: now)
        encoder.append(FIXTag.origSendingTime, timestamp: now)
        encoder.append(123, bool: true)
        encoder.append(36, int: newSeqNo)
        guard let length = try? encoder.finish() else { return }
        io.logMessage(session: index, inbound: false, UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        io.send(connection, UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        sessions[index].lastSent = now
    }

    /// `original` again with the header 35, 49, 56, 34 (unchanged), 43=Y, 52 = now,
    /// 122 = the original 52, then the original body.
    func resendApplication<IO: FIXAcceptorIO>(
        _ index: Int, bytes original: [UInt8], connection: UInt32, now: Timestamp, io: inout IO
    ) {
        var body: [UInt8] = []
        body.reserveCapacity(original.count + 64)
        func field(_ tag: Int, _ value: some Collection<UInt8>) {
            body.append(contentsOf: String(tag).utf8)
            body.append(FIXByte.equals)
            body.append(contentsOf: value)
            body.append(FIXByte.soh)
        }
        var time = [UInt8](repeating: 0, count: FIXUTCTimestamp.millisecondsLength)
        time.withUnsafeMutableBytes { FIXUTCTimestamp.format(now, into: $0.baseAddress!) }
        original.withUnsafeBytes { raw in
            guard case .message(let message)? = try? decoder.decode(raw) else { return }
            var header: [Int: [UInt8]] = [:]
            var rest: [(Int, [UInt8])] = []
            var it = message.bodyFields
            while let f = try? it.next() {
                switch f.tag {
                case FIXTag.msgType, FIXTag.senderCompID, FIXTag.targetCompID, FIXTag.msgSeqNum, FIXTag.sendingTime:
                    header[f.tag] = Array(f.value.bytes)
                case FIXTag.possDupFlag, FIXTag.origSendingTime, 97:
                    continue
                default:
                    rest.append((f.tag, Array(f.value.bytes)))
                }
            }
            for tag in [FIXTag.msgType, FIXTag.senderCompID, FIXTag.targetCompID, FIXTag.msgSeqNum] {
                if let v = header[tag] { field(tag, v) }
            }
            field(FIXTag.possDupFlag, [UInt8(ascii: "Y")])
            field(FIXTag.sendingTime, time)
            if let original = header[FIXTag.sendingTime] { field(FIXTag.origSendingTime, original) }
            for (tag, value) in rest { field(tag, value) }
        }
        guard !body.isEmpty else { return }
        var out = Array("8=FIX.4.4\u{01}9=\(body.count)\u{01}".utf8) + body
        let sum = out.reduce(0) { ($0 + Int($1)) & 0xFF }
        out += Array("10=".utf8) + [UInt8(48 + sum / 100), UInt8(48 + sum / 10 % 10), UInt8(48 + sum % 10), FIXByte.soh]
        out.withUnsafeBytes {
            io.logMessage(session: index, inbound: false, $0)
            io.send(connection, $0)
        }
        sessions[index].lastSent = now
    }
}
