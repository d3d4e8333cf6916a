import GatewayCore

extension FIXOrderEntry {
    /// Rebuilds the order table after a restart: journal replay hands every replayed
    /// command and event here, in engine order, before the I/O thread starts. A FIX
    /// command is remembered as `received` would have remembered it, and its events go
    /// through the same bookkeeping as live ones (``recover(event:io:)``: a report the
    /// session's store already holds is not stored again). So CumQty, AvgPx, OrderStatusRequest and pending
    /// cancel/replace chains carry on across a restart (specs/fix44.md, "Order table").
    ///
    /// One difference from the live path: Side 5/6 (sell short) is not in the command,
    /// so a restored short sale reports 54=2.
    public func restore(command: Command) {
        guard command.keyKind == .clientOrderID, command.origin.source == source,
              command.origin.session >= 1, Int(command.origin.session) <= sessions.count
        else { return }
        let session = Int(command.origin.session) - 1
        switch command.kind {
        case .newOrder:
            sessions[session].remember(
                command.clientOrderID,
                FIXOrderEntryOrder(
                    symbol: command.symbol, fixSide: Self.fixSide(command.side), orderType: command.orderType,
                    timeInForce: command.timeInForce, price: command.price, orderQuantity: command.quantity,
                    account: command.account))
        case .cancel, .replace:
            sessions[session].orders[command.originalClientOrderID]?.pendingRequest = command.clientOrderID
            sessions[session].rememberRequest(
                command.clientOrderID,
                FIXOrderEntryRequest(
                    kind: command.kind == .replace ? .replace : .cancel, original: command.originalClientOrderID,
                    fixSide: Self.fixSide(command.side), massCancelType: 0))
        case .massCancel:
            sessions[session].rememberRequest(
                command.clientOrderID,
                FIXOrderEntryRequest(
                    kind: .massCancel, original: .empty, fixSide: 0,
                    massCancelType: command.symbol == .none ? UInt8(ascii: "7") : UInt8(ascii: "1")))
        default:
            break
        }
    }

    /// A replayed engine event, through the live bookkeeping, its reports offered to
    /// the session stores: a store keeps only the answers a crash kept out of it
    /// (``FIXMessageStore/answers``), with new MsgSeqNums, and the client gets them on
    /// its next Logon, by ResendRequest or as the gap it sees.
    public func recover(event: Event, io: inout FIXRecoveryIO) {
        // Only to a session that may trade the event's account: a restart whose
        // configuration renumbered the sessions must not replay one firm's reports into
        // another's store.
        guard let session = sessionIndex(of: event), mayTrade(event.account, session: session) else { return }
        io.answering = event.sequence
        handle(event, now: event.timestamp, io: &io)
        io.answering = 0
    }
}

extension FIXOrderEntry {
    /// A replayed event through the same bookkeeping as ``recover(event:io:)``, its
    /// reports dropped: the order table of a replica that only follows the journal (the
    /// snapshot thread's), which must end as a restart's replay leaves it.
    public func replay(event: Event) {
        guard let session = sessionIndex(of: event), mayTrade(event.account, session: session) else { return }
        var io = FIXDroppingIO()
        _ = handle(event, now: event.timestamp, io: &io)
    }
}

/// Nothing goes anywhere: the snapshot replica's order-entry world.
struct FIXDroppingIO: FIXOrderEntryIO {
    mutating func submit(_ command: Command) -> Bool { false }
    mutating func reply(session: Int, msgType: StaticString, encode: (inout FIXEncoder) -> Void) {}
}

/// Journal replay's way to the session stores: every report of a replayed event goes to
/// ``FIXAcceptor/sendApplication(session:msgType:now:answering:io:encode:)``, which
/// stores it only when the store lacks it. No session is logged on during replay, so
/// nothing is sent; nothing is submitted to the engine.
public struct FIXRecoveryIO: FIXOrderEntryIO {
    let acceptor: FIXAcceptor
    /// SendingTime of the reports stored now (their TransactTime is the event's).
    let now: Timestamp
    /// The journal sequence of the event being replayed.
    var answering: UInt64 = 0
    /// Reports the stores lacked and now hold.
    public private(set) var appended = 0
    /// The first store error (the gateway refuses to start on it).
    public private(set) var failure: (any Error)?

    public init(acceptor: FIXAcceptor, now: Timestamp) {
        self.acceptor = acceptor
        self.now = now
    }

    public mutating func submit(_ command: Command) -> Bool { false }

    public mutating func reply(session: Int, msgType: StaticString, encode: (inout FIXEncoder) -> Void) {
        var quiet = FIXQuietAcceptorIO()
        do {
            if try acceptor.sendApplication(
                session: session, msgType: msgType, now: now, answering: answering, io: &quiet, encode: encode) != 0 {
                appended += 1
            }
        } catch {
            if failure == nil { failure = error }
        }
    }
}

/// The acceptor's world while no connection exists (recovery): nothing to send, close,
/// log or hand on.
struct FIXQuietAcceptorIO: FIXAcceptorIO {
    mutating func send(_ connection: UInt32, _ bytes: UnsafeRawBufferPointer) {}
    mutating func close(_ connection: UInt32, reason: String) {}
    mutating func application(_ message: FIXMessage, session: Int, connection: UInt32) {}
    mutating func sessionStateChanged(session: Int, loggedOn: Bool) {}
    mutating func logSessionEvent(_ text: String) {}
    mutating func logMessage(session: Int, inbound: Bool, _ bytes: UnsafeRawBufferPointer) {}
}

extension FIXAcceptor {
    /// Journal replay starts: each store will meet the answers it holds again.
    public func beginRecovery() {
        for session in sessions { session.store.beginRecovery() }
    }

    /// Ends journal replay: a store created before the journal's end was known carries
    /// the answers after `journalEnd`, and what replay stored is written.
    public func finishRecovery(journalEnd: UInt64) throws(FIXMessageStoreError) {
        if newStoreBaseline == EngineAnswerMark.unsettled { newStoreBaseline = journalEnd }
        for session in sessions {
            try session.store.settleBaseline(journalEnd)
            try session.store.flush()
        }
    }
}
