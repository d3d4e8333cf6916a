/// One connection of one `NetworkLoop`, for as long as it is open.
///
/// Layout of `rawValue` (so the identifier fits in a `Command`'s origin and
/// an io_uring or epoll tag): bits 0–15 are the slot in the loop's connection
/// table, bits 16–31 the slot's generation. The generation is bumped each
/// time the slot is released, so an identifier kept after its connection
/// closed names no connection even when the slot is reused: `send` and
/// `close` refuse it with `.unknownConnection`. Generation 0 is never issued,
/// so `rawValue == 0` never names a connection. A slot reused 65,535 times
/// comes back to the same generation; an identifier held across that many
/// reuses of its slot would alias (see specs/network.md).
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    /// Slot (low 16 bits) and generation (high 16 bits).
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    init(slot: Int, generation: UInt16) {
        self.rawValue = UInt32(truncatingIfNeeded: slot) & 0xFFFF | UInt32(generation) << 16
    }

    /// The slot in the connection table, from 0 to `maxConnections − 1`.
    public var slot: Int { Int(rawValue & 0xFFFF) }

    /// How many times the slot had been released when this connection got it
    /// (plus one, skipping 0).
    public var generation: UInt16 { UInt16(truncatingIfNeeded: rawValue >> 16) }

    /// `slot:generation`, e.g. `3:7`.
    public var description: String { "\(slot):\(generation)" }
}

/// A listening socket of one `NetworkLoop`: its index in the loop's listener
/// table, in the order `listen` was called (0, 1, ...).
public struct ListenerID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    public var description: String { "listener \(rawValue)" }
}
