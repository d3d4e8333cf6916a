import POSIX

#if canImport(Glibc)
import Glibc
#endif
import MarketData

/// How a ``FeedSubscriber`` joins and when it stops.
public struct FeedSubscriberConfiguration: Sendable {
    /// The feed's multicast group and port (port 0: an ephemeral port, for tests).
    public var group: IPv4Endpoint
    /// Where the group is joined: `lo` or `127.0.0.1`.
    public var interface: MulticastInterface
    /// The retransmission server (unicast UDP); nil: a gap is an error.
    public var retransmission: IPv4Endpoint?
    /// The snapshot server (TCP); used with ``joinFromSnapshot``.
    public var snapshot: IPv4Endpoint?
    /// Late join: take a snapshot first, then the feed from its LastSequenceNumber + 1.
    /// Otherwise the feed is followed from message 1 (and anything already sent is
    /// requested from the retransmission server).
    public var joinFromSnapshot = false
    /// The symbols asked of the snapshot server; empty for all.
    public var snapshotSymbols: [ITCHStock] = []
    public var snapshotTimeoutMilliseconds = 5000
    /// Gap buffering, request cap, retry timeout and attempts.
    public var sequencer = MoldUDP64Sequencer.Configuration()
    /// Stop after this many feed messages (snapshot messages not counted).
    public var maximumMessages: Int?
    /// Stop after this many seconds.
    public var runSeconds: Double?
    /// The longest the loop sleeps in poll(2): bounds how late a retry, a deadline or
    /// a stop request is noticed.
    public var pollMilliseconds = 50
    /// Test hook: live packets whose first message has one of these sequence numbers
    /// are dropped on arrival (each once), as if the network had lost them, so that
    /// the loss → retransmission path can be exercised. Answers from the
    /// retransmission server are never dropped.
    public var dropLivePackets: Set<UInt64> = []

    public init(group: IPv4Endpoint, interface: MulticastInterface, retransmission: IPv4Endpoint? = nil,
                snapshot: IPv4Endpoint? = nil) {
        self.group = group
        self.interface = interface
        self.retransmission = retransmission
        self.snapshot = snapshot
    }
}

/// What the subscriber reports while it runs, besides the sequencer's own events.
public enum FeedSubscriberEvent: Sendable, Equatable {
    /// A message, a best bid/offer change, an undecodable message, a book error or
    /// the snapshot's completion.
    case sequencer(MoldUDP64SequencerEvent)
    /// A retransmission request was sent for `gap` (attempt 1 is the first time).
    case retransmissionRequested(MoldUDP64Request, gap: MoldUDP64Gap, attempt: Int)
    /// A datagram that is not a MoldUDP64 packet: dropped (its gap is recovered like a loss).
    case malformedPacket(MoldUDP64DecodingError)
    /// The test hook dropped the live packet starting at this sequence number.
    case droppedOnPurpose(sequenceNumber: UInt64)
}

/// Why ``FeedSubscriber/run(shouldStop:_:)`` returned.
public enum FeedSubscriberStop: Sendable, Equatable {
    /// End of Session arrived and every message before it was applied.
    case endOfSession
    /// ``FeedSubscriberConfiguration/maximumMessages`` feed messages were applied.
    case messageCount
    /// ``FeedSubscriberConfiguration/runSeconds`` passed.
    case deadline
    /// `shouldStop` said so (Ctrl-C).
    case stopped
}

/// Runs the subscriber: joins the group (in `init`, so nothing sent after it is
/// missed), optionally takes a snapshot first (the late-joiner procedure of
/// specs/itch.md), applies the feed through a ``MoldUDP64Sequencer``, fills gaps
/// through the ``RetransmissionClient`` (retrying after the retry timeout, giving up
/// after the configured attempts), and stops on End of Session, a message count, a
/// deadline or a stop request.
///
/// One thread: the caller of ``run(shouldStop:_:)``.
public final class FeedSubscriber {
    public let configuration: FeedSubscriberConfiguration
    public let receiver: MulticastReceiver
    public let retransmissionClient: RetransmissionClient?
    /// The book and the counters.
    public private(set) var sequencer: MoldUDP64Sequencer
    /// Datagrams that were not MoldUDP64 packets.
    public private(set) var malformedPackets = 0
    var dropLivePackets: Set<UInt64>
    var reportedMessages = 0

    public init(configuration: FeedSubscriberConfiguration) throws(SubscriberError) {
        self.configuration = configuration
        receiver = try MulticastReceiver(group: configuration.group, interface: configuration.interface)
        retransmissionClient = try configuration.retransmission.map { (server) throws(SubscriberError) in
            try RetransmissionClient(server: server)
        }
        sequencer = MoldUDP64Sequencer(configuration: configuration.sequencer,
                                       awaitingSnapshot: configuration.joinFromSnapshot)
        dropLivePackets = configuration.dropLivePackets
    }

    /// The group and the port actually bound (the ephemeral one when configured with 0).
    public var groupEndpoint: IPv4Endpoint { receiver.endpoint }

    /// Runs until a stop condition; `report` sees every event in order. Throws when
    /// the snapshot fails, a socket call fails, or a gap cannot be filled.
    ///
    /// `report` is called while ``sequencer`` is being updated: it must not read the
    /// subscriber's ``sequencer`` (an exclusivity violation). Everything it needs is
    /// in the event; the book is for after `run` returns.
    @discardableResult
    public func run(
        shouldStop: () -> Bool = { false }, _ report: (FeedSubscriberEvent) -> Void
    ) throws(SubscriberError) -> FeedSubscriberStop {
        let start = UInt64(MonotonicClock.nanoseconds())
        let deadline = configuration.runSeconds.map { start + UInt64(max(0, $0) * 1e9) }
        let limit = configuration.maximumMessages ?? Int.max
        func emit(_ event: MoldUDP64SequencerEvent) {
            // Exactly `limit` feed messages are reported, even when the packet that
            // reaches it carries more.
            guard reportedMessages < limit else { return }
            if case .message(_, let sequence) = event, sequence != nil { reportedMessages += 1 }
            report(.sequencer(event))
        }

        if configuration.joinFromSnapshot {
            guard let server = configuration.snapshot else {
                throw .snapshotProtocol("a snapshot join needs a snapshot server")
            }
            // Live packets that already arrived are buffered by the sequencer; the
            // rest wait in the socket's receive buffer while the snapshot is fetched.
            try drainLive(emit, report)
            let snapshot = try SnapshotClient.fetch(
                from: server, symbols: configuration.snapshotSymbols,
                timeoutMilliseconds: configuration.snapshotTimeoutMilliseconds)
            guard let session = MoldUDP64Session(snapshot.session) else {
                throw .snapshotProtocol("Login Accepted names session \"\(snapshot.session)\", not 10 printable characters")
            }
            if sequencer.snapshotSessionConflicts(session) {
                throw .snapshotProtocol("the snapshot is of session \(session), the feed configured is \(sequencer.configuration.session!)")
            }
            sequencer.applySnapshot(
                snapshot.messages, lastSequenceNumber: snapshot.lastSequenceNumber, session: session, emit)
        }

        var fds = [receiver.fd]
        if let retransmissionClient { fds.append(retransmissionClient.fd) }
        while true {
            if reportedMessages >= limit { return .messageCount }
            if sequencer.isComplete { return .endOfSession }
            if shouldStop() { return .stopped }
            let now = UInt64(MonotonicClock.nanoseconds())
            if let deadline, now >= deadline { return .deadline }

            let gapRequest: MoldUDP64Sequencer.GapRequest?
            do { gapRequest = try sequencer.retransmissionRequest(now: now) } catch {
                throw .retransmissionGaveUp(error)
            }
            if let gapRequest {
                guard let retransmissionClient else { throw .gapWithoutRetransmission(gapRequest.gap) }
                report(.retransmissionRequested(gapRequest.request, gap: gapRequest.gap, attempt: gapRequest.attempt))
                try retransmissionClient.send(gapRequest.request)
            }

            var wait = configuration.pollMilliseconds
            if let deadline { wait = min(wait, Int((deadline - min(deadline, now)) / 1_000_000) + 1) }
            let ready = try Socket.waitReadable(fds, milliseconds: wait, on: "market-data sockets", as: SubscriberError.self)
            if ready[0] { try drainLive(emit, report) }
            if ready.count > 1, ready[1], let retransmissionClient {
                while try retransmissionClient.receiveNow({ bytes in take(bytes, live: false, emit, report) }) != nil {}
            }
        }
    }

    /// Takes every datagram waiting on the multicast socket.
    func drainLive(_ emit: (MoldUDP64SequencerEvent) -> Void, _ report: (FeedSubscriberEvent) -> Void)
        throws(SubscriberError)
    {
        while try receiver.receiveNow({ bytes in take(bytes, live: true, emit, report) }) != nil {}
    }

    /// Decodes one datagram and hands it to the sequencer.
    func take(_ bytes: UnsafeRawBufferPointer, live: Bool, _ emit: (MoldUDP64SequencerEvent) -> Void,
              _ report: (FeedSubscriberEvent) -> Void) {
        let packet: MoldUDP64Packet
        do {
            packet = try MoldUDP64Packet(decoding: bytes)
        } catch {
            malformedPackets += 1
            report(.malformedPacket(error))
            return
        }
        if live && packet.messageCount > 0 && dropLivePackets.remove(packet.header.sequenceNumber) != nil {
            report(.droppedOnPurpose(sequenceNumber: packet.header.sequenceNumber))
            return
        }
        sequencer.receive(packet, emit)
    }
}
