/// Makes the next request of a connection from the mix: resting orders 1–5 ticks
/// behind the symbol's moving mid, marketable IOC orders 5 ticks through it, cancels and
/// replaces of the connection's live orders (a random one). A connection with more than
/// `maxLive` live orders cancels instead of resting more, and one with none rests
/// instead of cancelling or replacing, so the book stays bounded over long runs.
public struct OrderFlow: Sendable {
    public let mix: OrderMix
    public let maxLive: Int
    var walk: PriceWalk
    var rng: SplitMix64

    public init(mix: OrderMix, symbols: Int = 8, seed: UInt64 = 42, maxLive: Int = 200) {
        self.mix = mix
        self.maxLive = maxLive
        walk = PriceWalk(symbols: symbols)
        rng = SplitMix64(seed: seed)
    }

    mutating func next(connection: Int, book: LoadBook) -> LoadRequest {
        walk.step(&rng)
        let roll = Int(rng.next() % 100)
        var kind: RequestKind =
            roll < mix.rest ? .rest
            : roll < mix.rest + mix.cancel ? .cancel
            : roll < mix.rest + mix.cancel + mix.replace ? .replace : .market
        let live = book.liveCount(connection)
        if kind == .rest && live >= maxLive { kind = .cancel }
        if (kind == .cancel || kind == .replace) && live == 0 { kind = .rest }
        let side: UInt8 = rng.next() & 1 == 0 ? UInt8(ascii: "B") : UInt8(ascii: "S")
        let symbol = Int(rng.next() % UInt64(walk.symbolCount))
        let mid = walk.mid(symbol)
        let ticks = Int64(1 + rng.next() % 5) * PriceWalk.tick
        switch kind {
        case .rest:
            return LoadRequest(
                kind: .rest, connection: connection, symbol: symbol, side: side,
                price: side == UInt8(ascii: "B") ? mid - ticks : mid + ticks, quantity: UInt32(100 * (1 + rng.next() % 5)))
        case .market:
            let through = 5 * PriceWalk.tick
            return LoadRequest(
                kind: .market, connection: connection, symbol: symbol, side: side,
                price: side == UInt8(ascii: "B") ? mid + through : mid - through, quantity: UInt32(100 * (1 + rng.next() % 3)))
        case .cancel, .replace:
            let token = book.liveOrder(connection, at: Int(rng.next() % UInt64(live)))
            let order = book.requests[token]
            let move = rng.next() & 1 == 0 ? PriceWalk.tick : -PriceWalk.tick
            return LoadRequest(
                kind: kind, connection: connection, symbol: order.symbol, side: order.side,
                price: kind == .replace ? order.price + move : order.price, quantity: order.remaining, target: token)
        }
    }
}
