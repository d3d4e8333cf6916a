import Foundation

/// The TCP floor's far end: a thread that accepts loopback connections one at a time
/// and writes back every byte it reads, with blocking calls and TCP_NODELAY, doing
/// nothing else. What a round trip costs with no gateway in it.
public final class EchoServer: @unchecked Sendable {
    let listener: TCPListener
    public var address: HostPort { HostPort(host: "127.0.0.1", port: listener.port) }
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    public init() throws {
        listener = try TCPListener()
        let thread = Thread { [listener, finished] in
            ServerPlacement.pinCurrentThread()
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 64)
            defer {
                buffer.deallocate()
                finished.signal()
            }
            while let connection = listener.accept() {
                while let n = try? connection.receive(into: buffer), n > 0 {
                    if (try? connection.sendAll(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))) == nil { break }
                }
                connection.close()
            }
        }
        thread.name = "echo-server"
        thread.start()
        self.thread = thread
    }

    /// Closes the listener and waits for the thread (after the client closed its connection).
    public func stop() {
        guard thread != nil else { return }
        listener.close()
        finished.wait()
        thread = nil
    }
}
