import GatewayCore

/// System Event (`S`, 12 bytes): the day's milestones, stock locate 0.
public struct ITCHSystemEvent: ITCHMessageLayout {
    public static let type = ITCHMessageType.systemEvent
    public static let length = ITCHMessageLength.systemEvent

    public enum Offset {
        public static let eventCode = 11  // Alpha 1: see ITCHSystemEventCode
    }

    public var header: ITCHHeader
    public var eventCode: UInt8

    @inlinable
    public init(header: ITCHHeader, eventCode: UInt8) {
        self.header = header
        self.eventCode = eventCode
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        header.store(type: Self.type, p)
        MarketDataWire.put8(eventCode, p, Offset.eventCode)
        return Self.length
    }

    @inlinable
    public init(unchecked p: UnsafeRawPointer) throws(ITCHDecodingError) {
        header = ITCHHeader(p)
        eventCode = MarketDataWire.u8(p, Offset.eventCode)
    }
}
