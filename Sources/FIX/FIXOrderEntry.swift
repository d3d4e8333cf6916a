import GatewayCore

/// What the order-entry layer does to the outside world. The gateway's I/O thread
/// implements it: `submit` pushes onto the engine's inbound ring, `reply` sends an
/// application message through ``FIXAcceptor/sendApplication(session:msgType:now:io:encode:)``.
public protocol FIXOrderEntryIO {
    /// Hands a command to the engine; false when the ring is full (nothing was queued).
    mutating func submit(_ command: Command) -> Bool
    /// Sends an application message of type `msgType` on FIX session `session`
    /// (index in the acceptor's configuration); `encode` appends the body fields
    /// after the header the session layer writes.
    mutating func reply(session: Int, msgType: StaticString, encode: (inout FIXEncoder) -> Void)
}

/// Why a ``FIXOrderEntry`` could not be built.
public enum FIXOrderEntryConfigurationError: Error, Equatable, Sendable {
    /// A symbol name is empty, longer than ``FIXOrderEntry/maximumSymbolLength`` bytes,
    /// or contains a byte FIX cannot carry.
    case invalidSymbolName(String)
    /// The symbol index is 0 (reserved for "all symbols").
    case invalidSymbolIndex(String)
    /// Two names for one index.
    case duplicateSymbolIndex(SymbolIndex)
}

/// The FIX 4.4 order-entry application layer: maps validated application messages
/// to engine ``Command``s and engine ``Event``s back to ExecutionReports,
/// OrderCancelRejects and OrderMassCancelReports. Rules in specs/fix44.md, "Order entry".
///
/// Pure and single-threaded: one instance per I/O thread, no clock, no locks. Keeps a
/// bounded per-session table of the orders it has seen (for OrderStatusRequest, AvgPx,
/// short-sell sides and which request a cancel reject answers).
public final class FIXOrderEntry {
    /// The application message types the venue acts on (fix-dictionaries/CIFT-FIX44.xml
    /// lists them with their fields); every other valid FIX 4.4 type gets
    /// BusinessMessageReject 380=3. `received` dispatches on exactly these.
    public static let answeredMessageTypes: [String] = ["D", "F", "G", "H", "q"]

    /// Longest Symbol (55) the directory takes (ITCH's stock field is 8 bytes).
    public static let maximumSymbolLength = 8

    /// Account of each FIX session, by session index.
    public let accounts: [AccountIndex]
    /// The `OrderOrigin.source` of commands from this I/O thread.
    public let source: UInt8
    /// Most orders (open, or pending acceptance) remembered per session.
    public let ordersPerSession: Int

    /// Per session, the Account (1) values it may send and the account each books to:
    /// first its own, then the ones `allowedAccounts` adds. Empty when no names were
    /// given (then 1 is neither checked nor echoed).
    let sessionAccounts: [[(name: [UInt8], account: AccountIndex)]]
    /// Account names by index, for echoing Account (1) on ExecutionReports.
    let accountNamesByIndex: [UInt16: [UInt8]]

    /// Symbol name packed into a UInt64 (little-endian, zero-padded) → index.
    let symbolsByName: [UInt64: SymbolIndex]
    /// Name bytes by SymbolIndex.rawValue (empty where unused).
    let symbolNames: [[UInt8]]
    /// Per-session state.
    var sessions: [SessionState]
    /// Counter for gateway-generated ExecIDs (edge rejects, status reports).
    var localExecutionCounter: UInt64 = 0
    /// Order-entry messages refused for the message-rate limit.
    public internal(set) var rateLimitedMessages: UInt64 = 0
    /// Reused for ExecIDs and OrderIDs built digit by digit.
    var scratch: [UInt8] = []

    /// - Parameters:
    ///   - accounts: the account each FIX session trades for, by session index; the
    ///     engine session number of index `i` is `i + 1`.
    ///   - symbols: the symbol directory, Symbol (55) → index.
    ///   - source: this port's `OrderOrigin.source` byte.
    ///   - ordersPerSession: capacity of each session's order table.
    ///   - maxMessagesPerSecond: D, F, G and q one session may send per second (a
    ///     second's worth as burst); 0: no limit. Past it they are refused
    ///     (ExecutionReport 150=8 103=3, OrderCancelReject, OrderMassCancelReport) with
    ///     58 "message rate limit exceeded".
    ///   - accountNames: the name of each session's account (`accounts[i]`), which
    ///     Account (1) must carry when present and every ExecutionReport echoes; empty:
    ///     Account is neither checked nor echoed.
    ///   - allowedAccounts: per session, further accounts (name and index) its messages
    ///     may name in Account (1); an order naming one is booked to it.
    public init(
        accounts: [AccountIndex], symbols: [String: SymbolIndex], source: UInt8, ordersPerSession: Int = 4096,
        maxMessagesPerSecond: Int = 0, accountNames: [String] = [],
        allowedAccounts: [[(name: String, account: AccountIndex)]] = []
    ) throws(FIXOrderEntryConfigurationError) {
        self.accounts = accounts
        var perSession: [[(name: [UInt8], account: AccountIndex)]] = []
        var namesByIndex: [UInt16: [UInt8]] = [:]
        if !accountNames.isEmpty {
            for (i, account) in accounts.enumerated() {
                let own = i < accountNames.count ? Array(accountNames[i].utf8) : []
                var list = [(name: own, account: account)]
                namesByIndex[account.rawValue] = own
                for extra in i < allowedAccounts.count ? allowedAccounts[i] : [] {
                    list.append((Array(extra.name.utf8), extra.account))
                    namesByIndex[extra.account.rawValue] = Array(extra.name.utf8)
                }
                perSession.append(list)
            }
        }
        sessionAccounts = perSession
        accountNamesByIndex = namesByIndex
        self.source = source
        self.ordersPerSession = max(1, ordersPerSession)
        var byName: [UInt64: SymbolIndex] = [:]
        var names: [[UInt8]] = []
        for (name, index) in symbols.sorted(by: { $0.value < $1.value }) {
            let bytes = Array(name.utf8)
            guard !bytes.isEmpty, bytes.count <= Self.maximumSymbolLength,
                bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
            else { throw .invalidSymbolName(name) }
            guard index != .none else { throw .invalidSymbolIndex(name) }
            let raw = Int(index.rawValue)
            if names.count <= raw { names += Array(repeating: [], count: raw + 1 - names.count) }
            guard names[raw].isEmpty else { throw .duplicateSymbolIndex(index) }
            names[raw] = bytes
            byName[Self.packSymbol(bytes)!] = index
        }
        symbolsByName = byName
        symbolNames = names
        sessions = accounts.map { _ in
            SessionState(capacity: max(1, ordersPerSession), limiter: MessageRateLimiter(perSecond: maxMessagesPerSecond))
        }
        scratch.reserveCapacity(64)
    }

    /// Orders the table of `session` currently remembers.
    public func rememberedOrderCount(session: Int) -> Int { sessions[session].orders.count }

    /// The account a message of `session` trades for: the session's own when Account (1)
    /// is absent or names it, an allowed one it names; nil when it names another (the
    /// message is refused). Compares bytes in place: no String per message.
    func account(_ value: FIXValue?, session: Int) -> AccountIndex? {
        guard let value, session < sessionAccounts.count else { return accounts[session] }
        for entry in sessionAccounts[session] where value.equals(bytes: entry.name) { return entry.account }
        return nil
    }

    /// The name echoed in Account (1) for `account` (the session's own when `.none`).
    func accountName(_ account: AccountIndex, session: Int) -> [UInt8]? {
        accountNamesByIndex[(account == .none ? accounts[session] : account).rawValue]
    }

    /// The index of Symbol `bytes`, or nil when the directory does not have it.
    func symbolIndex<Bytes: Collection>(_ bytes: Bytes) -> SymbolIndex? where Bytes.Element == UInt8 {
        guard let key = Self.packSymbol(bytes) else { return nil }
        return symbolsByName[key]
    }

    /// The name of `symbol`, or nil.
    func symbolName(_ symbol: SymbolIndex) -> [UInt8]? {
        let raw = Int(symbol.rawValue)
        guard raw < symbolNames.count, !symbolNames[raw].isEmpty else { return nil }
        return symbolNames[raw]
    }

    static func packSymbol<Bytes: Collection>(_ bytes: Bytes) -> UInt64? where Bytes.Element == UInt8 {
        guard !bytes.isEmpty, bytes.count <= maximumSymbolLength else { return nil }
        var key: UInt64 = 0
        var shift: UInt64 = 0
        for b in bytes {
            if b == 0 { return nil }
            key |= UInt64(b) << shift
            shift += 8
        }
        return key
    }
}

/// What the layer remembers about one order of a session, keyed by its current ClOrdID.
struct FIXOrderEntryOrder {
    var symbol: SymbolIndex
    /// Side (54) as the client sent it: `1`, `2`, `5` or `6`.
    var fixSide: UInt8
    var orderType: OrderType
    var timeInForce: TimeInForce
    var price: Price
    /// OrderQty (38): total quantity of the order, executions included.
    var orderQuantity: UInt32
    /// The account the order is booked to (the session's, or one Account (1) named).
    var account: AccountIndex = .none
    /// The order's OnBehalfOfCompID (115) and DeliverToCompID (128), kept in fixed-size
    /// identifiers (no allocation) so that the reports the engine's events cause later
    /// go back to that third party (128 = its 115, 115 = its 128); empty: none. A
    /// CompID longer than an identifier holds is not kept.
    var onBehalfOf: ClientOrderID = .empty
    var deliverTo: ClientOrderID = .empty
    var cumulative: UInt32 = 0
    var leaves: UInt32 = 0
    /// Σ price.raw × quantity over executions, for AvgPx.
    var notional: Int128 = 0
    var orderReference: OrderReference = 0
    var accepted = false
    /// ClOrdID of a cancel or replace request sent and not yet answered (empty: none).
    var pendingRequest: ClientOrderID = .empty

    var averagePrice: Price {
        cumulative == 0 ? .zero : Price(raw: Int64(notional / Int128(cumulative)))
    }
}

/// A cancel, replace or mass-cancel request waiting for the engine's answer, keyed by
/// the request's ClOrdID.
struct FIXOrderEntryRequest {
    enum Kind { case cancel, replace, massCancel }
    var kind: Kind
    var original: ClientOrderID
    /// Side (54) of a replace as sent.
    var fixSide: UInt8
    /// MassCancelRequestType (530) of a mass cancel.
    var massCancelType: UInt8
}

struct SessionState {
    var orders: [ClientOrderID: FIXOrderEntryOrder]
    var requests: [ClientOrderID: FIXOrderEntryRequest]
    let capacity: Int
    var limiter: MessageRateLimiter

    init(capacity: Int, limiter: MessageRateLimiter) {
        self.capacity = capacity
        self.limiter = limiter
        orders = Dictionary(minimumCapacity: capacity)
        requests = Dictionary(minimumCapacity: min(capacity, 1024))
    }

    /// Remembers `order` unless the table is full (then the order is still traded, it is
    /// only unknown to OrderStatusRequest and reported with AvgPx = last price).
    mutating func remember(_ id: ClientOrderID, _ order: FIXOrderEntryOrder) {
        if orders[id] != nil || orders.count < capacity { orders[id] = order }
    }

    mutating func rememberRequest(_ id: ClientOrderID, _ request: FIXOrderEntryRequest) {
        if requests[id] != nil || requests.count < min(capacity, 1024) { requests[id] = request }
    }
}
