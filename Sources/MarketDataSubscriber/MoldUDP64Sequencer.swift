import GatewayCore
import MarketData

/// The subscriber's MoldUDP64 core: puts the feed's messages in sequence and applies
/// them to an ``ITCHBookBuilder``. Pure: packets, snapshots and a clock reading in;
/// events, gaps and retransmission requests out; no sockets.
///
/// - Keeps the next expected sequence number. A message at it is applied, and so are
///   the buffered messages that follow it without a hole.
/// - A message above it is buffered (at most
///   ``Configuration/maximumBufferedMessages``; beyond that it is dropped and counted,
///   and requested again later) and the hole below it is a ``gap``.
/// - A message below it, or one already buffered, is a duplicate: ignored, counted.
/// - A heartbeat or End of Session whose sequence number is ahead reveals a gap at
///   the end of a burst: its SequenceNumber is the next message the publisher will use.
/// - Packets of another session are ignored and counted. With no configured
///   session, the first packet's session is the one followed.
/// - ``retransmissionRequest(now:)`` turns the first gap into a MoldUDP64 request
///   (capped at ``Configuration/maximumRequestCount`` messages), repeats it when a
///   retry timeout passes with no progress, and gives up after
///   ``Configuration/maximumAttempts`` requests for the same first message.
/// - Late join (specs/itch.md, "Snapshot service"): made with `awaitingSnapshot`, it
///   buffers every live message and applies none until ``applySnapshot(_:lastSequenceNumber:_:)``,
///   which rebuilds the book from the snapshot, discards buffered messages at or below
///   the snapshot's LastSequenceNumber and continues from the one after.
///
/// Single-threaded: the subscriber loop that owns it calls every method.
public struct MoldUDP64Sequencer {
    public struct Configuration: Sendable, Equatable {
        /// The session to follow; nil follows the first packet's session.
        public var session: MoldUDP64Session?
        /// The most messages one retransmission request asks for (1…65,534; the
        /// venue caps its answers, 1,000 by default).
        public var maximumRequestCount: Int
        /// The most messages held above a gap.
        public var maximumBufferedMessages: Int
        /// How long a request may go without progress before it is sent again.
        public var retryTimeoutNanoseconds: UInt64
        /// Requests for the same first message before the sequencer gives up.
        public var maximumAttempts: Int

        public init(
            session: MoldUDP64Session? = nil, maximumRequestCount: Int = 1000, maximumBufferedMessages: Int = 100_000,
            retryTimeoutNanoseconds: UInt64 = 500_000_000, maximumAttempts: Int = 5
        ) {
            precondition((1...Int(MoldUDP64Header.endOfSessionCount) - 1).contains(maximumRequestCount),
                         "maximumRequestCount must be 1…65534")
            precondition(maximumBufferedMessages >= 0 && maximumAttempts >= 1)
            self.session = session
            self.maximumRequestCount = maximumRequestCount
            self.maximumBufferedMessages = maximumBufferedMessages
            self.retryTimeoutNanoseconds = retryTimeoutNanoseconds
            self.maximumAttempts = maximumAttempts
        }
    }

    /// A request to send, with the gap it covers and how many times it has been sent
    /// (1 for the first time).
    public struct GapRequest: Sendable, Equatable {
        public var request: MoldUDP64Request
        public var gap: MoldUDP64Gap
        public var attempt: Int
    }

    public let configuration: Configuration
    /// The subscriber's book: every applied message so far.
    public private(set) var book = ITCHBookBuilder()
    /// The session followed; nil until the first packet when none was configured.
    public private(set) var session: MoldUDP64Session?
    /// The sequence number of the next message to apply. Meaningless while
    /// ``isAwaitingSnapshot``.
    public private(set) var nextSequenceNumber: UInt64 = 1
    /// The highest sequence number known to exist (from a message, or one below a
    /// heartbeat's or End of Session's SequenceNumber); 0 before any.
    public private(set) var highestKnownSequenceNumber: UInt64 = 0
    /// True from a late-join start until ``applySnapshot(_:lastSequenceNumber:_:)``.
    public private(set) var isAwaitingSnapshot: Bool
    /// End of Session's SequenceNumber (the one after the session's last message).
    public private(set) var endOfSessionSequenceNumber: UInt64?
    public private(set) var statistics = MoldUDP64SequencerStatistics()

    /// Message blocks above the next expected sequence number, by sequence number.
    /// Invariant: every key is above ``nextSequenceNumber`` (unless awaiting a snapshot).
    var buffered: [UInt64: [UInt8]] = [:]
    /// The smallest key of `buffered`, kept so that finding a gap's end is O(1).
    var lowestBuffered: UInt64?
    /// The best bid and offer last reported per symbol (absent = both sides empty).
    var reported: [SymbolIndex: ITCHBestBidOffer] = [:]
    /// The request last produced: its first message, when it was sent, how many times.
    var outstanding: (first: UInt64, sentAt: UInt64, attempts: Int)?

    public init(configuration: Configuration = Configuration(), awaitingSnapshot: Bool = false) {
        self.configuration = configuration
        self.session = configuration.session
        self.isAwaitingSnapshot = awaitingSnapshot
    }

    /// Messages held above a gap (or, while awaiting a snapshot, every live message).
    public var bufferedMessageCount: Int { buffered.count }

    /// True once End of Session has arrived and every message before it is applied.
    public var isComplete: Bool {
        guard !isAwaitingSnapshot, let end = endOfSessionSequenceNumber else { return false }
        return nextSequenceNumber >= end
    }

    /// The first hole: from the next expected message up to the first buffered one,
    /// or to the highest known. Nil when nothing is missing or while awaiting a snapshot.
    public var gap: MoldUDP64Gap? {
        guard !isAwaitingSnapshot, highestKnownSequenceNumber >= nextSequenceNumber else { return nil }
        let end = lowestBuffered ?? (highestKnownSequenceNumber + 1)
        guard end > nextSequenceNumber else { return nil }
        return MoldUDP64Gap(first: nextSequenceNumber, count: end - nextSequenceNumber)
    }

    // MARK: Packets

    /// Takes one decoded downstream packet, from the live feed or from the
    /// retransmission server alike, and reports each applied message (and each best
    /// bid/offer change) to `emit` as it happens.
    @discardableResult
    public mutating func receive(
        _ packet: MoldUDP64Packet, _ emit: (MoldUDP64SequencerEvent) -> Void
    ) -> MoldUDP64PacketDisposition {
        statistics.packets += 1
        let header = packet.header
        if let session {
            guard header.session == session else {
                statistics.wrongSessionPackets += 1
                return .wrongSession
            }
        } else {
            session = header.session
        }
        if header.isEndOfSession {
            if endOfSessionSequenceNumber == nil { endOfSessionSequenceNumber = header.sequenceNumber }
            noteKnown(below: header.sequenceNumber)
            return .endOfSession
        }
        if header.isHeartbeat {
            statistics.heartbeats += 1
            noteKnown(below: header.sequenceNumber)
            return .heartbeat
        }
        var applied = 0
        var bufferedNow = 0
        var duplicates = 0
        var dropped = 0
        for (sequence, bytes) in packet {
            noteKnown(below: sequence &+ 1)
            if !isAwaitingSnapshot && sequence < nextSequenceNumber {
                duplicates += 1
            } else if !isAwaitingSnapshot && sequence == nextSequenceNumber {
                applyBlock(bytes, sequence: sequence, emit)
                nextSequenceNumber += 1
                applied += 1 + drain(emit)
            } else if buffered[sequence] != nil {
                duplicates += 1
            } else if buffered.count >= configuration.maximumBufferedMessages {
                dropped += 1
            } else {
                buffered[sequence] = Array(bytes)
                lowestBuffered = min(lowestBuffered ?? sequence, sequence)
                bufferedNow += 1
            }
        }
        statistics.messagesApplied += applied
        statistics.duplicateMessages += duplicates
        statistics.droppedBufferFull += dropped
        return .messages(applied: applied, buffered: bufferedNow, duplicates: duplicates, dropped: dropped)
    }

    /// Records that every sequence number below `sequence` exists.
    mutating func noteKnown(below sequence: UInt64) {
        guard sequence > 0 else { return }
        highestKnownSequenceNumber = max(highestKnownSequenceNumber, sequence - 1)
    }

    /// Applies the buffered messages that now follow without a hole; returns how many.
    mutating func drain(_ emit: (MoldUDP64SequencerEvent) -> Void) -> Int {
        guard lowestBuffered == nextSequenceNumber else { return 0 }
        var count = 0
        while let bytes = buffered.removeValue(forKey: nextSequenceNumber) {
            bytes.withUnsafeBytes { applyBlock($0, sequence: nextSequenceNumber, emit) }
            nextSequenceNumber += 1
            count += 1
        }
        lowestBuffered = buffered.keys.min()
        return count
    }

    /// Decodes one message block and applies it; an undecodable block still consumes
    /// its sequence number.
    mutating func applyBlock(_ bytes: UnsafeRawBufferPointer, sequence: UInt64?, _ emit: (MoldUDP64SequencerEvent) -> Void) {
        let message: ITCHMessage
        do {
            message = try ITCHMessage(decoding: bytes)
        } catch {
            statistics.undecodableMessages += 1
            emit(.undecodable(sequenceNumber: sequence, error))
            return
        }
        apply(message, sequence: sequence, emit)
    }

    mutating func apply(_ message: ITCHMessage, sequence: UInt64?, _ emit: (MoldUDP64SequencerEvent) -> Void) {
        emit(.message(message, sequenceNumber: sequence))
        do {
            try book.apply(message)
        } catch {
            statistics.bookErrors += 1
            emit(.bookError(message, sequenceNumber: sequence, error))
            return
        }
        let stockLocate = message.header.stockLocate
        guard stockLocate != .none else { return }
        let now = book.bestBidOffer(stockLocate)
        let before = reported[stockLocate] ?? ITCHBestBidOffer(bid: nil, offer: nil)
        guard now != before else { return }
        reported[stockLocate] = now
        emit(.bestBidOffer(stockLocate: stockLocate, stock: book.stock(stockLocate), now))
    }

    // MARK: Snapshot

    /// Replaces the book with a snapshot's messages (the directory, trading actions
    /// and resting orders; a Snapshot Complete among them is applied like any other),
    /// joins the feed at `lastSequenceNumber + 1`, discards buffered messages at or
    /// below `lastSequenceNumber` and applies the buffered ones that follow.
    ///
    /// `session` is the snapshot's (the snapshot server's Login Accepted). The snapshot is
    /// the truth: when the session followed so far was only taken from the first live
    /// packet and differs (the feed rolled to a new day while the snapshot was fetched, or
    /// another feed shares the group), the sequencer follows the snapshot's session from
    /// now on and discards every message it buffered from the other one. A session that
    /// was configured is checked by the caller before (``snapshotSessionConflicts(_:)``).
    public mutating func applySnapshot(
        _ messages: [ITCHMessage], lastSequenceNumber: UInt64, session snapshotSession: MoldUDP64Session? = nil,
        _ emit: (MoldUDP64SequencerEvent) -> Void
    ) {
        if let snapshotSession, session != snapshotSession {
            statistics.discardedBySnapshot += buffered.count
            buffered = [:]
            lowestBuffered = nil
            highestKnownSequenceNumber = 0
            endOfSessionSequenceNumber = nil
            session = snapshotSession
        }
        book = ITCHBookBuilder()
        reported = [:]
        for message in messages { apply(message, sequence: nil, emit) }
        emit(.snapshotApplied(messages: messages.count, lastSequenceNumber: lastSequenceNumber))
        isAwaitingSnapshot = false
        nextSequenceNumber = lastSequenceNumber + 1
        outstanding = nil
        let stale = buffered.keys.filter { $0 <= lastSequenceNumber }
        for key in stale { buffered[key] = nil }
        statistics.discardedBySnapshot += stale.count
        lowestBuffered = buffered.keys.min()
        statistics.messagesApplied += drain(emit)
    }

    /// True when a snapshot of `snapshotSession` cannot be used: another session was
    /// configured (``Configuration/session``).
    public func snapshotSessionConflicts(_ snapshotSession: MoldUDP64Session) -> Bool {
        configuration.session.map { $0 != snapshotSession } ?? false
    }

    // MARK: Retransmission

    /// The request to send now for the first gap, or nil: nothing is missing, or a
    /// request for the same first message was sent less than the retry timeout ago.
    /// `now` is any monotonic clock in nanoseconds. Throws when the gap has had
    /// ``Configuration/maximumAttempts`` requests and the last one timed out too.
    public mutating func retransmissionRequest(now: UInt64) throws(MoldUDP64RetransmissionGaveUp) -> GapRequest? {
        guard let gap, let session else {
            outstanding = nil
            return nil
        }
        let attempt: Int
        if let previous = outstanding, previous.first == gap.first {
            guard now &- previous.sentAt >= configuration.retryTimeoutNanoseconds else { return nil }
            guard previous.attempts < configuration.maximumAttempts else {
                throw MoldUDP64RetransmissionGaveUp(gap: gap, attempts: previous.attempts)
            }
            attempt = previous.attempts + 1
        } else {
            attempt = 1
        }
        outstanding = (gap.first, now, attempt)
        statistics.retransmissionRequests += 1
        let count = UInt16(min(gap.count, UInt64(configuration.maximumRequestCount)))
        return GapRequest(
            request: MoldUDP64Request(session: session, sequenceNumber: gap.first, requestedMessageCount: count),
            gap: gap, attempt: attempt)
    }
}
