#if canImport(Glibc)
import Glibc
#endif
import Foundation
import POSIX
import XCTest

/// The door to the kernel: how each kind of failure comes back, and files read and
/// written whole across short transfers.
final class SystemCallTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "cift-posix-\(UUID().uuidString)"
        _ = try FileSystem.createDirectories(directory)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testAFailureNamesTheCallErrnoAndSubject() {
        let missing = directory + "/absent/file"
        XCTAssertThrowsError(try FileDescriptor.open(missing, flags: O_RDONLY)) { error in
            XCTAssertEqual(error as? SystemCallError, SystemCallError(call: "open", errno: ENOENT, subject: missing))
            XCTAssertEqual("\(error)", "open(\(missing)) failed: No such file or directory (errno \(ENOENT))")
        }
        XCTAssertEqual(
            SystemCallError(call: "setsockopt(TCP_NODELAY)", errno: EINVAL).description,
            "setsockopt(TCP_NODELAY) failed: Invalid argument (errno \(EINVAL))")
    }

    func testATolerantCallAnswersNilForItsErrno() throws {
        let made = try FileSystem.createDirectories(directory + "/a/b")
        XCTAssertEqual(made, [directory + "/a", directory + "/a/b"], "only what was missing is reported")
        XCTAssertEqual(try FileSystem.createDirectories(directory + "/a/b"), [], "EEXIST is not an error for mkdir -p")
        XCTAssertTrue(try FileSystem.exists(directory + "/a/b"))
        XCTAssertFalse(try FileSystem.exists(directory + "/a/c"), "ENOENT answers false")
    }

    func testANonBlockingCallAnswersNilWhenItWouldBlock() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        for fd in fds { XCTAssertEqual(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK), 0) }
        defer { try? SystemCall.close(fds[0]); try? SystemCall.close(fds[1]) }
        var byte: UInt8 = 0
        XCTAssertNil(try SystemCall.nonBlocking("read") { read(fds[0], &byte, 1) }, "an empty pipe would block")
        byte = 7
        XCTAssertEqual(try SystemCall.nonBlocking("write") { write(fds[1], &byte, 1) }, 1)
        byte = 0
        XCTAssertEqual(try SystemCall.nonBlocking("read") { read(fds[0], &byte, 1) }, 1)
        XCTAssertEqual(byte, 7)
    }

    func testNegatedErrnoCallsAnswerNilOnlyForWhatTheyName() throws {
        XCTAssertEqual(try SystemCall.negatedErrno("op") { Int32(5) }, 5)
        XCTAssertNil(try SystemCall.negatedErrno("op", nilFor: .wouldBlock) { -Int32(EAGAIN) })
        XCTAssertNil(try SystemCall.negatedErrno("op", nilFor: .ring) { -Int32(ETIME) })
        XCTAssertNil(try SystemCall.negatedErrno("op", nilFor: .ringWait) { -Int32(EINTR) }, "a wait ends on a signal")
        var calls = 0
        XCTAssertEqual(try SystemCall.negatedErrno("op", nilFor: .ring) { () -> Int32 in
            calls += 1
            return calls == 1 ? -EINTR : 3
        }, 3, "EINTR is retried unless named")
        XCTAssertThrowsError(try SystemCall.negatedErrno("op", on: "ring", nilFor: .wouldBlock) { -Int32(ETIME) }) { error in
            XCTAssertEqual(error as? SystemCallError, SystemCallError(call: "op", errno: ETIME, subject: "ring"))
        }
    }

    func testEINTRIsRetriedAndAWaitEndsOnIt() throws {
        var calls = 0
        let result = try SystemCall.run("call") { () -> Int32 in
            calls += 1
            if calls < 3 {
                errno = EINTR
                return -1
            }
            return 9
        }
        XCTAssertEqual(result, 9)
        XCTAssertEqual(calls, 3)
        calls = 0
        let waited = try SystemCall.wait("epoll_wait") { () -> Int32 in
            calls += 1
            errno = EINTR
            return -1
        }
        XCTAssertEqual(waited, 0, "a signal ends the wait with nothing ready")
        XCTAssertEqual(calls, 1)
    }

    func testFilesAreWrittenAndReadWholeAtAnOffset() throws {
        let path = directory + "/data"
        let file = try FileDescriptor.open(path, flags: O_RDWR | O_CREAT)
        defer { file.closeIgnoringErrors() }
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try bytes.withUnsafeBytes { _ = try file.writeAll($0, at: 10) }
        XCTAssertEqual(try file.size(), 100_010)
        var back = [UInt8](repeating: 0, count: 100_000)
        XCTAssertEqual(try back.withUnsafeMutableBytes { try file.readFully(into: $0, at: 10) }, 100_000)
        XCTAssertEqual(back, bytes)
        var tail = [UInt8](repeating: 0, count: 64)
        XCTAssertEqual(try tail.withUnsafeMutableBytes { try file.readFully(into: $0, at: 100_000) }, 10, "stops at the end")
        try file.truncate(to: 5)
        XCTAssertEqual(try file.size(), 5)
        try file.syncData()
    }

    func testALockIsHeldByOneOpenFileAtATime() throws {
        let path = directory + "/locked"
        let first = try FileDescriptor.open(path, flags: O_RDWR | O_CREAT)
        let second = try FileDescriptor.open(path, flags: O_RDWR)
        defer { second.closeIgnoringErrors() }
        XCTAssertTrue(try first.tryLockExclusive())
        XCTAssertFalse(try second.tryLockExclusive(), "EWOULDBLOCK answers false")
        try first.close()
        XCTAssertTrue(try second.tryLockExclusive(), "closing releases the lock")
    }

    func testDirectoryEntriesRenamesAndRemovals() throws {
        for name in ["x", "y"] { _ = try FileDescriptor.open(directory + "/" + name, flags: O_RDWR | O_CREAT).close() }
        XCTAssertEqual(try FileSystem.entries(directory).sorted(), ["x", "y"])
        try FileSystem.move(directory + "/x", to: directory + "/z")
        try FileSystem.remove(directory + "/y")
        try FileSystem.sync(directory)
        XCTAssertEqual(try FileSystem.entries(directory), ["z"])
        XCTAssertEqual(FileSystem.join(directory, "z"), directory + "/z")
        XCTAssertEqual(FileSystem.parent(of: directory + "/z"), directory)
    }
}
