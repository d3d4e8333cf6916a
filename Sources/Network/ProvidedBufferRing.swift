import CLiburing
import POSIX

#if canImport(Glibc)
import Glibc
#endif

/// The receive buffers of one io_uring loop, registered with the kernel as a
/// provided-buffer ring: a receive takes whichever buffer is next, and the
/// completion says which one (its id, in the upper 16 bits of the flags).
/// After the handler has seen the bytes, `recycle` puts the buffer back.
///
/// liburing 2.3 has no `io_uring_setup_buf_ring` (2.4+), so the ring of
/// buffer descriptors is a page-aligned allocation registered with
/// `io_uring_register_buf_ring` (shared/notes-linux.md). The buffers
/// themselves are one allocation of `count × size` bytes. Loop thread only;
/// the memory must outlive the io_uring instance (see `IOUringBackend`).
final class ProvidedBufferRing {
    /// The buffer group id receives name (one group per ring).
    static let group: UInt16 = 0

    let count: Int
    let size: Int
    private let descriptors: UnsafeMutableRawPointer
    private let bufferRing: UnsafeMutablePointer<io_uring_buf_ring>
    private let memory: UnsafeMutableRawPointer
    private let mask: Int32

    /// Registers `count` (a power of two up to 32,768) buffers of `size`
    /// bytes with `ring`, all initially available to the kernel.
    init(ring: IOUringRing, count: Int, size: Int) throws(NetworkError) {
        self.count = count
        self.size = size
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let descriptorBytes = (count * MemoryLayout<io_uring_buf>.stride + pageSize - 1) / pageSize * pageSize
        descriptors = .allocate(byteCount: descriptorBytes, alignment: pageSize)
        descriptors.initializeMemory(as: UInt8.self, repeating: 0, count: descriptorBytes)
        memory = .allocate(byteCount: count * size, alignment: pageSize)
        bufferRing = descriptors.bindMemory(to: io_uring_buf_ring.self, capacity: 1)
        mask = io_uring_buf_ring_mask(UInt32(count))

        var registration = io_uring_buf_reg()
        registration.ring_addr = UInt64(UInt(bitPattern: descriptors))
        registration.ring_entries = UInt32(count)
        registration.bgid = Self.group
        do {
            guard try SystemCall.negatedErrno("io_uring_register_buf_ring", nilFor: .ring, as: NetworkError.self, { io_uring_register_buf_ring(ring.ring, &registration, 0) }) != nil else {
                throw NetworkError.systemCall(SystemCallError(call: "io_uring_register_buf_ring", errno: EAGAIN))
            }
        } catch {
            descriptors.deallocate()
            memory.deallocate()
            throw .ioUringUnavailable("\(error); provided-buffer rings need Linux 5.19 or later")
        }
        io_uring_buf_ring_init(bufferRing)
        for id in 0..<count {
            io_uring_buf_ring_add(bufferRing, memory + id * size, UInt32(size), UInt16(id), mask, Int32(id))
        }
        io_uring_buf_ring_advance(bufferRing, Int32(count))
    }

    /// Frees the memory. Only after the io_uring instance has exited.
    deinit {
        descriptors.deallocate()
        memory.deallocate()
    }

    /// The bytes of buffer `id`.
    @inline(__always)
    func bytes(_ id: Int, count length: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: memory + id * size, count: length)
    }

    /// Gives buffer `id` back to the kernel.
    @inline(__always)
    func recycle(_ id: Int) {
        io_uring_buf_ring_add(bufferRing, memory + id * size, UInt32(size), UInt16(truncatingIfNeeded: id), mask, 0)
        io_uring_buf_ring_advance(bufferRing, 1)
    }
}
