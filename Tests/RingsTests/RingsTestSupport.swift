import Rings
import XCTest
import TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Iteration counts for the race tests. `CIFT_STRESS_SCALE` multiplies them
/// (default 1, sized so the whole RingsTests suite runs in well under a minute
/// in a debug build on two cores); set it to 10 or 100 for a long soak.
enum Stress {
    static let scale: Double = {
        guard let text = ProcessInfo.processInfo.environment["CIFT_STRESS_SCALE"], let value = Double(text), value > 0 else {
            return 1
        }
        return value
    }()

    /// `base` scaled, at least 1.
    static func count(_ base: Int) -> Int {
        Swift.max(1, Int((Double(base) * scale).rounded()))
    }
}

/// A 64-byte record whose every word is derived from its sequence number, so a
/// slot read before the producer finished writing it (a torn or stale record)
/// fails `isIntact`, not only the order check.
struct Message: Equatable {
    var sequence: UInt64
    var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    init(_ sequence: UInt64) {
        self.sequence = sequence
        words = (
            sequence &* 0x9E37_79B9_7F4A_7C15, ~sequence, sequence ^ 0x5555_5555_5555_5555,
            sequence &+ 1, sequence &* 3, sequence.byteSwapped, sequence &* 0xFF51_AFD7_ED55_8CCD
        )
    }

    var isIntact: Bool {
        self == Message(sequence)
    }

    static func == (lhs: Message, rhs: Message) -> Bool {
        lhs.sequence == rhs.sequence
            && lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
            && lhs.words.3 == rhs.words.3 && lhs.words.4 == rhs.words.4 && lhs.words.5 == rhs.words.5
            && lhs.words.6 == rhs.words.6
    }
}

/// A value written by one thread before `join()` and read by the joiner after.
final class Shared<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// What a consumer saw: checked on the test thread after `join()`.
struct ReceiveLog {
    var received = 0
    var outOfOrder = 0
    var torn = 0
    var firstProblem: String?
    var next: UInt64

    init(first: UInt64 = 0) { next = first }

    mutating func record(_ message: Message) {
        if message.sequence != next {
            outOfOrder += 1
            if firstProblem == nil { firstProblem = "expected \(next), got \(message.sequence)" }
        } else if !message.isIntact {
            torn += 1
            if firstProblem == nil { firstProblem = "message \(message.sequence) has wrong contents" }
        }
        next = message.sequence &+ 1
        received += 1
    }

    func assertComplete(_ expected: Int, _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(received, expected, "\(context): received", file: file, line: line)
        XCTAssertEqual(outOfOrder, 0, "\(context): out of order or duplicated, first: \(firstProblem ?? "")", file: file, line: line)
        XCTAssertEqual(torn, 0, "\(context): torn records, first: \(firstProblem ?? "")", file: file, line: line)
    }
}

extension SplitMix64 {
    /// Uniform in 1...bound.
    mutating func upTo(_ bound: Int) -> Int {
        Int(next() % UInt64(bound)) + 1
    }
}

/// The polite back-off the stress tests use when a ring is full or empty: a
/// few spins, then sched_yield, so a test never starves the other thread on a
/// loaded two-core machine.
func makeBackoff() -> ConsumerIdler {
    ConsumerIdler(strategy: .spinThenYield(spins: 32))
}

/// Starts `body` on a new unpinned thread.
func startThread(_ name: String, _ body: @escaping @Sendable () -> Void) -> PinnedThread {
    do {
        return try PinnedThread.start(name: name, body: body)
    } catch {
        fatalError("\(error)")
    }
}
