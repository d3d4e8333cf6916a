import GatewayCore
import OUCH
import SoupBinTCP

#if canImport(Glibc)
import Glibc
#endif

/// An OUCH 5.0 client over SoupBinTCP on one blocking TCP socket (TCP_NODELAY), as a
/// member firm would write one: logs in, writes Enter Orders from one preallocated
/// buffer, frames what the gateway sends with the SoupBinTCP module's `SoupBinTCPStreamReader`.
/// Used by one thread.
public final class OUCHOrderEntryClient {
    public let socket: any ByteTransport
    private var reader = SoupBinTCPStreamReader(direction: .serverToClient)
    private let sendBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 64)
    private let receiveBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 64)
    private var lastSend: Int64 = 0

    /// Connects (plain TCP or TLS, `transport`) and logs in as `username`, asking for
    /// the next sequenced message (0: none of an earlier login's are replayed, so the
    /// same users can log in again for a second run on one gateway); throws unless
    /// Login Accepted comes back within 10 s.
    public init(address: HostPort, username: String, password: String, transport: ClientTransport = .plain) throws {
        socket = try transport.connect(to: address)
        try socket.setReceiveTimeout(milliseconds: 10_000)
        let request = SoupBinTCPLoginRequest(
            username: username, password: password, requestedSession: "", requestedSequenceNumber: 0,
            heartbeatTimeoutMilliseconds: 30_000)
        try send(length: SoupBinTCPEncoder.loginRequest(request, sendBuffer.baseAddress!))
        var accepted = false
        let deadline = nowNanoseconds() + 10_000_000_000
        while !accepted {
            guard try receiveAvailable() || nowNanoseconds() < deadline else {
                throw HarnessError("OUCH \(address): no Login Accepted within 10 s")
            }
            try drain { packet in
                switch packet {
                case .loginAccepted: accepted = true
                case .loginRejected(let reason):
                    throw HarnessError("OUCH login \(username) rejected (reason \(Character(UnicodeScalar(reason))))")
                default: break
                }
            }
        }
    }

    deinit {
        sendBuffer.deallocate()
        receiveBuffer.deallocate()
    }

    /// Writes Enter Orders for `orders` in one write.
    public func send(_ orders: UnsafeBufferPointer<OUCHEnterOrder>) throws {
        var length = 0
        for order in orders {
            length += SoupBinTCPEncoder.unsequencedData(order, sendBuffer.baseAddress! + length)
        }
        try send(length: length)
    }

    public func send(_ order: OUCHEnterOrder) throws {
        try send(length: SoupBinTCPEncoder.unsequencedData(order, sendBuffer.baseAddress!))
    }

    /// Writes any one OUCH message (Enter, Replace, Cancel...) in its own Unsequenced Data packet.
    public func send<Message: OUCHMessage>(message: Message) throws {
        try send(length: SoupBinTCPEncoder.unsequencedData(message, sendBuffer.baseAddress!))
    }

    /// A Client Heartbeat when nothing was written for a second (the session's
    /// heartbeat timeout is 30 s; runs are far shorter, this is for safety).
    public func heartbeatIfIdle() throws {
        if nowNanoseconds() - lastSend > 1_000_000_000 {
            try send(length: SoupBinTCPEncoder.clientHeartbeat(sendBuffer.baseAddress!))
        }
    }

    /// Logout Request, then reads until the gateway closes (at most 3 s).
    public func logout() {
        let length = SoupBinTCPEncoder.logoutRequest(sendBuffer.baseAddress!)
        try? send(length: length)
        try? socket.setReceiveTimeout(milliseconds: 3_000)
        let deadline = nowNanoseconds() + 3_000_000_000
        while nowNanoseconds() < deadline {
            // nil: nothing yet (a timeout, or over TLS only a session ticket or part of a record).
            guard let n = try? socket.receive(into: receiveBuffer) else { continue }
            if n == 0 { break }
        }
        socket.close()
    }

    private func send(length: Int) throws {
        try socket.sendAll(UnsafeRawBufferPointer(rebasing: sendBuffer[0..<length]))
        lastSend = nowNanoseconds()
    }

    /// One `recv` into the framer: false on timeout; throws when the gateway closed.
    @discardableResult
    public func receiveAvailable() throws -> Bool {
        guard let n = try socket.receive(into: receiveBuffer) else { return false }
        if n == 0 { throw HarnessError("OUCH: the gateway closed the connection") }
        reader.append(UnsafeRawBufferPointer(rebasing: receiveBuffer[0..<n]))
        return true
    }

    /// One packet from the gateway, as the client sees it.
    public enum Packet {
        case loginAccepted
        case loginRejected(UInt8)
        case message(OUCHOutboundMessage)
        case heartbeat
        case endOfSession
    }

    /// Hands every whole packet framed so far to `body`.
    public func drain(_ body: (Packet) throws -> Void) throws {
        while let packet = try reader.next({ frame -> Packet in
            switch try SoupBinTCPServerPacket(frame) {
            case .loginAccepted: return .loginAccepted
            case .loginRejected(let reason): return .loginRejected(reason)
            case .sequencedData(let bytes), .unsequencedData(let bytes): return .message(try OUCHOutboundMessage(decoding: bytes))
            case .endOfSession: return .endOfSession
            case .serverHeartbeat, .debug: return .heartbeat
            }
        }) {
            if case .endOfSession = packet { throw HarnessError("OUCH: End of Session from the gateway") }
            try body(packet)
        }
    }
}
