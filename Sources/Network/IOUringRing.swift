import CLiburing
import POSIX

#if canImport(Glibc)
import Glibc
#endif

/// One io_uring instance (liburing 2.3) and the few ways the loop uses it:
/// prepare submissions, submit them with or without waiting, and read
/// completions in batches. Knows nothing of connections.
///
/// Created and used on the loop's thread only: with
/// IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN (asked for first;
/// older kernels get a plain ring) the kernel refuses submissions from any
/// other thread, and completions are only posted while this thread is in
/// `io_uring_enter`, so even a non-blocking poll makes that call.
final class IOUringRing {
    let ring: UnsafeMutablePointer<io_uring>
    /// Whether the ring was set up with IORING_SETUP_DEFER_TASKRUN.
    let deferredTaskRun: Bool
    /// Completion queue entries the kernel gave us.
    let completionQueueEntries: Int
    /// Room for one batch of completion pointers (`peekCompletions`).
    private let batch: UnsafeMutablePointer<UnsafeMutablePointer<io_uring_cqe>?>
    let batchCapacity: Int
    private var exited = false

    /// IOSQE_BUFFER_SELECT (a macro built from an enum constant, which does
    /// not import).
    static let bufferSelectFlag = UInt8(1 << IOSQE_BUFFER_SELECT_BIT)

    /// Sets up a ring with `entries` submission entries and `completionEntries`
    /// completion entries. Throws `.ioUringUnavailable` naming why when the
    /// kernel refuses (ENOSYS, EPERM from a seccomp profile, missing
    /// features), so `.automatic` can fall back to epoll.
    init(entries: Int, completionEntries: Int, batchCapacity: Int) throws(NetworkError) {
        let ring = UnsafeMutablePointer<io_uring>.allocate(capacity: 1)
        ring.initialize(to: io_uring())
        let base = UInt32(IORING_SETUP_CQSIZE) | UInt32(IORING_SETUP_SUBMIT_ALL)
        let preferred = base | UInt32(IORING_SETUP_SINGLE_ISSUER) | UInt32(IORING_SETUP_DEFER_TASKRUN)
        var params = io_uring_params()
        var deferred = false
        var failure: NetworkError? = nil
        for flags in [preferred, base] {
            params = io_uring_params()
            params.flags = flags
            params.cq_entries = UInt32(completionEntries)
            do {
                guard try SystemCall.negatedErrno("io_uring_queue_init_params", nilFor: .ring, as: NetworkError.self, { io_uring_queue_init_params(UInt32(entries), ring, &params) }) != nil else {
                    failure = .systemCall(SystemCallError(call: "io_uring_queue_init_params", errno: EAGAIN))
                    break
                }
                failure = nil
                deferred = flags == preferred
                break
            } catch {
                failure = error
                // EINVAL: a flag this kernel does not know; try without it.
                guard case .systemCall(let failure) = error, failure.errno == EINVAL else { break }
            }
        }
        if let failure {
            ring.deallocate()
            var reason = failure.description
            if case .systemCall(let error) = failure, error.errno == EPERM || error.errno == ENOSYS {
                reason += "; a seccomp profile or sysctl kernel.io_uring_disabled may block io_uring"
            }
            throw .ioUringUnavailable(reason)
        }
        let required = UInt32(IORING_FEAT_EXT_ARG) | UInt32(IORING_FEAT_NODROP)
        guard params.features & required == required else {
            io_uring_queue_exit(ring)
            ring.deallocate()
            throw .ioUringUnavailable("the kernel lacks IORING_FEAT_EXT_ARG or IORING_FEAT_NODROP (Linux 5.11 or later is needed)")
        }
        self.ring = ring
        deferredTaskRun = deferred
        completionQueueEntries = Int(params.cq_entries)
        self.batchCapacity = batchCapacity
        batch = .allocate(capacity: batchCapacity)
        batch.initialize(repeating: nil, count: batchCapacity)
    }

    deinit {
        exit()
        ring.deallocate()
        batch.deallocate()
    }

    /// Tears the ring down; the kernel cancels whatever is still in flight.
    /// Buffers lent to the kernel may be freed after this returns.
    func exit() {
        guard !exited else { return }
        exited = true
        io_uring_queue_exit(ring)
    }

    // MARK: Submissions

    /// A free submission entry; submits what is queued when the queue is full.
    /// Throws if the kernel takes none of them (EBUSY: it cannot post more
    /// completions), which the loop cannot recover from.
    @inline(__always)
    func submissionEntry() throws(NetworkError) -> UnsafeMutablePointer<io_uring_sqe> {
        if let entry = io_uring_get_sqe(ring) { return entry }
        _ = try SystemCall.negatedErrno("io_uring_submit", nilFor: .ring, as: NetworkError.self) { io_uring_submit(ring) }
        guard let entry = io_uring_get_sqe(ring) else {
            throw .systemCall(SystemCallError(call: "io_uring_submit (submission queue full)", errno: EBUSY))
        }
        return entry
    }

    /// Accepts on `listener`, multishot when asked (one submission, a
    /// completion per connection). New sockets are blocking, close-on-exec.
    func prepareAccept(listener: Int32, multishot: Bool, tag: CompletionTag) throws(NetworkError) {
        let entry = try submissionEntry()
        if multishot {
            io_uring_prep_multishot_accept(entry, listener, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
        } else {
            io_uring_prep_accept(entry, listener, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
        }
        io_uring_sqe_set_data64(entry, tag.rawValue)
    }

    /// Receives from `socket` into a buffer the kernel picks from provided
    /// buffer group `group`; multishot keeps receiving until it ends.
    func prepareReceive(socket: Int32, group: UInt16, length: Int, multishot: Bool, tag: CompletionTag) throws(NetworkError) {
        let entry = try submissionEntry()
        if multishot {
            io_uring_prep_recv_multishot(entry, socket, nil, 0, 0)
        } else {
            io_uring_prep_recv(entry, socket, nil, length, 0)
        }
        entry.pointee.flags |= Self.bufferSelectFlag
        entry.pointee.buf_group = group
        io_uring_sqe_set_data64(entry, tag.rawValue)
    }

    /// Sends `bytes` on `socket` without SIGPIPE. The bytes must stay put
    /// until the completion.
    func prepareSend(socket: Int32, bytes: UnsafeRawBufferPointer, tag: CompletionTag) throws(NetworkError) {
        let entry = try submissionEntry()
        io_uring_prep_send(entry, socket, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
        io_uring_sqe_set_data64(entry, tag.rawValue)
    }

    /// Reads `length` bytes from `descriptor` into `buffer`.
    func prepareRead(descriptor: Int32, buffer: UnsafeMutableRawPointer, length: Int, tag: CompletionTag) throws(NetworkError) {
        let entry = try submissionEntry()
        io_uring_prep_read(entry, descriptor, buffer, UInt32(length), 0)
        io_uring_sqe_set_data64(entry, tag.rawValue)
    }

    /// Reports each time `descriptor` becomes readable (a multishot poll), until it
    /// ends (a completion without IORING_CQE_F_MORE) or is cancelled.
    func preparePollReadable(descriptor: Int32, tag: CompletionTag) throws(NetworkError) {
        let entry = try submissionEntry()
        io_uring_prep_poll_multishot(entry, descriptor, UInt32(POLLIN))
        io_uring_sqe_set_data64(entry, tag.rawValue)
    }

    /// Cancels the request submitted with `target` (every one, for
    /// multishot); the target completes with -ECANCELED unless it completed
    /// first.
    /// One datagram into `header`'s buffer and name (single-shot).
    func prepareReceiveMessage(socket: Int32, header: UnsafeMutablePointer<msghdr>, tag: CompletionTag) throws(NetworkError) {
        let entry = try submissionEntry()
        io_uring_prep_recvmsg(entry, socket, header, 0)
        io_uring_sqe_set_data64(entry, tag.rawValue)
    }

    /// One datagram from `header`'s buffer to its name.
    func prepareSendMessage(socket: Int32, header: UnsafePointer<msghdr>, tag: CompletionTag) throws(NetworkError) {
        let entry = try submissionEntry()
        io_uring_prep_sendmsg(entry, socket, header, UInt32(MSG_NOSIGNAL))
        io_uring_sqe_set_data64(entry, tag.rawValue)
    }

    func prepareCancel(target: CompletionTag) throws(NetworkError) {
        let entry = try submissionEntry()
        io_uring_prep_cancel64(entry, target.rawValue, 0)
        io_uring_sqe_set_data64(entry, CompletionTag(.cancel).rawValue)
    }

    // MARK: Submitting and waiting

    /// Submits what is queued, without collecting or waiting for anything.
    func submit() throws(NetworkError) {
        _ = try SystemCall.negatedErrno("io_uring_submit", nilFor: .ring, as: NetworkError.self) { io_uring_submit(ring) }
    }

    /// Submits what is queued and collects completions, without blocking.
    func submitAndPoll() throws(NetworkError) {
        _ = try SystemCall.negatedErrno("io_uring_submit_and_get_events", nilFor: .ring, as: NetworkError.self) { io_uring_submit_and_get_events(ring) }
    }

    /// Submits what is queued and blocks until a completion arrives or
    /// `timeoutNanoseconds` pass (a signal also ends it).
    func submitAndWait(timeoutNanoseconds: Int64) throws(NetworkError) {
        var timeout = __kernel_timespec(tv_sec: timeoutNanoseconds / 1_000_000_000, tv_nsec: timeoutNanoseconds % 1_000_000_000)
        var completion: UnsafeMutablePointer<io_uring_cqe>? = nil
        // Returns the number submitted, 0, or -ETIME; nil covers ETIME/EINTR.
        _ = try SystemCall.negatedErrno("io_uring_submit_and_wait_timeout", nilFor: .ringWait, as: NetworkError.self) {
            io_uring_submit_and_wait_timeout(ring, &completion, 1, &timeout, nil)
        }
    }

    // MARK: Completions

    /// Points the batch at up to `batchCapacity` waiting completions; returns
    /// how many. Read them with `completion(at:)`, then `advance`.
    @inline(__always)
    func peekCompletions() -> Int {
        Int(io_uring_peek_batch_cqe(ring, batch, UInt32(batchCapacity)))
    }

    /// Completion `index` of the current batch: tag, result, flags.
    @inline(__always)
    func completion(at index: Int) -> (tag: CompletionTag, result: Int32, flags: UInt32) {
        let entry = batch[index].unsafelyUnwrapped.pointee
        return (CompletionTag(rawValue: entry.user_data), entry.res, entry.flags)
    }

    /// Hands `count` completions back to the kernel.
    @inline(__always)
    func advance(_ count: Int) {
        io_uring_cq_advance(ring, UInt32(count))
    }

    /// Submissions prepared and not yet handed to the kernel.
    var unsubmitted: Int { Int(io_uring_sq_ready(ring)) }

    /// Completions waiting in the queue.
    var readyCompletions: Int { Int(io_uring_cq_ready(ring)) }
}
