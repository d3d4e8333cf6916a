import GatewayCore

extension FIXAcceptor {
    func handle<IO: FIXAcceptorIO>(_ message: FIXMessage, connection: UInt32, now: Timestamp, io: inout IO) {
        guard let state = connections[connection] else { return }
        switch state {
        case .awaitingLogon:
            do throws(FIXMessageStoreError) {
                try handleLogon(message, connection: connection, now: now, io: &io)
            } catch {
                drop(connection, reason: error.description, io: &io)
            }
        case .session(let index):
            sessions[index].lastReceived = now
            sessions[index].testRequestSent = false
            io.logMessage(session: index, inbound: true, message.bytes)
            guard message.msgType != nil else {
                // 8, 9, 35 are not the first three fields: garbled (FIX session test case
                // 2.t), dropped like a bad CheckSum: no Reject, no sequence number consumed.
                io.logSessionEvent("FIX \(sessions[index].configuration.clientCompID): garbled message dropped "
                    + "(MsgType is not the third field), expecting MsgSeqNum \(sessions[index].store.nextTargetSeqNum)")
                return
            }
            do throws(FIXMessageStoreError) {
                try handleInSession(message, index: index, connection: connection, now: now, io: &io)
            } catch {
                drop(connection, reason: error.description, io: &io)
            }
        }
    }

    // MARK: Logon

    func handleLogon<IO: FIXAcceptorIO>(
        _ message: FIXMessage, connection: UInt32, now: Timestamp, io: inout IO
    ) throws(FIXMessageStoreError) {
        guard let type = message.msgType, type.equals("A") else {
            drop(connection, reason: "first message is not Logon", io: &io)
            return
        }
        guard let sender = message.firstValue(of: FIXTag.senderCompID),
              let target = message.firstValue(of: FIXTag.targetCompID),
              let index = sessions.firstIndex(where: {
                  sender.equals(bytes: $0.clientCompID) && target.equals(bytes: $0.ourCompID)
              })
        else {
            // FIX session test case 1B.c: an unknown CompID is disconnected without a
            // message (a Logout would tell a stranger which CompIDs exist).
            let sender = message.firstValue(of: FIXTag.senderCompID)?.string ?? "?"
            let target = message.firstValue(of: FIXTag.targetCompID)?.string ?? "?"
            var text = "Logon from unknown CompID 49=\(sender) 56=\(target)"
            if let lockout = loginThrottle?.failed(identity: nil, address: io.peerAddress(of: connection), now: now.rawValue) {
                text += "; \(lockout)"
            }
            io.logSessionEvent("FIX connection \(connection): \(text), disconnecting")
            drop(connection, reason: text, io: &io)
            return
        }
        let address = io.peerAddress(of: connection)
        let identity = sessions[index].configuration.clientCompID
        if let lockout = loginThrottle?.lockout(identity: identity, address: address, now: now.rawValue) {
            // Refused before the credentials are looked at: a guesser learns nothing.
            refuseLogon(message, connection: connection, text: "Logon refused: \(lockout)", now: now, io: &io)
            return
        }
        if let error = validator.validate(message, options: sessions[index].configuration.validation) {
            refuseLogon(message, connection: connection, text: "Invalid Logon: \(error)", now: now, io: &io)
            return
        }
        let configuration = sessions[index].configuration
        if let username = configuration.username,
           !(message.firstValue(of: FIXTag.username)?.equals(bytes: Array(username.utf8)) ?? false) {
            refuseFailedCredentials(message, connection: connection, identity: identity, address: address, now: now, io: &io)
            return
        }
        if let password = configuration.password,
           !(message.firstValue(of: FIXTag.password)?.equals(bytes: Array(password.utf8)) ?? false) {
            refuseFailedCredentials(message, connection: connection, identity: identity, address: address, now: now, io: &io)
            return
        }
        guard let heartBtInt = message.firstValue(of: FIXTag.heartBtInt)?.int,
              heartBtInt >= configuration.minimumHeartBtInt, heartBtInt <= configuration.maximumHeartBtInt
        else {
            refuseLogon(message, connection: connection, text: "HeartBtInt out of range", now: now, io: &io)
            return
        }
        if let required = configuration.certificateSubject {
            let presented = io.certificateSubject(of: connection)
            guard presented == required else {
                let lockout = loginThrottle?.failed(identity: identity, address: address, now: now.rawValue)
                refuseLogon(message, connection: connection,
                            text: "Certificate does not match the session (\(presented ?? "no client certificate"))"
                                + (lockout.map { "; \($0)" } ?? ""),
                            now: now, io: &io)
                return
            }
        }
        // The credentials are right: the CompID starts again from no failures.
        loginThrottle?.succeeded(identity: identity)
        guard sessions[index].connection == nil else {
            // FIX session test case 1B.b: a second Logon for a session that is logged on
            // is disconnected without a message; the first connection is untouched.
            let text = "Logon for session \(configuration.clientCompID), which is already logged on"
            io.logSessionEvent("FIX connection \(connection): \(text), disconnecting")
            drop(connection, reason: text, io: &io)
            return
        }
        if let schedule = self.configuration.schedule, !schedule.isOpen(at: now) {
            refuseLogon(message, connection: connection, text: "Outside of session hours", now: now, io: &io)
            return
        }
        if !isSendingTimeAccurate(message, index: index, now: now) {
            refuseLogon(message, connection: connection, text: "SendingTime accuracy problem", now: now, io: &io)
            return
        }
        guard let seq = message.firstValue(of: FIXTag.msgSeqNum)?.int, seq >= 1 else {
            refuseLogon(message, connection: connection, text: "MsgSeqNum missing", now: now, io: &io)
            return
        }
        if configuration.refreshOnLogon { try refreshStore(index) }
        let reset = message.firstValue(of: FIXTag.resetSeqNumFlag)?.bool == true || configuration.resetOnLogon
        let store = sessions[index].store
        try startSessionDayIfNeeded(index, now: now)
        if reset { try store.reset() }
        let expected = store.nextTargetSeqNum
        if seq < expected {
            refuseLogon(message, connection: connection,
                        text: "MsgSeqNum too low, expecting \(expected) but received \(seq)", now: now, io: &io)
            return
        }
        connections[connection] = .session(index)
        sessions[index].connection = connection
        sessions[index].heartBtInt = Int64(heartBtInt) * 1_000_000_000
        sessions[index].lastReceived = now
        sessions[index].lastSent = now
        sessions[index].testRequestSent = false
        sessions[index].logoutSentAt = nil
        sessions[index].resendNext = 1
        sessions[index].resendEnd = 0
        sessions[index].gapRequestedThrough = 0
        sessions[index].resendChunkEnd = 0
        io.logMessage(session: index, inbound: true, message.bytes)
        try sendLogonReply(index, heartBtInt: heartBtInt, reset: reset, now: now, io: &io)
        io.sessionStateChanged(session: index, loggedOn: true)
        if seq == expected {
            try store.setNextTargetSeqNum(seq + 1)
        } else {
            try requestResend(index, through: seq, now: now, io: &io)
        }
    }

    /// Logout with `text` and close, for a Logon that is not accepted. The Logout
    /// echoes the Logon's CompIDs, carries MsgSeqNum 1 and is not stored: no session's
    /// sequence numbers change.
    /// A wrong username or password: counted towards a lock-out, and refused with the
    /// same text either way (the Logout does not say which was wrong).
    func refuseFailedCredentials<IO: FIXAcceptorIO>(
        _ logon: FIXMessage, connection: UInt32, identity: String, address: UInt32, now: Timestamp, io: inout IO
    ) {
        var text = "Invalid username or password"
        if let lockout = loginThrottle?.failed(identity: identity, address: address, now: now.rawValue) {
            io.logSessionEvent("FIX \(identity): \(lockout)")
            text += "; \(lockout)"
        }
        refuseLogon(logon, connection: connection, text: text, now: now, io: &io)
    }

    func refuseLogon<IO: FIXAcceptorIO>(
        _ logon: FIXMessage, connection: UInt32, text: String, now: Timestamp, io: inout IO
    ) {
        let sender = logon.firstValue(of: FIXTag.senderCompID)
        // Read once, for both log lines.
        let senderName = sender?.string ?? "?"
        let seq = logon.firstValue(of: FIXTag.msgSeqNum)?.string ?? "?"
        io.logSessionEvent("FIX \(senderName): Logon (MsgSeqNum \(seq)) refused, Logout and disconnect: \(text)")
        if let sender, let target = logon.firstValue(of: FIXTag.targetCompID) {
            sendUnsequencedLogout(connection, sender: sender, target: target, text: text, now: now, io: &io)
        }
        drop(connection, reason: "Logon of 49=\(senderName) (MsgSeqNum \(seq)) refused: \(text)", io: &io)
    }

    // MARK: Logged on

    func handleInSession<IO: FIXAcceptorIO>(
        _ message: FIXMessage, index: Int, connection: UInt32, now: Timestamp, io: inout IO
    ) throws(FIXMessageStoreError) {
        let store = sessions[index].store
        let type = message.msgType
        guard let seq = message.firstValue(of: FIXTag.msgSeqNum)?.int else {
            try sendLogout(index, text: "MsgSeqNum missing", now: now, io: &io)
            drop(connection, reason: "MsgSeqNum missing", io: &io)
            return
        }
        let options = sessions[index].configuration.validation
        if type?.equals("A") == true, message.firstValue(of: FIXTag.resetSeqNumFlag)?.bool == true {
            // A Logon with ResetSeqNumFlag=Y while logged on: both sides start again from 1
            // (the Logon is their number 1), before its number is compared with ours.
            try resetInSession(message, index: index, seq: seq, connection: connection, now: now, io: &io)
            return
        }
        let isSequenceReset = type?.equals("4") == true
        let gapFill = message.firstValue(of: FIXTag.gapFillFlag)?.bool == true
        if isSequenceReset && !gapFill {
            // SequenceReset-Reset: MsgSeqNum is ignored.
            if let error = validator.validate(message, options: options) {
                try sendReject(index, message: message, seq: seq, error: error, text: error.description, now: now, io: &io)
                return
            }
            try applyNewSeqNo(message, index: index, seq: seq, now: now, io: &io)
            return
        }
        let expected = store.nextTargetSeqNum
        if seq > expected {
            try requestResend(index, through: seq, now: now, io: &io)
            if type?.equals("2") == true, validator.validate(message, options: options) == nil {
                try startResend(message, index: index, now: now, io: &io)
            } else if type?.equals("5") == true {
                try answerLogout(index, connection: connection, now: now, io: &io)
            }
            // Everything else above the gap is discarded; the resend brings it again.
            return
        }
        if seq < expected {
            if message.firstValue(of: FIXTag.possDupFlag)?.bool == true { return }  // duplicate
            let text = "MsgSeqNum too low, expecting \(expected) but received \(seq)"
            try sendLogout(index, text: text, now: now, io: &io)
            drop(connection, reason: text, io: &io)
            return
        }
        // seq == expected
        if let error = validator.validate(message, options: options) {
            if sessions[index].configuration.rejectInvalidMessage {
                try store.setNextTargetSeqNum(seq + 1)
                try sendReject(index, message: message, seq: seq, error: error, text: error.description, now: now, io: &io)
                try continueChunkedResend(index, now: now, io: &io)
                return
            }
            // RejectInvalidMessage=N: logged, then processed as if valid.
            io.logSessionEvent("FIX \(sessions[index].configuration.clientCompID): MsgSeqNum \(seq) accepted although "
                + "invalid (RejectInvalidMessage=N): \(error)")
        }
        if !(message.firstValue(of: FIXTag.senderCompID)?.equals(bytes: sessions[index].clientCompID) ?? false)
            || !(message.firstValue(of: FIXTag.targetCompID)?.equals(bytes: sessions[index].ourCompID) ?? false) {
            try store.setNextTargetSeqNum(seq + 1)
            let tag = message.firstValue(of: FIXTag.senderCompID)?.equals(bytes: sessions[index].clientCompID) == true
                ? FIXTag.targetCompID : FIXTag.senderCompID
            try sendReject(index, message: message, seq: seq,
                           error: FIXValidationError(FIXSessionRejectReason(rawValue: 9), refTagID: tag),
                           text: "CompID problem", now: now, io: &io)
            try sendLogout(index, text: "CompID problem", now: now, io: &io)
            drop(connection, reason: "CompID problem", io: &io)
            return
        }
        if !isSendingTimeAccurate(message, index: index, now: now) {
            try store.setNextTargetSeqNum(seq + 1)
            try sendReject(index, message: message, seq: seq,
                           error: FIXValidationError(.sendingTimeAccuracyProblem, refTagID: FIXTag.sendingTime),
                           text: "SendingTime accuracy problem", now: now, io: &io)
            try sendLogout(index, text: "SendingTime accuracy problem", now: now, io: &io)
            drop(connection, reason: "SendingTime accuracy problem", io: &io)
            return
        }
        guard let type else { return }  // garbled (handled above)
        // One pass over the header for the routing and possible-duplicate fields.
        var possDup = false
        var onBehalfOf: FIXValue?
        var deliverTo: FIXValue?
        var header = message.bodyFields
        while let field = try? header.next(), headerTags.contains(field.tag) {
            switch field.tag {
            case FIXTag.possDupFlag: possDup = field.value.bool == true
            case FIXTag.onBehalfOfCompID: onBehalfOf = field.value
            case FIXTag.deliverToCompID: deliverTo = field.value
            default: break
            }
        }
        if possDup {
            // A possible duplicate must say when it was first sent (FIX session test cases
            // 2.f and 2.g): without OrigSendingTime, Reject 373=1; with one later than
            // SendingTime, Reject 373=10. Either way its number is consumed and it is not
            // acted on (QuickFIX does the same).
            let original = message.firstValue(of: FIXTag.origSendingTime)
            var problem: (FIXValidationError, String)?
            if original == nil {
                problem = (FIXValidationError(.requiredTagMissing, refTagID: FIXTag.origSendingTime),
                           "PossDupFlag=Y without OrigSendingTime (122)")
            } else if let first = original.flatMap({ FIXUTCTimestamp.parse($0.bytes) }),
                      let sent = message.firstValue(of: FIXTag.sendingTime).flatMap({ FIXUTCTimestamp.parse($0.bytes) }),
                      first.rawValue > sent.rawValue {
                problem = (FIXValidationError(.sendingTimeAccuracyProblem, refTagID: FIXTag.origSendingTime),
                           "OrigSendingTime (122) later than SendingTime (52)")
            }
            if let (error, text) = problem {
                try store.setNextTargetSeqNum(seq + 1)
                try sendReject(index, message: message, seq: seq, error: error, text: text, now: now, io: &io)
                try continueChunkedResend(index, now: now, io: &io)
                return
            }
        }
        if isSequenceReset {  // GapFill
            try applyNewSeqNo(message, index: index, seq: seq, now: now, io: &io)
            try continueChunkedResend(index, now: now, io: &io)
            return
        }
        try store.setNextTargetSeqNum(seq + 1)
        try continueChunkedResend(index, now: now, io: &io)
        if sessions[index].gapRequestedThrough != 0 && seq >= sessions[index].gapRequestedThrough {
            sessions[index].gapRequestedThrough = 0
        }
        if type.equals("0") {
            return
        } else if type.equals("1") {
            try sendHeartbeat(index, testReqID: message.firstValue(of: FIXTag.testReqID), now: now, io: &io)
        } else if type.equals("2") {
            try startResend(message, index: index, now: now, io: &io)
        } else if type.equals("3") {
            return
        } else if type.equals("5") {
            try answerLogout(index, connection: connection, now: now, io: &io)
        } else if type.equals("A") {
            try sendLogout(index, text: "Logon while logged on", now: now, io: &io)
            drop(connection, reason: "Logon while logged on", io: &io)
        } else {
            // The inbound number goes to the file before the engine can journal the
            // command this message becomes: a crash after the command is journaled must
            // not find the number behind it, or the peer's resend of this message
            // (PossDupFlag=Y) would be applied a second time. Either now (one pwrite per
            // application message), or, where the engine runs on this thread after
            // `received` returns, once at the end of `received` for all of its messages.
            // The stores' other writes wait for the turn's end.
            if configuration.inboundNumberWrite == .beforeEachApplicationMessage {
                try store.flush()
            } else {
                if let pending = inboundNumberPending, pending != index { try sessions[pending].store.flush() }
                inboundNumberPending = index
            }
            // Answers go back to a third party named in the header (115 → 128, 128 → 115).
            sessions[index].answerDeliverTo.removeAll(keepingCapacity: true)
            sessions[index].answerOnBehalfOf.removeAll(keepingCapacity: true)
            if let onBehalfOf { sessions[index].answerDeliverTo.append(contentsOf: onBehalfOf.bytes) }
            if let deliverTo { sessions[index].answerOnBehalfOf.append(contentsOf: deliverTo.bytes) }
            io.application(message, session: index, connection: connection)
            sessions[index].answerDeliverTo.removeAll(keepingCapacity: true)
            sessions[index].answerOnBehalfOf.removeAll(keepingCapacity: true)
        }
    }

    /// Their Logon with 141=Y while logged on: the store is reset (both numbers to 1,
    /// stored messages dropped), our Logon reply carries 141=Y and 34=1, and their
    /// Logon counts as their number `seq` (1 as FIX requires).
    func resetInSession<IO: FIXAcceptorIO>(
        _ message: FIXMessage, index: Int, seq: Int, connection: UInt32, now: Timestamp, io: inout IO
    ) throws(FIXMessageStoreError) {
        let store = sessions[index].store
        if let error = validator.validate(message, options: sessions[index].configuration.validation) {
            try store.setNextTargetSeqNum(max(store.nextTargetSeqNum, seq + 1))
            try sendReject(index, message: message, seq: seq, error: error, text: error.description, now: now, io: &io)
            return
        }
        let heartBtInt = message.firstValue(of: FIXTag.heartBtInt)?.int ?? Int(sessions[index].heartBtInt / 1_000_000_000)
        io.logSessionEvent("FIX \(sessions[index].configuration.clientCompID): Logon with ResetSeqNumFlag=Y in session "
            + "(MsgSeqNum \(seq)): sequence numbers reset to 1")
        try store.reset()
        sessions[index].resendNext = 1
        sessions[index].resendEnd = 0
        sessions[index].gapRequestedThrough = 0
        sessions[index].resendChunkEnd = 0
        try sendLogonReply(index, heartBtInt: heartBtInt, reset: true, now: now, io: &io)
        try store.setNextTargetSeqNum(seq + 1)
    }

    /// SequenceReset (either kind): NewSeqNo (36) above the expected number moves it
    /// there; below, or above ``maximumSeqNum``, is refused with Reject 373=5 on tag 36.
    func applyNewSeqNo<IO: FIXAcceptorIO>(
        _ message: FIXMessage, index: Int, seq: Int, now: Timestamp, io: inout IO
    ) throws(FIXMessageStoreError) {
        let store = sessions[index].store
        let newSeqNo = message.firstValue(of: 36)?.int ?? 0
        if newSeqNo >= store.nextTargetSeqNum && newSeqNo <= Self.maximumSeqNum {
            try store.setNextTargetSeqNum(newSeqNo)
            if sessions[index].gapRequestedThrough != 0 && newSeqNo > sessions[index].gapRequestedThrough {
                sessions[index].gapRequestedThrough = 0
            }
        } else {
            let gapFill = message.firstValue(of: FIXTag.gapFillFlag)?.bool == true
            if gapFill { try store.setNextTargetSeqNum(seq + 1) }
            let text = newSeqNo > Self.maximumSeqNum
                ? "NewSeqNo \(newSeqNo) above the largest MsgSeqNum \(Self.maximumSeqNum)"
                : "NewSeqNo \(newSeqNo) below expected \(store.nextTargetSeqNum)"
            try sendReject(index, message: message, seq: seq,
                           error: FIXValidationError(.valueIsIncorrect, refTagID: 36), text: text, now: now, io: &io)
        }
    }

    /// Their Logout: if we started the handshake, this ends it; otherwise we answer
    /// with Logout. Either way the connection is then closed.
    func answerLogout<IO: FIXAcceptorIO>(
        _ index: Int, connection: UInt32, now: Timestamp, io: inout IO
    ) throws(FIXMessageStoreError) {
        if sessions[index].logoutSentAt == nil {
            try sendLogout(index, text: nil, now: now, io: &io)
        }
        drop(connection, reason: "Logout", io: &io)
        if sessions[index].configuration.resetOnLogout { try sessions[index].store.reset() }
    }

    /// Sends ResendRequest (7 = expected, 16 = 0) unless one is outstanding.
    func requestResend<IO: FIXAcceptorIO>(
        _ index: Int, through seq: Int, now: Timestamp, io: inout IO
    ) throws(FIXMessageStoreError) {
        let outstanding = sessions[index].gapRequestedThrough != 0
        sessions[index].gapRequestedThrough = max(sessions[index].gapRequestedThrough, seq)
        if !outstanding { try sendResendRequest(index, now: now, io: &io) }
    }

    /// ResendRequest from the expected number: to infinity (16=0), or with
    /// ResendRequestChunkSize N to at most N messages on (the rest of the gap is asked
    /// for when that chunk has arrived, `continueChunkedResend`).
    func sendResendRequest<IO: FIXAcceptorIO>(_ index: Int, now: Timestamp, io: inout IO) throws(FIXMessageStoreError) {
        let begin = sessions[index].store.nextTargetSeqNum
        let chunk = sessions[index].configuration.resendRequestChunkSize
        var end = 0
        if chunk > 0 && sessions[index].gapRequestedThrough - begin + 1 > chunk { end = begin + chunk - 1 }
        sessions[index].resendChunkEnd = end
        var encoder = beginMessage(index, msgType: "2", seq: sessions[index].store.nextSenderSeqNum, now: now)
        encoder.append(FIXTag.beginSeqNo, int: begin)
        encoder.append(FIXTag.endSeqNo, int: end)
        try emitAdministrative(index, &encoder, now: now, io: &io)
    }

    /// With ResendRequestChunkSize: once the expected number has passed the chunk asked
    /// for and the gap is not closed, the next chunk.
    func continueChunkedResend<IO: FIXAcceptorIO>(_ index: Int, now: Timestamp, io: inout IO) throws(FIXMessageStoreError) {
        let end = sessions[index].resendChunkEnd
        guard end != 0, sessions[index].store.nextTargetSeqNum > end else { return }
        sessions[index].resendChunkEnd = 0
        if sessions[index].gapRequestedThrough != 0
            && sessions[index].store.nextTargetSeqNum <= sessions[index].gapRequestedThrough {
            try sendResendRequest(index, now: now, io: &io)
        }
    }

    /// Their ResendRequest: queue BeginSeqNo…EndSeqNo (0: everything we sent) and
    /// serve the first batch.
    func startResend<IO: FIXAcceptorIO>(
        _ message: FIXMessage, index: Int, now: Timestamp, io: inout IO
    ) throws(FIXMessageStoreError) {
        let lastSent = sessions[index].store.nextSenderSeqNum - 1
        let begin = message.firstValue(of: FIXTag.beginSeqNo)?.int ?? 1
        let requestedEnd = message.firstValue(of: FIXTag.endSeqNo)?.int ?? 0
        // Numbers start at 1; EndSeqNo is 0 (infinity) or not below BeginSeqNo. Anything
        // else is refused (373=5) rather than guessed at.
        if begin < 1 || requestedEnd < 0 || (requestedEnd != 0 && requestedEnd < begin) {
            let tag = begin < 1 ? FIXTag.beginSeqNo : FIXTag.endSeqNo
            let seq = message.firstValue(of: FIXTag.msgSeqNum)?.int ?? 0
            try sendReject(index, message: message, seq: seq, error: FIXValidationError(.valueIsIncorrect, refTagID: tag),
                           text: "ResendRequest range \(begin)...\(requestedEnd) is invalid", now: now, io: &io)
            return
        }
        let end = requestedEnd == 0 ? lastSent : min(requestedEnd, lastSent)
        sessions[index].resendNext = begin
        sessions[index].resendEnd = end
        try serveResend(index, now: now, io: &io)
    }

    // MARK: Clock rules

    /// SendingTime (52) within the session's MaxLatency (or the acceptor's
    /// `maximumLatencyNanoseconds`) of our clock, either way, unless CheckLatency is off.
    /// A missing or unreadable 52 is the validator's business, not this check's.
    func isSendingTimeAccurate(_ message: FIXMessage, index: Int, now: Timestamp) -> Bool {
        let session = sessions[index].configuration
        guard session.checkLatency,
              let tolerance = session.maximumLatencyNanoseconds ?? configuration.maximumLatencyNanoseconds,
              let value = message.firstValue(of: FIXTag.sendingTime),
              let sent = FIXUTCTimestamp.parse(value.bytes)
        else { return true }
        // Both lie within Int64, but their difference need not (a SendingTime in 1678
        // against today's clock): compare in 128 bits rather than trap.
        let difference = Int128(sent.rawValue) - Int128(now.rawValue)
        return difference <= Int128(tolerance) && -difference <= Int128(tolerance)
    }

    /// RefreshOnLogon: the store is opened again from its file, so numbers and messages
    /// another process wrote are what the Logon is checked against.
    func refreshStore(_ index: Int) throws(FIXMessageStoreError) {
        let old = sessions[index].store
        try old.flush()
        old.close()
        sessions[index].store = try FIXMessageStore(
            directory: configuration.storeDirectory, name: sessions[index].configuration.storeName,
            synchronous: configuration.synchronousStore, newStoreBaseline: newStoreBaseline)
    }

    /// With a schedule: a store that belongs to an earlier session day starts again
    /// from MsgSeqNum 1 on both sides, its stored messages dropped, and records
    /// today's day. The day of a logged-on session is remembered, so `tick` can log
    /// it out when that day closes.
    func startSessionDayIfNeeded(_ index: Int, now: Timestamp) throws(FIXMessageStoreError) {
        guard let schedule = configuration.schedule else { return }
        let day = schedule.sessionDay(at: now)
        if sessions[index].store.sessionDay != day {
            try sessions[index].store.reset(sessionDay: day)
        }
        sessions[index].sessionDay = day
    }
}
