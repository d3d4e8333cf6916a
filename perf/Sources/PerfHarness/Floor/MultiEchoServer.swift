import Foundation
import TLS

#if canImport(Glibc)
import Glibc
#endif

/// The floor for runs with several connections: one thread that `poll`s the listener
/// and every accepted connection and writes back every byte it reads (blocking
/// writes, TCP_NODELAY), doing nothing else. ``EchoServer`` serves one connection at a
/// time; this serves them all at once. With `tls`, each connection is a server
/// `TLSSession` (the gateway's TLS module, memory BIOs): records are decrypted and the
/// plaintext written back in one record per read, the TLS floor.
public final class MultiEchoServer: @unchecked Sendable {
    let listener: TCPListener
    public var address: HostPort { HostPort(host: "127.0.0.1", port: listener.port) }
    private let stopping = ManagedAtomicFlag()
    private let finished = DispatchSemaphore(value: 0)
    private var started = false

    public init(tls: TLSContext? = nil) throws {
        listener = try TCPListener()
        let thread = Thread { [listener, stopping, finished] in
            ServerPlacement.pinCurrentThread()
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 64)
            var connections: [TCPSocket] = []
            var sessions: [TLSSession?] = []
            defer {
                for c in connections { c.close() }
                buffer.deallocate()
                finished.signal()
            }
            while !stopping.isSet {
                var fds = [pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0)]
                fds += connections.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
                let ready = poll(&fds, nfds_t(fds.count), 100)
                if ready <= 0 { continue }
                var closed: [Int] = []
                for (i, c) in connections.enumerated() where fds[i + 1].revents != 0 {
                    guard let n = try? c.receive(into: buffer), n > 0 else {
                        closed.append(i)
                        continue
                    }
                    if let session = sessions[i] {
                        var failed = false
                        let outcome = session.receive(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) { plaintext in
                            if !session.write(plaintext) { failed = true }
                        }
                        session.drainOutput { chunk in
                            if (try? c.sendAll(chunk)) == nil { failed = true }
                        }
                        switch outcome {
                        case .failed, .closed: failed = true
                        default: break
                        }
                        if failed { closed.append(i) }
                    } else if (try? c.sendAll(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))) == nil {
                        closed.append(i)
                    }
                }
                for i in closed.reversed() {
                    connections.remove(at: i).close()
                    sessions.remove(at: i)
                }
                if fds[0].revents != 0, let c = listener.accept() {
                    connections.append(c)
                    sessions.append(tls.flatMap { try? TLSSession(context: $0) })
                }
            }
        }
        thread.name = "echo-server"
        thread.start()
        started = true
    }

    /// Stops the thread (within 100 ms) and closes every connection and the listener.
    public func stop() {
        guard started else { return }
        started = false
        stopping.set()
        finished.wait()
        listener.close()
    }
}

/// A flag one thread sets and another reads (a lock: read every 100 ms at most).
final class ManagedAtomicFlag: @unchecked Sendable {
    private var value = false
    private let lock = NSLock()
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
