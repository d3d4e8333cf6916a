import FIX
import Foundation
import GatewayCore
import XCTest

/// When an application message's MsgSeqNum reaches the store file
/// (`FIXAcceptorConfiguration.inboundNumberWrite`): before each message is handed on, or
/// once after every message of one `received` call. Either way it is on disk before
/// `received` returns, which is all an engine on the acceptor's own thread can see.
final class FIXInboundNumberWriteTests: XCTestCase {
    /// The fake I/O, plus the store file's NextTargetSeqNum as it is on disk at the moment
    /// each application message is handed on.
    struct RecordingIO: FIXAcceptorIO {
        var inner = FIXSessionFakeIO()
        let storePath: String
        var onDiskAtApplication: [Int] = []

        mutating func send(_ connection: UInt32, _ bytes: UnsafeRawBufferPointer) { inner.send(connection, bytes) }
        mutating func close(_ connection: UInt32, reason: String) { inner.close(connection, reason: reason) }
        mutating func application(_ message: FIXMessage, session: Int, connection: UInt32) {
            onDiskAtApplication.append(FIXInboundNumberWriteTests.nextTargetSeqNumOnDisk(storePath))
            inner.application(message, session: session, connection: connection)
        }
        mutating func sessionStateChanged(session: Int, loggedOn: Bool) { inner.sessionStateChanged(session: session, loggedOn: loggedOn) }
        mutating func logSessionEvent(_ text: String) { inner.logSessionEvent(text) }
        mutating func logMessage(session: Int, inbound: Bool, _ bytes: UnsafeRawBufferPointer) {
            inner.logMessage(session: session, inbound: inbound, bytes)
        }
    }

    /// NextTargetSeqNum read from the file itself (u64 big-endian in the header).
    static func nextTargetSeqNumOnDisk(_ path: String) -> Int {
        guard let data = FileManager.default.contents(atPath: path), data.count >= FIXMessageStore.HeaderOffset.nextTargetSeqNum + 8 else { return -1 }
        return data[FIXMessageStore.HeaderOffset.nextTargetSeqNum..<(FIXMessageStore.HeaderOffset.nextTargetSeqNum + 8)]
            .reduce(0) { $0 << 8 | Int($1) }
    }

    /// Logs on, then hands three NewOrderSingles to the acceptor in one `received` call;
    /// returns the on-disk number at each hand-on and after the call.
    func run(_ mode: FIXAcceptorConfiguration.InboundNumberWrite) throws -> (atApplication: [Int], after: Int, orders: Int) {
        let harness = try FIXSessionHarness()
        defer { harness.removeDirectory() }
        var configuration = FIXSessionHarness.configuration(directory: harness.directory)
        configuration.inboundNumberWrite = mode
        harness.acceptor = try FIXAcceptor(configuration: configuration)
        harness.logOn()
        let path = FIXMessageStore.path(directory: harness.directory, name: "CIFT-BANK1")
        let before = Self.nextTargetSeqNumOnDisk(path)
        XCTAssertEqual(before, 2, "the Logon's number is on disk")
        let chunk = harness.newOrder(clOrdID: "A") + harness.newOrder(clOrdID: "B") + harness.newOrder(clOrdID: "C")
        var io = RecordingIO(storePath: path)
        let consumed = chunk.withUnsafeBytes { harness.acceptor.received(1, $0, now: harness.now, io: &io) }
        XCTAssertEqual(consumed, chunk.count)
        return (io.onDiskAtApplication, Self.nextTargetSeqNumOnDisk(path), io.inner.applications.count)
    }

    func testBeforeEachApplicationMessageEachNumberIsOnDiskBeforeItsMessageIsHandedOn() throws {
        let result = try run(.beforeEachApplicationMessage)
        XCTAssertEqual(result.orders, 3)
        XCTAssertEqual(result.atApplication, [3, 4, 5])
        XCTAssertEqual(result.after, 5)
    }

    func testEndOfEachReceiveWritesEveryNumberOnceBeforeReceivedReturns() throws {
        let result = try run(.endOfEachReceive)
        XCTAssertEqual(result.orders, 3)
        // Handed on while the file still holds the number from before the call...
        XCTAssertEqual(result.atApplication, [2, 2, 2])
        // ...and all three numbers are on disk once `received` returns.
        XCTAssertEqual(result.after, 5)
    }
}
