import TLS

/// Everything the loop keeps about one connection, in one fixed slot of the
/// `ConnectionTable`. Loop thread only. Fields marked io_uring or epoll are
/// used by that backend only.
struct ConnectionSlot {
    enum State: UInt8 {
        /// No connection; the slot waits in the free list.
        case free
        /// Connected: receives are delivered, sends accepted.
        case open
        /// Closing: no more receives or sends; pending output may still be
        /// written (graceful close); waiting for the kernel to finish with
        /// the socket and for the handler to hear `closed`.
        case closing
    }

    var state: State = .free
    /// Bumped on every release; the high half of the `ConnectionID`.
    var generation: UInt16 = 1
    /// The socket, or -1 once closed (a closing slot may outlive its socket
    /// until the handler has heard `closed`).
    var descriptor: Int32 = -1
    var listener = ListenerID(rawValue: 0)
    /// The peer's IPv4 address, host byte order (0: unknown), read once at accept.
    var peerAddress: UInt32 = 0
    /// Pending output.
    var send: SendBuffer

    // MARK: TLS (connections of a TLS listener)
    /// The connection's TLS state machine; nil on a plain listener.
    var tls: TLSSession?
    /// The handler has heard `opened` (a TLS connection: once its handshake finished).
    var openedReported = true
    /// When an unfinished handshake gives up (monotonic nanoseconds).
    var handshakeDeadline: Int64 = 0

    // MARK: Closing
    var closeReason: CloseReason = .closedByHandler
    /// The handler has been told `closed`.
    var closeReported = false
    /// A graceful close is still writing the pending output.
    var flushBeforeClose = false
    /// When a graceful close gives up writing (monotonic nanoseconds).
    var lingerDeadline: Int64 = 0

    // MARK: Receiving
    /// io_uring: a receive (multishot or single) is in the kernel; its last
    /// completion (without IORING_CQE_F_MORE) clears it.
    var receiveArmed = false
    /// io_uring: a cancel of that receive was submitted.
    var receiveCancelRequested = false
    /// io_uring: provided buffers received while reading was paused, in
    /// order, as a list through `ReceiveStash` (-1: none).
    var stashHead: Int32 = -1
    var stashTail: Int32 = -1
    /// io_uring: the peer's end of stream arrived behind stashed bytes; the
    /// close waits until they are delivered.
    var endOfStreamPending = false
    /// epoll: reading stopped because reading is paused (EPOLLIN removed).
    var readingSuspended = false

    // MARK: Sending
    /// io_uring: bytes of the send in the kernel (0: none).
    var sendInFlight = 0
    /// io_uring: a cancel of that send was submitted.
    var sendCancelRequested = false
    /// epoll: a write would block; waiting for EPOLLOUT.
    var waitingForWritable = false
    /// epoll: the event mask registered for the socket (0: not registered).
    var epollEvents: UInt32 = 0

    init(send: SendBuffer) {
        self.send = send
    }
}
