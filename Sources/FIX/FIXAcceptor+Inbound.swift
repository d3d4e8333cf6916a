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
            refuseLogon(message, connection: connection, text: "Unknown CompID", now: now, io: &io)
            return
        }
        if let error = validator.validate(message) {
            refuseLogon(message, connection: connection, text: "Invalid Logon: \(error)", now: now, io: &io)
            return
        }
        let configuration = sessions[index].configuration
        if let username = configuration.username,
           !(message.firstValue(of: FIXTag.username)?.equals(bytes: Array(username.utf8)) ?? false) {
            refuseLogon(message, connection: connection, text: "Invalid username or password", now: now, io: &io)
            return
        }
        if let password = configuration.password,
           !(message.firstValue(of: FIXTag.password)?.equals(bytes: Array(password.utf8)) ?? false) {
            refuseLogon(message, connection: connection, text: "Invalid username or password", now: now, io: &io)
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
                refuseLogon(message, connection: connection,
                            text: "Certificate does not match the session (\(presented ?? "no client certificate"))",
                            now: now, io: &io)
                return
            }
        }
        guard sessions[index].connection == nil else {
            refuseLogon(message, connection: connection, text: "Session already logged on", now: now, io: &io)
            return
        }
        if let schedule = self.configuration.schedule, !schedule.isOpen(at: now) {
            refuseLogon(message, connection: connection, text: "Outside of session hours", now: now, io: &io)
            return
        }
        if !isSendingTimeAccurate(message, now: now) {
            refuseLogon(message, connection: connection, text: "SendingTime accuracy problem", now: now, io: &io)
            return
        }
        guard let seq = message.firstValue(of: FIXTag.msgSeqNum)?.int, seq >= 1 else {
            refuseLogon(message, connection: connection, text: "MsgSeqNum missing", now: now, io: &io)
            return
        }
        let reset = message.firstValue(of: FIXTag.resetSeqNumFlag)?.bool == true
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
    func refuseLogon<IO: FIXAcceptorIO>(
        _ logon: FIXMessage, connection: UInt32, text: String, now: Timestamp, io: inout IO
    ) {
        if let sender = logon.firstValue(of: FIXTag.senderCompID), let target = logon.firstValue(of: FIXTag.targetCompID) {
            var encoder = FIXEncoder(buffer: buffer)
            encoder.begin(msgType: "5")
            encoder.append(FIXTag.senderCompID, value: target)
            encoder.append(FIXTag.targetCompID, value: sender)
            encoder.append(FIXTag.msgSeqNum, int: 1)
            encoder.append(FIXTag.sendingTime, timestamp: now)
            encoder.append(FIXTag.text, bytes: Array(text.utf8))
            if let length = try? encoder.finish() {
                io.send(connection, UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
            }
        }
        drop(connection, reason: text, io: &io)
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
        let isSequenceReset = type?.equals("4") == true
        let gapFill = message.firstValue(of: 123)?.bool == true
        if isSequenceReset && !gapFill {
            // SequenceReset-Reset: MsgSeqNum is ignored.
            if let error = validator.validate(message) {
                try sendReject(index, message: message, seq: seq, error: error, text: error.description, now: now, io: &io)
                return
            }
            try applyNewSeqNo(message, index: index, seq: seq, now: now, io: &io)
            return
        }
        let expected = store.nextTargetSeqNum
        if seq > expected {
            try requestResend(index, through: seq, now: now, io: &io)
            if type?.equals("2") == true, validator.validate(message) == nil {
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
        if let error = validator.validate(message) {
            try store.setNextTargetSeqNum(seq + 1)
            try sendReject(index, message: message, seq: seq, error: error, text: error.description, now: now, io: &io)
            return
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
        if !isSendingTimeAccurate(message, now: now) {
            try store.setNextTargetSeqNum(seq + 1)
            try sendReject(index, message: message, seq: seq,
                           error: FIXValidationError(.sendingTimeAccuracyProblem, refTagID: FIXTag.sendingTime),
                           text: "SendingTime accuracy problem", now: now, io: &io)
            try sendLogout(index, text: "SendingTime accuracy problem", now: now, io: &io)
            drop(connection, reason: "SendingTime accuracy problem", io: &io)
            return
        }
        guard let type else { return }  // the validator refuses a message without 35
        if isSequenceReset {  // GapFill
            try applyNewSeqNo(message, index: index, seq: seq, now: now, io: &io)
            return
        }
        try store.setNextTargetSeqNum(seq + 1)
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
            // The inbound number goes to the file before the application layer can turn
            // the message into an engine command: a crash after the command is journaled
            // must not find the number behind it, or the peer's resend of this message
            // (PossDupFlag=Y) would be applied a second time. One pwrite per application
            // message; the stores' other writes wait for the turn's end.
            try store.flush()
            io.application(message, session: index, connection: connection)
        }
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
            let gapFill = message.firstValue(of: 123)?.bool == true
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
    }

    /// Sends ResendRequest (7 = expected, 16 = 0) unless one is outstanding.
    func requestResend<IO: FIXAcceptorIO>(
        _ index: Int, through seq: Int, now: Timestamp, io: inout IO
    ) throws(FIXMessageStoreError) {
        if sessions[index].gapRequestedThrough == 0 {
            let begin = sessions[index].store.nextTargetSeqNum
            var encoder = beginMessage(index, msgType: "2", seq: sessions[index].store.nextSenderSeqNum, now: now)
            encoder.append(7, int: begin)
            encoder.append(16, int: 0)
            try emitAdministrative(index, &encoder, now: now, io: &io)
        }
        sessions[index].gapRequestedThrough = max(sessions[index].gapRequestedThrough, seq)
    }

    /// Their ResendRequest: queue BeginSeqNo…EndSeqNo (0: everything we sent) and
    /// serve the first batch.
    func startResend<IO: FIXAcceptorIO>(
        _ message: FIXMessage, index: Int, now: Timestamp, io: inout IO
    ) throws(FIXMessageStoreError) {
        let lastSent = sessions[index].store.nextSenderSeqNum - 1
        let begin = max(message.firstValue(of: 7)?.int ?? 1, 1)
        let requestedEnd = message.firstValue(of: 16)?.int ?? 0
        let end = requestedEnd == 0 ? lastSent : min(requestedEnd, lastSent)
        sessions[index].resendNext = begin
        sessions[index].resendEnd = end
        try serveResend(index, now: now, io: &io)
    }

    // MARK: Clock rules

    /// SendingTime (52) within `maximumLatencyNanoseconds` of our clock, either way.
    /// A missing or unreadable 52 is the validator's business, not this check's.
    func isSendingTimeAccurate(_ message: FIXMessage, now: Timestamp) -> Bool {
        guard let tolerance = configuration.maximumLatencyNanoseconds,
              let value = message.firstValue(of: FIXTag.sendingTime),
              let sent = FIXUTCTimestamp.parse(value.bytes)
        else { return true }
        // Both lie within Int64, but their difference need not (a SendingTime in 1678
        // against today's clock): compare in 128 bits rather than trap.
        let difference = Int128(sent.rawValue) - Int128(now.rawValue)
        return difference <= Int128(tolerance) && -difference <= Int128(tolerance)
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
