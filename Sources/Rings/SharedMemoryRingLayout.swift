import POSIX
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The byte layout of a shared-memory ring file (specs/shm-ring.md), as named
/// constants. Python's `python/cift/layout.py` holds the same numbers; the two
/// sides agree only through this page and that file, so every offset is spelled
/// out here rather than derived from a Swift struct's layout.
///
/// ```
/// offset  size      field                          writer
/// 0       8         magic "CIFTRING"               creator
/// 8       4         version (1)                    creator
/// 12      4         record size (64)               creator
/// 16      8         capacity (a power of two)      creator
/// 24      4         kind (1 signals, 2 fills)      creator
/// 28      4         header size (384)              creator
/// 32      8         overflow count                 producer (atomic add)
/// 40      88        zero
/// 128     8         producer index (tail)          producer only
/// 136     120       zero
/// 256     8         consumer index (head)          consumer only
/// 264     120       zero
/// 384     64 * C    slots; record n in slot n mod C
/// ```
///
/// The two indices each start a 128-byte block of their own (two cache lines,
/// because the adjacent-line prefetcher pulls lines in pairs), so the producer's
/// stores of `tail` and the consumer's stores of `head` never false-share. All
/// integers are little-endian; the module refuses to build on a big-endian
/// target rather than byte-swap atomics.
public enum SharedMemoryRingLayout {
    /// "CIFTRING" as it sits in bytes 0–7 (read as a little-endian UInt64).
    public static let magic: UInt64 = 0x474E_4952_5446_4943
    /// The layout version this code reads and writes.
    public static let version: UInt32 = 1
    /// Every record, in both rings, is 64 bytes: one cache line.
    public static let recordSize = 64
    /// The header: three 128-byte blocks.
    public static let headerSize = 384

    public static let magicOffset = 0
    public static let versionOffset = 8
    public static let recordSizeOffset = 12
    public static let capacityOffset = 16
    public static let kindOffset = 24
    public static let headerSizeOffset = 28
    /// Records the producer dropped because the ring (and its backlog) was full.
    public static let overflowCountOffset = 32
    /// `tail`: records ever published. Written only by the producer.
    public static let producerIndexOffset = 128
    /// `head`: records ever consumed. Written only by the consumer.
    public static let consumerIndexOffset = 256
    /// Slot 0; also the header size.
    public static let slotsOffset = 384
    /// A record's bytes 0–7: its sequence number, index + 1 (never 0).
    public static let sequenceOffset = 0

    /// The largest capacity accepted: 2^32 slots (a 256 GiB file), the same
    /// bound as `SPSCRing`.
    public static let maximumCapacity = 1 << 32

    /// The size of a ring file of `capacity` slots.
    public static func fileSize(capacity: Int) -> Int {
        headerSize + capacity * recordSize
    }
}

#if !_endian(little)
#error("SharedMemoryRing: the ring files are little-endian and their indices are native atomics; big-endian targets are not supported")
#endif

/// Which of the two rings a file holds (header byte 24). Checked at attach so
/// that a gateway configured with the two paths swapped fails at start instead
/// of reading fills as signals.
public enum SharedMemoryRingKind: UInt32, Sendable, CustomStringConvertible {
    /// Python produces, the gateway consumes.
    case signals = 1
    /// The gateway produces, Python consumes.
    case fills = 2

    public var description: String {
        switch self {
        case .signals: "signals (1)"
        case .fills: "fills (2)"
        }
    }
}

/// Why a ring file could not be created or attached, or a consumer could not be
/// moved. Every case names the file, so the gateway's start-up error says which
/// of its two rings is wrong.
public enum SharedMemoryRingError: SystemCallFailure, Equatable, Sendable, CustomStringConvertible {
    /// A header field, checked at attach.
    public enum Field: String, Sendable, CustomStringConvertible {
        case magic
        case version
        case recordSize = "record size"
        case capacity
        case kind
        case headerSize = "header size"

        public var description: String { rawValue }
    }

    /// The capacity asked for is not a power of two from 1 to
    /// `SharedMemoryRingLayout.maximumCapacity`.
    case invalidCapacity(path: String, capacity: Int)
    /// An existing file's header field differs from what this side would write
    /// (`createOrAttach`) or requires (`attach`). The file is left as it is.
    case headerMismatch(path: String, field: Field, found: UInt64, expected: UInt64)
    /// The header's capacity is not a power of two in range (`attach`, which
    /// has no expected capacity to compare with).
    case invalidHeaderCapacity(path: String, found: UInt64)
    /// The file is not `384 + capacity × 64` bytes long (`found` may be
    /// shorter than the header itself; then `expected` is the header size).
    case fileSize(path: String, found: Int, expected: Int)
    /// The header's indices cannot be those of a working ring: `head` is past
    /// `tail`, or more than `capacity` records are unread.
    case corruptIndices(path: String, head: UInt64, tail: UInt64, capacity: Int)
    /// `skip(to:)` was asked to move past records the producer has not
    /// published: the consumer's starting point and the ring disagree (a file
    /// recreated under a journal that already applied later sequences).
    case skipBeyondProducer(path: String, requested: UInt64, producerIndex: UInt64)
    /// A system call failed (POSIX's error: the call, errno and the file).
    case systemCall(SystemCallError)

    public var description: String {
        switch self {
        case let .invalidCapacity(path, capacity):
            return "\(path): ring capacity must be a power of two from 1 to \(SharedMemoryRingLayout.maximumCapacity), got \(capacity)"
        case let .headerMismatch(path, field, found, expected):
            return "\(path): header field \(field) is \(Self.render(field, found)), expected \(Self.render(field, expected)); the file was left unchanged (remove it, or fix the configuration, if it is not the ring you meant)"
        case let .invalidHeaderCapacity(path, found):
            return "\(path): header field capacity is \(found), not a power of two from 1 to \(SharedMemoryRingLayout.maximumCapacity)"
        case let .fileSize(path, found, expected):
            return "\(path): file is \(found) bytes, expected \(expected) (384-byte header + capacity × 64)"
        case let .corruptIndices(path, head, tail, capacity):
            return "\(path): consumer index (head) \(head) and producer index (tail) \(tail) are impossible for capacity \(capacity) (need head <= tail <= head + capacity)"
        case let .skipBeyondProducer(path, requested, producerIndex):
            return "\(path): cannot skip the consumer to \(requested): the producer has published only \(producerIndex) records"
        case let .systemCall(error):
            return "\(error)"
        }
    }

    /// The magic as its eight bytes (printable ones as text); the kind with its
    /// name; the rest as numbers.
    private static func render(_ field: Field, _ value: UInt64) -> String {
        switch field {
        case .magic:
            let bytes = (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
            let text = bytes.map { $0 >= 0x20 && $0 < 0x7F ? String(UnicodeScalar($0)) : "." }.joined()
            let hex = bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: " ")
            return "\"\(text)\" (\(hex))"
        case .kind:
            if let kind = SharedMemoryRingKind(rawValue: UInt32(truncatingIfNeeded: value)), UInt64(kind.rawValue) == value {
                return kind.description
            }
            return "\(value)"
        default:
            return "\(value)"
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
