import Foundation
import TLS

struct BenchmarkSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The test PKI (scripts/make-test-certificates.sh, run once per process into a
/// temporary directory): the gateway's server certificate, the CA it checks client
/// certificates against, client1's certificate.
enum TestPKI {
    nonisolated(unsafe) static var directory: String?

    static func get() throws -> String {
        if let directory { return directory }
        // perf/Benchmarks/TLSBenchmarks/TLSRig.swift → the repository's scripts/.
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/make-test-certificates.sh").path
        let dir = NSTemporaryDirectory() + "cift-tls-bench-\(getpid())"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, dir]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchmarkSetupError("\(script) \(dir) failed") }
        directory = dir
        return dir
    }
}

/// A client and a server `TLSSession` (the gateway's contexts: TLS 1.2/1.3, its
/// ciphers, client certificate required) connected in memory, handshake done and the
/// server's session tickets delivered; then `messagesPerIteration` messages of
/// `size` bytes go client → server, each its own `write` (one TLS record), as the
/// gateway writes one OUCH/FIX message per `send` (or, with `batch` > 1, that many
/// messages per `write`: what coalescing a turn's messages per connection would give).
/// Buffers allocated here.
final class TLSPairRig: @unchecked Sendable {
    static let messagesPerIteration = 10_000
    let client: TLSSession
    let server: TLSSession
    let size: Int
    let batch: Int
    var records: Int { Self.messagesPerIteration / batch }
    let message: UnsafeMutableRawBufferPointer
    /// The ciphertext of one iteration's messages, back to back, and where each ends.
    let wire: UnsafeMutableRawBufferPointer
    let ends: UnsafeMutableBufferPointer<Int>
    var wireCount = 0
    let version: String

    init(size: Int, batch: Int = 1) throws {
        let pki = try TestPKI.get()
        let serverContext = try TLSContext(server: TLSConfiguration(
            certificatePath: pki + "/server.pem", privateKeyPath: pki + "/server.key", clientCAPath: pki + "/ca.pem"))
        let clientContext = try TLSContext(
            clientTrusting: pki + "/ca.pem", certificatePath: pki + "/client1.pem", privateKeyPath: pki + "/client1.key")
        client = try TLSSession(context: clientContext)
        server = try TLSSession(context: serverContext)
        self.size = size
        self.batch = batch
        message = .allocate(byteCount: size * batch, alignment: 64)
        for i in 0..<size * batch { message[i] = UInt8(truncatingIfNeeded: 0x41 + i % 26) }
        wire = .allocate(byteCount: Self.messagesPerIteration * (size + 64), alignment: 64)
        ends = .allocate(capacity: Self.messagesPerIteration)
        _ = client.start()
        var rounds = 0
        while !(client.isEstablished && server.isEstablished) || client.hasOutput || server.hasOutput {
            rounds += 1
            guard rounds < 20 else { throw BenchmarkSetupError("the in-memory handshake did not finish") }
            try Self.pump(from: client, to: server)
            try Self.pump(from: server, to: client)
        }
        version = client.protocolVersion
        // Warm the pair (BIO buffers grown to their working size).
        for _ in 0..<3 {
            encrypt()
            _ = decrypt()
        }
    }

    static func pump(from a: TLSSession, to b: TLSSession) throws {
        var failure: String?
        a.drainOutput { chunk in
            if case .failed(let reason) = b.receive(chunk, plaintext: { _ in }) { failure = reason }
        }
        if let failure { throw BenchmarkSetupError("handshake: \(failure)") }
    }

    /// Every message: client `write` (one record) and `drainOutput`, the ciphertext
    /// copied out as the gateway copies it into a connection's send buffer.
    @inline(never)
    func encrypt() {
        var offset = 0
        let source = UnsafeRawBufferPointer(message)
        for i in 0..<records {
            _ = client.write(source)
            client.drainOutput { chunk in
                (wire.baseAddress! + offset).copyMemory(from: chunk.baseAddress!, byteCount: chunk.count)
                offset += chunk.count
            }
            ends[i] = offset
        }
        wireCount = offset
    }

    /// Every record, one `receive` each (as one arrives per `recv`); returns a digest
    /// of the plaintext, or -1 on a failure.
    @inline(never)
    func decrypt() -> Int {
        var start = 0
        var digest = 0
        for i in 0..<records {
            let outcome = server.receive(UnsafeRawBufferPointer(rebasing: wire[start..<ends[i]])) { plaintext in
                digest &+= plaintext.count &+ Int(plaintext[plaintext.count - 1])
            }
            if case .failed = outcome { return -1 }
            start = ends[i]
        }
        return digest
    }

    func deallocate() {
        message.deallocate()
        wire.deallocate()
        ends.deallocate()
    }
}
