import FIX
import Foundation
import GatewayCore
import Matching
import XCTest
@testable import Gateway

/// The whole replayed state (engine, FIX order table, signals applied, UserRefNum marks)
/// through a snapshot body and back: the loaded state writes the same bytes and, fed the
/// same commands afterwards, stays equal to the one that never stopped
/// (specs/snapshots.md).
final class ReplayedStateSnapshotTests: XCTestCase {
    let configuration: GatewayConfiguration = {
        var c = GatewayConfiguration.embeddedDefault
        c.engine.maxOrders = 1_000
        return c
    }()

    func makeState() throws -> ReplayedState {
        let symbols = Dictionary(uniqueKeysWithValues: configuration.symbolDirectory.map { ($1.name, $0) })
        return ReplayedState(
            engine: MatchingEngine(configuration: try EngineConfiguration(gateway: configuration)),
            fixOrderEntry: try FIXOrderEntry(accounts: [1, 2, 3, 4], symbols: symbols, source: 1),
            bridgeSource: 3)
    }

    /// FIX sessions 1 and 2 and OUCH users 1 and 2 trading AAPL around 100.00: orders,
    /// partial fills, cancels and replaces, some of them still pending.
    func commands(_ range: Range<Int>) -> [Command] {
        range.map { i in
            let fix = i % 2 == 0
            let owner = UInt16(i % 4 / 2 + 1)
            let origin = OrderOrigin(source: 1, session: fix ? owner : GatewayConfiguration.ouchSessionBase + owner - 1, connection: 1)
            let account = AccountIndex(rawValue: owner + (fix ? 0 : 2))
            let id = ClientOrderID(bytes: Array("O\(i)".utf8))!
            let timestamp = Timestamp(rawValue: Int64(i) * 1_000)
            switch i % 7 {
            case 5 where i > 8:
                // Cancel an order of this owner from four commands ago.
                let target = ClientOrderID(bytes: Array("O\(i - 4)".utf8))!
                return Command(kind: .cancel, keyKind: fix ? .clientOrderID : .userReference, account: account, origin: origin,
                               userReference: fix ? 0 : UInt32(i - 4), clientOrderID: id, originalClientOrderID: target,
                               timestamp: timestamp)
            case 6 where i > 8:
                let target = ClientOrderID(bytes: Array("O\(i - 4)".utf8))!
                return Command(kind: .replace, keyKind: fix ? .clientOrderID : .userReference, account: account, origin: origin,
                               quantity: 300, price: Price(raw: 1_000_000 + Int64(i % 3) * 100),
                               userReference: fix ? 0 : UInt32(i), originalUserReference: fix ? 0 : UInt32(i - 4),
                               clientOrderID: id, originalClientOrderID: target, timestamp: timestamp)
            default:
                return Command(kind: .newOrder, side: i % 3 == 0 ? .sell : .buy, keyKind: fix ? .clientOrderID : .userReference,
                               symbol: 1, account: account, origin: origin, quantity: UInt32(100 * (1 + i % 4)),
                               price: Price(raw: 1_000_000 + Int64(i % 5 - 2) * 100), userReference: fix ? 0 : UInt32(i),
                               clientOrderID: id, timestamp: timestamp)
            }
        }
    }

    func testTheLoadedStateWritesTheSameBytesAndHasTheSameFuture() throws {
        let whole = try makeState()
        for (i, command) in commands(0..<400).enumerated() { whole.apply(command, sequence: UInt64(i + 1)) }
        XCTAssertGreaterThan(whole.engine.nextMatchNumber, 10, "orders traded")
        XCTAssertGreaterThan(whole.fixOrderEntry.rememberedOrderCount(session: 0), 0, "the FIX table holds orders")
        let body = whole.writeBody()
        let loaded = try makeState()
        try body.withUnsafeBytes { try loaded.readBody($0) }
        XCTAssertEqual(loaded.writeBody(), body)
        XCTAssertEqual(loaded.engine.snapshotDigest(), whole.engine.snapshotDigest())
        XCTAssertEqual(loaded.highestUserReference, whole.highestUserReference)
        XCTAssertEqual(loaded.fixOrderEntry.rememberedOrderCount(session: 1), whole.fixOrderEntry.rememberedOrderCount(session: 1))

        for (i, command) in commands(400..<800).enumerated() {
            whole.apply(command, sequence: UInt64(401 + i))
            loaded.apply(command, sequence: UInt64(401 + i))
        }
        XCTAssertEqual(loaded.writeBody(), whole.writeBody(), "the same commands after the snapshot leave the same state")
    }

    func testADamagedBodyIsAnError() throws {
        let whole = try makeState()
        for (i, command) in commands(0..<100).enumerated() { whole.apply(command, sequence: UInt64(i + 1)) }
        let body = whole.writeBody()
        for length in stride(from: 0, to: body.count, by: 97) {
            XCTAssertThrowsError(try Array(body[..<length]).withUnsafeBytes { try makeState().readBody($0) }, "cut at \(length)")
        }
        XCTAssertThrowsError(try (body + [0]).withUnsafeBytes { try makeState().readBody($0) }, "a byte after the last section")
    }
}
