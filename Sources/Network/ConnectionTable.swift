/// The loop's fixed table of connection slots, all allocated up front with
/// their send buffers, and the identifiers handed out for them.
///
/// A slot is taken from the front of a first-in first-out free list and
/// returned to its back, so a released slot is reused as late as possible;
/// each release bumps the slot's generation (skipping 0), so an identifier of
/// a closed connection never matches the slot again until the generation
/// wraps around (65,535 releases of that slot). Loop thread only.
final class ConnectionTable {
    /// Number of slots (`maxConnections`).
    let capacity: Int
    /// The slots; index with `ConnectionID.slot`.
    let slots: UnsafeMutablePointer<ConnectionSlot>
    private let sendMemory: UnsafeMutableRawPointer
    /// Free slot indices, a ring of `capacity` entries.
    private let freeSlots: UnsafeMutablePointer<UInt16>
    private var freeHead = 0
    private(set) var freeCount: Int

    /// Slots holding a connection (open or closing).
    var inUse: Int { capacity - freeCount }

    /// A table of `capacity` slots (1...65,536), each with a send buffer of
    /// `sendBufferCapacity` bytes.
    init(capacity: Int, sendBufferCapacity: Int) {
        precondition(capacity >= 1 && capacity <= 65_536, "ConnectionTable capacity must be 1...65536, got \(capacity)")
        precondition(sendBufferCapacity >= 1)
        self.capacity = capacity
        // Page-aligned; the kernel commits the pages as they are first written.
        sendMemory = .allocate(byteCount: capacity * sendBufferCapacity, alignment: 4096)
        slots = .allocate(capacity: capacity)
        freeSlots = .allocate(capacity: capacity)
        for index in 0..<capacity {
            (slots + index).initialize(to: ConnectionSlot(send: SendBuffer(base: sendMemory + index * sendBufferCapacity, capacity: sendBufferCapacity)))
            freeSlots[index] = UInt16(truncatingIfNeeded: index)
        }
        freeCount = capacity
    }

    deinit {
        slots.deinitialize(count: capacity)
        slots.deallocate()
        freeSlots.deallocate()
        sendMemory.deallocate()
    }

    /// Takes a free slot for a new connection on `descriptor`; `nil` when all
    /// are in use.
    func open(descriptor: Int32, listener: ListenerID) -> ConnectionID? {
        guard freeCount > 0 else { return nil }
        let slot = Int(freeSlots[freeHead])
        freeHead = freeHead + 1 == capacity ? 0 : freeHead + 1
        freeCount -= 1
        let generation = slots[slot].generation
        var fresh = ConnectionSlot(send: slots[slot].send)
        fresh.send.removeAll()
        fresh.generation = generation
        fresh.state = .open
        fresh.descriptor = descriptor
        fresh.listener = listener
        slots[slot] = fresh
        return ConnectionID(slot: slot, generation: generation)
    }

    /// The slot of `id` if it names a connection in use (open or closing).
    @inline(__always)
    func index(of id: ConnectionID) -> Int? {
        let slot = id.slot
        guard slot < capacity, slots[slot].state != .free, slots[slot].generation == id.generation else { return nil }
        return slot
    }

    /// The identifier of the connection in `slot`.
    @inline(__always)
    func id(ofSlot slot: Int) -> ConnectionID {
        ConnectionID(slot: slot, generation: slots[slot].generation)
    }

    /// Frees `slot`: its identifier becomes stale and the slot goes to the
    /// back of the free list.
    func release(_ slot: Int) {
        precondition(slots[slot].state != .free, "ConnectionTable.release(\(slot)) of a free slot")
        slots[slot].state = .free
        slots[slot].descriptor = -1
        slots[slot].tls = nil
        let next = slots[slot].generation &+ 1
        slots[slot].generation = next == 0 ? 1 : next
        var tail = freeHead + freeCount
        if tail >= capacity { tail -= capacity }
        freeSlots[tail] = UInt16(truncatingIfNeeded: slot)
        freeCount += 1
    }
}
