import GatewayCore

/// Snapshot Complete (`G`, 19 bytes): venue extension, sent only on the snapshot
/// channel, after the last message of a snapshot.
///
/// `G` is unused by ITCH 5.0, so it cannot be mistaken for a standard message. The
/// snapshot is the book as of feed message `lastSequenceNumber`; a subscriber that
/// applied it joins the live MoldUDP64 feed at `lastSequenceNumber + 1`, discarding
/// feed messages at or below it.
public struct ITCHSnapshotComplete: ITCHMessageLayout {
    public static let type = ITCHMessageType.snapshotComplete
    public static let length = ITCHMessageLength.snapshotComplete

    public enum Offset {
        public static let lastSequenceNumber = 11  // u64
    }

    /// Stock locate 0, tracking number 0.
    public var header: ITCHHeader
    /// The MoldUDP64 sequence number of the last feed message the snapshot includes.
    public var lastSequenceNumber: UInt64

    @inlinable
    public init(header: ITCHHeader, lastSequenceNumber: UInt64) {
        self.header = header
        self.lastSequenceNumber = lastSequenceNumber
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        header.store(type: Self.type, p)
        MarketDataWire.put64(lastSequenceNumber, p, Offset.lastSequenceNumber)
        return Self.length
    }

    @inlinable
    public init(unchecked p: UnsafeRawPointer) throws(ITCHDecodingError) {
        header = ITCHHeader(p)
        lastSequenceNumber = MarketDataWire.u64(p, Offset.lastSequenceNumber)
    }
}
