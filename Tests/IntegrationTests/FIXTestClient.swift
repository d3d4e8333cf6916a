import FIX
import Foundation
import GatewayCore
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A FIX 4.4 initiator over a real loopback socket, written with the FIX module's
/// encoder and decoder: it numbers its messages and reads the gateway's back as tag maps.
final class FIXTestClient {
    let fd: Int32
    let senderCompID: String
    let targetCompID: String
    private(set) var nextSeqNum = 1
    private var received: [UInt8] = []
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private let decoder = FIXFrameDecoder()

    init(port: UInt16, sender: String, target: String = "CIFT", firstSeqNum: Int = 1) throws {
        nextSeqNum = firstSeqNum
        senderCompID = sender
        targetCompID = target
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw POSIXError(.ECONNREFUSED) }
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { Glibc.close(fd) }

    /// Sends one message of `msgType` with the standard header and `body` fields.
    func send(_ msgType: StaticString, _ body: [(Int, String)]) {
        let length: Int = buffer.withUnsafeMutableBytes { raw in
            var encoder = FIXEncoder(buffer: raw)
            encoder.begin(msgType: msgType)
            encoder.append(49, bytes: Array(senderCompID.utf8))
            encoder.append(56, bytes: Array(targetCompID.utf8))
            encoder.append(34, int: nextSeqNum)
            encoder.append(52, timestamp: SystemClock().now())
            for (tag, value) in body { encoder.append(tag, bytes: Array(value.utf8)) }
            return (try? encoder.finish()) ?? 0
        }
        nextSeqNum += 1
        _ = buffer.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, length, Int32(MSG_NOSIGNAL)) }
    }

    /// The next message from the gateway as tag → value (first occurrence), or nil on
    /// timeout or close. Heartbeats are returned like anything else.
    func next(seconds: Double = 10) -> [Int: String]? {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let parsed: (Int, [Int: String])? = received.withUnsafeBytes { raw in
                guard case .message(let message)? = try? decoder.decode(raw) else { return nil }
                var fields: [Int: String] = [:]
                var iterator = message.fields
                while let field = try? iterator.next() {
                    if fields[field.tag] == nil { fields[field.tag] = field.value.string }
                }
                return (message.length, fields)
            }
            if let (length, fields) = parsed {
                received.removeFirst(length)
                return fields
            }
            if Date() > deadline { return nil }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return nil }
            if n > 0 { received.append(contentsOf: buffer[0..<n]) }
        }
    }

    /// The next message of type `msgType`, skipping heartbeats; nil if something else
    /// (or nothing) came.
    func expect(_ msgType: String, seconds: Double = 10, file: StaticString = #filePath, line: UInt = #line) -> [Int: String]? {
        while let message = next(seconds: seconds) {
            if message[35] == "0" && msgType != "0" { continue }
            if message[35] == msgType { return message }
            XCTFail("expected 35=\(msgType), got \(message)", file: file, line: line)
            return nil
        }
        XCTFail("expected 35=\(msgType), got nothing", file: file, line: line)
        return nil
    }

    /// Answers the gateway's ResendRequest from `beginSeqNo`: a SequenceReset-GapFill
    /// (34=beginSeqNo, PossDupFlag) to our next number, nothing resent.
    func sendGapFill(from beginSeqNo: Int) {
        let length: Int = buffer.withUnsafeMutableBytes { raw in
            var encoder = FIXEncoder(buffer: raw)
            encoder.begin(msgType: "4")
            encoder.append(49, bytes: Array(senderCompID.utf8))
            encoder.append(56, bytes: Array(targetCompID.utf8))
            encoder.append(34, int: beginSeqNo)
            encoder.append(43, bytes: Array("Y".utf8))
            let now = SystemClock().now()
            encoder.append(52, timestamp: now)
            encoder.append(122, timestamp: now)
            encoder.append(123, bytes: Array("Y".utf8))
            encoder.append(36, int: nextSeqNum)
            return (try? encoder.finish()) ?? 0
        }
        _ = buffer.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, length, Int32(MSG_NOSIGNAL)) }
    }

    func logon(password: String = "demo", heartBtInt: Int = 30) {
        send("A", [(98, "0"), (108, String(heartBtInt)), (553, senderCompID), (554, password)])
    }
}
