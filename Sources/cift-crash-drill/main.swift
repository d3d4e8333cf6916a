// cift-crash-drill: the gateway's engine, journal and recovery with a synthetic order
// source instead of the network, for the crash test (Tests/IntegrationTests).
//
//   cift-crash-drill --data-dir DIR --orders N [--durability write|fsync] [--journal-writer journal-thread|engine-thread]
//                    [--one-thread] [--first-ref R]
//       recovers DIR, then enters N resting orders (buys below 100.00, sells above, so none
//       trade) and prints `ACK <account> <userRef> <orderRef> <sequence>` for each order
//       whose acceptance has left the engine — which it may only do once the command is in
//       the journal — then `DONE`. `--one-thread`: the engine and the journal writer in one
//       duty cycle on one thread (as the `split` and `shared` threading modes run them).
//   cift-crash-drill --data-dir DIR --dump
//       recovers DIR and prints `LIVE <account> <userRef>` for every order on the books.
//
// The test kills the first form with SIGKILL mid-burst, runs the second, and checks
// that every acknowledged order is live.
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Gateway
import GatewayCore
import Journal
import Matching
import Rings

struct DrillArguments {
    var dataDirectory = ""
    var orders = 0
    var durability = "write"
    var journalWriter = "journal-thread"
    var firstReference: UInt32 = 1
    var dump = false
    var oneThread = false

    init(_ arguments: [String]) throws {
        var i = 1
        func value() throws -> String {
            i += 1
            guard i < arguments.count else { throw ConfigurationError(key: arguments[i - 1], value: "(missing)", expected: "a value") }
            return arguments[i]
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--data-dir": dataDirectory = try value()
            case "--orders": orders = Int(try value()) ?? -1
            case "--durability": durability = try value()
            case "--journal-writer": journalWriter = try value()
            case "--first-ref": firstReference = UInt32(try value()) ?? 0
            case "--dump": dump = true
            case "--one-thread": oneThread = true
            default: throw ConfigurationError(key: arguments[i], value: "", expected: "--data-dir, --orders, --durability, --journal-writer, --one-thread, --first-ref or --dump")
            }
            i += 1
        }
        if dataDirectory.isEmpty { throw ConfigurationError(key: "--data-dir", value: "(missing)", expected: "a directory") }
        if orders < 0 { throw ConfigurationError(key: "--orders", value: "", expected: "a count ≥ 0") }
        if firstReference == 0 { throw ConfigurationError(key: "--first-ref", value: "0", expected: "a UserRefNum ≥ 1") }
    }
}

/// The i-th synthetic order: four accounts, eight symbols, never crossing.
func syntheticOrder(_ i: Int, firstReference: UInt32, source: UInt8, clock: SystemClock) -> Command {
    let buy = i % 2 == 0
    let step = Int64((i / 16) % 900) * 100  // 0.01 steps
    return Command(
        kind: .newOrder, side: buy ? .buy : .sell, orderType: .limit, timeInForce: .day,
        keyKind: .userReference,
        symbol: SymbolIndex(rawValue: UInt16(i % 8 + 1)),
        account: AccountIndex(rawValue: UInt16(i % 4 + 1)),
        origin: OrderOrigin(source: source, session: UInt16(i % 4 + 1), connection: 1),
        quantity: 100,
        price: Price(raw: buy ? 900_000 + step : 1_010_000 + step),
        userReference: firstReference &+ UInt32(i),
        timestamp: clock.now())
}

/// Writes all of `text` to standard output (retrying short and interrupted writes);
/// exits with status 3 if the reader has gone, rather than trapping as FileHandle would.
func write(_ text: String) {
    var text = text
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(1, bytes.baseAddress! + offset, bytes.count - offset)
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                exit(3)
            }
        }
    }
}

func runDrill() throws -> Int32 {
    let args = try DrillArguments(CommandLine.arguments)
    var configuration = GatewayConfiguration.embeddedDefault
    configuration.dataDirectory = args.dataDirectory
    guard let durability = JournalDurability(rawValue: args.durability),
        let journalWriter = JournalWriterPlacement(rawValue: args.journalWriter)
    else {
        throw ConfigurationError(
            key: "--durability/--journal-writer", value: "\(args.durability)/\(args.journalWriter)",
            expected: "write|fsync and journal-thread|engine-thread")
    }
    configuration.journal.durability = durability
    configuration.journal.writer = journalWriter
    try configuration.validate()

    let dataDirectory = try DataDirectory(path: configuration.dataDirectory)
    let engine = try MatchingEngine(configuration: EngineConfiguration(gateway: configuration))
    let recovery = try JournalReplay.replay(directory: dataDirectory.journalPath, into: engine, truncateCorruption: false)
    Log.info(recovery.summary)

    if args.dump {
        var out = ""
        for symbol in 1...configuration.symbols.count {
            for side in Side.allCases {
                engine.forEachOrder(symbol: SymbolIndex(rawValue: UInt16(symbol)), side: side) { order in
                    out += "LIVE \(order.account.rawValue) \(order.userReference)\n"
                }
            }
        }
        write(out)
        return 0
    }

    let writer = try JournalWriter.open(
        directory: dataDirectory.journalPath, configuration: configuration, nextSequence: recovery.nextSequence)
    let engineThread = args.oneThread ? WakeSignal() : nil
    let runtime = try EngineRuntime(
        configuration: configuration, engine: engine, journal: writer, nextSequence: recovery.nextSequence,
        portSignals: [WakeSignal()], engineSignal: engineThread, journalSignal: engineThread)
    let port = runtime.ports[0]
    try runtime.start()

    let orders = args.orders
    let first = args.firstReference
    let producer = try PinnedThread.start(name: "drill-orders") {
        let clock = SystemClock()
        for i in 0..<orders {
            let command = syntheticOrder(i, firstReference: first, source: port.source, clock: clock)
            while !port.submit(command) { sched_yield() }
        }
    }

    let idler = ConsumerIdler(strategy: .spinThenPark(spins: 1_000, parkTimeout: .milliseconds(10)), signal: port.signal)
    var answered = 0
    var text = ""
    text.reserveCapacity(1 << 16)
    while answered < orders {
        let n = port.pollEvents(maxCount: 4096) { event in
            switch event.kind {
            case .accepted:
                text += "ACK \(event.account.rawValue) \(event.userReference) \(event.orderReference) \(event.sequence)\n"
                answered += 1
            case .rejected:
                text += "REJECT \(event.account.rawValue) \(event.userReference) \(event.rejectReason)\n"
                answered += 1
            default:
                break
            }
        }
        if n == 0 {
            if runtime.journalFailed { break }
            idler.idle()
            continue
        }
        idler.reset()
        write(text)  // one write per batch: what is printed has been acknowledged
        text.removeAll(keepingCapacity: true)
    }
    producer.join()
    if let error = runtime.stop() {
        Log.error("journal: \(error)")
        return 1
    }
    write("DONE\n")
    return 0
}

do {
    exit(try runDrill())
} catch {
    Log.error("\(error)")
    exit(2)
}
