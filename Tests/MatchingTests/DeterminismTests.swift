import GatewayCore
import Matching
import XCTest

final class DeterminismTests: XCTestCase {
    /// Random commands, steered by an engine that processes them as they are made.
    func commands(_ count: Int, seed: UInt64) -> [Command] {
        let driver = MatchingEngine(configuration: .test())
        var source = RandomCommands(seed: seed, configuration: .test())
        var sink = EventCounter()
        return (0..<count).map { index in
            let command = source.next(for: driver)
            driver.process(command, sequence: UInt64(index + 1), into: &sink)
            return command
        }
    }

    func run(_ engine: MatchingEngine, _ commands: ArraySlice<Command>, firstSequence: UInt64) -> [Event] {
        var recorder = EventRecorder()
        for (offset, command) in commands.enumerated() {
            engine.process(command, sequence: firstSequence + UInt64(offset), into: &recorder)
        }
        return recorder.events
    }

    func testTwoEnginesFedTheSameCommandsEmitTheSameEvents() {
        let input = commands(4_000, seed: 42)
        let a = MatchingEngine(configuration: .test())
        let b = MatchingEngine(configuration: .test())
        let eventsA = run(a, input[...], firstSequence: 1)
        let eventsB = run(b, input[...], firstSequence: 1)
        XCTAssertGreaterThan(eventsA.count, input.count)
        // Field for field (Event's padding bytes are not part of its value).
        XCTAssertEqual(eventsA, eventsB)
        XCTAssertEqual(a.stateDump(), b.stateDump())
        XCTAssertEqual(a.snapshotDigest(), b.snapshotDigest())
    }

    func testReplayingAPrefixRebuildsTheSameStateAndTheSameFuture() {
        let input = commands(3_000, seed: 7)
        let live = MatchingEngine(configuration: .test())
        _ = run(live, input[..<2_000], firstSequence: 1)
        // A crash after command 2,000: a new engine replays the journal.
        let recovered = MatchingEngine(configuration: .test())
        var counter = EventCounter()
        for (offset, command) in input[..<2_000].enumerated() {
            recovered.process(command, sequence: UInt64(offset + 1), into: &counter)
        }
        XCTAssertGreaterThan(counter.count, 2_000)
        XCTAssertEqual(recovered.stateDump(), live.stateDump())
        XCTAssertEqual(recovered.snapshotDigest(), live.snapshotDigest())
        XCTAssertEqual(
            run(recovered, input[2_000...], firstSequence: 2_001), run(live, input[2_000...], firstSequence: 2_001))
        XCTAssertEqual(recovered.snapshotDigest(), live.snapshotDigest())
    }

    func testTheDigestSeesEveryChange() {
        let engine = MatchingEngine(configuration: .test())
        var seen = Set<UInt64>([engine.snapshotDigest()])
        var sink = EventCounter()
        let steps: [Command] = [
            limit(.buy, 100, "10.00", ref: 1),
            limit(.buy, 100, "10.00", ref: 2),
            cancel(ref: 1, quantity: 0),
            limit(.sell, 100, "10.01", account: 2, ref: 1),
            modify(account: 2, ref: 1, side: .sell, quantity: 0),
            tradingState(1, .halted),
            systemEvent(.endOfDay),
        ]
        for (index, command) in steps.enumerated() {
            engine.process(command, sequence: UInt64(index + 1), into: &sink)
            XCTAssertTrue(seen.insert(engine.snapshotDigest()).inserted, "digest unchanged by \(command.kind)")
        }
    }
}
