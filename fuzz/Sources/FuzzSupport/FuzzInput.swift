/// Reads a fuzz input from the front: single bytes for choices (zero once it runs out,
/// so every input means something) and runs of bytes for what goes on the wire.
public struct FuzzInput {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var position = 0

    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = UnsafeRawBufferPointer(start: data, count: size)
    }

    public var isAtEnd: Bool { position >= bytes.count }

    /// The next byte, or 0 past the end.
    public mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// Up to `count` next bytes (fewer at the end), as a view of the input.
    public mutating func take(_ count: Int) -> UnsafeRawBufferPointer {
        let n = min(count, bytes.count - position)
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + n)])
    }

    /// Everything not read yet.
    public mutating func rest() -> UnsafeRawBufferPointer { take(bytes.count - position) }
}
