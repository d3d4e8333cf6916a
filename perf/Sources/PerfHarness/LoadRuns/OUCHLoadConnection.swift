import OUCH

/// A load connection over the harness's OUCH 5.0 / SoupBinTCP client: Enter Order
/// (UserRefNum = token + 1; Day for resting orders, IOC for marketable ones), Cancel
/// Order (quantity 0) and Replace Order (a new UserRefNum), one packet per write.
/// UserRefNum = `userRefNumBase` + token + 1: a later run on the same gateway (same
/// users, e.g. the TLS run after the plain one) starts above the earlier run's, since
/// the gateway ignores a UserRefNum not above the account's last one.
public final class OUCHLoadConnection: LoadConnection {
    let client: OUCHOrderEntryClient
    static let symbols = PriceWalk.symbols.map { OUCHSymbol($0)! }

    let base: Int

    public init(
        address: HostPort, username: String, password: String, transport: ClientTransport = .plain, userRefNumBase: Int = 0
    ) throws {
        base = userRefNumBase
        client = try OUCHOrderEntryClient(address: address, username: username, password: password, transport: transport)
    }

    public var fd: Int32 { client.socket.fd }

    public func send(_ request: LoadRequest, token: Int, order: LoadRequest?) throws {
        let ref = UInt32(base + token + 1)
        switch request.kind {
        case .rest, .market:
            try client.send(OUCHEnterOrder(
                userRefNum: ref, side: request.side, quantity: request.quantity,
                symbol: Self.symbols[request.symbol], price: UInt64(request.price),
                timeInForce: request.kind == .rest ? OUCHTimeInForce.day : OUCHTimeInForce.immediateOrCancel))
        case .cancel:
            try client.send(message: OUCHCancelOrder(userRefNum: UInt32(base + request.target + 1), quantity: 0))
        case .replace:
            try client.send(message: OUCHReplaceOrder(
                originalUserRefNum: UInt32(base + request.target + 1), userRefNum: ref, quantity: request.quantity,
                price: UInt64(request.price)))
        }
    }

    public func flush() throws {}

    public func readAvailable(_ handle: (LoadEvent, Int64) -> Void) throws {
        try client.receiveAvailable()
        let now = nowNanoseconds()
        try client.drain { packet in
            guard case .message(let message) = packet else { return }
            switch message {
            case .orderAccepted(let m): handle(.accepted(token: Int(m.userRefNum) - base - 1, orderReference: m.orderReferenceNumber), now)
            case .orderExecuted(let m): handle(.executed(token: Int(m.userRefNum) - base - 1, quantity: m.quantity), now)
            case .orderCanceled(let m): handle(.canceled(token: Int(m.userRefNum) - base - 1), now)
            case .orderReplaced(let m):
                handle(.replaced(
                    token: Int(m.userRefNum) - base - 1, original: Int(m.originalUserRefNum) - base - 1,
                    orderReference: m.orderReferenceNumber, quantity: m.quantity), now)
            case .rejected(let m): handle(.rejected(token: Int(m.userRefNum) - base - 1), now)
            default: break
            }
        }
    }

    public func keepAlive() throws { try client.heartbeatIfIdle() }

    public func close() { client.logout() }
}
