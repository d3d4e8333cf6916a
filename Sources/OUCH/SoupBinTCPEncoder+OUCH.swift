import SoupBinTCP

/// OUCH messages framed as SoupBinTCP data packets, encoded in place after the
/// 3-byte header so that a message is written once, straight into the send buffer.
extension SoupBinTCPEncoder {
    /// Unsequenced Data (`U`) carrying `message` (what a client sends).
    @inlinable
    public static func unsequencedData<M: OUCHMessage>(_ message: M, _ p: UnsafeMutableRawPointer) -> Int {
        packet(type: SoupBinTCPPacketType.unsequencedData, p) { message.encode($0) }
    }

    /// Sequenced Data (`S`) carrying `message` (what the server's stream holds).
    @inlinable
    public static func sequencedData<M: OUCHMessage>(_ message: M, _ p: UnsafeMutableRawPointer) -> Int {
        packet(type: SoupBinTCPPacketType.sequencedData, p) { message.encode($0) }
    }
}
