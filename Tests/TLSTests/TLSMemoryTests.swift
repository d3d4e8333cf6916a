import CCiftTLS
import Foundation
import TLS
import XCTest

/// OpenSSL's memory functions (Sources/CCiftTLS/cift_tls_memory.c): installed, correct
/// for every size and through realloc, and serving a record's blocks from the thread's
/// cache once warm.
final class TLSMemoryTests: XCTestCase {
    func testOpenSSLTookTheGatewaysMemoryFunctions() {
        XCTAssertTrue(TLSMemory.isInstalled)
    }

    /// Fills `count` bytes with a pattern keyed by `seed`, and checks one.
    private func fill(_ pointer: UnsafeMutableRawPointer, _ count: Int, seed: UInt8) {
        for i in 0..<count { pointer.storeBytes(of: UInt8(truncatingIfNeeded: i &* 31 &+ Int(seed)), toByteOffset: i, as: UInt8.self) }
    }
    private func holds(_ pointer: UnsafeMutableRawPointer, _ count: Int, seed: UInt8) -> Bool {
        (0..<count).allSatisfy { pointer.load(fromByteOffset: $0, as: UInt8.self) == UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }

    func testBlocksOfEverySizeAreUsableAlignedAndApart() {
        let sizes = [1, 16, 40, 63, 64, 65, 128, 200, 256, 257, 511, 512, 513, 4_096, 100_000]
        var blocks: [(UnsafeMutableRawPointer, Int)] = []
        for (n, size) in sizes.enumerated() {
            guard let p = CRYPTO_malloc(size, #file, #line) else { return XCTFail("CRYPTO_malloc(\(size)) failed") }
            XCTAssertEqual(Int(bitPattern: p) % 16, 0, "malloc's alignment for \(size) bytes")
            fill(p, size, seed: UInt8(n))
            blocks.append((p, size))
        }
        for (n, (p, size)) in blocks.enumerated() {
            XCTAssertTrue(holds(p, size, seed: UInt8(n)), "\(size) bytes kept (no block overlaps another)")
            CRYPTO_free(p, #file, #line)
        }
        // Freed small blocks come back, zeroed by zalloc like fresh ones.
        guard let z = CRYPTO_zalloc(48, #file, #line) else { return XCTFail("CRYPTO_zalloc failed") }
        XCTAssertTrue((0..<48).allSatisfy { z.load(fromByteOffset: $0, as: UInt8.self) == 0 })
        CRYPTO_free(z, #file, #line)
    }

    func testReallocKeepsTheContentAcrossClassesAndIntoLargeBlocks() {
        // small → same class → bigger class → large → larger → small again
        let steps = [10, 60, 100, 300, 600, 70_000, 200_000, 30]
        guard var p = CRYPTO_malloc(steps[0], #file, #line) else { return XCTFail("CRYPTO_malloc failed") }
        fill(p, steps[0], seed: 7)
        var valid = steps[0]
        for size in steps.dropFirst() {
            guard let q = CRYPTO_realloc(p, size, #file, #line) else { return XCTFail("CRYPTO_realloc(\(size)) failed") }
            let kept = min(valid, size)
            XCTAssertTrue(holds(q, kept, seed: 7), "realloc to \(size) kept the first \(kept) bytes")
            fill(q, size, seed: 7)
            p = q
            valid = size
        }
        CRYPTO_free(p, #file, #line)
        XCTAssertNil(CRYPTO_realloc(nil, 0, #file, #line).flatMap { p in CRYPTO_free(p, #file, #line); return nil as UnsafeMutableRawPointer? })
    }

    func testABlockFreedOnAnotherThreadIsFine() {
        guard let p = CRYPTO_malloc(40, #file, #line) else { return XCTFail("CRYPTO_malloc failed") }
        fill(p, 40, seed: 3)
        let address = UInt(bitPattern: p)
        let done = expectation(description: "freed on another thread")
        nonisolated(unsafe) var outcome = (intact: false, reused: false)
        let thread = Thread {
            let q = UnsafeMutableRawPointer(bitPattern: address)!
            let intact = (0..<40).allSatisfy { q.load(fromByteOffset: $0, as: UInt8.self) == UInt8(truncatingIfNeeded: $0 &* 31 &+ 3) }
            // This thread's cache starts once it has allocated (before that, a free goes
            // to libc, and whether libc hands the block back is libc's business).
            if let warm = CRYPTO_malloc(8, #file, #line) { CRYPTO_free(warm, #file, #line) }
            CRYPTO_free(q, #file, #line)
            // The other thread's cache now holds it on top and serves it back.
            let again = CRYPTO_malloc(40, #file, #line)
            let reused = again.map { UInt(bitPattern: $0) } == address
            if let again { CRYPTO_free(again, #file, #line) }
            outcome = (intact, reused)
            done.fulfill()
        }
        thread.start()
        wait(for: [done], timeout: 10)
        XCTAssertTrue(outcome.intact, "the block's bytes arrived intact on the other thread")
        XCTAssertTrue(outcome.reused, "the other thread's cache served the block back")
    }

    /// OpenSSL 3.0 asks for small blocks on every record; once the pair has warmed up,
    /// every one of them comes from the thread's cache, none from malloc.
    func testRecordsAfterTheHandshakeAreServedFromTheCache() throws {
        let pki = TLSSessionTests.pki
        let server = try TLSSession(context: TLSContext(server: TLSConfiguration(
            certificatePath: pki + "/server.pem", privateKeyPath: pki + "/server.key")))
        let client = try TLSSession(context: TLSContext(clientTrusting: pki + "/ca.pem"))
        _ = client.start()
        for _ in 0..<20 where client.hasOutput || server.hasOutput {
            client.drainOutput { bytes in _ = server.receive(bytes) { _ in } }
            server.drainOutput { bytes in _ = client.receive(bytes) { _ in } }
        }
        XCTAssertTrue(server.isEstablished && client.isEstablished)
        let message = [UInt8](repeating: 0x41, count: 50)
        var wire = [UInt8](repeating: 0, count: 1 << 16)
        func roundTrip() {
            var used = 0
            _ = message.withUnsafeBytes { client.write($0) }
            client.drainOutput { bytes in
                wire.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: used).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
                used += bytes.count
            }
            var received = 0
            _ = wire.withUnsafeBytes { server.receive(UnsafeRawBufferPointer(rebasing: $0[0..<used])) { received += $0.count } }
            XCTAssertEqual(received, message.count)
        }
        for _ in 0..<100 { roundTrip() }
        let before = TLSMemory.threadStatistics
        let records = 1_000
        for _ in 0..<records { roundTrip() }
        let after = TLSMemory.threadStatistics
        XCTAssertGreaterThanOrEqual(after.requests - before.requests, UInt64(records), "OpenSSL asks for memory on every record")
        XCTAssertEqual(after.libcAllocations, before.libcAllocations, "no record's block came from malloc")
        XCTAssertEqual(after.cacheHits - before.cacheHits, after.requests - before.requests)
    }
}
