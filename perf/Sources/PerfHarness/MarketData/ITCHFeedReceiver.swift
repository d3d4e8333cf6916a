import GatewayCore
import MarketData
import MarketDataSubscriber

#if canImport(Glibc)
import Glibc
#endif

/// The harness's subscriber: the gateway's multicast group joined on one interface
/// with `MarketDataSubscriber.MulticastReceiver`, its receive buffer raised to 64 MiB
/// with SO_RCVBUFFORCE (root; falls back to the receiver's 4 MiB, capped by
/// net.core.rmem_max), every packet checked as MoldUDP64 and stamped on receipt with
/// CLOCK_MONOTONIC and CLOCK_REALTIME (right after `recv` returns). Counts packets,
/// messages and sequence gaps. One thread at a time.
public final class ITCHFeedReceiver {
    public let receiver: MulticastReceiver
    public private(set) var receiveBufferBytes: Int32 = 0
    public private(set) var packets = 0
    public private(set) var messages = 0
    public private(set) var heartbeats = 0
    /// Messages missing between packets (MoldUDP64 sequence numbers skipped).
    public private(set) var gapMessages: UInt64 = 0
    public private(set) var nextSequence: UInt64 = 0
    public private(set) var malformed = 0

    /// What one received packet carried, handed to the caller per message.
    public struct Receipt {
        public var monotonic: Int64
        public var realtime: Int64
        public var sequence: UInt64
        public var message: UnsafeRawBufferPointer
    }

    public init(group: HostPort, interface: String) throws {
        guard let endpoint = IPv4Endpoint(host: group.host, port: UInt16(group.port)) else {
            throw HarnessError("--group \(group): not an IPv4 group")
        }
        do {
            receiver = try MulticastReceiver(group: endpoint, interface: MulticastInterface(parsing: interface))
        } catch {
            throw HarnessError("joining \(group) on \(interface): \(error) (multicast on loopback needs the namespace perf/scripts/itch-perf.sh enters)")
        }
        var size: Int32 = 64 << 20
        _ = setsockopt(receiver.fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size))
        var actual: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(receiver.fd, SOL_SOCKET, SO_RCVBUF, &actual, &length)
        receiveBufferBytes = actual
    }

    /// Waits up to `timeoutMilliseconds` for a packet, then reads every packet waiting,
    /// calling `body` for each message; returns the packets read (0 on timeout).
    @discardableResult
    public func receive(timeoutMilliseconds: Int, _ body: (Receipt) throws -> Void) throws -> Int {
        var count = 0
        var timeout = timeoutMilliseconds
        var bodyError: Error?
        while true {
            let got: Bool?
            do {
                got = try receiver.receive(timeoutMilliseconds: timeout) { bytes -> Bool in
                    let realtime = realtimeNanoseconds()
                    let monotonic = nowNanoseconds()
                    guard let packet = try? MoldUDP64Packet(decoding: bytes) else {
                        malformed += 1
                        return true
                    }
                    packets += 1
                    let first = packet.header.sequenceNumber
                    if packet.messageCount == 0 {
                        heartbeats += 1
                        return true
                    }
                    if nextSequence != 0 && first > nextSequence { gapMessages += first - nextSequence }
                    nextSequence = max(nextSequence, first + UInt64(packet.messageCount))
                    messages += packet.messageCount
                    var iterator = packet.makeIterator()
                    while let (sequence, message) = iterator.next() {
                        do { try body(Receipt(monotonic: monotonic, realtime: realtime, sequence: sequence, message: message)) } catch {
                            bodyError = error
                        }
                    }
                    return true
                }
            } catch {
                throw HarnessError("multicast receive: \(error)")
            }
            if let bodyError { throw bodyError }
            guard got != nil else { return count }
            count += 1
            timeout = 0
        }
    }
}
