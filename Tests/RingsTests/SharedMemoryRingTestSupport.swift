import Foundation
import Rings
import XCTest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private directory for one test's ring files, removed at the end.
final class ScratchDirectory {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/cift-shm-ring-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            fatalError("mkdtemp failed: errno \(errno)")
        }
        path = String(cString: made)
    }

    func file(_ name: String) -> String {
        path + "/" + name
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The file's bytes, read with read(2), not through any mapping.
func fileBytes(_ path: String, file: StaticString = #filePath, line: UInt = #line) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        XCTFail("cannot read \(path)", file: file, line: line)
        return []
    }
    return [UInt8](data)
}

/// Writes `bytes` at `offset` with pwrite(2), as a foreign (or buggy) process
/// would, bypassing the ring.
func writeRaw(_ path: String, at offset: Int, _ bytes: [UInt8]) {
    let descriptor = open(path, O_RDWR)
    precondition(descriptor >= 0, "open \(path): errno \(errno)")
    defer { close(descriptor) }
    let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress!, $0.count, off_t(offset)) }
    precondition(written == bytes.count, "pwrite \(path): errno \(errno)")
}

/// Writes an integer little-endian at `offset`, bypassing the ring.
func writeRaw<T: FixedWidthInteger>(_ path: String, at offset: Int, _ value: T) {
    writeRaw(path, at: offset, withUnsafeBytes(of: value.littleEndian) { Array($0) })
}

/// Reads a little-endian integer from `bytes` at `offset`.
func readLE<T: FixedWidthInteger>(_ bytes: some Collection<UInt8>, at offset: Int, as _: T.Type = T.self) -> T {
    let slice = Array(bytes.dropFirst(offset).prefix(MemoryLayout<T>.size))
    return T(littleEndian: slice.withUnsafeBytes { $0.loadUnaligned(as: T.self) })
}

/// Bytes from the hex digits in `text` (spaces and newlines ignored).
func hexBytes(_ text: String) -> [UInt8] {
    let digits = text.filter { $0.isHexDigit }
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// The test payload of record `index` (0-based): bytes 8–63 derived from the
/// index, so a record read from the wrong slot or lap fails the check.
func fillPayload(_ slot: UnsafeMutableRawBufferPointer, index: UInt64) {
    for word in 1..<8 {
        slot.storeBytes(of: (index &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(word)).littleEndian, toByteOffset: word * 8, as: UInt64.self)
    }
}

/// Whether `record` holds record `index`: its sequence and `fillPayload`'s bytes.
func isRecord(_ record: UnsafeRawBufferPointer, index: UInt64) -> Bool {
    guard record.count == 64, UInt64(littleEndian: record.loadUnaligned(as: UInt64.self)) == index + 1 else { return false }
    for word in 1..<8 where UInt64(littleEndian: record.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self)) != index &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(word) {
        return false
    }
    return true
}

extension SharedMemoryRing {
    /// Publishes record `index` with `fillPayload`; the index must be the
    /// ring's next.
    func publishTestRecord(_ index: UInt64) -> Bool {
        tryPublish { fillPayload($0, index: index) }
    }
}

/// Asserts that `body` throws exactly `expected`.
func assertRingError<T>(
    _ expected: SharedMemoryRingError, _ body: () throws(SharedMemoryRingError) -> T,
    file: StaticString = #filePath, line: UInt = #line
) {
    do {
        _ = try body()
        XCTFail("expected \(expected), nothing was thrown", file: file, line: line)
    } catch {
        XCTAssertEqual(error, expected, file: file, line: line)
    }
}
