import Foundation
import GatewayCore
import Rings

/// The shared-memory bridge (specs/shm-ring.md): an order-entry port whose "client" is
/// the Python process. Signals-ring records become engine commands; the engine's
/// answers, the orders signals produced and the strategy account's fills go back on
/// the fills ring. Run by one thread at a time, as `SignalBridgeAgent`.
///
/// A record's slot is freed only when the engine has answered its command (so the
/// command is in the journal): records in flight are read ahead with `peek(ahead:)` and
/// released in order as their answers come back, in the order the engine answers
/// commands from one port.
final class SignalBridge {
    struct InFlight {
        let sequence: UInt64
        let kind: UInt8
        let tag: UInt64
        let modelID: UInt32
        let symbol: SymbolIndex
    }

    /// What the bridge remembers of a live order a signal produced.
    struct SignalOrder {
        let tag: UInt64
        let modelID: UInt32
    }

    static let maximumInFlight = 1024
    static let maximumBacklog = 4096

    let signals: SharedMemoryRing
    let fills: SharedMemoryRing
    let port: OrderEntryPort
    let strategyAccount: AccountIndex
    let symbolNames: [[UInt8]]
    /// By `SignalRecord.nameKey` of the name (names longer than 8 bytes cannot be named
    /// in a record and are left out).
    let symbolsByName: [UInt64: SymbolIndex]
    let accountsByName: [UInt64: AccountIndex]
    /// The wall clock acknowledgements are stamped with (the gateway's).
    let clock: any Clock

    private(set) var inFlight: [InFlight] = []
    private var inFlightStart = 0
    /// Records read past `head` (in flight, or refused and waiting for earlier ones).
    private var readAhead: UInt64 = 0
    /// Bridge refusals waiting for the records before them to be answered, so that the
    /// slots are freed in order: (sequence, the rejection record).
    private var pendingRefusals: [(UInt64, FillRecord.Values)] = []
    private var orders: [UInt32: SignalOrder] = [:]
    /// The strategy account's position per symbol, and the cost of it (price × shares)
    /// for the average price; rebuilt from the engine at start.
    private var positions: [SymbolIndex: (shares: Int64, cost: Int128)] = [:]
    private var backlog: [FillRecord.Values] = []
    private var backlogStart = 0
    private(set) var overflowed: UInt64 = 0
    /// Set once the producer has broken the signals ring's protocol (moved its tail
    /// backwards): from then on no record is read until a restart; answers to the
    /// records already in flight still go out and their slots are still freed.
    private(set) var producerCutOff = false
    private var lastOverflowLog = Timestamp.zero

    init(signals: SharedMemoryRing, fills: SharedMemoryRing, port: OrderEntryPort, strategyAccount: AccountIndex,
         symbols: [(index: SymbolIndex, name: String)], accounts: [String: AccountIndex],
         positions: [SymbolIndex: Int64], clock: any Clock) {
        self.clock = clock
        self.signals = signals
        self.fills = fills
        self.port = port
        self.strategyAccount = strategyAccount
        var names = [[UInt8]](repeating: [], count: (symbols.map { Int($0.index.rawValue) }.max() ?? 0) + 1)
        for s in symbols { names[Int(s.index.rawValue)] = Array(s.name.utf8) }
        symbolNames = names
        symbolsByName = Dictionary(symbols.compactMap { s in SignalRecord.nameKey(s.name.utf8).map { ($0, s.index) } },
                                   uniquingKeysWith: { first, _ in first })
        accountsByName = Dictionary(accounts.compactMap { name, index in SignalRecord.nameKey(name.utf8).map { ($0, index) } },
                                    uniquingKeysWith: { first, _ in first })
        for (symbol, shares) in positions where shares != 0 { self.positions[symbol] = (shares, 0) }
        inFlight.reserveCapacity(Self.maximumInFlight)
        backlog.reserveCapacity(Self.maximumBacklog)
        orders.reserveCapacity(4096)
    }

    var hasWork: Bool {
        (!producerCutOff && signals.peek(ahead: readAhead) != nil) || !port.outboundIsEmpty || backlogStart < backlog.count
    }

    /// One turn: new records to the engine, engine events to the fills ring. Returns
    /// whether anything happened.
    func turn() -> Bool {
        var worked = drainBacklog()
        let origin = OrderOrigin(source: port.source, session: 0, connection: 0)
        var submitted = false
        if !producerCutOff, let tail = signals.producerMovedTailBackwards {
            producerCutOff = true
            Log.error("""
                shared memory: the producer of \(signals.path) moved its tail backwards (to \(tail), below records \
                already published): it no longer follows the ring's protocol and is cut off; no more records are \
                read from it until the gateway restarts
                """)
        }
        while !producerCutOff, inFlight.count - inFlightStart < Self.maximumInFlight,
              let bytes = signals.peek(ahead: readAhead) {
            let now = clock.now()
            let record = SignalRecord(bytes)
            switch SignalRecord.decode(
                bytes, strategyAccount: strategyAccount, origin: origin, now: now,
                symbolIndex: { self.symbolsByName[$0] }, accountIndex: { self.accountsByName[$0] })
            {
            case .command(let command):
                // The engine's ring is full: try this record again next turn.
                guard port.submit(command, wake: false) else {
                    if submitted { port.wakeEngine() }
                    return finishTurn(worked)
                }
                inFlight.append(InFlight(sequence: record.sequence, kind: record.kindByte, tag: record.tag,
                                         modelID: record.modelID, symbol: command.symbol))
                submitted = true
            case .refused(let refusal):
                var values = FillRecord.Values(kind: .rejection)
                values.byte9 = record.kindByte
                values.reason = refusal.rawValue
                values.value40 = record.sequence
                values.tag = record.tag
                values.time = now.rawValue
                pendingRefusals.append((record.sequence, values))
            }
            readAhead += 1
            worked = true
        }
        if submitted { port.wakeEngine() }
        return finishTurn(worked)
    }

    private func finishTurn(_ worked: Bool) -> Bool {
        let events = port.pollEvents(maxCount: 256) { event in handle(event) }
        releaseAnswered()
        return worked || events > 0
    }

    /// One event for this port, in engine order.
    private func handle(_ event: Event) {
        switch event.kind {
        case .accepted, .rejected, .riskUpdated:
            guard inFlightStart < inFlight.count else { return }
            let answered = inFlight[inFlightStart]
            inFlightStart += 1
            sendRefusals(before: answered.sequence)
            if event.kind == .rejected {
                var values = FillRecord.Values(kind: .rejection)
                values.byte9 = answered.kind
                values.reason = event.rejectReason.rawValue
                values.value40 = answered.sequence
                values.tag = answered.tag
                values.time = event.timestamp.rawValue
                write(values)
            } else {
                var ack = FillRecord.Values(kind: .acknowledgement)
                ack.byte9 = answered.kind
                ack.value40 = answered.sequence
                ack.tag = answered.tag
                ack.time = event.timestamp.rawValue
                write(ack)
                if event.kind == .accepted {
                    orders[event.userReference] = SignalOrder(tag: answered.tag, modelID: answered.modelID)
                    var order = FillRecord.Values(kind: .order)
                    order.byte10 = event.side.rawValue
                    order.modelID = answered.modelID
                    order.setSymbol(symbolNames[Int(event.symbol.rawValue)])
                    order.value24 = Int64(event.quantity)
                    order.price32 = event.price.raw
                    order.value40 = event.orderReference
                    order.tag = answered.tag
                    order.time = event.timestamp.rawValue
                    write(order)
                }
            }
        case .executed where event.account == strategyAccount:
            let tag = orders[event.userReference]?.tag ?? 0
            var fill = FillRecord.Values(kind: .fill)
            fill.byte10 = event.side.rawValue
            fill.byte11 = event.liquidity.rawValue
            fill.setSymbol(symbolNames[Int(event.symbol.rawValue)])
            fill.value24 = Int64(event.quantity)
            fill.price32 = event.price.raw
            fill.value40 = event.matchNumber
            fill.tag = tag
            fill.time = event.timestamp.rawValue
            write(fill)
            let (shares, average) = applyFill(event)
            var position = FillRecord.Values(kind: .position)
            position.setSymbol(symbolNames[Int(event.symbol.rawValue)])
            position.value24 = shares
            position.price32 = average
            position.tag = tag
            position.time = event.timestamp.rawValue
            write(position)
            if event.leavesQuantity == 0 { orders[event.userReference] = nil }
        case .canceled where event.leavesQuantity == 0:
            orders[event.userReference] = nil
        default:
            break
        }
    }

    /// Frees the signals-ring slots of every record answered or refused so far, in
    /// order, and sends the refusals whose turn has come: everything read before the
    /// oldest record still waiting for the engine.
    private func releaseAnswered() {
        let head = signals.consumerIndex
        let through = inFlightStart < inFlight.count ? inFlight[inFlightStart].sequence - 1 : head + readAhead
        sendRefusals(before: through + 1)
        if through > head {
            signals.release(through: through)
            readAhead -= through - head
        }
        if inFlightStart == inFlight.count {
            inFlight.removeAll(keepingCapacity: true)
            inFlightStart = 0
        }
    }

    /// Writes the refusals of records numbered below `sequence`, in order, so that the
    /// fills ring answers records in the order they were written.
    private func sendRefusals(before sequence: UInt64) {
        var sent = 0
        for (refused, values) in pendingRefusals {
            guard refused < sequence else { break }
            write(values)
            sent += 1
        }
        if sent > 0 { pendingRefusals.removeFirst(sent) }
    }

    /// The strategy account's position after a fill, and its average price (0 when flat).
    private func applyFill(_ event: Event) -> (Int64, Int64) {
        var (shares, cost) = positions[event.symbol] ?? (0, 0)
        let signed = event.side == .buy ? Int64(event.quantity) : -Int64(event.quantity)
        let price = Int128(event.price.raw)
        if shares == 0 || (shares > 0) == (signed > 0) {
            cost += price * Int128(abs(signed))
            shares += signed
        } else if abs(signed) <= abs(shares) {
            // Reducing: the average of what is left does not change.
            cost -= cost * Int128(abs(signed)) / Int128(abs(shares))
            shares += signed
        } else {
            // Crossing zero: what is left is new, at this price.
            shares += signed
            cost = price * Int128(abs(shares))
        }
        if shares == 0 { cost = 0 }
        positions[event.symbol] = (shares, cost)
        let average = shares == 0 ? 0 : Int64(cost / Int128(abs(shares)))
        return (shares, average)
    }

    // MARK: The fills ring

    private func write(_ values: FillRecord.Values) {
        if backlogStart == backlog.count && fills.tryPublish({ values.write(into: $0) }) { return }
        if backlog.count - backlogStart < Self.maximumBacklog {
            backlog.append(values)
            return
        }
        // Backlog full too: counted in the header for the reader, logged once a second.
        fills.incrementOverflowCount()
        overflowed &+= 1
        let now = clock.now()
        if now.rawValue - lastOverflowLog.rawValue >= 1_000_000_000 {
            lastOverflowLog = now
            Log.error("shared memory: \(fills.path) is full and its backlog too: \(overflowed) record(s) dropped so far; is the reader running?")
        }
    }

    private func drainBacklog() -> Bool {
        var moved = false
        while backlogStart < backlog.count {
            let values = backlog[backlogStart]
            guard fills.tryPublish({ values.write(into: $0) }) else { break }
            backlogStart += 1
            moved = true
        }
        if backlogStart == backlog.count && backlogStart > 0 {
            backlog.removeAll(keepingCapacity: true)
            backlogStart = 0
        }
        return moved
    }
}
