/// What an io_uring completion or an epoll event is about, packed into the
/// 64-bit user data the kernel hands back: the kind in bits 56–63, the
/// subject in bits 0–31 (a `ConnectionID.rawValue`, a listener index, or 0).
/// A connection's tag carries its generation, so an event for a connection
/// whose slot was since released is recognised as stale.
struct CompletionTag: Equatable {
    enum Kind: UInt8 {
        /// io_uring accept / epoll readable listener; subject: listener index.
        case accept = 1
        /// io_uring receive / epoll socket event; subject: connection.
        case receive = 2
        /// io_uring send; subject: connection.
        case send = 3
        /// io_uring cancel request (its own completion is ignored).
        case cancel = 4
        /// The wake signal's eventfd (io_uring read / epoll readable).
        case wakeUp = 5
        /// The start-up check for multishot receive.
        case probe = 6
        /// io_uring recvmsg / epoll readable, of a UDP endpoint; subject: its index.
        case datagramReceive = 8
        /// io_uring sendmsg of a UDP endpoint; subject: endpoint index << 16 | send slot.
        case datagramSend = 9
    }

    let rawValue: UInt64

    init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    init(_ kind: Kind, _ subject: UInt32 = 0) {
        rawValue = UInt64(kind.rawValue) << 56 | UInt64(subject)
    }

    init(_ kind: Kind, _ connection: ConnectionID) {
        self.init(kind, connection.rawValue)
    }

    /// `nil` for a value the loop never submitted (a bug).
    var kind: Kind? { Kind(rawValue: UInt8(truncatingIfNeeded: rawValue >> 56)) }

    var subject: UInt32 { UInt32(truncatingIfNeeded: rawValue) }

    var connection: ConnectionID { ConnectionID(rawValue: subject) }
}
