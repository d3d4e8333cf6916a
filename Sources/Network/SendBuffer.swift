/// One connection's pending output: a circular byte buffer over memory the
/// connection table preallocated, `capacity` (`maxSendBufferBytes`) bytes.
///
/// Bytes are appended at the end and taken from the front. A send handed to
/// the kernel covers `firstRun` (the pending bytes up to the end of the
/// memory); appends only write the free part, so they never touch bytes the
/// kernel is reading. Loop thread only.
struct SendBuffer {
    let base: UnsafeMutableRawPointer
    let capacity: Int
    /// Offset of the first pending byte.
    private(set) var head = 0
    /// Pending bytes.
    private(set) var count = 0

    init(base: UnsafeMutableRawPointer, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    var isEmpty: Bool { count == 0 }

    /// Copies `bytes` to the end; false (and nothing copied) when they do not
    /// fit in the free space.
    mutating func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let length = bytes.count
        guard length <= capacity - count else { return false }
        guard length > 0, let source = bytes.baseAddress else { return true }
        var tail = head + count
        if tail >= capacity { tail -= capacity }
        let untilEnd = capacity - tail
        if length <= untilEnd {
            (base + tail).copyMemory(from: source, byteCount: length)
        } else {
            (base + tail).copyMemory(from: source, byteCount: untilEnd)
            base.copyMemory(from: source + untilEnd, byteCount: length - untilEnd)
        }
        count += length
        return true
    }

    /// The pending bytes from the front up to the end of the memory (all of
    /// them unless they wrap around).
    var firstRun: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + head, count: Swift.min(count, capacity - head))
    }

    /// Drops `length` bytes from the front, after the kernel took them.
    mutating func consume(_ length: Int) {
        precondition(length >= 0 && length <= count, "SendBuffer.consume(\(length)) with \(count) pending")
        count -= length
        if count == 0 {
            // Empty: start again at the front, so the next run is as long as
            // possible.
            head = 0
        } else {
            head += length
            if head >= capacity { head -= capacity }
        }
    }

    /// Drops every pending byte. Only when the kernel is not reading any.
    mutating func removeAll() {
        head = 0
        count = 0
    }
}
