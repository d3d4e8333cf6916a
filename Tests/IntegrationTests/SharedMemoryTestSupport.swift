import Foundation
import GatewayCore
import Rings
import XCTest

/// The test's side of the shared-memory rings (specs/shm-ring.md), in Swift: writes
/// signals-ring records as the Python package does and reads the fills ring.
final class SharedMemoryTestClient {
    let signals: SharedMemoryRing
    let fills: SharedMemoryRing

    init(signalsPath: String, fillsPath: String) throws {
        signals = try SharedMemoryRing.attach(path: signalsPath, kind: .signals)
        fills = try SharedMemoryRing.attach(path: fillsPath, kind: .fills)
    }

    /// Publishes one record built by `fill` (bytes 8… of the slot); returns its sequence.
    @discardableResult
    func publish(_ fill: (UnsafeMutableRawBufferPointer) -> Void) -> UInt64 {
        XCTAssertTrue(signals.tryPublish(fill), "the signals ring has room")
        return signals.producerIndex
    }

    static func putName(_ slot: UnsafeMutableRawBufferPointer, _ offset: Int, _ name: String) {
        let bytes = Array(name.utf8)
        for i in 0..<8 { slot[offset + i] = i < bytes.count ? bytes[i] : 0x20 }
    }

    @discardableResult
    func setLimit(_ account: String, _ limit: RiskLimit, _ value: Int64, symbol: String? = nil, tag: UInt64 = 0) -> UInt64 {
        publish { slot in
            slot[8] = 2
            slot[9] = limit.rawValue
            Self.putName(slot, 16, account)
            slot.storeBytes(of: value.littleEndian, toByteOffset: 24, as: Int64.self)
            if let symbol { Self.putName(slot, 32, symbol) }
            slot.storeBytes(of: tag.littleEndian, toByteOffset: 48, as: UInt64.self)
        }
    }

    @discardableResult
    func killSwitch(_ account: String, _ on: Bool) -> UInt64 {
        publish { slot in
            slot[8] = 3
            slot[9] = on ? 1 : 0
            Self.putName(slot, 16, account)
        }
    }

    @discardableResult
    func referencePrice(_ symbol: String, _ price: Int64) -> UInt64 {
        publish { slot in
            slot[8] = 4
            Self.putName(slot, 16, symbol)
            slot.storeBytes(of: price.littleEndian, toByteOffset: 32, as: Int64.self)
        }
    }

    /// A signal: position target (`side` nil, signed `target`) or quantity target.
    @discardableResult
    func signal(_ symbol: String, target: Int64, price: Int64, side: Side? = nil, aggressive: Bool = false,
                ttlMilliseconds: UInt32 = 0, created: Int64 = SystemClock().now().rawValue, kind: UInt8 = 1,
                tag: UInt64 = 0) -> UInt64 {
        publish { slot in
            slot[8] = kind
            slot[9] = side == nil ? 2 : 1
            slot[10] = side?.rawValue ?? 0
            slot[11] = aggressive ? 1 : 0
            slot.storeBytes(of: UInt32(7).littleEndian, toByteOffset: 12, as: UInt32.self)
            Self.putName(slot, 16, symbol)
            slot.storeBytes(of: target.littleEndian, toByteOffset: 24, as: Int64.self)
            slot.storeBytes(of: price.littleEndian, toByteOffset: 32, as: Int64.self)
            slot.storeBytes(of: ttlMilliseconds.littleEndian, toByteOffset: 40, as: UInt32.self)
            slot.storeBytes(of: tag.littleEndian, toByteOffset: 48, as: UInt64.self)
            slot.storeBytes(of: created.littleEndian, toByteOffset: 56, as: Int64.self)
        }
    }

    /// One fills-ring record, as fields.
    struct Record: Equatable {
        var kind: UInt8
        var byte9: UInt8
        var reason: UInt16
        var symbol: String
        var value24: Int64
        var price32: Int64
        var value40: UInt64
        var tag: UInt64
    }

    /// The next fills record, waiting at most `seconds`.
    func next(seconds: Double = 10) -> Record? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let slot = fills.peek() {
                var name = ""
                for i in 16..<24 where slot[i] != 0x20 { name.append(Character(UnicodeScalar(slot[i]))) }
                let record = Record(
                    kind: slot[8], byte9: slot[9], reason: slot.loadUnaligned(fromByteOffset: 10, as: UInt16.self).littleEndian,
                    symbol: name, value24: slot.loadUnaligned(fromByteOffset: 24, as: Int64.self).littleEndian,
                    price32: slot.loadUnaligned(fromByteOffset: 32, as: Int64.self).littleEndian,
                    value40: slot.loadUnaligned(fromByteOffset: 40, as: UInt64.self).littleEndian,
                    tag: slot.loadUnaligned(fromByteOffset: 48, as: UInt64.self).littleEndian)
                fills.consume()
                return record
            }
            usleep(200)
        }
        return nil
    }

    /// Waits for the acknowledgement (kind 1) of signals record `sequence`, skipping
    /// other records; fails on a rejection of it.
    func expectAcknowledgement(_ sequence: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        while let record = next() {
            if record.value40 == sequence && (record.kind == 1 || record.kind == 2) {
                XCTAssertEqual(record.kind, 1, "record \(sequence) refused with reason \(record.reason)", file: file, line: line)
                return
            }
        }
        XCTFail("no answer to signals record \(sequence)", file: file, line: line)
    }

    /// Waits for the rejection (kind 2) of signals record `sequence`; returns its reason.
    func expectRejection(_ sequence: UInt64, file: StaticString = #filePath, line: UInt = #line) -> UInt16? {
        while let record = next() {
            if record.value40 == sequence && (record.kind == 1 || record.kind == 2) {
                XCTAssertEqual(record.kind, 2, "record \(sequence) was applied", file: file, line: line)
                return record.reason
            }
        }
        XCTFail("no answer to signals record \(sequence)", file: file, line: line)
        return nil
    }
}

/// The repository's Python package, for tests that run a real Python producer.
let pythonPackagePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("python").path

/// Runs `script` with python3 (the package on its path); returns its output lines.
func runPython(_ script: String, seconds: Double = 60, file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
    let process = try ChildProcess(path: "/usr/bin/python3", arguments: ["-c", "import sys; sys.path.insert(0, '\(pythonPackagePath)')\n" + script])
    let status = process.waitForExit(seconds: seconds)
    XCTAssertEqual(status, 0, process.standardError + process.outputLines.joined(separator: "\n"), file: file, line: line)
    return process.outputLines
}
