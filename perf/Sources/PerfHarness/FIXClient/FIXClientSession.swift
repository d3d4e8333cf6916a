import FIX
import Foundation

/// A FIX 4.4 initiator session over one TCP connection: Logon (98=0, 108, 141=Y,
/// 553/554), outgoing and incoming MsgSeqNum, a Heartbeat for every TestRequest and
/// after HeartBtInt seconds without sending, Logout at the end. Application messages
/// are handed to the caller; session-level problems (Reject, a Logout from the peer, a
/// sequence gap) end the run with an error, because a benchmark must not carry on
/// after losing messages.
public final class FIXClientSession {
    public let settings: FIXSessionSettings
    let socket: any ByteTransport
    public let output: FIXSendBuffer
    let input: FIXReceiveBuffer
    var expectedSequenceNumber = 1
    var lastSendTime = nowNanoseconds()
    var loggedOn = false
    var logoutReceived = false

    /// Connects to `address` (nothing is sent yet).
    public init(connectingTo address: HostPort, settings: FIXSessionSettings, transport: ClientTransport = .plain) throws {
        self.settings = settings
        socket = try transport.connect(to: address)
        try socket.setReceiveTimeout(milliseconds: 1_000)
        output = FIXSendBuffer(socket: socket, senderCompID: settings.senderCompID, targetCompID: settings.targetCompID)
        input = FIXReceiveBuffer(socket: socket)
    }

    /// Sends Logon with ResetSeqNumFlag (both sides start at 1) and waits for the reply.
    public func logOn(timeoutSeconds: Double = 10) throws {
        try output.append(msgType: "A") { e, _ in
            e.append(FIXTag.encryptMethod, int: 0)
            e.append(FIXTag.heartBtInt, int: settings.heartBtInt)
            e.append(FIXTag.resetSeqNumFlag, bool: true)
            e.append(FIXTag.username, bytes: Array(settings.username.utf8))
            e.append(FIXTag.password, bytes: Array(settings.password.utf8))
        }
        try flush()
        let deadline = nowNanoseconds() + Int64(timeoutSeconds * 1e9)
        while !loggedOn {
            _ = try read { message, _ in
                throw HarnessError("an application message (35=\(message.msgType?.string ?? "?")) before the Logon reply")
            }
            if logoutReceived { throw HarnessError("logon refused: \(lastLogoutText)") }
            if nowNanoseconds() > deadline { throw HarnessError("no Logon reply within \(timeoutSeconds) s") }
        }
    }

    /// Sends Logout and waits (up to `timeoutSeconds`) for the peer's Logout; closes the
    /// connection either way. Application messages still arriving are passed to `late`.
    public func logOut(timeoutSeconds: Double = 5, late: (FIXMessage) -> Void = { _ in }) throws {
        defer { socket.close() }
        try output.append(msgType: "5") { _, _ in }
        try flush()
        let deadline = nowNanoseconds() + Int64(timeoutSeconds * 1e9)
        while !logoutReceived {
            _ = try read { message, _ in late(message) }
            if nowNanoseconds() > deadline { throw HarnessError("no Logout reply within \(timeoutSeconds) s") }
        }
    }

    /// Writes what has been appended to ``output``.
    public func flush() throws {
        try output.flush()
        lastSendTime = nowNanoseconds()
    }

    /// One read: session messages are handled here, application messages passed to
    /// `application` with the time the read returned. False when the read timed out.
    @discardableResult
    public func read(_ application: (FIXMessage, Int64) throws -> Void) throws -> Bool {
        let got = try input.read { message, receivedAt in
            try checkSequenceNumber(message)
            guard let type = message.msgType else { throw HarnessError("a message without MsgType") }
            if type.count == 1 {
                switch type[0] {
                case UInt8(ascii: "A"): loggedOn = true; return
                case UInt8(ascii: "0"): return
                case UInt8(ascii: "1"): try answerTestRequest(message); return
                case UInt8(ascii: "5"):
                    logoutReceived = true
                    lastLogoutText = message.firstValue(of: FIXTag.text)?.string ?? ""
                    return
                case UInt8(ascii: "3"):
                    throw HarnessError("session Reject: \(Self.describe(message))")
                case UInt8(ascii: "2"), UInt8(ascii: "4"):
                    throw HarnessError("the peer asked for a resend / reset the sequence: \(Self.describe(message))")
                default: break
                }
            }
            try application(message, receivedAt)
        }
        if loggedOn && !logoutReceived && nowNanoseconds() - lastSendTime > Int64(settings.heartBtInt) * 1_000_000_000 {
            try output.append(msgType: "0") { _, _ in }
            try flush()
        }
        return got
    }

    var lastLogoutText = ""

    func checkSequenceNumber(_ message: FIXMessage) throws {
        guard let seq = message.firstValue(of: FIXTag.msgSeqNum)?.int else {
            throw HarnessError("a message without MsgSeqNum: \(Self.describe(message))")
        }
        guard seq == expectedSequenceNumber else {
            throw HarnessError("MsgSeqNum \(seq) received, \(expectedSequenceNumber) expected: \(Self.describe(message))")
        }
        expectedSequenceNumber += 1
    }

    func answerTestRequest(_ message: FIXMessage) throws {
        let id = message.firstValue(of: FIXTag.testReqID).map { Array($0.bytes) }
        try output.append(msgType: "0") { e, _ in
            if let id { e.append(FIXTag.testReqID, bytes: id) }
        }
        try flush()
    }

    /// The message as text, SOH shown as `|`.
    public static func describe(_ message: FIXMessage) -> String {
        String(decoding: message.bytes.map { $0 == FIXByte.soh ? UInt8(ascii: "|") : $0 }, as: UTF8.self)
    }
}
