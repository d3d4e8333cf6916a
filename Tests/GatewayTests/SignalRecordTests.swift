@testable import Gateway
import GatewayCore
import XCTest

/// Signals-ring records decoded by the bridge: every producer-written field is any
/// value a local process chose, so extreme values are refusals (specs/shm-ring.md,
/// 1005 stale / 1006 invalid field), never a trap. The two records below trapped the
/// gateway on every start until the ring file was deleted.
final class SignalRecordTests: XCTestCase {
    let now = Timestamp(rawValue: 1_800_000_000_000_000_000)
    let origin = OrderOrigin(source: 9, session: 0, connection: 0)
    let symbolKey = SignalRecord.nameKey("AAPL".utf8)!

    private func signal(
        target type: SignalTarget = .position, value: Int64, price: Int64 = 1_000_000, ttl: UInt32 = 0,
        created: Int64 = 0
    ) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 64)
        bytes.withUnsafeMutableBytes { p in
            p.storeBytes(of: UInt64(1).littleEndian, toByteOffset: 0, as: UInt64.self)
            p[SignalRecord.Offset.kind] = SignalRecord.Kind.signal.rawValue
            p[SignalRecord.Offset.byte9] = type.rawValue
            p[SignalRecord.Offset.byte10] = Side.buy.rawValue
            for (i, b) in "AAPL    ".utf8.enumerated() { p[SignalRecord.Offset.name16 + i] = b }
            p.storeBytes(of: value.littleEndian, toByteOffset: SignalRecord.Offset.value24, as: Int64.self)
            p.storeBytes(of: price.littleEndian, toByteOffset: SignalRecord.Offset.price32, as: Int64.self)
            p.storeBytes(of: ttl.littleEndian, toByteOffset: SignalRecord.Offset.ttl, as: UInt32.self)
            p.storeBytes(of: created.littleEndian, toByteOffset: SignalRecord.Offset.created, as: Int64.self)
        }
        return bytes
    }

    private func decode(_ bytes: [UInt8]) -> SignalRecord.Outcome {
        bytes.withUnsafeBytes {
            SignalRecord.decode(
                $0, strategyAccount: AccountIndex(rawValue: 1), origin: origin, now: now,
                symbolIndex: { $0 == self.symbolKey ? SymbolIndex(rawValue: 1) : nil }, accountIndex: { _ in nil })
        }
    }

    private func refusal(_ outcome: SignalRecord.Outcome) -> SignalRecord.Refusal? {
        if case .refused(let r) = outcome { return r }
        return nil
    }

    func testPositionTargetAtInt64MinIsAnInvalidFieldNotATrap() {
        XCTAssertEqual(refusal(decode(signal(value: .min))), .invalidField)
        XCTAssertEqual(refusal(decode(signal(value: .max))), .invalidField)
        XCTAssertEqual(refusal(decode(signal(value: -Int64(UInt32.max) - 1))), .invalidField)
    }

    func testPositionTargetsWithinRangeBecomeOrders() {
        guard case .command(let short) = decode(signal(value: -Int64(UInt32.max))) else { return XCTFail("refused") }
        XCTAssertEqual(short.side, .sell)
        XCTAssertEqual(short.quantity, UInt32.max)
        guard case .command(let long) = decode(signal(value: 300)) else { return XCTFail("refused") }
        XCTAssertEqual(long.side, .buy)
        XCTAssertEqual(long.quantity, 300)
    }

    func testCreatedTimeAtInt64MinWithATTLIsStaleNotATrap() {
        XCTAssertEqual(refusal(decode(signal(value: 100, ttl: 1, created: .min))), .stale)
        XCTAssertEqual(refusal(decode(signal(value: 100, ttl: .max, created: .min))), .stale)
    }

    func testCreatedTimeInTheFarFutureIsNotStale() {
        // An age below zero is within any TTL; the engine's own gates decide the rest.
        guard case .command = decode(signal(value: 100, ttl: 1, created: .max)) else { return XCTFail("refused") }
        guard case .command = decode(signal(value: 100, ttl: 5, created: now.rawValue - 4_000_000)) else {
            return XCTFail("a fresh signal refused")
        }
        XCTAssertEqual(refusal(decode(signal(value: 100, ttl: 5, created: now.rawValue - 5_000_001))), .stale)
    }
}
