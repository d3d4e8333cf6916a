import Foundation
import OUCH
import XCTest
import SoupBinTCP

#if canImport(Glibc)
import Glibc
#endif

/// A SoupBinTCP/OUCH client over a real loopback TCP socket, as a member firm would
/// write one: blocking socket with a receive timeout, the OUCH module's client-side
/// encoders and decoders.
final class OUCHTestClient {
    let fd: Int32
    private var reader = SoupBinTCPStreamReader(direction: .serverToClient)
    private var scratch = [UInt8](repeating: 0, count: 1 << 16)
    /// Sequenced messages received so far (in order), as bytes.
    private(set) var sequenced: [[UInt8]] = []

    /// - Parameter receiveBuffer: SO_RCVBUF before connecting (a small one makes a slow reader).
    init(port: UInt16, host: String = "127.0.0.1", receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let e = errno
            Glibc.close(fd)
            throw POSIXError(.init(rawValue: e) ?? .EIO)
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        setReceiveTimeout(milliseconds: 200)
    }

    deinit { Glibc.close(fd) }

    func setReceiveTimeout(milliseconds: Int) {
        var tv = timeval(tv_sec: milliseconds / 1000, tv_usec: Int((milliseconds % 1000) * 1000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes all of `bytes`; false once the connection is broken (EPIPE, ECONNRESET).
    @discardableResult
    func sendRaw(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    func login(_ username: String, _ password: String = "demo", session: String = "", sequence: UInt64 = 1) {
        let request = SoupBinTCPLoginRequest(
            username: username, password: password, requestedSession: session, requestedSequenceNumber: sequence,
            heartbeatTimeoutMilliseconds: 30_000)
        sendRaw(SoupBinTCPEncoder.bytes { request.encode($0) })
    }

    @discardableResult
    func send<M: OUCHMessage>(_ message: M) -> Bool {
        sendRaw(SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.unsequencedData(message, $0) })
    }

    enum Packet: Equatable {
        case loginAccepted(session: String, sequence: UInt64)
        case loginRejected(UInt8)
        case message(OUCHOutboundMessage)
        case endOfSession
        case closed
        case timeout
    }

    /// The next packet other than a heartbeat, waiting at most `seconds`.
    func next(seconds: Double = 10) -> Packet {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            do {
                if let packet = try reader.next({ frame -> Packet? in
                    switch try SoupBinTCPServerPacket(frame) {
                    case .loginAccepted(let a): return .loginAccepted(session: a.session, sequence: a.sequenceNumber)
                    case .loginRejected(let reason): return .loginRejected(reason)
                    case .sequencedData(let bytes):
                        sequenced.append(Array(bytes))
                        return .message(try OUCHOutboundMessage(decoding: bytes))
                    case .unsequencedData(let bytes): return .message(try OUCHOutboundMessage(decoding: bytes))
                    case .endOfSession: return .endOfSession
                    case .serverHeartbeat, .debug: return nil
                    }
                }) {
                    if let packet { return packet }
                    continue
                }
            } catch {
                XCTFail("malformed packet from the gateway: \(error)")
                return .closed
            }
            if Date() > deadline { return .timeout }
            let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return .closed }
            if n < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                return .closed
            }
            scratch.withUnsafeBytes { reader.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }

    /// The next OUCH message, or a test failure naming what came instead.
    func nextMessage(seconds: Double = 10, file: StaticString = #filePath, line: UInt = #line) -> OUCHOutboundMessage? {
        let packet = next(seconds: seconds)
        guard case .message(let m) = packet else {
            XCTFail("expected an OUCH message, got \(packet)", file: file, line: line)
            return nil
        }
        return m
    }

    /// Logs in and expects Login Accepted; returns the next sequence number.
    @discardableResult
    func loginAccepted(_ username: String, sequence: UInt64 = 1, file: StaticString = #filePath, line: UInt = #line) -> UInt64? {
        login(username, sequence: sequence)
        let packet = next()
        guard case .loginAccepted(_, let next) = packet else {
            XCTFail("expected Login Accepted, got \(packet)", file: file, line: line)
            return nil
        }
        return next
    }
}

extension OUCHEnterOrder {
    /// A Day limit order with a price in 4-decimal units.
    static func limit(_ ref: UInt32, _ side: UInt8, _ quantity: UInt32, _ symbol: String, _ price: UInt64,
                      tif: UInt8 = OUCHTimeInForce.day, clOrdID: String = "") -> OUCHEnterOrder {
        OUCHEnterOrder(
            userRefNum: ref, side: side, quantity: quantity, symbol: OUCHSymbol(symbol)!, price: price,
            timeInForce: tif, clOrdID: OUCHClOrdID(clOrdID) ?? .blank)
    }
}
