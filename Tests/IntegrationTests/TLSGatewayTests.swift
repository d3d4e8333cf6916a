import Foundation
import Gateway
import GatewayCore
import OUCH
import TLS
import XCTest
import SoupBinTCP
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A TLS client over a blocking socket, driven by the TLS module (the tests' own TLS
/// side; Python's ssl module and QuickFIX's OpenSSL initiator are the independent ones).
final class TLSTestConnection {
    let fd: Int32
    let session: TLSSession
    var plaintext: [UInt8] = []
    private var buffer = [UInt8](repeating: 0, count: 16_384)
    private(set) var peerClosed = false

    init(port: UInt16, context: TLSContext) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw TLSError("connect failed: errno \(errno)") }
        var tv = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        session = try TLSSession(context: context)
    }

    deinit { close(fd) }

    func sendRaw(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func flush() {
        session.drainOutput { chunk in _ = Glibc.send(fd, chunk.baseAddress, chunk.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Runs the handshake; the outcome that ended it (or .handshaking on timeout).
    @discardableResult
    func handshake(seconds: Double = 5) -> TLSSession.Outcome {
        _ = session.start()
        flush()
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let outcome = pump()
            if session.isEstablished { return .established }
            if case .failed = outcome { return outcome }
            if peerClosed { return .closed }
        }
        return .handshaking
    }

    /// One read from the socket, through the session.
    @discardableResult
    func pump() -> TLSSession.Outcome {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { peerClosed = true; return .closed }
        guard n > 0 else { return .open }
        let outcome = buffer[0..<n].withUnsafeBytes { session.receive($0) { plaintext += $0 } }
        flush()
        return outcome
    }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { session.write($0) }
        flush()
    }

    /// Waits until the plaintext received so far satisfies `done`.
    func waitFor(seconds: Double = 10, _ done: ([UInt8]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if done(plaintext) { return true }
            if peerClosed { return done(plaintext) }
            pump()
        }
        return done(plaintext)
    }

    /// Waits until the gateway closes the connection.
    func waitForClose(seconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline && !peerClosed {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { peerClosed = true }
        }
        return peerClosed
    }
}

/// Order entry over TLS (OpenSSL over memory BIOs in the I/O thread): OUCH through
/// Python's ssl module, FIX through QuickFIX's SSL initiator, mutual TLS with a session
/// bound to a certificate subject, bad input (plain text, a stalled handshake, a
/// certificate from another CA, a truncated record), and a certificate reload.
final class TLSGatewayTests: XCTestCase {
    var directory = ""
    var pki: String { directory + "/pki" }

    override func setUpWithError() throws {
        directory = makeTemporaryDirectory("tls")
        let script = try ChildProcess(path: "/bin/bash", arguments: [
            QuickFIXInteropTests.checkout.appendingPathComponent("scripts/make-test-certificates.sh").path, pki])
        XCTAssertEqual(script.waitForExit(seconds: 60), 0, script.standardError)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func configuration(mutual: Bool = false) -> GatewayConfiguration {
        var c = testGatewayConfiguration(directory, dataDirectory: directory + "/data")
        c.tls.fixListen = ListenAddress(host: "127.0.0.1", port: 0)
        c.tls.ouchListen = ListenAddress(host: "127.0.0.1", port: 0)
        c.tls.certificate = pki + "/server.pem"
        c.tls.privateKey = pki + "/server.key"
        c.tls.handshakeTimeoutMilliseconds = 500
        if mutual {
            c.tls.clientCA = pki + "/ca.pem"
            c.fix.sessions[0].certificateSubject = "CN=CLIENT1,O=CIFT test"
        }
        return c
    }

    func client(_ name: String? = nil) throws -> TLSContext {
        try TLSContext(clientTrusting: pki + "/ca.pem",
                       certificatePath: name.map { pki + "/\($0).pem" }, privateKeyPath: name.map { pki + "/\($0).key" })
    }

    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    // MARK: OUCH with Python's ssl module

    func testPythonSSLClientLogsInAndEntersAnOrderOverTLS() throws {
        let gateway = try GatewayServer(configuration: configuration())
        defer { gateway.stop() }
        let login = SoupBinTCPEncoder.bytes {
            SoupBinTCPLoginRequest(username: "OUCH01", password: "demo", requestedSession: "", requestedSequenceNumber: 1,
                                   heartbeatTimeoutMilliseconds: 30_000).encode($0)
        }
        let order = SoupBinTCPEncoder.bytes {
            SoupBinTCPEncoder.unsequencedData(OUCHEnterOrder.limit(1, OUCHSide.buy, 100, "AAPL", 1_500_000), $0)
        }
        let lines = try runPython("""
            import socket, ssl
            ctx = ssl.create_default_context(cafile='\(pki)/ca.pem')
            s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', \(gateway.ouchTLSPort!))), server_hostname='localhost')
            print(s.version())
            def packet():
                head = b''
                while len(head) < 2: head += s.recv(2 - len(head))
                n = int.from_bytes(head, 'big')
                body = b''
                while len(body) < n: body += s.recv(n - len(body))
                return body
            s.sendall(bytes.fromhex('\(hex(login))'))
            print('login', chr(packet()[0]))
            s.sendall(bytes.fromhex('\(hex(order))'))
            while True:
                p = packet()
                if p[0] == ord('S') and p[1] == ord('A'):
                    print('order accepted')
                    break
            """)
        XCTAssertEqual(lines, ["TLSv1.3", "login A", "order accepted"])
    }

    /// Forty handshakes at once (each an RSA signature on the thread that also runs order
    /// entry and, in `shared` mode, every other stage): the loop takes at most one
    /// handshake step per turn, the rest wait for later turns, and none of them starves:
    /// every handshake finishes and a plain client's order is answered meanwhile.
    func testManyHandshakesAtOnceAllFinishWhileOrdersAreServed() throws {
        let gateway = try GatewayServer(configuration: configuration())
        defer { gateway.stop() }
        let plain = try OUCHTestClient(port: gateway.ouchPort)
        plain.loginAccepted("OUCH02")
        let storm = try ChildProcess(path: "/usr/bin/python3", arguments: ["-c", """
            import socket, ssl, threading
            ctx = ssl.create_default_context(cafile='\(pki)/ca.pem')
            done = []
            def one():
                s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', \(gateway.ouchTLSPort!))), server_hostname='localhost')
                done.append(s.version())
                s.close()
            threads = [threading.Thread(target=one) for _ in range(40)]
            for t in threads: t.start()
            for t in threads: t.join()
            print(len(done), set(done))
            """])
        for i in 1...20 {
            plain.send(OUCHEnterOrder.limit(UInt32(i), OUCHSide.buy, 100, "AAPL", 1_000_000))
            guard case .orderAccepted = plain.nextMessage() else { return XCTFail("order \(i) not answered") }
        }
        XCTAssertEqual(storm.waitForExit(seconds: 60), 0, storm.standardError)
        let lines = storm.outputLines
        XCTAssertEqual(lines, ["40 {'TLSv1.3'}"])
        XCTAssertFalse(gateway.hasFailed)
    }

    // MARK: FIX with QuickFIX's SSL initiator

    func testQuickFIXSSLInitiatorLogsOnAndTradesOverTLS() throws {
        let gateway = try GatewayServer(configuration: configuration())
        defer { gateway.stop() }
        guard let initiator = try QuickFIXInteropTests.buildInitiator(in: directory) else { return }
        try FileManager.default.createDirectory(atPath: directory + "/qf", withIntermediateDirectories: true)
        let client = try ChildProcess(path: initiator, arguments: [
            String(gateway.fixTLSPort!), "logon", fixDictionaryPath, directory + "/qf", "tls", pki + "/ca.pem"])
        let status = client.waitForExit(seconds: 90)
        let transcript = client.outputLines.joined(separator: "\n") + client.standardError
        XCTAssertEqual(status, 0, transcript)
        XCTAssertTrue(client.outputLines.contains { $0.hasPrefix("EXEC CLIENT1 150=0 39=0 11=BUY-1 ") }, transcript)
        XCTAssertTrue(client.outputLines.contains("DONE"), transcript)
        XCTAssertFalse(client.outputLines.contains { $0.lowercased().contains("reject") }, transcript)
    }

    // MARK: Mutual TLS and the session's certificate

    func fixLogon(_ sender: String) -> [UInt8] {
        var body = "35=A\u{1}49=\(sender)\u{1}56=CIFT\u{1}34=1\u{1}52=\(fixTimestamp())\u{1}98=0\u{1}108=30\u{1}553=\(sender)\u{1}554=demo\u{1}"
        body = "8=FIX.4.4\u{1}9=\(body.utf8.count)\u{1}" + body
        let sum = body.utf8.reduce(0) { ($0 + Int($1)) % 256 }
        return Array((body + "10=" + String(format: "%03d", sum) + "\u{1}").utf8)
    }

    func fixMessage(_ fields: String) -> [UInt8] {
        let body = "8=FIX.4.4\u{1}9=\(fields.utf8.count)\u{1}" + fields
        let sum = body.utf8.reduce(0) { ($0 + Int($1)) % 256 }
        return Array((body + "10=" + String(format: "%03d", sum) + "\u{1}").utf8)
    }

    /// A Logon and an order written together arrive in one TLS record: the gateway answers
    /// the Logon while the order is still in the plaintext it is reading. Both are served
    /// (the reply's ciphertext once overwrote the order in the session's one buffer).
    func testALogonAndAnOrderInOneRecordAreBothServed() throws {
        let gateway = try GatewayServer(configuration: configuration())
        defer { gateway.stop() }
        let connection = try TLSTestConnection(port: gateway.fixTLSPort!, context: client())
        XCTAssertEqual(connection.handshake(), .established)
        let order = fixMessage("35=D\u{1}49=CLIENT1\u{1}56=CIFT\u{1}34=2\u{1}52=\(fixTimestamp())\u{1}11=PIPE-1\u{1}55=AAPL\u{1}"
            + "54=1\u{1}60=\(fixTimestamp())\u{1}38=100\u{1}40=2\u{1}44=150.00\u{1}59=0\u{1}")
        connection.send(fixLogon("CLIENT1") + order)
        XCTAssertTrue(connection.waitFor { String(decoding: $0, as: UTF8.self).contains("11=PIPE-1") },
                      String(decoding: connection.plaintext, as: UTF8.self))
        let text = String(decoding: connection.plaintext, as: UTF8.self)
        XCTAssertTrue(text.contains("35=A"), text)
        XCTAssertTrue(text.contains("35=8") && text.contains("150=0"), "the order is accepted: \(text)")
        XCTAssertFalse(text.contains("35=3"), "no session reject: \(text)")
    }

    func fixTimestamp() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd-HH:mm:ss.SSS"
        return f.string(from: Date())
    }

    func testMutualTLSBindsTheSessionToItsCertificate() throws {
        let gateway = try GatewayServer(configuration: configuration(mutual: true))
        defer { gateway.stop() }
        // CLIENT2's certificate cannot log on as CLIENT1: Logout with the reason, then closed.
        let wrong = try TLSTestConnection(port: gateway.fixTLSPort!, context: client("client2"))
        XCTAssertEqual(wrong.handshake(), .established)
        wrong.send(fixLogon("CLIENT1"))
        XCTAssertTrue(wrong.waitFor { String(decoding: $0, as: UTF8.self).contains("35=5") })
        XCTAssertTrue(String(decoding: wrong.plaintext, as: UTF8.self).contains("Certificate does not match the session (CN=CLIENT2,O=CIFT test)"),
                      String(decoding: wrong.plaintext, as: UTF8.self))
        XCTAssertTrue(wrong.waitForClose())
        // CLIENT1's own certificate can.
        let right = try TLSTestConnection(port: gateway.fixTLSPort!, context: client("client1"))
        XCTAssertEqual(right.handshake(), .established)
        right.send(fixLogon("CLIENT1"))
        XCTAssertTrue(right.waitFor { String(decoding: $0, as: UTF8.self).contains("35=A") }, String(decoding: right.plaintext, as: UTF8.self))
        // The session is bound: a plain-TCP Logon as CLIENT1 has no certificate at all.
        let plain = try FIXTestClient(port: gateway.fixPort, sender: "CLIENT1")
        plain.logon()
        XCTAssertTrue(plain.expect("5")?[58]?.contains("no client certificate") ?? false)
    }

    /// The same for an OUCH user: a SoupBinTCP login with another certificate (or none)
    /// gets Login Rejected `A` (not authorized) and is closed; its own certificate logs in.
    func testMutualTLSBindsAnOUCHUserToItsCertificate() throws {
        var c = configuration(mutual: true)
        c.ouch.users[0].certificateSubject = "CN=CLIENT1,O=CIFT test"
        let gateway = try GatewayServer(configuration: c)
        defer { gateway.stop() }
        let login = SoupBinTCPEncoder.bytes {
            SoupBinTCPLoginRequest(username: "OUCH01", password: "demo", requestedSession: "", requestedSequenceNumber: 1,
                                   heartbeatTimeoutMilliseconds: 30_000).encode($0)
        }
        let rejected: [UInt8] = [0x00, 0x02, UInt8(ascii: "J"), UInt8(ascii: "A")]
        let wrong = try TLSTestConnection(port: gateway.ouchTLSPort!, context: client("client2"))
        XCTAssertEqual(wrong.handshake(), .established)
        wrong.send(login)
        XCTAssertTrue(wrong.waitFor { $0.starts(with: rejected) }, hex(wrong.plaintext))
        XCTAssertTrue(wrong.waitForClose())
        let right = try TLSTestConnection(port: gateway.ouchTLSPort!, context: client("client1"))
        XCTAssertEqual(right.handshake(), .established)
        right.send(login)
        XCTAssertTrue(right.waitFor { $0.count >= 3 && $0[2] == UInt8(ascii: "A") }, hex(right.plaintext))
        // Plain TCP has no certificate: refused too.
        let plain = try OUCHTestClient(port: gateway.ouchPort)
        plain.login("OUCH01")
        XCTAssertEqual(plain.next(), .loginRejected(UInt8(ascii: "A")))
        // Another user, not bound, still logs in over plain TCP.
        let other = try OUCHTestClient(port: gateway.ouchPort)
        XCTAssertNotNil(other.loginAccepted("OUCH02"))
    }

    // MARK: Bad input; every other session keeps working

    func testBadInputIsRefusedAndOtherSessionsKeepWorking() throws {
        let gateway = try GatewayServer(configuration: configuration(mutual: true))
        defer { gateway.stop() }
        let bystander = try OUCHTestClient(port: gateway.ouchPort)
        bystander.loginAccepted("OUCH02")
        var bystanderRef: UInt32 = 0
        func bystanderStillServed(_ line: UInt = #line) {
            bystanderRef += 1
            bystander.send(OUCHEnterOrder.limit(bystanderRef, OUCHSide.buy, 100, "MSFT", 1_000_000))
            guard case .orderAccepted = bystander.nextMessage() else { return XCTFail("bystander served", line: line) }
        }

        // Plain text on the TLS port.
        let plainText = try TLSTestConnection(port: gateway.ouchTLSPort!, context: client("client1"))
        plainText.sendRaw(Array("8=FIX.4.4\u{1}9=5\u{1}35=A\u{1}10=000\u{1}".utf8))
        XCTAssertTrue(plainText.waitForClose(), "plain text on a TLS port is closed")
        bystanderStillServed()

        // A handshake that stalls: a ClientHello cut short, then nothing.
        let stalled = try TLSTestConnection(port: gateway.ouchTLSPort!, context: client("client1"))
        _ = stalled.session.start()
        var hello: [UInt8] = []
        stalled.session.drainOutput { hello += $0 }
        stalled.sendRaw(Array(hello.prefix(20)))
        XCTAssertTrue(stalled.waitForClose(seconds: 5), "closed after the handshake timeout")
        bystanderStillServed()

        // A client certificate from another CA. (Under TLS 1.3 the client may consider
        // the handshake done before the gateway has checked its certificate; either way
        // the gateway closes the connection and nothing it sends is read.)
        let foreign = try TLSTestConnection(port: gateway.ouchTLSPort!, context: client("other-client"))
        foreign.handshake()
        foreign.send(SoupBinTCPEncoder.bytes {
            SoupBinTCPLoginRequest(username: "OUCH03", password: "demo", requestedSession: "", requestedSequenceNumber: 1,
                                   heartbeatTimeoutMilliseconds: 30_000).encode($0)
        })
        XCTAssertTrue(foreign.waitForClose())
        XCTAssertTrue(foreign.plaintext.isEmpty, "no Login Accepted for an untrusted certificate")
        bystanderStillServed()

        // A truncated record: a logged-in TLS user sends half a record and goes quiet; the
        // record never completes, so nothing is read from it, and a corrupted one closes it.
        let truncated = try TLSTestConnection(port: gateway.ouchTLSPort!, context: client("client1"))
        XCTAssertEqual(truncated.handshake(), .established)
        _ = SoupBinTCPEncoder.bytes {
            SoupBinTCPLoginRequest(username: "OUCH03", password: "demo", requestedSession: "", requestedSequenceNumber: 1,
                                   heartbeatTimeoutMilliseconds: 30_000).encode($0)
        }.withUnsafeBytes { truncated.session.write($0) }
        var record: [UInt8] = []
        truncated.session.drainOutput { record += $0 }
        truncated.sendRaw(Array(record.prefix(record.count / 2)))
        XCTAssertFalse(truncated.waitFor(seconds: 0.5) { !$0.isEmpty }, "half a record is not a login")
        var corrupted = Array(record.suffix(from: record.count / 2))
        corrupted[corrupted.count - 2] ^= 0xFF
        truncated.sendRaw(corrupted)
        XCTAssertTrue(truncated.waitForClose(), "a corrupted record closes the connection")
        bystanderStillServed()
        XCTAssertFalse(gateway.hasFailed)
    }

    // MARK: Reload

    func testCertificatesReloadForNewConnectionsWithoutARestart() throws {
        let c = configuration()
        let gateway = try GatewayServer(configuration: c)
        defer { gateway.stop() }
        let before = try TLSTestConnection(port: gateway.ouchTLSPort!, context: client())
        XCTAssertEqual(before.handshake(), .established)
        XCTAssertEqual(before.session.peerSubject, "CN=localhost,O=CIFT test")
        // A new certificate for the same name, from the same CA, in the configured files.
        let renew = try ChildProcess(path: "/bin/bash", arguments: ["-c", """
            cd '\(pki)' && openssl req -newkey rsa:2048 -nodes -keyout new.key -out new.csr -subj '/O=CIFT renewed/CN=localhost' 2>/dev/null \
            && printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > new.ext \
            && openssl x509 -req -in new.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out new.pem -days 30 -extfile new.ext 2>/dev/null \
            && cp new.pem server.pem && cp new.key server.key
            """])
        XCTAssertEqual(renew.waitForExit(seconds: 60), 0, renew.standardError)
        try gateway.reloadCertificates()
        var renewed = false
        for _ in 0..<50 where !renewed {
            let after = try TLSTestConnection(port: gateway.ouchTLSPort!, context: client())
            XCTAssertEqual(after.handshake(), .established)
            renewed = after.session.peerSubject == "CN=localhost,O=CIFT renewed"
            if !renewed { usleep(20_000) }
        }
        XCTAssertTrue(renewed, "new connections get the new certificate")
        // An unreadable file is an error and the old certificate stays.
        try FileManager.default.removeItem(atPath: pki + "/server.key")
        XCTAssertThrowsError(try gateway.reloadCertificates()) { error in
            XCTAssertTrue("\(error)".contains("server.key"), "\(error)")
        }
        let still = try TLSTestConnection(port: gateway.ouchTLSPort!, context: client())
        XCTAssertEqual(still.handshake(), .established)
    }

    func testAnExpiredCertificateIsAStartUpErrorNamingTheFile() throws {
        var c = configuration()
        c.tls.certificate = pki + "/expired.pem"
        c.tls.privateKey = pki + "/expired.key"
        XCTAssertThrowsError(try GatewayServer(configuration: c)) { error in
            XCTAssertTrue("\(error)".contains("expired.pem") && "\(error)".contains("expired"), "\(error)")
        }
    }
}
