import Foundation
import Network
import Rings
import XCTest
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The longest any test waits for something that should happen at once. Only
/// a bug makes a test reach it; nothing asserts how fast things happen.
let generousDeadline: Double = 10

/// Polls `condition` every millisecond until it holds or `seconds` pass.
func waitUntil(seconds: Double = generousDeadline, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(1_000)
    }
    return condition()
}

/// The backends this machine can run: epoll always; io_uring when it can be
/// set up (a container's seccomp profile may block it), with multishot and
/// with single-shot receives.
enum TestBackends {
    static let ioUringAvailable: Bool = {
        final class Idle: NetworkHandler {
            func opened(_ connection: ConnectionID, listener: ListenerID, loop: NetworkLoop) {}
            func received(_ connection: ConnectionID, bytes: UnsafeRawBufferPointer, loop: NetworkLoop) {}
            func closed(_ connection: ConnectionID, reason: CloseReason, loop: NetworkLoop) {}
            func turn(loop: NetworkLoop, nowNanoseconds: Int64) -> Bool { false }
            func hasPendingWork() -> Bool { false }
        }
        return (try? NetworkLoop(configuration: NetworkConfiguration(backend: .ioUring, maxConnections: 1), handler: Idle())) != nil
    }()

    /// One configuration per backend variant, from `base`.
    static func all(_ base: NetworkConfiguration) -> [NetworkConfiguration] {
        var result: [NetworkConfiguration] = []
        if ioUringAvailable {
            var multishot = base
            multishot.backend = .ioUring
            result.append(multishot)
            var singleShot = multishot
            singleShot.allowMultishotReceive = false
            result.append(singleShot)
        }
        var epoll = base
        epoll.backend = .epoll
        result.append(epoll)
        return result
    }

    static func name(_ configuration: NetworkConfiguration) -> String {
        switch configuration.backend {
        case .ioUring: return configuration.allowMultishotReceive ? "io_uring multishot" : "io_uring single-shot"
        case .epoll: return "epoll"
        case .automatic: return "automatic"
        }
    }
}

/// A handler whose behaviour the test sets with closures before the loop
/// starts, and which records what happened for the test thread to read.
/// The closures run on the loop's thread; the records are behind a lock.
final class TestHandler: NetworkHandler, @unchecked Sendable {
    /// Loop thread: what to do with received bytes (default: nothing).
    var onReceived: ((ConnectionID, UnsafeRawBufferPointer, NetworkLoop) -> Void)?
    /// Loop thread: extra work each turn; returns whether it did any.
    var onTurn: ((NetworkLoop) -> Bool)?
    /// Loop thread: after recording an opened connection.
    var onOpened: ((ConnectionID, NetworkLoop) -> Void)?
    /// Loop thread: just before the loop hands queued sends to the kernel.
    var onWillSend: ((NetworkLoop) -> Void)?

    private let lock = NSLock()
    private var commands: [(NetworkLoop) -> Void] = []
    private var _opened: [ConnectionID] = []
    private var _closed: [(ConnectionID, CloseReason)] = []
    private var _bytesReceived = 0
    private var _turns = 0

    func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    var opened: [ConnectionID] { locked { _opened } }
    var closed: [(ConnectionID, CloseReason)] { locked { _closed } }
    var bytesReceived: Int { locked { _bytesReceived } }
    var turns: Int { locked { _turns } }

    func closeReasons(of connection: ConnectionID) -> [CloseReason] {
        locked { _closed.filter { $0.0 == connection }.map(\.1) }
    }

    /// Any thread: queues `body` for the loop's next turn.
    func enqueue(_ body: @escaping (NetworkLoop) -> Void) {
        locked { commands.append(body) }
    }

    func opened(_ connection: ConnectionID, listener: ListenerID, loop: NetworkLoop) {
        locked { _opened.append(connection) }
        onOpened?(connection, loop)
    }

    func received(_ connection: ConnectionID, bytes: UnsafeRawBufferPointer, loop: NetworkLoop) {
        locked { _bytesReceived += bytes.count }
        onReceived?(connection, bytes, loop)
    }

    func closed(_ connection: ConnectionID, reason: CloseReason, loop: NetworkLoop) {
        locked { _closed.append((connection, reason)) }
    }

    func turn(loop: NetworkLoop, nowNanoseconds: Int64) -> Bool {
        let pending: [(NetworkLoop) -> Void] = locked {
            _turns += 1
            defer { commands.removeAll() }
            return commands
        }
        for command in pending { command(loop) }
        let extra = onTurn?(loop) ?? false
        return !pending.isEmpty || extra
    }

    func hasPendingWork() -> Bool {
        locked { !commands.isEmpty }
    }

    func willSend(loop: NetworkLoop) {
        onWillSend?(loop)
    }
}

/// A value written on one thread and read on another after a
/// synchronising step (a semaphore, a join, a lock).
final class Box<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// Runs a `NetworkLoop` on its own thread, listening on 127.0.0.1 with an
/// ephemeral port, as the gateway's I/O thread would.
final class LoopHarness: @unchecked Sendable {
    let handler: TestHandler
    let wakeSignal = WakeSignal()
    let configuration: NetworkConfiguration
    private(set) var port: UInt16 = 0
    private(set) var backendName = ""
    private(set) var usesMultishotReceive = false
    private weak var loop: NetworkLoop?
    private var thread: PinnedThread?
    private var runError: NetworkError?

    init(_ configuration: NetworkConfiguration, handler: TestHandler = TestHandler()) throws {
        self.configuration = configuration
        self.handler = handler
        let ready = DispatchSemaphore(value: 0)
        thread = try PinnedThread.start(name: "test-net-loop") { [self] in
            do throws(NetworkError) {
                // Created, listening and run on this thread; released here too.
                let loop = try NetworkLoop(configuration: configuration, handler: handler, wakeSignal: wakeSignal)
                let listener = try loop.listen(host: "127.0.0.1", port: 0)
                self.port = loop.localPort(of: listener)
                self.backendName = loop.backendName
                self.usesMultishotReceive = loop.usesMultishotReceive
                self.loop = loop
                ready.signal()
                try loop.run()
            } catch {
                self.runError = error
                ready.signal()
            }
        }
        ready.wait()
        if let runError { throw runError }
    }

    /// Runs `body` on the loop's thread in its next turn and returns its
    /// result; wakes the loop like a producer would.
    func onLoop<T>(_ body: @escaping (NetworkLoop) -> T, file: StaticString = #filePath, line: UInt = #line) -> T? {
        let result = Box<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        handler.enqueue { loop in
            result.value = body(loop)
            done.signal()
        }
        wakeSignal.wake()
        guard done.wait(timeout: .now() + generousDeadline) == .success else {
            XCTFail("the loop did not run a queued command within \(generousDeadline) s", file: file, line: line)
            return nil
        }
        return result.value
    }

    /// Stops the loop and waits for `run()` to return; returns its error.
    @discardableResult
    func stop() -> NetworkError? {
        loop?.requestStop()
        thread?.join()
        thread = nil
        return runError
    }

    deinit {
        stop()
    }
}

/// A blocking TCP client on loopback with 10 s send and receive timeouts, so
/// a bug fails a test instead of hanging it. SIGPIPE is ignored process-wide
/// and sends use MSG_NOSIGNAL.
final class TestClient: @unchecked Sendable {
    let descriptor: Int32

    enum Ending: Equatable {
        /// recv returned 0.
        case endOfStream
        /// recv failed with this errno (ECONNRESET: the server reset it).
        case error(Int32)
        /// Nothing within the timeout.
        case timedOut
    }

    init(port: UInt16, receiveBufferSize: Int32? = nil, sendBufferSize: Int32? = nil) throws {
        signal(SIGPIPE, SIG_IGN)
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ClientError.call("socket", errno) }
        var timeout = timeval(tv_sec: Int(generousDeadline), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var on: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        if var size = receiveBufferSize {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if var size = sendBufferSize {
            setsockopt(descriptor, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var code = result == 0 ? 0 : errno
        if code == EINTR {
            // A signal (another test's child exiting) interrupted the blocking connect; the
            // connection goes on in the kernel: wait for it and read its outcome.
            var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            code = ETIMEDOUT
            if poll(&ready, 1, 5_000) == 1 {
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length)
                code = error
            }
        }
        guard code == 0 else {
            Glibc.close(descriptor)
            throw ClientError.call("connect", code)
        }
    }

    enum ClientError: Error {
        case call(String, Int32)
    }

    deinit {
        Glibc.close(descriptor)
    }

    /// Sends all of `bytes`; false if the connection failed.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { send($0) }
    }

    @discardableResult
    func send(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = Glibc.send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    /// Receives exactly `count` bytes, or fewer if the connection ends or
    /// the timeout passes.
    func receive(count: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = result.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + got, count - got, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        return Array(result[0..<got])
    }

    /// Reads until the connection ends; returns what arrived and how it
    /// ended.
    func receiveUntilClosed() -> (bytes: [UInt8], ending: Ending) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
            if n > 0 {
                bytes.append(contentsOf: chunk[0..<n])
            } else if n == 0 {
                return (bytes, .endOfStream)
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                return (bytes, .timedOut)
            } else {
                return (bytes, .error(errno))
            }
        }
    }

    /// Half-closes: the server sees end of stream.
    func shutdownWrite() {
        shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Closes with a reset (SO_LINGER 0) instead of a FIN.
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        shutdown(descriptor, Int32(SHUT_RDWR))
    }
}

/// Deterministic test bytes: byte `i` of stream `seed`.
@inline(__always)
func patternByte(_ seed: UInt64, _ index: Int) -> UInt8 {
    var z = seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 29)) &* 0xBF58_476D_1CE4_E5B9
    return UInt8(truncatingIfNeeded: z ^ (z >> 32))
}

func pattern(_ seed: UInt64, count: Int, from start: Int = 0) -> [UInt8] {
    (0..<count).map { patternByte(seed, start + $0) }
}

/// The seeded generator for sizes and split points.
typealias TestRandom = SplitMix64

extension SplitMix64 {
    /// Uniform in `range`.
    mutating func next(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}
