import TLS

/// A listening socket of a loop.
struct Listener {
    enum State {
        case active
        /// io_uring: the accept is being cancelled; the socket closes when
        /// its last completion arrives.
        case closing
        case closed
    }

    var descriptor: Int32
    var port: UInt16
    var state = State.active
    /// A TLS listener's context (replaceable: a reload affects new connections).
    var tls: TLSContext?
    /// Hears `opened`, `received` and `closed` of this listener's connections instead of
    /// the loop's handler (another stage on the loop's thread: the market data's snapshot
    /// service); nil: the loop's handler.
    var handler: (any NetworkHandler)?
    /// io_uring: an accept is in the kernel.
    var acceptArmed = false
    /// io_uring: accept with one multishot request (false after the kernel
    /// refused it with EINVAL).
    var multishotAccept = true

    init(descriptor: Int32, port: UInt16) {
        self.descriptor = descriptor
        self.port = port
    }
}
