/// io_uring provided buffers that arrived while reading was paused, kept in
/// order per connection until reading resumes (the kernel does not get them
/// back meanwhile, so it cannot reuse them).
///
/// A buffer is in at most one list, so one `next` link and one length per
/// buffer id are enough for every connection's list; a connection holds its
/// list's head and tail (`ConnectionSlot.stashHead`/`stashTail`, -1 when
/// empty). Allocated once; loop thread only.
final class ReceiveStash {
    private let next: UnsafeMutablePointer<Int32>
    private let lengths: UnsafeMutablePointer<Int32>

    init(bufferCount: Int) {
        next = .allocate(capacity: bufferCount)
        next.initialize(repeating: -1, count: bufferCount)
        lengths = .allocate(capacity: bufferCount)
        lengths.initialize(repeating: 0, count: bufferCount)
    }

    deinit {
        next.deallocate()
        lengths.deallocate()
    }

    /// Appends buffer `buffer` holding `length` bytes to the list.
    func append(_ buffer: Int, length: Int, head: inout Int32, tail: inout Int32) {
        let id = Int32(truncatingIfNeeded: buffer)
        next[buffer] = -1
        lengths[buffer] = Int32(truncatingIfNeeded: length)
        if tail >= 0 {
            next[Int(tail)] = id
        } else {
            head = id
        }
        tail = id
    }

    /// Takes the first buffer of the list and its length; `nil` when empty.
    func removeFirst(head: inout Int32, tail: inout Int32) -> (buffer: Int, length: Int)? {
        guard head >= 0 else { return nil }
        let buffer = Int(head)
        head = next[buffer]
        if head < 0 { tail = -1 }
        next[buffer] = -1
        return (buffer, Int(lengths[buffer]))
    }
}
