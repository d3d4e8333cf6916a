/// Little-endian bytes for state snapshots (specs/snapshots.md): each layer writes its own
/// section with a ``SnapshotWriter`` and reads it back with a ``SnapshotReader``. Built off
/// the hot path (a snapshot is written by a background thread, read once at start-up),
/// so a growing array is fine here.
public struct SnapshotWriter {
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public mutating func u8(_ value: UInt8) { bytes.append(value) }
    public mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }
    public mutating func u16(_ value: UInt16) { append(value) }
    public mutating func u32(_ value: UInt32) { append(value) }
    public mutating func u64(_ value: UInt64) { append(value) }
    public mutating func i64(_ value: Int64) { append(UInt64(bitPattern: value)) }
    public mutating func i128(_ value: Int128) {
        u64(UInt64(truncatingIfNeeded: value))
        u64(UInt64(truncatingIfNeeded: value >> 64))
    }
    public mutating func clientOrderID(_ value: ClientOrderID) {
        let words = value.words
        u64(words.0)
        u64(words.1)
        u64(words.2)
    }
    public mutating func origin(_ value: OrderOrigin) {
        u8(value.source)
        u16(value.session)
        u32(value.connection)
    }

    /// Writes a section: its length (u64) then what `body` writes, so that a reader can
    /// check it consumed exactly the section.
    public mutating func section(_ body: (inout SnapshotWriter) -> Void) {
        var inner = SnapshotWriter()
        body(&inner)
        u64(UInt64(inner.bytes.count))
        bytes += inner.bytes
    }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// Why a snapshot's bytes could not be read: the reader stops at the first problem and
/// says where (the start-up then uses an older snapshot or the whole journal).
public struct SnapshotFormatError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reads what a ``SnapshotWriter`` wrote. Every read is bounds-checked and throws at the
/// end of the bytes, so a cut or damaged file is an error, never a trap.
public struct SnapshotReader {
    private let bytes: UnsafeRawBufferPointer
    public private(set) var offset: Int

    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var remaining: Int { bytes.count - offset }

    public mutating func u8() throws(SnapshotFormatError) -> UInt8 { try read(UInt8.self) }
    public mutating func bool() throws(SnapshotFormatError) -> Bool {
        let value = try u8()
        guard value <= 1 else { throw SnapshotFormatError("a flag of \(value) at offset \(offset - 1)") }
        return value == 1
    }
    public mutating func u16() throws(SnapshotFormatError) -> UInt16 { try read(UInt16.self) }
    public mutating func u32() throws(SnapshotFormatError) -> UInt32 { try read(UInt32.self) }
    public mutating func u64() throws(SnapshotFormatError) -> UInt64 { try read(UInt64.self) }
    public mutating func i64() throws(SnapshotFormatError) -> Int64 { Int64(bitPattern: try u64()) }
    public mutating func i128() throws(SnapshotFormatError) -> Int128 {
        let low = try u64()
        let high = try u64()
        return Int128(Int64(bitPattern: high)) << 64 | Int128(low)
    }
    public mutating func clientOrderID() throws(SnapshotFormatError) -> ClientOrderID {
        let w0 = try u64(), w1 = try u64(), w2 = try u64()
        return ClientOrderID(words: (w0, w1, w2))
    }
    public mutating func origin() throws(SnapshotFormatError) -> OrderOrigin {
        let source = try u8(), session = try u16(), connection = try u32()
        return OrderOrigin(source: source, session: session, connection: connection)
    }

    /// A count that must fit what is left at `bytesEach` bytes per item: a damaged count
    /// cannot make the reader loop or reserve memory for billions of items.
    public mutating func count(bytesEach: Int, name: String) throws(SnapshotFormatError) -> Int {
        let value = try u64()
        guard value <= UInt64(remaining / max(1, bytesEach)) else {
            throw SnapshotFormatError("\(name): a count of \(value) does not fit the \(remaining) bytes left")
        }
        return Int(value)
    }

    /// Reads one section written by ``SnapshotWriter/section(_:)``; `body` must consume
    /// it exactly.
    public mutating func section<T>(_ name: String, _ body: (inout SnapshotReader) throws -> T) throws -> T {
        let length = try u64()
        guard length <= UInt64(remaining) else {
            throw SnapshotFormatError("\(name): \(length) bytes announced, \(remaining) left")
        }
        let end = offset + Int(length)
        var inner = SnapshotReader(UnsafeRawBufferPointer(rebasing: bytes[..<end]), offset: offset)
        let value = try body(&inner)
        guard inner.offset == end else {
            throw SnapshotFormatError("\(name): \(end - inner.offset) byte(s) of the section were not read")
        }
        offset = end
        return value
    }

    private mutating func read<T: FixedWidthInteger>(_ type: T.Type) throws(SnapshotFormatError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else {
            throw SnapshotFormatError("the bytes end at offset \(bytes.count), \(size) more were needed")
        }
        var value: T = 0
        withUnsafeMutableBytes(of: &value) {
            $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + size]))
        }
        offset += size
        return T(littleEndian: value)
    }
}
