import GatewayCore

public struct RetransmissionConfiguration: Sendable {
    /// Most messages answered per request (a request for more gets this many).
    public var maximumMessagesPerRequest: Int
    /// Requests each address may make per second, with bursts of `burst`.
    public var requestsPerSecond: Int
    public var burst: Int
    /// Addresses tracked for rate limiting; beyond that the least recently seen is forgotten.
    public var trackedAddresses: Int
    /// Bytes of answers each address may receive per second, with bursts of `burstBytes`:
    /// a request is answered only as far as the address's byte budget goes (at least one
    /// packet), so a small request cannot buy a large answer over and over (issue 14: one
    /// host got 196 MB out for 120 KB in).
    public var bytesPerSecond: Int
    public var burstBytes: Int

    public init(
        maximumMessagesPerRequest: Int = 1000, requestsPerSecond: Int = 50, burst: Int = 20, trackedAddresses: Int = 256,
        bytesPerSecond: Int = 1 << 20, burstBytes: Int = 256 << 10
    ) {
        self.maximumMessagesPerRequest = maximumMessagesPerRequest
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.trackedAddresses = trackedAddresses
        self.bytesPerSecond = bytesPerSecond
        self.burstBytes = burstBytes
    }
}

/// The retransmission server's rules, without the socket: a MoldUDP64 request packet
/// and its sender in, the answering downstream packets out (specs/moldudp64.md,
/// "Retransmission"). Requests for another session, for messages not sent yet, or that
/// do not decode, are ignored and counted; each address has a token bucket, so a flood
/// from one requester is dropped (and counted) instead of slowing the live feed.
public final class RetransmissionResponder {
    public struct Counters: Sendable, Equatable {
        public var answered: UInt64 = 0
        public var messagesResent: UInt64 = 0
        public var malformed: UInt64 = 0
        public var wrongSession: UInt64 = 0
        public var notYetSent: UInt64 = 0
        public var rateLimited: UInt64 = 0
        /// Answers cut short by the address's byte budget.
        public var bytesLimited: UInt64 = 0
        public var bytesResent: UInt64 = 0
        public init() {}
    }

    public let configuration: RetransmissionConfiguration
    public let session: MoldUDP64Session
    public private(set) var counters = Counters()
    let builder: MoldUDP64PacketBuilder
    /// Per address: request tokens (scaled by 1e9 so refills stay integral), bytes of
    /// answer allowed (scaled the same way) and the last refill.
    var buckets: [UInt64: (tokens: Int64, bytes: Int64, refilledAt: Int64)] = [:]

    public init(configuration: RetransmissionConfiguration, session: MoldUDP64Session, maximumPacketSize: Int) {
        self.configuration = configuration
        self.session = session
        builder = MoldUDP64PacketBuilder(session: session, maximumPacketSize: maximumPacketSize)
        buckets.reserveCapacity(configuration.trackedAddresses)
    }

    /// Answers one request from `address` (any stable key for the sender: IPv4 address
    /// and port) out of `store`, whose messages up to `sentThrough` have gone out live.
    /// `send` gets each answering packet (copy it: the buffer is reused).
    public func handle(_ request: UnsafeRawBufferPointer, from address: UInt64, store: MarketDataMessageStore,
                       sentThrough: UInt64, now: Timestamp, send: (UnsafeRawBufferPointer) -> Void) {
        guard let decoded = try? MoldUDP64Request(decoding: request) else {
            counters.malformed &+= 1
            return
        }
        guard decoded.session == session else {
            counters.wrongSession &+= 1
            return
        }
        guard decoded.sequenceNumber >= 1, decoded.sequenceNumber <= sentThrough, decoded.requestedMessageCount > 0 else {
            counters.notYetSent &+= 1
            return
        }
        guard var allowance = takeToken(address, now: now) else {
            counters.rateLimited &+= 1
            return
        }
        let last = min(sentThrough,
                       decoded.sequenceNumber + UInt64(min(Int(decoded.requestedMessageCount), configuration.maximumMessagesPerRequest)) - 1)
        var next = decoded.sequenceNumber
        var sentBytes = 0
        // At least one packet; then only as far as the address's byte budget goes.
        while next <= last && (sentBytes == 0 || allowance > 0) {
            builder.begin(sequenceNumber: next)
            while next <= last, let message = store.message(next), builder.append(message) { next += 1 }
            send(builder.packet)
            sentBytes += builder.packet.count
            allowance -= builder.packet.count
        }
        spend(address, bytes: sentBytes)
        if next <= last { counters.bytesLimited &+= 1 }
        counters.answered &+= 1
        counters.messagesResent &+= next - decoded.sequenceNumber
        counters.bytesResent &+= UInt64(sentBytes)
    }

    /// Token buckets per address: requests (`requestsPerSecond` refill, `burst`
    /// capacity) and bytes (`bytesPerSecond`, `burstBytes`). Takes a request token and
    /// returns the bytes the answer may use (nil: refused, no request token or the byte
    /// budget spent below zero by earlier answers).
    func takeToken(_ address: UInt64, now: Timestamp) -> Int? {
        let scale: Int64 = 1_000_000_000
        let capacity = Int64(configuration.burst) * scale
        let byteCapacity = Int64(configuration.burstBytes)
        var bucket = buckets[address] ?? (capacity, byteCapacity, now.rawValue)
        if buckets[address] == nil && buckets.count >= configuration.trackedAddresses {
            // Forget the address refilled longest ago (a full bucket is no loss to forget).
            if let oldest = buckets.min(by: { $0.value.refilledAt < $1.value.refilledAt })?.key {
                buckets.removeValue(forKey: oldest)
            }
        }
        let elapsed = max(0, now.rawValue - bucket.refilledAt)
        bucket.tokens = min(capacity, bucket.tokens + elapsed * Int64(configuration.requestsPerSecond))
        // Bytes refill with the time elapsed, counted only up to the time a refill from
        // empty takes, so that the product cannot overflow after a long silence.
        let rate = Int64(max(configuration.bytesPerSecond, 1))
        let fill = byteCapacity * scale / rate + 1
        let byteRefill = min(elapsed, fill) * rate / scale
        bucket.bytes = min(byteCapacity, bucket.bytes + byteRefill)
        bucket.refilledAt = now.rawValue
        let granted = bucket.tokens >= scale && bucket.bytes > 0
        if granted { bucket.tokens -= scale }
        buckets[address] = bucket
        return granted ? Int(bucket.bytes) : nil
    }

    /// An answer of `bytes` went to `address`: its byte budget pays for it (it may go
    /// below zero by the last packet; the next request then waits for the refill).
    func spend(_ address: UInt64, bytes: Int) {
        guard var bucket = buckets[address] else { return }
        bucket.bytes -= Int64(bytes)
        buckets[address] = bucket
    }
}
