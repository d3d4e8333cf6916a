import FIX

/// The closed loop's FIX client: each request is a NewOrderSingle
/// (``NewOrderSingleWriter``); its response is the ExecutionReport with ExecType New
/// (150=0) for that ClOrdID. A reject (ExecutionReport 150=8, BusinessMessageReject,
/// a session Reject) ends the run with its text.
public struct FIXOrderEntryClient: RoundTripClient {
    public let session: FIXClientSession
    let writer: NewOrderSingleWriter

    public init(session: FIXClientSession, writer: NewOrderSingleWriter) {
        self.session = session
        self.writer = writer
    }

    public mutating func enqueue(request number: Int) throws {
        try session.output.append(msgType: "D") { e, now in
            writer.write(request: number, into: &e, now: now)
        }
    }

    public mutating func flush() throws { try session.flush() }

    public mutating func receive(_ response: (Int, Int64) throws -> Void) throws {
        try session.read { message, receivedAt in
            guard let type = message.msgType, type.equals("8") else {
                throw HarnessError("unexpected application message: \(FIXClientSession.describe(message))")
            }
            var execType: UInt8 = 0
            var clOrdID: FIXValue?
            var fields = message.bodyFields
            while let field = try? fields.next() {
                if field.tag == FIXTag.execType { execType = field.value.char ?? 0 }
                if field.tag == FIXTag.clOrdID { clOrdID = field.value }
            }
            switch execType {
            case UInt8(ascii: "0"):
                guard let clOrdID, let number = writer.requestNumber(clOrdID) else {
                    throw HarnessError("an ExecutionReport for an order this run did not send: \(FIXClientSession.describe(message))")
                }
                try response(number, receivedAt)
            case UInt8(ascii: "8"):
                throw HarnessError("order rejected: \(FIXClientSession.describe(message))")
            default:
                throw HarnessError("unexpected ExecutionReport: \(FIXClientSession.describe(message))")
            }
        }
    }
}
