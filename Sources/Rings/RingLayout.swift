/// The memory layout of an `SPSCRing`'s single allocation, as named constants
/// (Agrona's `RingBufferDescriptor` in spirit).
///
/// ```
/// offset    size  line                writer            readers
/// 0         128   producer index      producer (tail)   consumer
/// 128       128   producer private    producer          none (cached head, claim, debug guard)
/// 256       128   consumer index      consumer (head)   producer
/// 384       128   consumer private    consumer          none (cached tail, peek, debug guard)
/// 512       C*S   slots               producer          consumer
/// 512+C*S   128   trailing pad        nobody            nobody
/// ```
///
/// Each hot field sits alone on a 128-byte block: two 64-byte cache lines,
/// because Intel's adjacent-line prefetcher pulls lines in pairs, so fields in
/// one pair false-share even when they are on different 64-byte lines. The
/// allocation is aligned to 128 bytes, the slots start on a fresh block, and
/// the trailing pad keeps the last slot away from whatever the allocator puts
/// after it.
enum RingLayout {
    /// Alignment and size of every block that must not be shared.
    static let cacheBlockSize = 128

    /// `tail`: the number of elements ever published. UInt64, atomic.
    /// Written by the producer only (`.releasing`); read by the consumer.
    static let producerIndexOffset = 0

    /// The producer's private block.
    static let producerPrivateOffset = 128
    /// The producer's copy of `head`, reloaded only when the ring looks full.
    static let cachedHeadOffset = producerPrivateOffset + 0
    /// Slots handed out by `claim(upTo:)` and not yet published.
    static let claimedCountOffset = producerPrivateOffset + 8
    /// Debug-build guard: set while a producer method runs. Bool, atomic.
    static let producerBusyOffset = producerPrivateOffset + 16

    /// `head`: the number of elements ever consumed. UInt64, atomic.
    /// Written by the consumer only (`.releasing`); read by the producer.
    static let consumerIndexOffset = 256

    /// The consumer's private block.
    static let consumerPrivateOffset = 384
    /// The consumer's copy of `tail`, reloaded only when the ring looks empty.
    static let cachedTailOffset = consumerPrivateOffset + 0
    /// Slots handed out by `peek(upTo:)` and not yet consumed.
    static let peekedCountOffset = consumerPrivateOffset + 8
    /// Debug-build guard: set while a consumer method runs. Bool, atomic.
    static let consumerBusyOffset = consumerPrivateOffset + 16

    /// Where the slots begin; also the size of the header.
    static let slotsOffset = 512

    /// Padding after the last slot.
    static let trailingPadSize = 128
}
