/// A first-in first-out set of connection slots with a fixed capacity, for
/// the loop's work lists (connections with output to send, receives to
/// re-arm, closes to report). A slot is in the queue at most once; nothing
/// is allocated after `init`. Loop thread only.
///
/// To process the slots queued so far while the processing may queue more
/// (or the same slot again):
/// ```
/// let pending = queue.count
/// for index in 0..<pending { handle(queue.slot(at: index)) }  // may insert
/// queue.removeFirst(pending)
/// ```
/// `slot(at:)` takes the slot out of the set (it may be inserted again) but
/// leaves it in place until `removeFirst`.
final class SlotQueue {
    let capacity: Int
    private let slots: UnsafeMutablePointer<Int32>
    private let member: UnsafeMutablePointer<Bool>
    /// Entries in `slots`, including ones already taken by `slot(at:)`.
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        // Room for every slot, plus every slot again: a slot taken by
        // `slot(at:)` may be inserted again before `removeFirst`.
        slots = .allocate(capacity: 2 * capacity)
        member = .allocate(capacity: capacity)
        member.initialize(repeating: false, count: capacity)
    }

    deinit {
        slots.deallocate()
        member.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    func contains(_ slot: Int) -> Bool { member[slot] }

    /// Queues `slot` unless it is already queued.
    func insert(_ slot: Int) {
        guard !member[slot] else { return }
        precondition(count < 2 * capacity, "SlotQueue overflow: removeFirst was not called")
        member[slot] = true
        slots[count] = Int32(truncatingIfNeeded: slot)
        count += 1
    }

    /// The slot at `index` (below the `count` the caller read before
    /// processing), taken out of the set.
    func slot(at index: Int) -> Int {
        let slot = Int(slots[index])
        member[slot] = false
        return slot
    }

    /// Forgets the first `processed` entries (all taken with `slot(at:)`);
    /// entries inserted meanwhile move to the front.
    func removeFirst(_ processed: Int) {
        let remaining = count - processed
        if remaining > 0 {
            // Overlapping regions: copyMemory is a memmove.
            UnsafeMutableRawPointer(slots).copyMemory(from: slots + processed, byteCount: remaining * MemoryLayout<Int32>.stride)
        }
        count = remaining
    }
}
