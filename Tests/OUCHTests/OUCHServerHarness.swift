import GatewayCore
import OUCH
import XCTest

/// The server's edges, recorded: bytes sent per connection, commands submitted, closes.
/// `room` limits how many more commands the "engine ring" takes (nil: unlimited).
struct FakeIO: OUCHServerIO {
    var sent: [UInt32: [UInt8]] = [:]
    var commands: [Command] = []
    var closes: [(connection: UInt32, reason: String)] = []
    var room: Int?
    var refusals = 0
    /// Each connection's verified client certificate subject (TLS); absent: none.
    var subjects: [UInt32: String] = [:]

    func certificateSubject(of connection: UInt32) -> String? { subjects[connection] }

    mutating func send(_ connection: UInt32, _ bytes: UnsafeRawBufferPointer) {
        sent[connection, default: []].append(contentsOf: bytes)
    }

    mutating func submit(_ command: Command) -> Bool {
        if let room {
            guard room > 0 else {
                refusals += 1
                return false
            }
            self.room = room - 1
        }
        commands.append(command)
        return true
    }

    mutating func close(_ connection: UInt32, reason: String) {
        closes.append((connection, reason))
    }
}

/// A small stand-in for the matching engine: it keeps resting orders by
/// (account, UserRefNum) and answers commands with the events specs/engine-records.md
/// describes, without matching (executions are written by hand in the tests).
struct ScriptedEngine {
    struct Key: Hashable {
        var account: AccountIndex
        var userReference: UInt32
    }

    struct Order {
        var command: Command
        var reference: OrderReference
        var open: UInt32
        var executed: UInt32
        var origin: OrderOrigin
        var price: Price
        var userReference: UInt32
        var clientOrderID: ClientOrderID
    }

    var orders: [Key: Order] = [:]
    var nextReference: OrderReference = 1
    var sequence: UInt64 = 0
    /// Refuse the next new order with this reason.
    var rejectNext: RejectReason?
    /// Symbols that refuse replaces.
    var halted: Set<SymbolIndex> = []

    func event(_ kind: EventKind, _ order: Order, _ command: Command) -> Event {
        var e = Event(kind: kind)
        e.side = order.command.side
        e.orderType = order.command.orderType
        e.timeInForce = order.command.timeInForce
        e.flags = order.command.flags
        e.symbol = order.command.symbol
        e.account = order.command.account
        e.destination = order.origin
        e.sequence = sequence
        e.timestamp = command.timestamp
        e.orderReference = order.reference
        e.userReference = order.userReference
        e.clientOrderID = order.clientOrderID
        e.price = order.price
        e.quantity = order.open
        e.leavesQuantity = order.open
        e.cumulativeQuantity = order.executed
        return e
    }

    func echo(_ kind: EventKind, _ command: Command) -> Event {
        var e = Event(kind: kind)
        e.side = command.side
        e.orderType = command.orderType
        e.timeInForce = command.timeInForce
        e.flags = command.flags
        e.symbol = command.symbol
        e.account = command.account
        e.destination = command.origin
        e.sequence = sequence
        e.timestamp = command.timestamp
        e.userReference = command.userReference
        e.originalUserReference = command.originalUserReference
        e.clientOrderID = command.clientOrderID
        e.price = command.price
        e.quantity = command.quantity
        return e
    }

    mutating func process(_ command: Command) -> [Event] {
        sequence += 1
        switch command.kind {
        case .newOrder: return newOrder(command)
        case .cancel: return cancel(command)
        case .modify: return modify(command)
        case .replace: return replace(command)
        case .sessionDisconnected: return disconnect(command)
        default: return []
        }
    }

    mutating func newOrder(_ c: Command) -> [Event] {
        let key = Key(account: c.account, userReference: c.userReference)
        if let reason = rejectNext ?? (orders[key] != nil ? .duplicateOrderID : nil) {
            rejectNext = nil
            var e = echo(.rejected, c)
            e.rejectReason = reason
            return [e]
        }
        let order = Order(
            command: c, reference: nextReference, open: c.quantity, executed: 0, origin: c.origin,
            price: c.orderType == .market ? .zero : c.price, userReference: c.userReference,
            clientOrderID: c.clientOrderID)
        nextReference += 1
        var events = [event(.accepted, order, c)]
        if c.orderType == .market || c.timeInForce == .immediateOrCancel || c.timeInForce == .fillOrKill {
            var e = event(.canceled, order, c)
            e.cancelReason = c.timeInForce == .fillOrKill ? .fillOrKill : .immediateOrCancel
            e.leavesQuantity = 0
            events.append(e)
        } else {
            orders[key] = order
            events.append(event(.booked, order, c))
        }
        return events
    }

    func answer(_ e: inout Event, _ c: Command, previous: Order) {
        e.destination = c.origin
        e.clientOrderID = c.clientOrderID
        e.originalUserReference = previous.userReference
        e.originalClientOrderID = previous.clientOrderID
    }

    mutating func cancel(_ c: Command) -> [Event] {
        let key = Key(account: c.account, userReference: c.userReference)
        guard var order = orders[key] else {
            var e = echo(.cancelRejected, c)
            e.cancelRejectReason = .unknownOrder
            return [e]
        }
        if c.quantity == 0 {
            var e = event(.canceled, order, c)
            e.cancelReason = .userRequested
            e.leavesQuantity = 0
            answer(&e, c, previous: order)
            orders[key] = nil
            return [e]
        }
        guard c.quantity < order.open else {
            var e = echo(.cancelRejected, c)
            e.cancelRejectReason = .invalidModification
            return [e]
        }
        let decrement = order.open - c.quantity
        order.open = c.quantity
        orders[key] = order
        var e = event(.canceled, order, c)
        e.quantity = decrement
        e.cancelReason = .userRequested
        answer(&e, c, previous: order)
        return [e]
    }

    mutating func modify(_ c: Command) -> [Event] {
        let key = Key(account: c.account, userReference: c.userReference)
        guard var order = orders[key] else {
            var e = echo(.cancelRejected, c)
            e.cancelRejectReason = .unknownOrder
            return [e]
        }
        guard c.side == order.command.side, c.quantity <= order.open else {
            var e = echo(.cancelRejected, c)
            e.cancelRejectReason = .invalidModification
            return [e]
        }
        if c.quantity == 0 {
            var e = event(.canceled, order, c)
            e.cancelReason = .userRequested
            e.leavesQuantity = 0
            answer(&e, c, previous: order)
            orders[key] = nil
            return [e]
        }
        order.open = c.quantity
        orders[key] = order
        var e = event(.modified, order, c)
        answer(&e, c, previous: order)
        return [e]
    }

    mutating func replace(_ c: Command) -> [Event] {
        let key = Key(account: c.account, userReference: c.originalUserReference)
        guard var order = orders[key] else {
            var e = echo(.cancelRejected, c)
            e.cancelRejectReason = .unknownOrder
            return [e]
        }
        if halted.contains(order.command.symbol) {
            var e = echo(.cancelRejected, c)
            e.cancelRejectReason = .symbolHalted
            return [e]
        }
        let newKey = Key(account: c.account, userReference: c.userReference)
        if orders[newKey] != nil {
            var e = echo(.cancelRejected, c)
            e.cancelRejectReason = .duplicateOrderID
            return [e]
        }
        guard c.quantity > order.executed else {
            var e = event(.canceled, order, c)
            e.cancelReason = .userRequested
            e.leavesQuantity = 0
            answer(&e, c, previous: order)
            orders[key] = nil
            return [e]
        }
        let previous = order
        orders[key] = nil
        order.open = c.quantity - order.executed
        order.price = c.price
        order.userReference = c.userReference
        order.clientOrderID = c.clientOrderID
        order.origin = c.origin
        order.reference = nextReference
        nextReference += 1
        orders[newKey] = order
        var e = event(.replaced, order, c)
        e.previousOrderReference = previous.reference
        answer(&e, c, previous: previous)
        return [e, event(.booked, order, c)]
    }

    mutating func disconnect(_ c: Command) -> [Event] {
        var events: [Event] = []
        for (key, order) in orders.sorted(by: { $0.value.reference < $1.value.reference })
        where order.origin.session == c.origin.session {
            var e = event(.canceled, order, c)
            e.cancelReason = .disconnected
            e.leavesQuantity = 0
            events.append(e)
            orders[key] = nil
        }
        var done = echo(.massCancelDone, c)
        done.quantity = UInt32(events.count)
        events.append(done)
        return events
    }

    /// An execution of `quantity` of the order under (account, userReference).
    mutating func execute(
        account: AccountIndex, userReference: UInt32, quantity: UInt32, liquidity: LiquidityFlag, match: UInt64,
        at timestamp: Timestamp
    ) -> Event {
        let key = Key(account: account, userReference: userReference)
        var order = orders[key]!
        order.open -= quantity
        order.executed += quantity
        var trigger = order.command
        trigger.timestamp = timestamp
        sequence += 1
        var e = event(.executed, order, trigger)
        e.quantity = quantity
        e.liquidity = liquidity
        e.matchNumber = match
        if order.open == 0 { orders[key] = nil } else { orders[key] = order }
        return e
    }
}

/// 2025-11-20 14:30:00 UTC.
let testStart = Timestamp(rawValue: 1_763_649_000 * 1_000_000_000)
/// 14:30:00 as OUCH timestamps carry it (nanoseconds since midnight).
let testStartOUCH: UInt64 = 52_200_000_000_000

let testSymbols = [
    OUCHSymbolEntry(name: "AAPL", index: 1, tick: Price(raw: 100)),
    OUCHSymbolEntry(name: "MSFT", index: 2, tick: Price(raw: 100)),
    OUCHSymbolEntry(name: "PENNY", index: 3, tick: Price(raw: 1)),
]

let testUsers = [
    OUCHUser(username: "OUCH01", password: "demo", account: 1, session: 101, cancelOnDisconnect: true),
    OUCHUser(username: "OUCH02", password: "Secret", account: 2, session: 102, cancelOnDisconnect: false, firm: "FRMA"),
    // Shares account 1 with OUCH01: the same UserRefNum space.
    OUCHUser(username: "ouch03", password: "demo3", account: 1, session: 103, cancelOnDisconnect: true),
]

/// A server on a temporary data directory with a fake IO, a scripted engine and a
/// clock the test moves.
final class ServerHarness {
    let directory: TemporaryDirectory
    let configuration: OUCHServerConfiguration
    var server: OUCHServer!
    var io = FakeIO()
    var engine = ScriptedEngine()
    var now = testStart
    /// Every command the engine has taken, in order.
    var processed: [Command] = []

    init(_ adjust: (inout OUCHServerConfiguration) -> Void = { _ in }) throws {
        directory = try TemporaryDirectory()
        var configuration = OUCHServerConfiguration(
            users: testUsers, symbols: testSymbols, sessionName: "20251120",
            dataDirectory: directory.path + "/ouch/20251120", source: 1)
        adjust(&configuration)
        self.configuration = configuration
        server = try OUCHServer(configuration: configuration)
    }

    deinit {
        server = nil
        directory.remove()
    }

    /// A new server on the same directory, as after a process restart (the old one's
    /// stores are flushed first only if `flushFirst`).
    func restart(flushFirst: Bool = true) throws {
        if flushFirst { try server.flushStores() }
        server = nil
        server = try OUCHServer(configuration: configuration)
        io = FakeIO()
        processed = []
    }

    func advance(milliseconds: Int64) {
        now = Timestamp(rawValue: now.rawValue + milliseconds * 1_000_000)
    }

    func open(_ connection: UInt32) {
        server.opened(connection, now: now)
    }

    @discardableResult
    func receive(_ connection: UInt32, _ bytes: [UInt8]) -> OUCHReceiveOutcome {
        bytes.withUnsafeBytes { server.received(connection, bytes: $0, now: now, io: &io) }
    }

    /// The engine takes every submitted command; its events go to the server.
    func runEngine() {
        let commands = io.commands
        io.commands.removeAll()
        for command in commands {
            processed.append(command)
            for event in engine.process(command) { server.handle(event) }
        }
    }

    func flush() {
        XCTAssertNoThrow(try server.flush(now: now, io: &io))
    }

    /// One owner turn: engine answers, timers, store flush and sends.
    func turn() {
        runEngine()
        server.tick(now: now, io: &io)
        flush()
    }

    /// Everything sent to `connection` since the last call, decoded.
    func take(_ connection: UInt32, file: StaticString = #filePath, line: UInt = #line) -> [ServerPacket] {
        let bytes = io.sent[connection] ?? []
        io.sent[connection] = nil
        return ServerPacket.parse(bytes, file: file, line: line)
    }

    /// The sequenced messages sent to `connection` since the last call.
    func messages(_ connection: UInt32, file: StaticString = #filePath, line: UInt = #line) -> [OUCHOutboundMessage] {
        take(connection, file: file, line: line).compactMap {
            if case .sequenced(let m) = $0 { return m }
            return nil
        }
    }

    /// Opens `connection` and logs it in; returns what the server answered (a replay
    /// follows at the next flush).
    @discardableResult
    func login(
        _ connection: UInt32, _ username: String = "OUCH01", _ password: String = "demo", sequence: UInt64 = 0,
        heartbeatTimeout: UInt32? = 0
    ) -> [ServerPacket] {
        open(connection)
        receive(connection, Client.login(username, password, sequence: sequence, heartbeatTimeout: heartbeatTimeout))
        return take(connection)
    }

    /// Sends one OUCH message on `connection`, then runs a turn.
    func send<M: OUCHMessage>(_ connection: UInt32, _ message: M) {
        receive(connection, Client.data(message))
        turn()
    }

    func closes(_ connection: UInt32) -> [String] {
        io.closes.filter { $0.connection == connection }.map(\.reason)
    }
}

func enter(
    _ userRefNum: UInt32, side: UInt8 = OUCHSide.buy, quantity: UInt32 = 100, symbol: String = "AAPL",
    price: UInt64 = 1_502_500, timeInForce: UInt8 = OUCHTimeInForce.day, clOrdID: String = "ORD",
    appendage: OUCHAppendage = .none
) -> OUCHEnterOrder {
    OUCHEnterOrder(
        userRefNum: userRefNum, side: side, quantity: quantity, symbol: OUCHSymbol(symbol)!, price: price,
        timeInForce: timeInForce, clOrdID: OUCHClOrdID(clOrdID)!, appendage: appendage)
}
