import CLiburing
import POSIX

#if canImport(Glibc)
import Glibc
#endif

/// What a `NetworkLoop` on io_uring owns besides its connection table: the
/// ring, the provided receive buffers, the list of buffers held while
/// reading is paused, and the 8 bytes the wake-up read lands in. Created on
/// the loop's thread.
///
/// Tear-down order matters: the kernel may write into the receive buffers and
/// the wake-up word until the ring has exited, so `deinit` exits the ring
/// first and the memory is freed after.
final class IOUringBackend {
    let ring: IOUringRing
    let buffers: ProvidedBufferRing
    let stash: ReceiveStash
    /// Whether receives are multishot (checked at start-up).
    let multishotReceive: Bool
    /// Why receives are single-shot; `nil` when they are multishot.
    let singleShotReason: String?
    /// Where the armed read of the wake signal's eventfd puts the counter.
    let wakeUpWord: UnsafeMutablePointer<UInt64>

    /// Completions read per batch.
    static let completionBatch = 256

    init(configuration: NetworkConfiguration) throws(NetworkError) {
        let entries = configuration.ioUringEntries
        // Room for a multishot accept per listener, a receive and a send per
        // connection, a completion per buffer, and the wake-up read; the
        // kernel keeps any overflow (IORING_FEAT_NODROP), so this is sizing,
        // not correctness.
        let needed = 2 * configuration.maxConnections + configuration.receiveBufferCount + configuration.maxListeners + 16
        var completions = 4 * entries
        while completions < needed && completions < 65_536 { completions *= 2 }
        ring = try IOUringRing(entries: entries, completionEntries: Swift.min(completions, 65_536), batchCapacity: Self.completionBatch)
        buffers = try ProvidedBufferRing(ring: ring, count: configuration.receiveBufferCount, size: configuration.receiveBufferSize)
        stash = ReceiveStash(bufferCount: configuration.receiveBufferCount)
        wakeUpWord = .allocate(capacity: 1)
        wakeUpWord.initialize(to: 0)
        if configuration.allowMultishotReceive {
            singleShotReason = try Self.probeMultishotReceive(ring: ring, buffers: buffers)
        } else {
            singleShotReason = "disabled by configuration (allowMultishotReceive = false)"
        }
        multishotReceive = singleShotReason == nil
    }

    /// Objects whose memory operations in the ring point into (UDP endpoints' buffers
    /// and message headers): released only after the ring has exited, below.
    var retained: [AnyObject] = []

    deinit {
        ring.exit()
        wakeUpWord.deallocate()
    }

    /// Checks that this kernel supports multishot receive with provided
    /// buffers (Linux 6.0+): arms one on a socket pair, writes a byte, and
    /// looks for a completion that carries the byte and IORING_CQE_F_MORE.
    /// Returns `nil` when it works, else why not. Nothing else is in flight
    /// yet, so every completion seen here is the probe's.
    static func probeMultishotReceive(ring: IOUringRing, buffers: ProvidedBufferRing) throws(NetworkError) -> String? {
        var pair: [Int32] = [-1, -1]
        _ = try SystemCall.run("socketpair(AF_UNIX, SOCK_STREAM)", as: NetworkError.self) {
            Int(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0, &pair))
        }
        defer {
            if pair[0] >= 0 { SystemCall.release(pair[0]) }
            if pair[1] >= 0 { SystemCall.release(pair[1]) }
        }
        let tag = CompletionTag(.probe)
        try ring.prepareReceive(socket: pair[0], group: ProvidedBufferRing.group, length: buffers.size, multishot: true, tag: tag)
        var byte: UInt8 = 1
        _ = try SystemCall.run("write(multishot receive probe)", as: NetworkError.self) { write(pair[1], &byte, 1) }

        var reason: String? = "the probe receive did not complete within 2 s"
        var ended = false
        let deadline = MonotonicClock.nanoseconds() + 2_000_000_000
        while !ended && MonotonicClock.nanoseconds() < deadline {
            try ring.submitAndWait(timeoutNanoseconds: 100_000_000)
            let count = ring.peekCompletions()
            for index in 0..<count {
                let completion = ring.completion(at: index)
                guard completion.tag == tag else { continue }
                if completion.flags & IORING_CQE_F_BUFFER != 0 {
                    buffers.recycle(Int(completion.flags >> IORING_CQE_BUFFER_SHIFT))
                }
                let more = completion.flags & IORING_CQE_F_MORE != 0
                if completion.result > 0 {
                    reason = more ? nil : "a multishot receive completed without IORING_CQE_F_MORE"
                } else if completion.result < 0 && reason != nil {
                    let code = -completion.result
                    reason = "multishot receive failed: errno \(code) (\(String(cString: strerror(code))))"
                }
                if !more { ended = true }
            }
            ring.advance(count)
            if !ended && pair[1] >= 0 && reason == nil {
                // End of stream ends the multishot receive.
                SystemCall.release(pair[1])
                pair[1] = -1
            }
        }
        // If the probe is still armed (it never completed), closing both ends
        // in the defer ends it; its completion is ignored by tag.
        return reason
    }
}
