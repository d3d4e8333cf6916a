import FIX
import GatewayCore

/// A load connection over the harness's FIX 4.4 session (logon, sequence numbers,
/// heartbeats): NewOrderSingle (Day for resting orders, IOC for marketable ones),
/// OrderCancelRequest and OrderCancelReplaceRequest, with ClOrdID `<prefix><token>`.
/// Queued messages go out in one write per ``flush()``.
public final class FIXLoadConnection: LoadConnection {
    let session: FIXClientSession
    let prefix: [UInt8]
    static let symbols = PriceWalk.symbols.map { Array($0.utf8) }
    static let origClOrdID = 41
    static let lastQty = 32

    /// Connects and logs on as `senderCompID`; `prefix` keeps ClOrdIDs unique on the target.
    public init(address: HostPort, senderCompID: String, prefix: String, transport: ClientTransport = .plain) throws {
        session = try FIXClientSession(
            connectingTo: address, settings: FIXSessionSettings(senderCompID: senderCompID), transport: transport)
        self.prefix = Array(prefix.utf8)
        try session.logOn()
    }

    public var fd: Int32 { session.socket.fd }

    func clOrdID(_ token: Int) -> ClientOrderID {
        ClientOrderID(bytes: prefix + Array(String(token).utf8)) ?? ClientOrderID()
    }

    public func send(_ request: LoadRequest, token: Int, order: LoadRequest?) throws {
        let side = request.isBuy ? UInt8(ascii: "1") : UInt8(ascii: "2")
        let symbol = Self.symbols[request.symbol]
        switch request.kind {
        case .rest, .market:
            try session.output.append(msgType: "D") { e, now in
                e.append(FIXTag.clOrdID, clientOrderID: clOrdID(token))
                e.append(FIXTag.symbol, bytes: symbol)
                e.append(FIXTag.side, char: side)
                e.append(FIXTag.transactTime, timestamp: now)
                e.append(FIXTag.orderQty, int: Int(request.quantity))
                e.append(FIXTag.ordType, char: UInt8(ascii: "2"))
                e.append(FIXTag.price, price: Price(raw: request.price))
                e.append(FIXTag.timeInForce, char: request.kind == .rest ? UInt8(ascii: "0") : UInt8(ascii: "3"))
            }
        case .cancel:
            try session.output.append(msgType: "F") { e, now in
                e.append(FIXTag.clOrdID, clientOrderID: clOrdID(token))
                e.append(Self.origClOrdID, clientOrderID: clOrdID(request.target))
                e.append(FIXTag.symbol, bytes: symbol)
                e.append(FIXTag.side, char: side)
                e.append(FIXTag.transactTime, timestamp: now)
                e.append(FIXTag.orderQty, int: Int(request.quantity))
            }
        case .replace:
            try session.output.append(msgType: "G") { e, now in
                e.append(FIXTag.clOrdID, clientOrderID: clOrdID(token))
                e.append(Self.origClOrdID, clientOrderID: clOrdID(request.target))
                e.append(FIXTag.symbol, bytes: symbol)
                e.append(FIXTag.side, char: side)
                e.append(FIXTag.transactTime, timestamp: now)
                e.append(FIXTag.orderQty, int: Int(request.quantity))
                e.append(FIXTag.ordType, char: UInt8(ascii: "2"))
                e.append(FIXTag.price, price: Price(raw: request.price))
                e.append(FIXTag.timeInForce, char: UInt8(ascii: "0"))
            }
        }
    }

    public func flush() throws { try session.flush() }

    /// The token in a ClOrdID this connection made, or -1.
    func token(_ value: FIXValue?) -> Int {
        guard let value, value.count > prefix.count else { return -1 }
        for i in 0..<prefix.count where value[i] != prefix[i] { return -1 }
        var n = 0
        for i in prefix.count..<value.count {
            let b = value[i]
            guard b >= 48 && b <= 57 else { return -1 }
            n = n * 10 + Int(b - 48)
        }
        return n
    }

    public func readAvailable(_ handle: (LoadEvent, Int64) -> Void) throws {
        try session.read { message, receivedAt in
            guard let type = message.msgType, type.count == 1 else { return }
            var execType: UInt8 = 0
            var clOrdID: FIXValue?, orig: FIXValue?
            var orderID = 0, lastQty = 0, leaves = 0
            var fields = message.bodyFields
            while let field = try? fields.next() {
                switch field.tag {
                case FIXTag.execType: execType = field.value.char ?? 0
                case FIXTag.clOrdID: clOrdID = field.value
                case Self.origClOrdID: orig = field.value
                case FIXTag.orderID: orderID = field.value.int ?? 0
                case Self.lastQty: lastQty = field.value.int ?? 0
                case FIXTag.leavesQty: leaves = field.value.int ?? 0
                default: break
                }
            }
            let t = token(clOrdID)
            switch type[0] {
            case UInt8(ascii: "9"):
                handle(.cancelRejected(token: t), receivedAt)
            case UInt8(ascii: "8"):
                switch execType {
                case UInt8(ascii: "0"): handle(.accepted(token: t, orderReference: UInt64(max(orderID, 0))), receivedAt)
                case UInt8(ascii: "F"): handle(.executed(token: t, quantity: UInt32(max(lastQty, 0))), receivedAt)
                case UInt8(ascii: "4"), UInt8(ascii: "C"):
                    handle(.canceled(token: orig != nil ? token(orig) : t), receivedAt)
                case UInt8(ascii: "5"):
                    handle(.replaced(
                        token: t, original: token(orig), orderReference: UInt64(max(orderID, 0)),
                        quantity: UInt32(max(leaves, 0))), receivedAt)
                case UInt8(ascii: "8"): handle(.rejected(token: t), receivedAt)
                default: break
                }
            default:
                // BusinessMessageReject (j) and anything else: an answer naming no request.
                handle(.rejected(token: -1), receivedAt)
            }
        }
    }

    public func keepAlive() throws {}

    public func close() {
        try? session.logOut(timeoutSeconds: 3)
        session.socket.close()
    }
}
