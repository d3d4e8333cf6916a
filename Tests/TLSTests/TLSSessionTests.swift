import Foundation
import TLS
import XCTest

/// The TLS module on its own: two sessions in memory, pumped into each other.
final class TLSSessionTests: XCTestCase {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let pki: String = {
        let dir = NSTemporaryDirectory() + "tls-tests-" + UUID().uuidString
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/bin/bash")
        script.arguments = [checkout.appendingPathComponent("scripts/make-test-certificates.sh").path, dir]
        script.standardOutput = FileHandle.nullDevice
        try! script.run()
        script.waitUntilExit()
        precondition(script.terminationStatus == 0, "scripts/make-test-certificates.sh failed")
        return dir
    }()
    var pki: String { Self.pki }

    func server(mutual: Bool = false) throws -> TLSContext {
        try TLSContext(server: TLSConfiguration(
            certificatePath: pki + "/server.pem", privateKeyPath: pki + "/server.key",
            clientCAPath: mutual ? pki + "/ca.pem" : nil))
    }

    /// Moves ciphertext both ways until neither side has any; returns what each side
    /// decrypted and the last outcomes.
    func pump(_ client: TLSSession, _ server: TLSSession) -> (client: [UInt8], server: [UInt8], TLSSession.Outcome, TLSSession.Outcome) {
        var toClient: [UInt8] = []
        var toServer: [UInt8] = []
        var clientPlain: [UInt8] = []
        var serverPlain: [UInt8] = []
        var clientOutcome = TLSSession.Outcome.handshaking
        var serverOutcome = TLSSession.Outcome.handshaking
        for _ in 0..<20 {
            client.drainOutput { toServer += $0 }
            if !toServer.isEmpty {
                serverOutcome = toServer.withUnsafeBytes { server.receive($0) { serverPlain += $0 } }
                toServer = []
            }
            server.drainOutput { toClient += $0 }
            if !toClient.isEmpty {
                clientOutcome = toClient.withUnsafeBytes { client.receive($0) { clientPlain += $0 } }
                toClient = []
            }
            if !client.hasOutput && !server.hasOutput { break }
        }
        return (clientPlain, serverPlain, clientOutcome, serverOutcome)
    }

    func testHandshakeAndDataBothWaysWithTLS13() throws {
        let server = try TLSSession(context: server())
        let client = try TLSSession(context: TLSContext(clientTrusting: pki + "/ca.pem"))
        XCTAssertEqual(client.start(), .handshaking)
        _ = pump(client, server)
        XCTAssertTrue(server.isEstablished && client.isEstablished)
        XCTAssertEqual(server.protocolVersion, "TLSv1.3")
        XCTAssertNil(server.peerSubject, "no client certificate without mutual TLS")
        XCTAssertTrue(Array("8=FIX.4.4|hello".utf8).withUnsafeBytes { client.write($0) })
        XCTAssertTrue(Array("welcome".utf8).withUnsafeBytes { server.write($0) })
        let (clientGot, serverGot, _, _) = pump(client, server)
        XCTAssertEqual(String(decoding: serverGot, as: UTF8.self), "8=FIX.4.4|hello")
        XCTAssertEqual(String(decoding: clientGot, as: UTF8.self), "welcome")
    }

    /// A handler answers the first of two messages that came in one record while it still
    /// reads the second from the plaintext it was given: the answer's ciphertext must not
    /// land in that plaintext (it did when one scratch buffer served both: a FIX Logon's
    /// refusal garbled the SenderCompID read after it, and a pipelined second message).
    func testAnsweringInsideTheReceiveCallbackLeavesThePlaintextIntact() throws {
        let server = try TLSSession(context: server())
        let client = try TLSSession(context: TLSContext(clientTrusting: pki + "/ca.pem"))
        _ = client.start()
        _ = pump(client, server)
        let sent = Array("8=FIX.4.4|35=A|first;8=FIX.4.4|35=D|second".utf8)
        XCTAssertTrue(sent.withUnsafeBytes { client.write($0) })
        var toServer: [UInt8] = []
        client.drainOutput { toServer += $0 }
        var before: [UInt8] = [], after: [UInt8] = []
        _ = toServer.withUnsafeBytes { ciphertext in
            server.receive(ciphertext) { plaintext in
                before += plaintext
                // The answer to the first message goes out now, as a handler's send does.
                _ = Array(repeating: UInt8(ascii: "x"), count: 200).withUnsafeBytes { server.write($0) }
                server.drainOutput { _ in }
                after += plaintext
            }
        }
        XCTAssertEqual(before, sent)
        XCTAssertEqual(after, sent, "the plaintext handed to the callback stays valid for the whole call")
    }

    func testMutualTLSGivesTheClientSubject() throws {
        let server = try TLSSession(context: server(mutual: true))
        let client = try TLSSession(context: TLSContext(
            clientTrusting: pki + "/ca.pem", certificatePath: pki + "/client1.pem", privateKeyPath: pki + "/client1.key"))
        _ = client.start()
        _ = pump(client, server)
        XCTAssertTrue(server.isEstablished)
        XCTAssertEqual(server.peerSubject, "CN=CLIENT1,O=CIFT test")
    }

    func testClientCertificateFromAnotherCAIsRefused() throws {
        let server = try TLSSession(context: server(mutual: true))
        let client = try TLSSession(context: TLSContext(
            clientTrusting: pki + "/ca.pem", certificatePath: pki + "/other-client.pem", privateKeyPath: pki + "/other-client.key"))
        _ = client.start()
        let (_, _, _, serverOutcome) = pump(client, server)
        guard case .failed(let reason) = serverOutcome else { return XCTFail("\(serverOutcome)") }
        XCTAssertTrue(reason.contains("certificate"), reason)
        XCTAssertFalse(server.isEstablished)
    }

    func testNoClientCertificateIsRefusedUnderMutualTLS() throws {
        let server = try TLSSession(context: server(mutual: true))
        let client = try TLSSession(context: TLSContext(clientTrusting: pki + "/ca.pem"))
        _ = client.start()
        let (_, _, _, serverOutcome) = pump(client, server)
        guard case .failed = serverOutcome else { return XCTFail("\(serverOutcome)") }
    }

    func testPlainTextOnATLSConnectionFails() throws {
        let server = try TLSSession(context: server())
        let outcome = Array("8=FIX.4.4\u{1}9=5\u{1}35=A\u{1}".utf8).withUnsafeBytes { server.receive($0) { _ in } }
        guard case .failed = outcome else { return XCTFail("\(outcome)") }
    }

    func testARecordCutShortWaitsAndACorruptedOneFails() throws {
        let server = try TLSSession(context: server())
        let client = try TLSSession(context: TLSContext(clientTrusting: pki + "/ca.pem"))
        _ = client.start()
        _ = pump(client, server)
        XCTAssertTrue(Array("order".utf8).withUnsafeBytes { client.write($0) })
        var record: [UInt8] = []
        client.drainOutput { record += $0 }
        var got: [UInt8] = []
        // Half a record: nothing yet, no failure.
        XCTAssertEqual(record[..<(record.count / 2)].withUnsafeBytes { server.receive($0) { got += $0 } }, .open)
        XCTAssertTrue(got.isEmpty)
        XCTAssertEqual(record[(record.count / 2)...].withUnsafeBytes { server.receive($0) { got += $0 } }, .open)
        XCTAssertEqual(String(decoding: got, as: UTF8.self), "order")
        // A record whose bytes were changed fails authentication.
        XCTAssertTrue(Array("again".utf8).withUnsafeBytes { client.write($0) })
        record = []
        client.drainOutput { record += $0 }
        record[record.count - 3] ^= 0xFF
        let outcome = record.withUnsafeBytes { server.receive($0) { _ in } }
        guard case .failed = outcome else { return XCTFail("\(outcome)") }
    }

    func testBadFilesAreStartUpErrorsNamingTheFile() {
        func failure(_ configuration: TLSConfiguration) -> String {
            do {
                _ = try TLSContext(server: configuration)
                return "no error"
            } catch {
                return error.description
            }
        }
        let missing = failure(TLSConfiguration(certificatePath: pki + "/nope.pem", privateKeyPath: pki + "/server.key"))
        XCTAssertTrue(missing.contains("nope.pem") && missing.contains("cannot be read"), missing)
        let expired = failure(TLSConfiguration(certificatePath: pki + "/expired.pem", privateKeyPath: pki + "/expired.key"))
        XCTAssertTrue(expired.contains("expired.pem") && expired.contains("expired"), expired)
        let mismatch = failure(TLSConfiguration(certificatePath: pki + "/server.pem", privateKeyPath: pki + "/client1.key"))
        XCTAssertTrue(mismatch.contains("client1.key") && (mismatch.contains("mismatch") || mismatch.contains("does not match")), mismatch)
        let notPEM = failure(TLSConfiguration(certificatePath: pki + "/ca.srl", privateKeyPath: pki + "/server.key"))
        XCTAssertTrue(notPEM.contains("ca.srl") && notPEM.contains("not a PEM certificate"), notPEM)
        let badCA = failure(TLSConfiguration(certificatePath: pki + "/server.pem", privateKeyPath: pki + "/server.key",
                                             clientCAPath: pki + "/missing-ca.pem"))
        XCTAssertTrue(badCA.contains("missing-ca.pem"), badCA)
        let badCiphers = failure(TLSConfiguration(certificatePath: pki + "/server.pem", privateKeyPath: pki + "/server.key",
                                                  cipherList: "NOT-A-CIPHER"))
        XCTAssertTrue(badCiphers.contains("NOT-A-CIPHER"), badCiphers)
    }
}
