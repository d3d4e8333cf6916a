import Foundation
import Gateway
import GatewayCore
import OUCH
import Rings
import XCTest

/// The shared-memory rings with a real gateway (specs/shm-ring.md): a Python process
/// sends a signal and reads back the acknowledgement, the order, the fill and the
/// position; bad records are refused with a reason and never stop the engine; a
/// producer killed halfway through a record; a full ring and a restart with unread
/// records; a file whose header does not match stops the start with the field named.
final class SharedMemoryGatewayTests: XCTestCase {
    var directory = ""

    override func setUp() { directory = makeTemporaryDirectory("shm") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    var signalsPath: String { directory + "/cift-signals" }
    var fillsPath: String { directory + "/cift-fills" }

    func configuration(capacity: Int = 1024) -> GatewayConfiguration {
        var c = testGatewayConfiguration(directory, dataDirectory: directory + "/data")
        c.sharedMemory.capacity = capacity
        return c
    }

    func testPythonSignalBecomesAnOrderAndItsFillComesBack() throws {
        let gateway = try GatewayServer(configuration: configuration())
        defer { gateway.stop() }
        // Python (another process): a passive signal to be long 300 AAPL at 150.00.
        let sent = try runPython("""
            from cift.signals import SignalWriter
            w = SignalWriter.open('\(signalsPath)')
            print(w.send('AAPL', 300, '150.00', model_id=7, tag=42))
            """)
        XCTAssertEqual(sent, ["1"])
        // Someone sells 300 into it.
        let seller = try OUCHTestClient(port: gateway.ouchPort)
        seller.loginAccepted("OUCH02")
        seller.send(OUCHEnterOrder.limit(1, OUCHSide.sell, 300, "AAPL", 1_500_000))
        guard case .orderAccepted = seller.nextMessage(), case .orderExecuted = seller.nextMessage() else { return XCTFail() }
        // Python reads what the gateway wrote back.
        let lines = try runPython("""
            import time
            from cift.fills import FillReader
            r = FillReader.open('\(fillsPath)')
            seen = []
            deadline = time.time() + 10
            while len(seen) < 4 and time.time() < deadline:
                rec = r.poll()
                if rec is None:
                    time.sleep(0.001)
                    continue
                seen.append(rec)
                print(type(rec).__name__, vars(rec))
            """)
        XCTAssertEqual(lines.count, 4, lines.joined(separator: "\n"))
        XCTAssertTrue(lines[0].hasPrefix("Acknowledgement"), lines.joined(separator: "\n"))
        XCTAssertTrue(lines[0].contains("'tag': 42"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("OrderCreated") && lines[1].contains("'quantity': 300") && lines[1].contains("'model_id': 7"), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("Fill") && lines[2].contains("'quantity': 300") && lines[2].contains("'price': 1500000"), lines[2])
        XCTAssertTrue(lines[3].hasPrefix("PositionUpdate") && lines[3].contains("'position': 300"), lines[3])
        XCTAssertTrue(lines[3].contains("'average_price': 1500000"), lines[3])
    }

    func testBadRecordsAreRefusedWithReasonsAndTheEngineGoesOn() throws {
        let gateway = try GatewayServer(configuration: configuration())
        defer { gateway.stop() }
        let shm = try SharedMemoryTestClient(signalsPath: signalsPath, fillsPath: fillsPath)
        let unknownKind = shm.signal("AAPL", target: 100, price: 1_500_000, kind: 9)
        let unknownSymbol = shm.signal("ZZZZ", target: 100, price: 1_500_000)
        let unknownAccount = shm.setLimit("NOBODY", .maxOrderQuantity, 5)
        let unknownLimit = shm.publish { slot in
            slot[8] = 2
            slot[9] = 42
            SharedMemoryTestClient.putName(slot, 16, "ACC1")
        }
        let stale = shm.signal("AAPL", target: 100, price: 1_500_000, ttlMilliseconds: 1,
                               created: SystemClock().now().rawValue - 1_000_000_000)
        let noPrice = shm.signal("AAPL", target: 100, price: 0)
        let negative = shm.setLimit("ACC1", .maxOrderQuantity, -5)  // the engine refuses it
        let good = shm.signal("AAPL", target: 100, price: 1_500_000)
        XCTAssertEqual(shm.expectRejection(unknownKind), 1001)
        XCTAssertEqual(shm.expectRejection(unknownSymbol), 1002)
        XCTAssertEqual(shm.expectRejection(unknownAccount), 1003)
        XCTAssertEqual(shm.expectRejection(unknownLimit), 1004)
        XCTAssertEqual(shm.expectRejection(stale), 1005)
        XCTAssertEqual(shm.expectRejection(noPrice), 1006)
        XCTAssertEqual(shm.expectRejection(negative), RejectReason.invalidRiskUpdate.rawValue)
        shm.expectAcknowledgement(good)
        // Every slot is freed, in order (right after the answers are written).
        let deadline = Date().addingTimeInterval(5)
        while shm.signals.consumerIndex < good && Date() < deadline { usleep(1_000) }
        XCTAssertEqual(shm.signals.consumerIndex, good)
        // And the order-entry side never noticed.
        let client = try OUCHTestClient(port: gateway.ouchPort)
        client.loginAccepted("OUCH01")
        client.send(OUCHEnterOrder.limit(1, OUCHSide.buy, 100, "MSFT", 1_000_000))
        guard case .orderAccepted = client.nextMessage() else { return XCTFail() }
    }

    /// After a quiet spell the bridge polls less often (`idle_poll_interval_us` once no
    /// record has come for `idle_after_ms`); a record is still read, and the ones after
    /// it at the short interval again.
    func testARecordAfterAQuietSpellIsStillRead() throws {
        var c = configuration()
        c.sharedMemory.idleAfterMilliseconds = 20
        c.sharedMemory.idlePollIntervalMicroseconds = 50_000
        let gateway = try GatewayServer(configuration: c)
        defer { gateway.stop() }
        let shm = try SharedMemoryTestClient(signalsPath: signalsPath, fillsPath: fillsPath)
        usleep(200_000)  // well past idle_after_ms: the bridge sleeps 50 ms at a time
        shm.expectAcknowledgement(shm.setLimit("ACC1", .maxOrderQuantity, 5_000))
        shm.expectAcknowledgement(shm.setLimit("ACC1", .maxOrderQuantity, 6_000))
    }

    /// A Python producer that dies after writing a slot and before publishing it: the
    /// gateway never reads that slot; the next producer's record takes its place.
    func testAProducerKilledHalfwayThroughARecordIsNeverRead() throws {
        let gateway = try GatewayServer(configuration: configuration())
        defer { gateway.stop() }
        let killed = try ChildProcess(path: "/usr/bin/python3", arguments: ["-c", """
            import sys, os, signal
            sys.path.insert(0, '\(pythonPackagePath)')
            from cift.ring import SharedMemoryRing
            from cift.layout import RingKind
            from cift.signals import encode_signal
            ring = SharedMemoryRing.attach('\(signalsPath)', RingKind.SIGNALS)
            record = bytearray(encode_signal('AAPL', 100, '150.00', sequence=ring.tail + 1))
            slot = 384 + (ring.tail % ring.capacity) * 64
            ring._map[slot:slot + 64] = bytes(record)   # the slot is written...
            os.kill(os.getpid(), signal.SIGKILL)       # ...and the tail never moves
            """])
        XCTAssertNotEqual(killed.waitForExit(seconds: 30), 0)
        usleep(200_000)
        let shm = try SharedMemoryTestClient(signalsPath: signalsPath, fillsPath: fillsPath)
        XCTAssertEqual(shm.signals.producerIndex, 0, "nothing was published")
        XCTAssertNil(shm.next(seconds: 0.3), "and nothing answered")
        let next = shm.signal("MSFT", target: 100, price: 4_000_000)
        XCTAssertEqual(next, 1, "the next record takes the slot")
        shm.expectAcknowledgement(next)
        XCTAssertEqual(gateway.hasFailed, false)
    }

    /// Python fills the ring while the gateway is down (a full ring raises); after the
    /// restart the gateway applies every record, none twice.
    func testFullRingAndUnreadRecordsAcrossARestart() throws {
        var gateway: GatewayServer? = try GatewayServer(configuration: configuration(capacity: 16))
        XCTAssertNil(gateway!.stop())
        gateway = nil
        let lines = try runPython("""
            from cift.signals import SignalWriter, RiskControl
            from cift.ring import RingFullError
            w = SignalWriter.open('\(signalsPath)')
            r = RiskControl(w)
            for i in range(16):
                r.set_limit('ACC1', 'max_order_quantity', 100 + i, tag=i)
            try:
                r.set_limit('ACC1', 'max_order_quantity', 999, timeout=0.05)
                print('no error')
            except RingFullError as e:
                print('full')
            """)
        XCTAssertEqual(lines, ["full"])
        gateway = try GatewayServer(configuration: configuration(capacity: 16))
        defer { gateway?.stop() }
        let shm = try SharedMemoryTestClient(signalsPath: signalsPath, fillsPath: fillsPath)
        for sequence in 1...16 { shm.expectAcknowledgement(UInt64(sequence)) }
        XCTAssertNil(gateway!.stop())
        // The journal holds all sixteen; a second restart applies none again.
        gateway = try GatewayServer(configuration: configuration(capacity: 16))
        XCTAssertNil(shm.next(seconds: 0.5))
        XCTAssertEqual(shm.signals.consumerIndex, 16)
    }

    func testAFileWithAnotherVersionStopsTheStartNamingTheField() throws {
        _ = try SharedMemoryRing.createOrAttach(path: signalsPath, kind: .signals, capacity: 1024)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: signalsPath))
        try handle.seek(toOffset: 8)
        try handle.write(contentsOf: Data([2, 0, 0, 0]))
        try handle.close()
        XCTAssertThrowsError(try GatewayServer(configuration: configuration())) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("version") && text.contains(signalsPath), text)
        }
    }
}
