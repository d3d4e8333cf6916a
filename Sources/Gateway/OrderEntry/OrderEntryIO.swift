import GatewayCore
import Network
import OUCH

/// What the protocol servers (pure state machines) do to the world, carried out on the
/// I/O thread: bytes to the network loop, commands to the engine's inbound ring.
///
/// A value made per callback; `submitted` tells the handler to wake the engine once
/// for the whole callback rather than once per command.
struct OrderEntryIO: OUCHServerIO {
    unowned(unsafe) let loop: NetworkLoop
    unowned(unsafe) let port: OrderEntryPort
    var submitted = false

    @inline(__always)
    mutating func send(_ connection: UInt32, _ bytes: UnsafeRawBufferPointer) {
        // A slow consumer is closed by the loop, which then tells the handler `closed`.
        _ = loop.send(ConnectionID(rawValue: connection), bytes)
    }

    @inline(__always)
    mutating func submit(_ command: Command) -> Bool {
        guard port.submit(command, wake: false) else { return false }
        submitted = true
        return true
    }

    mutating func close(_ connection: UInt32, reason: String) {
        Log.info("order entry: closing connection \(ConnectionID(rawValue: connection)): \(reason)")
        _ = loop.close(ConnectionID(rawValue: connection), reason: .closedByHandler)
    }

    func certificateSubject(of connection: UInt32) -> String? {
        loop.tlsPeerSubject(of: ConnectionID(rawValue: connection))
    }

    func peerAddress(of connection: UInt32) -> UInt32 {
        loop.peerAddress(of: ConnectionID(rawValue: connection))
    }

    func pendingOutputBytes(of connection: UInt32) -> Int {
        loop.pendingOutputBytes(of: ConnectionID(rawValue: connection)) ?? 0
    }
}
