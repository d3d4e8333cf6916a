import GatewayCore
import MarketData

/// What the sequencer reports while it applies messages, in the order it happens.
/// A test records them and compares the whole list; the CLI prints them.
public enum MoldUDP64SequencerEvent: Sendable, Equatable {
    /// A message was decoded and handed to the book. `sequenceNumber` is nil for a
    /// snapshot message (the snapshot channel has no feed sequence numbers).
    case message(ITCHMessage, sequenceNumber: UInt64?)
    /// The best bid or offer of `stockLocate` is no longer what was last reported
    /// (for a symbol's first book message: no longer empty).
    case bestBidOffer(stockLocate: SymbolIndex, stock: ITCHStock?, ITCHBestBidOffer)
    /// A well-formed MoldUDP64 block whose ITCH message cannot be read: its sequence
    /// number is consumed, the message is dropped and counted.
    case undecodable(sequenceNumber: UInt64?, ITCHDecodingError)
    /// A message the book could not apply: the book is unchanged and has diverged
    /// from the venue's; counted in ``MoldUDP64SequencerStatistics/bookErrors``.
    case bookError(ITCHMessage, sequenceNumber: UInt64?, ITCHBookError)
    /// A snapshot's `messages` messages were applied; the feed continues at
    /// `lastSequenceNumber + 1` (reported before any buffered feed message).
    case snapshotApplied(messages: Int, lastSequenceNumber: UInt64)
}

/// What became of one received packet.
public enum MoldUDP64PacketDisposition: Sendable, Equatable {
    /// Another session's packet: ignored.
    case wrongSession
    /// A heartbeat: no messages (it may reveal a gap).
    case heartbeat
    /// End of Session: no message of the session follows.
    case endOfSession
    /// A packet with messages: how many were applied now (its own, and buffered ones
    /// its arrival released), buffered above a gap, already seen, or dropped because
    /// the gap buffer is full.
    case messages(applied: Int, buffered: Int, duplicates: Int, dropped: Int)
}

/// A hole in the sequence: messages `first ..< first + count` are known to exist
/// (a later message, heartbeat or End of Session has been seen) but have not arrived.
public struct MoldUDP64Gap: Sendable, Hashable, CustomStringConvertible {
    public var first: UInt64
    public var count: UInt64

    public init(first: UInt64, count: UInt64) {
        self.first = first
        self.count = count
    }

    /// The last missing sequence number.
    public var last: UInt64 { first + count - 1 }

    public var description: String { count == 1 ? "message \(first)" : "messages \(first)–\(last)" }
}

/// Counters over the sequencer's life.
public struct MoldUDP64SequencerStatistics: Sendable, Equatable {
    /// Packets handed to ``MoldUDP64Sequencer/receive(_:_:)`` (any session).
    public var packets = 0
    /// Packets of another session, ignored.
    public var wrongSessionPackets = 0
    public var heartbeats = 0
    /// Feed messages applied to the book (snapshot messages not included).
    public var messagesApplied = 0
    /// Messages at or below one already applied (or already buffered): ignored.
    public var duplicateMessages = 0
    /// Messages discarded after a snapshot because the snapshot already included them.
    public var discardedBySnapshot = 0
    /// Messages not buffered because the gap buffer was full (they are requested again).
    public var droppedBufferFull = 0
    /// Blocks whose ITCH message could not be decoded.
    public var undecodableMessages = 0
    /// Messages the book refused: any non-zero count means the book has diverged.
    public var bookErrors = 0
    /// Retransmission requests produced by ``MoldUDP64Sequencer/retransmissionRequest(now:)``.
    public var retransmissionRequests = 0

    public init() {}
}

/// The retransmission server never filled a gap.
public struct MoldUDP64RetransmissionGaveUp: Error, Sendable, Equatable, CustomStringConvertible {
    public var gap: MoldUDP64Gap
    public var attempts: Int

    public init(gap: MoldUDP64Gap, attempts: Int) {
        self.gap = gap
        self.attempts = attempts
    }

    public var description: String {
        "gave up on \(gap): \(attempts) retransmission requests went unanswered"
    }
}
