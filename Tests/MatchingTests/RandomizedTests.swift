import Foundation
import GatewayCore
import Matching
import XCTest

/// The engine against the reference model (ReferenceModel.swift) on random commands:
/// every event of every command must be identical, the invariants must hold after
/// every command, and the books must agree at every checkpoint.
///
/// `CIFT_RANDOM_COMMANDS` sets the total number of commands (split across the
/// configurations below); `CIFT_RANDOM_SEED` the base seed (printed on failure).
final class RandomizedTests: XCTestCase {
    static var commandCount: Int {
        ProcessInfo.processInfo.environment["CIFT_RANDOM_COMMANDS"].flatMap { Int($0) } ?? 160_000
    }

    static var baseSeed: UInt64 {
        ProcessInfo.processInfo.environment["CIFT_RANDOM_SEED"].flatMap { UInt64($0) } ?? 0xC1F7_2024
    }

    func testRoomyBooksAgreeWithTheReferenceModel() {
        run(
            .test(maxOrders: 400, maxPriceLevelsPerSide: 16), commands: Self.commandCount / 2, seed: Self.baseSeed,
            mustSeeEveryEventKind: true)
    }

    func testTightCapacityAgreesWithTheReferenceModel() {
        // Small limits: capacity rejects, replaces refused for want of a level, slots reused.
        run(.test(maxOrders: 24, maxPriceLevelsPerSide: 3), commands: Self.commandCount / 4, seed: Self.baseSeed &+ 1)
    }

    func testSingleSlotAndLevelAgreeWithTheReferenceModel() {
        run(.test(maxOrders: 1, maxPriceLevelsPerSide: 1), commands: Self.commandCount / 4, seed: Self.baseSeed &+ 2)
    }

    private func run(
        _ configuration: EngineConfiguration, commands: Int, seed: UInt64, mustSeeEveryEventKind: Bool = false
    ) {
        let engine = MatchingEngine(configuration: configuration)
        let model = ReferenceModel(configuration)
        var source = RandomCommands(seed: seed, configuration: configuration)
        var recorder = EventRecorder()
        var kinds = [EventKind: Int]()
        // Check invariants after every command in small runs, at intervals in long ones
        // (the checker walks the whole pool and key map).
        let invariantInterval = commands <= 100_000 ? 1 : 97
        for index in 0..<commands {
            let command = source.next(for: engine)
            let sequence = UInt64(index + 1)
            engine.process(command, sequence: sequence, into: &recorder)
            let actual = recorder.take()
            let expected = model.process(command, sequence: sequence)
            if actual != expected {
                assertEvents(actual, expected)
                XCTFail("seed \(seed), command \(index + 1): \(command)")
                return
            }
            for event in actual { kinds[event.kind, default: 0] += 1 }
            if index % invariantInterval == 0 {
                do {
                    try engine.checkInvariants()
                } catch {
                    XCTFail("seed \(seed), command \(index + 1): \(error)")
                    return
                }
            }
            if index % 500 == 0 || index == commands - 1 {
                guard booksAgree(engine, model, configuration, at: index + 1, seed: seed) else { return }
            }
        }
        // The run must have exercised every kind of event, or it proves little.
        // (riskUpdated answers risk commands, which these streams do not carry: RiskTests.)
        for kind in EventKind.allCases where mustSeeEveryEventKind && commands >= 5_000 && kind != .riskUpdated {
            XCTAssertGreaterThan(kinds[kind] ?? 0, 0, "no \(kind) event in \(commands) commands")
        }
    }

    private func booksAgree(
        _ engine: MatchingEngine, _ model: ReferenceModel, _ configuration: EngineConfiguration, at index: Int,
        seed: UInt64
    ) -> Bool {
        for position in configuration.symbols.indices {
            let symbol = SymbolIndex(rawValue: UInt16(position + 1))
            for side in Side.allCases {
                let actual = engine.orders(symbol: symbol, side: side)
                let expected = model.orders(symbol: symbol, side: side)
                if actual != expected {
                    XCTFail("seed \(seed), after command \(index): \(symbol) \(side) book differs\n"
                        + "engine: \(actual)\nmodel: \(expected)")
                    return false
                }
            }
        }
        XCTAssertEqual(engine.nextOrderReference, model.nextReference)
        XCTAssertEqual(engine.nextMatchNumber, model.nextMatch)
        XCTAssertEqual(engine.isMarketOpen, model.marketOpen)
        return true
    }
}
