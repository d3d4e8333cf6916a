import GatewayCore
import Matching
import XCTest
import TestSupport

/// A snapshot plus the commands after it gives the state, and the future, that all the
/// commands give (specs/snapshots.md, "Engine section").
final class EngineSnapshotTests: XCTestCase {
    func commands(_ count: Int, seed: UInt64) -> [Command] {
        let driver = MatchingEngine(configuration: .test())
        var source = RandomCommands(seed: seed, configuration: .test())
        var sink = EventCounter()
        var result: [Command] = []
        for index in 0..<count {
            // Risk commands now and then, so the snapshot carries changed limits, a kill
            // switch and a restriction too.
            let command: Command
            switch index % 97 {
            case 13: command = Command(kind: .riskUpdate, code: RiskLimit.maxOrderQuantity.rawValue, account: 2, price: Price(raw: 50_000))
            case 41: command = Command(kind: .killSwitch, code: UInt8(index / 97 % 2), account: 3, origin: OrderOrigin(source: 1, session: 3, connection: 1))
            case 67: command = Command(kind: .riskUpdate, code: RiskLimit.restrictedSymbol.rawValue, symbol: 2, account: 4, price: Price(raw: Int64(index / 97 % 2)))
            default: command = source.next(for: driver)
            }
            driver.process(command, sequence: UInt64(index + 1), into: &sink)
            result.append(command)
        }
        return result
    }

    func run(_ engine: MatchingEngine, _ commands: ArraySlice<Command>) -> [Event] {
        var recorder = EventRecorder()
        for (offset, command) in zip(commands.indices, commands) {
            engine.process(command, sequence: UInt64(offset + 1), into: &recorder)
        }
        return recorder.events
    }

    func snapshot(_ engine: MatchingEngine) -> [UInt8] {
        var writer = SnapshotWriter()
        engine.writeSnapshot(into: &writer)
        return writer.bytes
    }

    func restored(_ bytes: [UInt8], configuration: EngineConfiguration = .test()) throws -> MatchingEngine {
        let engine = MatchingEngine(configuration: configuration)
        try bytes.withUnsafeBytes { raw in
            var reader = SnapshotReader(raw)
            try engine.restoreSnapshot(from: &reader)
            XCTAssertEqual(reader.remaining, 0)
        }
        return engine
    }

    func testASnapshotAndTheRestGiveWhatTheWholeStreamGives() throws {
        for seed: UInt64 in [3, 11, 2026] {
            let input = commands(6_000, seed: seed)
            let whole = MatchingEngine(configuration: .test())
            _ = run(whole, input[..<3_000])
            let bytes = snapshot(whole)
            let loaded = try restored(bytes)
            XCTAssertGreaterThan(loaded.openOrderCount, 0, "a book to carry over (seed \(seed))")
            XCTAssertEqual(loaded.stateDump(), whole.stateDump())
            XCTAssertEqual(loaded.snapshotDigest(), whole.snapshotDigest())
            XCTAssertEqual(loaded.availableOrderCapacity, whole.availableOrderCapacity)
            // The same future, event for event: priority, references, match numbers, risk.
            XCTAssertEqual(run(loaded, input[3_000...]), run(whole, input[3_000...]), "seed \(seed)")
            XCTAssertEqual(loaded.snapshotDigest(), whole.snapshotDigest())
            // And the restored engine writes the same bytes.
            XCTAssertEqual(snapshot(loaded), snapshot(whole))
        }
    }

    func testTheEngineSectionLayout() throws {
        let configuration = try EngineConfiguration(
            symbols: [.init(name: "AAA", tickSize: Price(raw: 100), lotSize: 1)], accountCount: 1,
            maxOrders: 4, maxPriceLevelsPerSide: 4)
        let engine = MatchingEngine(configuration: configuration)
        var sink = EventCounter()
        engine.process(
            Command(kind: .newOrder, side: .sell, symbol: 1, account: 1,
                    origin: OrderOrigin(source: 1, session: 0x8000, connection: 2), quantity: 300,
                    price: Price(raw: 1_000_000), userReference: 7, timestamp: Timestamp(rawValue: 1)),
            sequence: 1, into: &sink)
        let hex = snapshot(engine).map { String(format: "%02x", $0) }.joined()
        let expected = [
            "0200000000000000", "0100000000000000", "01",  // next reference 2, next match 1, market open
            "01000000", "01000000",  // 1 symbol, 1 account
            "01",  // AAA trading
            "0000000000000000",  // no bids
            "0100000000000000",  // one ask:
            "0100000000000000", "40420f0000000000",  // #1 at 100.0000
            String(repeating: "00", count: 24),  // no ClOrdID
            "01" + "0080" + "02000000",  // origin source 1, session 0x8000, connection 2
            "07000000", "2c010000", "00000000",  // ref 7, open 300, executed 0
            "0100", "02", "00", "00", "01",  // account 1, limit (2), day (0), no flags, UserRefNum key (1)
            String(repeating: "00", count: 8 * 8), "00",  // account 1: seven limits (none), open orders, kill switch off
            String(repeating: "00", count: 24), "00",  // position, open buy, open sell, not restricted
            String(repeating: "00", count: 16),  // reference and last trade price
        ].joined()
        // Open orders and open sell shares follow the accepted order.
        var want = Array(expected)
        func put(_ text: String, at offset: Int) { for (i, c) in text.enumerated() { want[offset * 2 + i] = c } }
        let riskStart = 8 + 8 + 1 + 4 + 4 + 1 + 8 + 8 + MatchingEngineSnapshotLayout.orderBytes
        put("0100000000000000", at: riskStart + 7 * 8)  // open orders 1
        put("2c01000000000000", at: riskStart + 8 * 8 + 1 + 16)  // open sell 300
        XCTAssertEqual(hex, String(want))
    }

    func testDamagedBytesAreAnErrorNeverATrap() throws {
        let input = commands(1_500, seed: 5)
        let whole = MatchingEngine(configuration: .test())
        _ = run(whole, input[...])
        let bytes = snapshot(whole)
        // Every cut is refused.
        for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 200)) {
            XCTAssertThrowsError(try restored(Array(bytes[..<length])), "cut at \(length)")
        }
        // A flipped byte is refused or, where any value is valid (a price, a quantity), loads
        // into an engine whose digest differs; it never traps.
        var random = SplitMix64(seed: 9)
        for _ in 0..<300 {
            var damaged = bytes
            damaged[Int.random(in: 0..<damaged.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
            if let engine = try? restored(damaged) { XCTAssertNotEqual(engine.snapshotDigest(), 0) }
        }
        // A snapshot of another configuration is refused.
        XCTAssertThrowsError(try restored(bytes, configuration: .test(maxOrders: 64, maxPriceLevelsPerSide: 16).withAccounts(5)))
        // Only a new engine takes one.
        XCTAssertThrowsError(try bytes.withUnsafeBytes { raw in
            var reader = SnapshotReader(raw)
            try whole.restoreSnapshot(from: &reader)
        })
    }
}

/// The engine section's order record size, as the layout test counts it.
enum MatchingEngineSnapshotLayout {
    static let orderBytes = 65
}

extension EngineConfiguration {
    /// The test configuration with another account count.
    func withAccounts(_ count: Int) throws -> EngineConfiguration {
        try EngineConfiguration(symbols: symbols, accountCount: count, maxOrders: maxOrders, maxPriceLevelsPerSide: maxPriceLevelsPerSide)
    }
}
