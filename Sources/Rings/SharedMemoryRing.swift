import Atomics
import POSIX

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A single-producer/single-consumer ring of 64-byte records in a file mapped
/// `MAP_SHARED`, so its producer and consumer may be different processes: the
/// gateway and the Python strategy process (specs/shm-ring.md has the byte
/// layout and the protocol; `SharedMemoryRingLayout` names the offsets).
///
/// ## Contract
/// One producer and one consumer, across every process that maps the file:
/// exactly one thread (of one process) calls the producer methods
/// (`tryPublish`, `incrementOverflowCount()`, `freeSlots`), exactly one calls
/// the consumer methods (`peek()`, `consume()`, `skip(to:)`). Within a process
/// a role moves to another thread only across a happens-before edge. The
/// readers `producerIndex`, `consumerIndex`, `overflowCount` and the `let`
/// properties may be used from any thread. Nothing here stops a second
/// producer process from attaching; the deployment does (the gateway produces
/// fills and consumes signals, Python the reverse).
///
/// ## Why the protocol is safe across processes
/// The producer writes a whole slot, with the record's sequence number
/// (index + 1) in bytes 0–7, and only then stores `tail` with one aligned
/// releasing 8-byte store; the consumer loads `tail` with acquire before it
/// reads the slot, and stores `head` with release after it has finished with
/// it. These are plain loads and stores on shared pages, so the ordering
/// holds between processes just as between threads (Python's ctypes store of
/// an aligned `c_uint64` is one `mov`, a release on x86). The sequence check
/// is a second line of defence for what ordering cannot give: a slot that a
/// buggy or dead producer left half-written under an advanced `tail` has the
/// wrong number in bytes 0–7, and `peek()` does not return it.
///
/// ## Restarts
/// The indices live in the file, not in this object: a gateway that restarts
/// attaches to the existing file and continues from its `head`, reading what
/// Python published while it was down. `skip(to:)` moves the consumer past
/// records a journal already applied but whose `head` store was lost.
///
/// Nothing allocates, locks or makes a system call after the ring is open.
public final class SharedMemoryRing: @unchecked Sendable {
    /// The file this ring maps (as given).
    public let path: String
    /// Which ring the file holds (header byte 24).
    public let kind: SharedMemoryRingKind
    /// The number of 64-byte slots: a power of two.
    public let capacity: Int

    @usableFromInline let capacityIndex: UInt64
    @usableFromInline let mask: UInt64

    /// The whole file, mapped `MAP_SHARED`: the header, then the slots.
    @usableFromInline let mapping: UnsafeMutableRawPointer
    let mappingSize: Int
    let descriptor: Int32

    /// Slot 0. Written by the producer, read by the consumer.
    @usableFromInline let slots: UnsafeMutableRawPointer
    /// `tail` at offset 128: written by the producer only.
    @usableFromInline let tailIndex: UnsafeAtomic<UInt64>
    /// `head` at offset 256: written by the consumer only.
    @usableFromInline let headIndex: UnsafeAtomic<UInt64>
    /// The overflow count at offset 32.
    @usableFromInline let overflowCounter: UnsafeAtomic<UInt64>

    /// This process's private state, one 128-byte block per role (not in the
    /// file: another process has no business with it), so the producer's and
    /// the consumer's threads never write the same cache lines.
    let privateBlocks: UnsafeMutableRawPointer
    /// Producer-private: the last `head` it loaded, reloaded only when the ring
    /// looks full, so the producer does not pull the consumer's line per record.
    @usableFromInline let cachedHead: UnsafeMutablePointer<UInt64>
    /// Consumer-private: the last `tail` it loaded, reloaded only when the ring
    /// looks empty.
    @usableFromInline let cachedTail: UnsafeMutablePointer<UInt64>
    /// Consumer-private: whether the last `peek()` returned a record that
    /// `consume()` may now release.
    @usableFromInline let peeked: UnsafeMutablePointer<Bool>
    /// Consumer-private: the first `tail` seen below an earlier one (a producer
    /// that moved its index backwards), or `UInt64.max` while none has been.
    @usableFromInline let backwardsTail: UnsafeMutablePointer<UInt64>

    /// Takes ownership of an open descriptor and its mapping, whose header
    /// has been written or checked.
    private init(path: String, kind: SharedMemoryRingKind, capacity: Int, descriptor: Int32, mapping: UnsafeMutableRawPointer, mappingSize: Int) {
        self.path = path
        self.kind = kind
        self.capacity = capacity
        self.capacityIndex = UInt64(capacity)
        self.mask = UInt64(capacity - 1)
        self.descriptor = descriptor
        self.mapping = mapping
        self.mappingSize = mappingSize
        self.slots = mapping + SharedMemoryRingLayout.slotsOffset

        // The words already hold their values (zero, or what an earlier run
        // left): bind, never initialize, so attaching changes nothing. The
        // mapping is page-aligned, so each word is 8-byte aligned.
        func atomicWord(at offset: Int) -> UnsafeAtomic<UInt64> {
            UnsafeAtomic(at: (mapping + offset).bindMemory(to: UnsafeAtomic<UInt64>.Storage.self, capacity: 1))
        }
        let tailIndex = atomicWord(at: SharedMemoryRingLayout.producerIndexOffset)
        let headIndex = atomicWord(at: SharedMemoryRingLayout.consumerIndexOffset)
        self.tailIndex = tailIndex
        self.headIndex = headIndex
        self.overflowCounter = atomicWord(at: SharedMemoryRingLayout.overflowCountOffset)

        let blocks = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 128)
        self.privateBlocks = blocks
        self.cachedHead = blocks.bindMemory(to: UInt64.self, capacity: 1)
        // Acquiring: whatever the consumer (maybe another process) had
        // finished with before this attach is finished.
        self.cachedHead.initialize(to: headIndex.load(ordering: .acquiring))
        self.cachedTail = (blocks + 128).bindMemory(to: UInt64.self, capacity: 1)
        // Acquiring: every slot below this tail was written before it.
        self.cachedTail.initialize(to: tailIndex.load(ordering: .acquiring))
        self.peeked = (blocks + 136).bindMemory(to: Bool.self, capacity: 1)
        self.peeked.initialize(to: false)
        self.backwardsTail = (blocks + 144).bindMemory(to: UInt64.self, capacity: 1)
        self.backwardsTail.initialize(to: .max)
    }

    deinit {
        munmap(mapping, mappingSize)
        SystemCall.release(descriptor)
        privateBlocks.deallocate()
    }

    // MARK: Opening

    /// Opens the ring at `path`: creates it when there is no file (mode 0600,
    /// `384 + capacity × 64` bytes, header written, indices and overflow count
    /// 0), or attaches to the existing file when every header field (magic,
    /// version, record size, header size, kind, capacity) and its size match,
    /// keeping its indices, so records published while this process was down
    /// are read now.
    ///
    /// A file whose header does not match is an error naming the file, the
    /// field and both values, and is never reset: it may be a ring another
    /// deployment still uses, or hold records nobody has read.
    ///
    /// Creation is atomic for any other process looking at `path`: the file
    /// is built under a temporary name beside it (`path.creating-<pid>`) and
    /// linked into place with link(2), which never replaces a file. A crash
    /// while creating leaves no half-written ring at `path`, and when two
    /// processes race, the loser attaches to the winner's file.
    ///
    /// - Parameter capacity: slots, a power of two from 1 to
    ///   `SharedMemoryRingLayout.maximumCapacity`.
    public static func createOrAttach(path: String, kind: SharedMemoryRingKind, capacity: Int) throws(SharedMemoryRingError) -> SharedMemoryRing {
        guard capacity >= 1, capacity <= SharedMemoryRingLayout.maximumCapacity, capacity & (capacity - 1) == 0 else {
            throw .invalidCapacity(path: path, capacity: capacity)
        }
        if let ring = try openExisting(path: path, kind: kind, expectedCapacity: capacity, missingIsError: false) {
            return ring
        }
        if let ring = try create(path: path, kind: kind, capacity: capacity) {
            return ring
        }
        // Another process linked its file in first: attach to it.
        return try openExisting(path: path, kind: kind, expectedCapacity: capacity, missingIsError: true)!
    }

    /// Attaches to an existing ring file, taking the capacity from its header
    /// (for tools and tests that do not know it). Checks the other header
    /// fields as `createOrAttach` does; never creates or changes the file.
    public static func attach(path: String, kind: SharedMemoryRingKind) throws(SharedMemoryRingError) -> SharedMemoryRing {
        try openExisting(path: path, kind: kind, expectedCapacity: nil, missingIsError: true)!
    }

    /// Opens and checks an existing file. Returns nil when there is none and
    /// `missingIsError` is false.
    private static func openExisting(path: String, kind: SharedMemoryRingKind, expectedCapacity: Int?, missingIsError: Bool) throws(SharedMemoryRingError) -> SharedMemoryRing? {
        let opened = try SystemCall.run("open(O_RDWR)", on: path, tolerating: ENOENT, as: SharedMemoryRingError.self) {
            open(path, O_RDWR | O_CLOEXEC)
        }
        guard let descriptor = opened else {
            if missingIsError { throw .systemCall(SystemCallError(call: "open(O_RDWR)", errno: ENOENT, subject: path)) }
            return nil
        }
        let capacity: Int
        let mapping: UnsafeMutableRawPointer
        do throws(SharedMemoryRingError) {
            capacity = try checkHeader(descriptor: descriptor, path: path, kind: kind, expectedCapacity: expectedCapacity)
            mapping = try map(descriptor: descriptor, size: SharedMemoryRingLayout.fileSize(capacity: capacity), path: path)
        } catch {
            SystemCall.release(descriptor)
            throw error
        }
        // The ring owns the descriptor and the mapping from here; its deinit
        // releases them if the check below throws.
        let ring = SharedMemoryRing(
            path: path, kind: kind, capacity: capacity, descriptor: descriptor, mapping: mapping,
            mappingSize: SharedMemoryRingLayout.fileSize(capacity: capacity))
        let head = ring.consumerIndex
        let tail = ring.producerIndex
        guard head <= tail, tail - head <= ring.capacityIndex else {
            throw .corruptIndices(path: path, head: head, tail: tail, capacity: capacity)
        }
        return ring
    }

    /// Reads and checks the 384-byte header and the file's size; returns the
    /// capacity.
    private static func checkHeader(descriptor: Int32, path: String, kind: SharedMemoryRingKind, expectedCapacity: Int?) throws(SharedMemoryRingError) -> Int {
        let file = FileDescriptor(rawValue: descriptor, path: path)
        let size = try SystemCall.reporting(as: SharedMemoryRingError.self) { try file.size() }
        let headerSize = SharedMemoryRingLayout.headerSize
        guard size >= headerSize else {
            throw .fileSize(path: path, found: size, expected: expectedCapacity.map { SharedMemoryRingLayout.fileSize(capacity: $0) } ?? headerSize)
        }
        var header = [UInt8](repeating: 0, count: headerSize)
        let read = try SystemCall.reporting(as: SharedMemoryRingError.self) {
            try header.withUnsafeMutableBytes { try file.readFully(into: $0, at: 0) }
        }
        guard read == headerSize else { throw .fileSize(path: path, found: read, expected: headerSize) }
        func field<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> UInt64 {
            UInt64(T(littleEndian: header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }))
        }
        func expect(_ field: SharedMemoryRingError.Field, _ found: UInt64, _ expected: UInt64) throws(SharedMemoryRingError) {
            guard found == expected else {
                throw .headerMismatch(path: path, field: field, found: found, expected: expected)
            }
        }
        typealias L = SharedMemoryRingLayout
        try expect(.magic, field(L.magicOffset, UInt64.self), L.magic)
        try expect(.version, field(L.versionOffset, UInt32.self), UInt64(L.version))
        try expect(.recordSize, field(L.recordSizeOffset, UInt32.self), UInt64(L.recordSize))
        try expect(.headerSize, field(L.headerSizeOffset, UInt32.self), UInt64(L.headerSize))
        try expect(.kind, field(L.kindOffset, UInt32.self), UInt64(kind.rawValue))
        let foundCapacity = field(L.capacityOffset, UInt64.self)
        if let expectedCapacity {
            try expect(.capacity, foundCapacity, UInt64(expectedCapacity))
        } else {
            guard foundCapacity >= 1, foundCapacity <= UInt64(L.maximumCapacity), foundCapacity & (foundCapacity - 1) == 0 else {
                throw .invalidHeaderCapacity(path: path, found: foundCapacity)
            }
        }
        let capacity = Int(foundCapacity)
        let expectedSize = L.fileSize(capacity: capacity)
        guard size == expectedSize else {
            throw .fileSize(path: path, found: size, expected: expectedSize)
        }
        return capacity
    }

    /// Builds a new ring file under a temporary name and links it to `path`.
    /// Returns nil when `path` appeared meanwhile (another process won).
    private static func create(path: String, kind: SharedMemoryRingKind, capacity: Int) throws(SharedMemoryRingError) -> SharedMemoryRing? {
        let temporary = "\(path).creating-\(getpid())"
        // O_TRUNC: a leftover of a crashed earlier process with this pid is
        // rebuilt from nothing; it was never linked, so nobody uses it.
        let descriptor = try SystemCall.run("open(O_CREAT)", on: temporary, as: SharedMemoryRingError.self) {
            open(temporary, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        }
        // After link(2) the inode lives on under `path`; on every other
        // outcome the temporary file goes away with this name.
        defer { unlink(temporary) }
        let size = SharedMemoryRingLayout.fileSize(capacity: capacity)
        let mapping: UnsafeMutableRawPointer
        do throws(SharedMemoryRingError) {
            // fchmod: mode exactly 0600 whatever the umask or a leftover had.
            _ = try SystemCall.run("fchmod(0600)", on: temporary, as: SharedMemoryRingError.self) { fchmod(descriptor, 0o600) }
            // ftruncate zero-fills: indices, overflow count and slots are 0.
            _ = try SystemCall.run("ftruncate", on: temporary, as: SharedMemoryRingError.self) {
                ftruncate(descriptor, off_t(size))
            }
            mapping = try map(descriptor: descriptor, size: size, path: temporary)
        } catch {
            SystemCall.release(descriptor)
            throw error
        }
        typealias L = SharedMemoryRingLayout
        // Plain stores: nobody else can see this file until link(2), a system
        // call, publishes it, and other processes read it through the same
        // page cache.
        mapping.storeBytes(of: L.magic.littleEndian, toByteOffset: L.magicOffset, as: UInt64.self)
        mapping.storeBytes(of: L.version.littleEndian, toByteOffset: L.versionOffset, as: UInt32.self)
        mapping.storeBytes(of: UInt32(L.recordSize).littleEndian, toByteOffset: L.recordSizeOffset, as: UInt32.self)
        mapping.storeBytes(of: UInt64(capacity).littleEndian, toByteOffset: L.capacityOffset, as: UInt64.self)
        mapping.storeBytes(of: kind.rawValue.littleEndian, toByteOffset: L.kindOffset, as: UInt32.self)
        mapping.storeBytes(of: UInt32(L.headerSize).littleEndian, toByteOffset: L.headerSizeOffset, as: UInt32.self)

        let linked: Int32?
        do throws(SharedMemoryRingError) {
            linked = try SystemCall.run("link", on: temporary + " -> " + path, tolerating: EEXIST, as: SharedMemoryRingError.self) {
                link(temporary, path)
            }
        } catch {
            munmap(mapping, size)
            SystemCall.release(descriptor)
            throw error
        }
        guard linked != nil else {
            // EEXIST: another process linked its ring in first.
            munmap(mapping, size)
            SystemCall.release(descriptor)
            return nil
        }
        return SharedMemoryRing(path: path, kind: kind, capacity: capacity, descriptor: descriptor, mapping: mapping, mappingSize: size)
    }

    private static func map(descriptor: Int32, size: Int, path: String) throws(SharedMemoryRingError) -> UnsafeMutableRawPointer {
        let address = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0)
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw .systemCall(SystemCall.error("mmap(MAP_SHARED)", errno: errno, on: path))
        }
        return address
    }

    // MARK: Readers (any thread)

    /// `tail`: the number of records ever published. Any thread; a snapshot.
    public var producerIndex: UInt64 {
        // Acquiring: a caller that then reads slots below it sees them written.
        tailIndex.load(ordering: .acquiring)
    }

    /// `head`: the number of records ever consumed. Any thread; a snapshot.
    public var consumerIndex: UInt64 {
        // Acquiring: pairs with the consumer's releasing store, so the
        // consumer's reads of the slots below it are finished.
        headIndex.load(ordering: .acquiring)
    }

    /// Records the producer dropped because the ring was full (header offset
    /// 32). Any thread.
    public var overflowCount: UInt64 {
        // Relaxed: a statistic; it orders no other memory.
        overflowCounter.load(ordering: .relaxed)
    }
}
