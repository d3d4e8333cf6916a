import FIX

/// The floor's client: the FIX client's loop with the same NewOrderSingle bytes
/// (header, MsgSeqNum, SendingTime and all), sent to the echo server; the response is
/// the echoed message itself, framed with the same decoder and matched by its ClOrdID.
/// No logon and no session checks: only the bytes' trip and the client's own work.
public struct EchoClient: RoundTripClient {
    let socket: TCPSocket
    let output: FIXSendBuffer
    let input: FIXReceiveBuffer
    let writer: NewOrderSingleWriter

    public init(connectingTo address: HostPort, writer: NewOrderSingleWriter) throws {
        socket = try TCPSocket.connect(to: address)
        try socket.setReceiveTimeout(milliseconds: 1_000)
        output = FIXSendBuffer(socket: socket, senderCompID: "CLIENT1", targetCompID: "CIFT")
        input = FIXReceiveBuffer(socket: socket)
        self.writer = writer
    }

    public mutating func enqueue(request number: Int) throws {
        try output.append(msgType: "D") { e, now in
            writer.write(request: number, into: &e, now: now)
        }
    }

    public mutating func flush() throws { try output.flush() }

    public mutating func receive(_ response: (Int, Int64) throws -> Void) throws {
        _ = try input.read { message, receivedAt in
            guard let clOrdID = message.firstValue(of: FIXTag.clOrdID), let number = writer.requestNumber(clOrdID) else {
                throw HarnessError("the echo is not the message sent")
            }
            try response(number, receivedAt)
        }
    }

    public func close() { socket.close() }
}
