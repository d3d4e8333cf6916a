import GatewayCore

public struct RetransmissionConfiguration: Sendable {
    /// Most messages answered per request (a request for more gets this many).
    public var maximumMessagesPerRequest: Int
    /// Requests each address may make per second, with bursts of `burst`.
    public var requestsPerSecond: Int
    public var burst: Int
    /// Addresses tracked for rate limiting; beyond that the least recently seen is forgotten.
    public var trackedAddresses: Int

    public init(maximumMessagesPerRequest: Int = 1000, requestsPerSecond: Int = 50, burst: Int = 20, trackedAddresses: Int = 256) {
        self.maximumMessagesPerRequest = maximumMessagesPerRequest
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.trackedAddresses = trackedAddresses
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
        public init() {}
    }

    public let configuration: RetransmissionConfiguration
    public let session: MoldUDP64Session
    public private(set) var counters = Counters()
    let builder: MoldUDP64PacketBuilder
    /// Per address: tokens (scaled by 1e9 so refills stay integral) and the last refill.
    var buckets: [UInt64: (tokens: Int64, refilledAt: Int64)] = [:]

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
        guard takeToken(address, now: now) else {
            counters.rateLimited &+= 1
            return
        }
        let last = min(sentThrough,
                       decoded.sequenceNumber + UInt64(min(Int(decoded.requestedMessageCount), configuration.maximumMessagesPerRequest)) - 1)
        var next = decoded.sequenceNumber
        while next <= last {
            builder.begin(sequenceNumber: next)
            while next <= last, let message = store.message(next), builder.append(message) { next += 1 }
            send(builder.packet)
        }
        counters.answered &+= 1
        counters.messagesResent &+= last - decoded.sequenceNumber + 1
    }

    /// Token bucket per address: `requestsPerSecond` refill, `burst` capacity.
    func takeToken(_ address: UInt64, now: Timestamp) -> Bool {
        let scale: Int64 = 1_000_000_000
        let capacity = Int64(configuration.burst) * scale
        var bucket = buckets[address] ?? (capacity, now.rawValue)
        if buckets[address] == nil && buckets.count >= configuration.trackedAddresses {
            // Forget the address refilled longest ago (a full bucket is no loss to forget).
            if let oldest = buckets.min(by: { $0.value.refilledAt < $1.value.refilledAt })?.key {
                buckets.removeValue(forKey: oldest)
            }
        }
        let elapsed = max(0, now.rawValue - bucket.refilledAt)
        bucket.tokens = min(capacity, bucket.tokens + elapsed * Int64(configuration.requestsPerSecond))
        bucket.refilledAt = now.rawValue
        let granted = bucket.tokens >= scale
        if granted { bucket.tokens -= scale }
        buckets[address] = bucket
        return granted
    }
}
