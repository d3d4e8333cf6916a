import Network
import POSIX
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Which kernel interface a loop gets, and listening errors.
final class BackendSelectionTests: XCTestCase {
    final class Idle: NetworkHandler {
        func opened(_ connection: ConnectionID, listener: ListenerID, loop: NetworkLoop) {}
        func received(_ connection: ConnectionID, bytes: UnsafeRawBufferPointer, loop: NetworkLoop) {}
        func closed(_ connection: ConnectionID, reason: CloseReason, loop: NetworkLoop) {}
        func turn(loop: NetworkLoop, nowNanoseconds: Int64) -> Bool { false }
        func hasPendingWork() -> Bool { false }
    }

    func testEpollCanBeForced() throws {
        let loop = try NetworkLoop(configuration: NetworkConfiguration(backend: .epoll, maxConnections: 4), handler: Idle())
        XCTAssertEqual(loop.backendName, "epoll")
        XCTAssertNil(loop.fallbackReason)
        XCTAssertFalse(loop.usesMultishotReceive)
        XCTAssertTrue(loop.wakeSignal.usesEventFD)
    }

    /// Automatic takes io_uring where it can be set up; where it cannot, it
    /// falls back to epoll and says why.
    func testAutomaticPrefersIOUringAndExplainsAFallback() throws {
        let loop = try NetworkLoop(configuration: NetworkConfiguration(backend: .automatic, maxConnections: 4), handler: Idle())
        if TestBackends.ioUringAvailable {
            XCTAssertEqual(loop.backendName, "io_uring")
            XCTAssertNil(loop.fallbackReason)
        } else {
            XCTAssertEqual(loop.backendName, "epoll")
            XCTAssertNotNil(loop.fallbackReason)
        }
        XCTAssertTrue(loop.backendDetail.hasPrefix(loop.backendName), loop.backendDetail)
    }

    /// Every scenario of this target runs on each backend variant the machine can run;
    /// where io_uring cannot be set up (a seccomp profile, an old kernel) the io_uring
    /// variants drop out, and this test says so as a skip with the reason, so the run's
    /// summary shows that only epoll was tested.
    func testTheIOUringVariantsRunOnThisMachine() throws {
        let loop = try NetworkLoop(configuration: NetworkConfiguration(backend: .automatic, maxConnections: 4), handler: Idle())
        try XCTSkipUnless(TestBackends.ioUringAvailable,
                          "io_uring cannot be set up here (\(loop.fallbackReason ?? "unknown")): the NetworkTests scenarios ran on epoll only")
        XCTAssertEqual(TestBackends.all(NetworkConfiguration()).count, 3, "io_uring multishot, io_uring single-shot, epoll")
    }

    /// Forced io_uring either works or throws naming why; it never quietly
    /// becomes epoll.
    func testForcedIOUringNeverFallsBack() {
        do {
            let loop = try NetworkLoop(configuration: NetworkConfiguration(backend: .ioUring, maxConnections: 4), handler: Idle())
            XCTAssertEqual(loop.backendName, "io_uring")
            XCTAssertTrue(TestBackends.ioUringAvailable)
        } catch {
            guard case .ioUringUnavailable = error else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertFalse(TestBackends.ioUringAvailable)
        }
    }

    /// Multishot receive is used where the start-up probe finds it, unless
    /// the configuration turns it off; the detail line says which.
    func testReceivesCanBeForcedSingleShot() throws {
        guard TestBackends.ioUringAvailable else { return }
        let single = try NetworkLoop(configuration: NetworkConfiguration(backend: .ioUring, maxConnections: 4, allowMultishotReceive: false), handler: Idle())
        XCTAssertFalse(single.usesMultishotReceive)
        XCTAssertTrue(single.backendDetail.contains("single-shot receive (disabled by configuration"), single.backendDetail)
        let probed = try NetworkLoop(configuration: NetworkConfiguration(backend: .ioUring, maxConnections: 4), handler: Idle())
        XCTAssertEqual(probed.backendDetail.contains(" multishot receive"), probed.usesMultishotReceive, probed.backendDetail)
    }

    func testAnInvalidConfigurationIsRefused() {
        XCTAssertThrowsError(try NetworkLoop(configuration: NetworkConfiguration(maxConnections: 0), handler: Idle())) { error in
            XCTAssertEqual(error as? NetworkError, .invalidConfiguration("maxConnections must be from 1 to 65536, got 0"))
        }
    }

    func testListeningErrorsNameTheProblem() throws {
        for (index, configuration) in TestBackends.all(NetworkConfiguration(maxConnections: 2, maxListeners: 2)).enumerated() {
            let backend = TestBackends.name(configuration)
            let loop = try NetworkLoop(configuration: configuration, handler: Idle())
            XCTAssertThrowsError(try loop.listen(host: "localhost", port: 0), backend) { error in
                XCTAssertEqual(error as? NetworkError, .invalidAddress("'localhost' is not an IPv4 or IPv6 address literal"))
            }
            let first = try loop.listen(host: "127.0.0.1", port: 0)
            XCTAssertNotEqual(loop.localPort(of: first), 0)
            if index == 0 {
                // The same port again: EADDRINUSE once the bind retries
                // (1 s) are over. Once, not per backend: it takes a second.
                XCTAssertThrowsError(try loop.listen(host: "127.0.0.1", port: loop.localPort(of: first))) { error in
                    XCTAssertEqual(
                        error as? NetworkError,
                        .systemCall(SystemCallError(call: "bind(127.0.0.1:\(loop.localPort(of: first)))", errno: EADDRINUSE)))
                }
            }
            let second = try loop.listen(host: "127.0.0.1", port: 0)
            XCTAssertEqual(second, ListenerID(rawValue: 1), backend)
            XCTAssertThrowsError(try loop.listen(host: "127.0.0.1", port: 0), backend) { error in
                XCTAssertEqual(error as? NetworkError, .tooManyListeners(limit: 2))
            }
        }
    }
}
