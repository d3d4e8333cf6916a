import Foundation
import TLS

#if canImport(Glibc)
import Glibc
#endif

/// A TLS client connection over a blocking ``TCPSocket``, driven through the gateway's
/// `TLSSession` (memory BIOs): `connect` does the handshake before returning and
/// records its time (TCP connect → established); then `sendAll` is one `SSL_write`
/// (one TLS record per call) and one `send`, and `receive` is one `recv` of
/// ciphertext, decrypted into the caller's buffer. Buffers are allocated once, so a
/// message costs no allocation on the harness side. Used by one thread.
public final class TLSTransport: ByteTransport {
    let socket: TCPSocket
    public let session: TLSSession
    private let ciphertext = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 * 1024, alignment: 64)
    /// TCP connect → TLS established, in nanoseconds.
    public private(set) var handshakeNanoseconds: Int64 = 0

    /// Connects to `address` and runs the handshake (throws unless it finishes within
    /// `timeoutMilliseconds`). The receive timeout stays at that value afterwards.
    public init(connectingTo address: HostPort, context: TLSContext, timeoutMilliseconds: Int = 10_000) throws {
        let start = nowNanoseconds()
        socket = try TCPSocket.connect(to: address)
        do {
            session = try TLSSession(context: context)
        } catch {
            ciphertext.deallocate()
            throw HarnessError("TLS session: \(error)")
        }
        try socket.setReceiveTimeout(milliseconds: timeoutMilliseconds)
        _ = session.start()
        try flushCiphertext()
        while !session.isEstablished {
            guard let n = try socket.receive(into: ciphertext) else {
                throw HarnessError("TLS handshake with \(address): no answer within \(timeoutMilliseconds) ms")
            }
            if n == 0 { throw HarnessError("TLS handshake with \(address): the server closed the connection") }
            let outcome = session.receive(UnsafeRawBufferPointer(rebasing: ciphertext[0..<n])) { _ in }
            try flushCiphertext()
            switch outcome {
            case .failed(let reason): throw HarnessError("TLS handshake with \(address): \(reason)")
            case .closed: throw HarnessError("TLS handshake with \(address): close_notify from the server")
            default: break
            }
        }
        handshakeNanoseconds = nowNanoseconds() - start
    }

    deinit { ciphertext.deallocate() }

    public var fd: Int32 { socket.fd }

    public var protocolVersion: String { session.protocolVersion }

    public func setReceiveTimeout(milliseconds: Int) throws { try socket.setReceiveTimeout(milliseconds: milliseconds) }

    public func sendAll(_ bytes: UnsafeRawBufferPointer) throws {
        guard session.write(bytes) else { throw HarnessError("TLS: SSL_write failed") }
        try flushCiphertext()
    }

    private func flushCiphertext() throws {
        var failed = false
        session.drainOutput { chunk in
            guard !failed else { return }
            do { try socket.sendAll(chunk) } catch { failed = true }
        }
        if failed { throw SocketError("send") }
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws -> Int? {
        // Plaintext is never longer than the ciphertext read plus one partial record
        // (≤ 16 KiB + overhead) held from the last read: read at most what then fits.
        let limit = min(ciphertext.count, buffer.count - 17 * 1024)
        guard limit > 0 else { throw HarnessError("TLS: receive buffer under 18 KiB") }
        while true {
            guard let n = try socket.receive(into: UnsafeMutableRawBufferPointer(rebasing: ciphertext[0..<limit])) else {
                return nil
            }
            if n == 0 { return 0 }
            var produced = 0
            var overflow = false
            let outcome = session.receive(UnsafeRawBufferPointer(rebasing: ciphertext[0..<n])) { plaintext in
                guard produced + plaintext.count <= buffer.count else { overflow = true; return }
                (buffer.baseAddress! + produced).copyMemory(from: plaintext.baseAddress!, byteCount: plaintext.count)
                produced += plaintext.count
            }
            if session.hasOutput { try flushCiphertext() }
            if overflow { throw HarnessError("TLS: more plaintext than the receive buffer holds") }
            switch outcome {
            case .failed(let reason): throw HarnessError("TLS: \(reason)")
            case .closed: return produced
            default: break
            }
            if produced > 0 { return produced }
            // Only part of a record, or a post-handshake message (TLS 1.3 session
            // tickets): read on if more is already there, else report nothing yet.
            var pfd = pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 0) <= 0 { return nil }
        }
    }

    public func shutdown() { socket.shutdown() }

    /// close_notify, then the socket.
    public func close() {
        guard socket.fd >= 0 else { return }
        session.shutdown()
        try? flushCiphertext()
        socket.close()
    }
}

/// The test PKI a TLS run uses (scripts/make-test-certificates.sh): the CA the client
/// trusts and the gateway checks client certificates against, the server's certificate
/// and key, and the client certificate the harness presents.
public struct TLSCertificates: Sendable {
    public var directory: String
    public var ca: String { directory + "/ca.pem" }
    public var serverCertificate: String { directory + "/server.pem" }
    public var serverKey: String { directory + "/server.key" }
    public var clientCertificate: String { directory + "/client1.pem" }
    public var clientKey: String { directory + "/client1.key" }

    public init(directory: String) { self.directory = directory }

    /// Runs `script DIR` (the gateway checkout's scripts/make-test-certificates.sh).
    public static func make(script: String, in directory: String) throws -> TLSCertificates {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, directory]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw HarnessError("\(script) \(directory) failed (status \(process.terminationStatus))") }
        let pki = TLSCertificates(directory: directory)
        for path in [pki.ca, pki.serverCertificate, pki.serverKey, pki.clientCertificate, pki.clientKey]
        where access(path, R_OK) != 0 {
            throw HarnessError("\(script) \(directory) made no \(path)")
        }
        return pki
    }

    /// The gateway's kind of server context (server certificate, client certificates
    /// required), for the TLS floor.
    public func serverContext() throws -> TLSContext {
        do {
            return try TLSContext(server: TLSConfiguration(certificatePath: serverCertificate, privateKeyPath: serverKey, clientCAPath: ca))
        } catch {
            throw HarnessError("TLS server context: \(error)")
        }
    }

    /// A client context trusting the CA and presenting client1's certificate.
    public func clientContext() throws -> TLSContext {
        do {
            return try TLSContext(clientTrusting: ca, certificatePath: clientCertificate, privateKeyPath: clientKey)
        } catch {
            throw HarnessError("TLS client context: \(error)")
        }
    }
}
