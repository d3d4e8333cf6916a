import Foundation
import Gateway
import GatewayCore
import Journal
import Matching
import Rings
import XCTest

/// The engine and journal threads wired as the gateway runs them, driven through
/// order-entry ports from the test thread.
final class EngineRuntimeTests: XCTestCase {
    var directory = ""
    /// `journal.writer`: the tests at the end run the others with the engine writing.
    var journalWriter = JournalWriterPlacement.journalThread
    /// The engine and journal agents on one runner (one signal), as `split`/`shared`
    /// modes compose them: the tests at the end run the others that way.
    var oneThread = false

    override func setUp() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cift-runtime-\(UUID().uuidString)").path
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func configuration(pending: Int = 1 << 12) -> GatewayConfiguration {
        var c = GatewayConfiguration.embeddedDefault
        c.dataDirectory = directory
        c.engine.core = nil  // tests share the machine; pinning is tested in RingsTests
        c.engine.maxOrders = 10_000
        c.engine.inboundRingCapacity = 1 << 10
        c.engine.outboundRingCapacity = 1 << 10
        c.engine.pendingEventCapacity = pending
        c.engine.waitStrategy = .spinPark
        c.journal.ringCapacity = 1 << 10
        c.journal.writer = journalWriter
        return c
    }

    func start(_ c: GatewayConfiguration, ports: Int) throws -> (EngineRuntime, MatchingEngine) {
        let engine = try MatchingEngine(configuration: EngineConfiguration(gateway: c))
        let recovery = try JournalReplay.replay(directory: directory + "/journal", into: engine, truncateCorruption: false)
        let writer = try JournalWriter.open(directory: directory + "/journal", configuration: c, nextSequence: recovery.nextSequence)
        let signal = oneThread ? WakeSignal() : nil
        let runtime = try EngineRuntime(
            configuration: c, engine: engine, journal: writer, nextSequence: recovery.nextSequence,
            portSignals: (0..<ports).map { _ in WakeSignal() }, engineSignal: signal, journalSignal: signal)
        try runtime.start()
        return (runtime, engine)
    }

    func order(_ port: OrderEntryPort, ref: UInt32, account: UInt16, side: Side, price: Int64, qty: UInt32 = 100, symbol: UInt16 = 1) -> Command {
        Command(
            kind: .newOrder, side: side, orderType: .limit, timeInForce: .day, keyKind: .userReference,
            symbol: SymbolIndex(rawValue: symbol), account: AccountIndex(rawValue: account),
            origin: OrderOrigin(source: port.source, session: account, connection: 7),
            quantity: qty, price: Price(raw: price), userReference: ref, timestamp: Timestamp(rawValue: 1_000 + Int64(ref)))
    }

    /// Collects events from `port` until `count` arrived or 30 s passed.
    func collect(_ port: OrderEntryPort, count: Int, onEach: (Event) -> Void = { _ in }) -> [Event] {
        var events: [Event] = []
        let deadline = Date().addingTimeInterval(30)
        while events.count < count && Date() < deadline {
            let n = port.pollEvents(maxCount: 256) { e in
                onEach(e)
                events.append(e)
            }
            if n == 0 { usleep(100) }
        }
        return events
    }

    func journalFileSize() -> Int {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/journal"))?.filter { $0.hasSuffix(".cjl") } ?? []
        return files.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: directory + "/journal/" + $1)[.size] as? Int) ?? 0) }
    }

    func testEventsReturnToTheirOwnPortOnlyAfterTheCommandIsInTheJournal() throws {
        let c = configuration()
        let (runtime, _) = try start(c, ports: 2)
        let buyer = runtime.ports[0]
        let seller = runtime.ports[1]
        let recordBytes = JournalFormat.recordHeaderLength + CommandRecord.size
        var checked = 0
        for i in 0..<50 {
            XCTAssertTrue(buyer.submit(order(buyer, ref: UInt32(i + 1), account: 1, side: .buy, price: 1_000_000 - Int64(i) * 100)))
        }
        // Each acknowledgement may leave only once its command's record is in the file.
        let buys = collect(buyer, count: 100) { e in
            if e.kind == .accepted {
                XCTAssertGreaterThanOrEqual(self.journalFileSize(), JournalFormat.headerLength + Int(e.sequence) * recordBytes,
                                            "sequence \(e.sequence) acknowledged before it was journaled")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 50)
        XCTAssertEqual(buys.filter { $0.kind == .accepted }.count, 50)
        XCTAssertEqual(buys.filter { $0.kind == .booked }.count, 50)
        XCTAssertTrue(buys.allSatisfy { $0.destination.source == buyer.source })
        XCTAssertEqual(buys.filter { $0.kind == .accepted }.map(\.sequence), Array(1...50))

        // A sell that sweeps three levels: the seller hears of its own order, the buyer of its fills.
        XCTAssertTrue(seller.submit(order(seller, ref: 1, account: 2, side: .sell, price: 999_800, qty: 300)))
        let sellerEvents = collect(seller, count: 4)
        XCTAssertEqual(sellerEvents.map(\.kind), [.accepted, .executed, .executed, .executed])
        XCTAssertEqual(sellerEvents.last?.leavesQuantity, 0)
        let buyerFills = collect(buyer, count: 3)
        XCTAssertEqual(buyerFills.map(\.kind), [.executed, .executed, .executed])
        XCTAssertEqual(buyerFills.map(\.userReference), [1, 2, 3])
        XCTAssertEqual(Set(buyerFills.map(\.matchNumber)), Set(sellerEvents.dropFirst().map(\.matchNumber)))
        XCTAssertNil(runtime.stop())
    }

    func testAStopLosesNothingAndTheJournalRebuildsTheSameBooks() throws {
        let c = configuration()
        let (runtime, engine) = try start(c, ports: 1)
        let port = runtime.ports[0]
        var submitted = 0
        for i in 0..<5_000 {
            let side: Side = i % 3 == 0 ? .sell : .buy
            let price: Int64 = side == .buy ? 990_000 + Int64(i % 50) * 100 : 995_000 + Int64(i % 50) * 100
            let command = order(port, ref: UInt32(i + 1), account: UInt16(i % 4 + 1), side: side, price: price, symbol: UInt16(i % 8 + 1))
            while !port.submit(command) { _ = port.pollEvents(maxCount: 1024) { _ in } }
            submitted += 1
        }
        // The port's owner keeps draining its events while the runtime stops (as an I/O
        // thread does): the engine lets every durable event go before it returns.
        let drainer = PortDrainer(port)
        XCTAssertNil(runtime.stop())
        drainer.stop()
        XCTAssertEqual(runtime.nextSequence, UInt64(submitted + 1), "every queued command was taken before the engine stopped")

        let rebuilt = try MatchingEngine(configuration: EngineConfiguration(gateway: c))
        var highest: [AccountIndex: UInt32] = [:]
        let replay = try JournalReplay.replay(
            directory: directory + "/journal", into: rebuilt, truncateCorruption: false,
            observeCommand: { highest[$0.account] = max(highest[$0.account] ?? 0, $0.userReference) })
        XCTAssertEqual(replay.commandCount, submitted)
        XCTAssertEqual(replay.nextSequence, UInt64(submitted + 1))
        // The commands come back whole, UserRefNums included (order i: account i % 4 + 1, ref i + 1).
        XCTAssertEqual(highest[1], 4_997)
        XCTAssertEqual(highest[4], 5_000)
        XCTAssertEqual(rebuilt.stateDump(), engine.stateDump())
        XCTAssertEqual(rebuilt.snapshotDigest(), engine.snapshotDigest())
    }

    /// A mass cancel makes far more events than the pending queue holds: the engine waits
    /// for the journal and the consumer rather than dropping or overflowing.
    func testMassCancelLargerThanThePendingQueueDeliversEveryEvent() throws {
        let c = configuration(pending: 8)
        let (runtime, _) = try start(c, ports: 1)
        let port = runtime.ports[0]
        for i in 0..<200 {
            let command = order(port, ref: UInt32(i + 1), account: 3, side: .buy, price: 900_000 + Int64(i % 20) * 100)
            while !port.submit(command) { _ = port.pollEvents(maxCount: 16) { _ in } }
        }
        _ = collect(port, count: 400)  // accepted + booked each
        XCTAssertTrue(port.submit(Command(kind: .massCancel, account: 3, origin: OrderOrigin(source: port.source, session: 3, connection: 7))))
        let events = collect(port, count: 201)
        XCTAssertEqual(events.filter { $0.kind == .canceled }.count, 200)
        XCTAssertEqual(events.last?.kind, .massCancelDone)
        XCTAssertEqual(events.last?.quantity, 200)
        XCTAssertNil(runtime.stop())
    }

    /// A journal that cannot be written (here: the file-size limit, EFBIG) stops the engine
    /// taking orders; nothing whose command is not in the file is acknowledged; `stop`
    /// returns the error instead of hanging.
    func testAJournalWriteFailureStopsAcknowledgementsAndStopReturnsTheError() throws {
        let c = configuration()
        let (runtime, _) = try start(c, ports: 1)
        let port = runtime.ports[0]
        // 100 orders journaled and acknowledged normally first (11 KiB of journal).
        for i in 0..<100 { XCTAssertTrue(port.submit(order(port, ref: UInt32(i + 1), account: 1, side: .buy, price: 900_000))) }
        var acknowledged = collect(port, count: 200).filter { $0.kind == .accepted }.map(\.sequence)
        XCTAssertEqual(acknowledged.count, 100)
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit)
        let saved = limit
        signal(SIGXFSZ, SIG_IGN)  // a write past the limit fails with EFBIG instead of killing the process
        limit.rlim_cur = 32 * 1024
        setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit)
        defer {
            var restore = saved
            setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &restore)
        }
        let deadline = Date().addingTimeInterval(30)
        var next = 100
        while !runtime.journalFailed && Date() < deadline {
            if next < 2_000, port.submit(order(port, ref: UInt32(next + 1), account: 1, side: .buy, price: 900_000)) { next += 1 }
            _ = port.pollEvents(maxCount: 256) { e in if e.kind == .accepted { acknowledged.append(e.sequence) } }
        }
        XCTAssertTrue(runtime.journalFailed, "the write past the limit failed")
        XCTAssertNotNil(runtime.stop(), "stop returns the journal's error")
        _ = port.pollEvents(maxCount: .max) { e in if e.kind == .accepted { acknowledged.append(e.sequence) } }
        // Every acknowledgement is for a command the file holds.
        let recordBytes = JournalFormat.recordHeaderLength + CommandRecord.size
        let inFile = (journalFileSize() - JournalFormat.headerLength) / recordBytes
        XCTAssertLessThanOrEqual(acknowledged.max() ?? 0, UInt64(inFile))
    }

    func testRestartContinuesTheSequenceFromTheJournal() throws {
        let c = configuration()
        do {
            let (runtime, _) = try start(c, ports: 1)
            let port = runtime.ports[0]
            for i in 0..<10 { XCTAssertTrue(port.submit(order(port, ref: UInt32(i + 1), account: 1, side: .buy, price: 900_000))) }
            _ = collect(port, count: 20)
            XCTAssertNil(runtime.stop())
        }
        let (runtime, engine) = try start(c, ports: 1)
        XCTAssertEqual(engine.openOrderCount, 10)
        let port = runtime.ports[0]
        XCTAssertTrue(port.submit(order(port, ref: 11, account: 1, side: .buy, price: 900_000)))
        let events = collect(port, count: 2)
        XCTAssertEqual(events.first?.sequence, 11)
        XCTAssertEqual(events.first?.orderReference, 11, "order references continue: derived from replayed state")
        // A reused UserRefNum of a live order is a duplicate, also after the restart.
        XCTAssertTrue(port.submit(order(port, ref: 5, account: 1, side: .buy, price: 900_000)))
        XCTAssertEqual(collect(port, count: 1).first?.rejectReason, .duplicateOrderID)
        XCTAssertNil(runtime.stop())
    }

    // MARK: The engine thread writing the journal itself (`journal.writer = "engine-thread"`)

    func testEngineWriterReleasesEventsOnlyAfterTheCommandIsInTheJournal() throws {
        journalWriter = .engineThread
        try testEventsReturnToTheirOwnPortOnlyAfterTheCommandIsInTheJournal()
    }

    func testEngineWriterStopLosesNothingAndTheJournalRebuildsTheSameBooks() throws {
        journalWriter = .engineThread
        try testAStopLosesNothingAndTheJournalRebuildsTheSameBooks()
    }

    func testEngineWriterMassCancelLargerThanThePendingQueueDeliversEveryEvent() throws {
        journalWriter = .engineThread
        try testMassCancelLargerThanThePendingQueueDeliversEveryEvent()
    }

    func testEngineWriterWriteFailureStopsAcknowledgementsAndStopReturnsTheError() throws {
        journalWriter = .engineThread
        try testAJournalWriteFailureStopsAcknowledgementsAndStopReturnsTheError()
    }

    func testEngineWriterRestartContinuesTheSequenceFromTheJournal() throws {
        journalWriter = .engineThread
        try testRestartContinuesTheSequenceFromTheJournal()
    }

    /// No journal thread is started when the engine writes.
    func testEngineWriterRunsWithoutAJournalThread() throws {
        journalWriter = .engineThread
        let (runtime, _) = try start(configuration(), ports: 1)
        let names = threadNames()
        XCTAssertTrue(names.contains("cift-engine"), "\(names)")
        XCTAssertFalse(names.contains("cift-journal"), "\(names)")
        XCTAssertNil(runtime.stop())
    }

    // MARK: The engine and the journal writer in one duty cycle on one thread

    func testOneThreadReleasesEventsOnlyAfterTheCommandIsInTheJournal() throws {
        oneThread = true
        try testEventsReturnToTheirOwnPortOnlyAfterTheCommandIsInTheJournal()
    }

    func testOneThreadStopLosesNothingAndTheJournalRebuildsTheSameBooks() throws {
        oneThread = true
        try testAStopLosesNothingAndTheJournalRebuildsTheSameBooks()
    }

    func testOneThreadMassCancelLargerThanThePendingQueueDeliversEveryEvent() throws {
        oneThread = true
        try testMassCancelLargerThanThePendingQueueDeliversEveryEvent()
    }

    func testOneThreadWriteFailureStopsAcknowledgementsAndStopReturnsTheError() throws {
        oneThread = true
        try testAJournalWriteFailureStopsAcknowledgementsAndStopReturnsTheError()
    }

    func testOneThreadRestartContinuesTheSequenceFromTheJournal() throws {
        oneThread = true
        try testRestartContinuesTheSequenceFromTheJournal()
    }

    /// One runner, no journal thread, when the engine and the journal share a signal.
    func testOneThreadRunsTheJournalWriterOnTheEngineThread() throws {
        oneThread = true
        let (runtime, _) = try start(configuration(), ports: 1)
        let names = threadNames()
        XCTAssertTrue(names.contains("cift-engine"), "\(names)")
        XCTAssertFalse(names.contains("cift-journal"), "\(names)")
        XCTAssertNil(runtime.stop())
    }

    /// The names of this process's threads (/proc/self/task/*/comm).
    func threadNames() -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}

/// Drains a port's events on its own thread until stopped, as an I/O thread would.
final class PortDrainer: @unchecked Sendable {
    let port: OrderEntryPort
    private let lock = NSLock()
    private var stopping = false
    private let done = DispatchSemaphore(value: 0)

    init(_ port: OrderEntryPort) {
        self.port = port
        Thread.detachNewThread { [self] in
            while !isStopping {
                if port.pollEvents(maxCount: 1024, { _ in }) == 0 { usleep(50) }
            }
            done.signal()
        }
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
        done.wait()
    }
}
