import GatewayCore

/// The pre-trade risk state (specs/engine-records.md, "Risk gates"): each account's
/// limits, kill switch and restricted symbols; per account and symbol the position and
/// the open buy and sell shares; per account the open orders; per symbol the reference
/// and last trade prices.
///
/// It is kept current from the engine's own events (``observe(_:)``), so that journal
/// replay rebuilds it exactly; the checks read it before an order reaches the book.
/// Every buffer is allocated at start-up (a ``FixedBuffer`` is a handle: copies share
/// the storage, which is what lets the event sink update it); nothing allocates per
/// order.
@usableFromInline
struct RiskBook {
    @usableFromInline let symbolCount: Int
    @usableFromInline let accountCount: Int
    /// Per account (index − 1).
    @usableFromInline let limits: FixedBuffer<RiskLimits>
    @usableFromInline let killSwitch: FixedBuffer<Bool>
    @usableFromInline let openOrders: FixedBuffer<Int64>
    /// Per account and symbol: `(account − 1) × symbolCount + (symbol − 1)`.
    @usableFromInline let restricted: FixedBuffer<Bool>
    @usableFromInline let position: FixedBuffer<Int64>
    @usableFromInline let openBuy: FixedBuffer<Int64>
    @usableFromInline let openSell: FixedBuffer<Int64>
    /// Per symbol: the configured (or set) reference price, and the last trade's price
    /// (0 until the symbol trades). The collar and exposure use the last trade once
    /// there is one.
    @usableFromInline let referencePrice: FixedBuffer<Int64>
    @usableFromInline let lastTradePrice: FixedBuffer<Int64>

    @usableFromInline
    init(configuration: EngineConfiguration) {
        symbolCount = configuration.symbols.count
        accountCount = configuration.accountCount
        limits = FixedBuffer(count: accountCount, repeating: RiskLimits())
        killSwitch = FixedBuffer(count: accountCount, repeating: false)
        openOrders = FixedBuffer(count: accountCount, repeating: 0)
        restricted = FixedBuffer(count: accountCount * symbolCount, repeating: false)
        position = FixedBuffer(count: accountCount * symbolCount, repeating: 0)
        openBuy = FixedBuffer(count: accountCount * symbolCount, repeating: 0)
        openSell = FixedBuffer(count: accountCount * symbolCount, repeating: 0)
        referencePrice = FixedBuffer(count: symbolCount, repeating: 0)
        lastTradePrice = FixedBuffer(count: symbolCount, repeating: 0)
        for (position, value) in configuration.riskLimits.enumerated() { limits[position] = value }
        for (account, symbols) in configuration.restrictedSymbols {
            for symbol in symbols { restricted[cell(account, symbol)] = true }
        }
        for (symbol, price) in configuration.referencePrices { referencePrice[Int(symbol.rawValue) - 1] = price.raw }
    }

    @usableFromInline
    func deallocate() {
        limits.deallocate()
        killSwitch.deallocate()
        openOrders.deallocate()
        restricted.deallocate()
        position.deallocate()
        openBuy.deallocate()
        openSell.deallocate()
        referencePrice.deallocate()
        lastTradePrice.deallocate()
    }

    @inlinable
    func cell(_ account: AccountIndex, _ symbol: SymbolIndex) -> Int {
        (Int(account.rawValue) &- 1) &* symbolCount &+ (Int(symbol.rawValue) &- 1)
    }

    /// The collar's and exposure's price for a symbol: the last trade, else the reference.
    @inlinable
    func markPrice(_ symbol: SymbolIndex) -> Int64 {
        let last = lastTradePrice[Int(symbol.rawValue) &- 1]
        return last > 0 ? last : referencePrice[Int(symbol.rawValue) &- 1]
    }

    // MARK: Keeping current

    /// Updates positions, open shares and open orders from one engine event. Called for
    /// every event the engine emits, in order.
    @inlinable
    func observe(_ event: Event) {
        switch event.kind {
        case .accepted:
            let c = cell(event.account, event.symbol)
            addOpen(c, event.side, Int64(event.quantity))
            openOrders[Int(event.account.rawValue) &- 1] &+= 1
        case .executed:
            let c = cell(event.account, event.symbol)
            let shares = Int64(event.quantity)
            addOpen(c, event.side, -shares)
            position[c] &+= event.side == .buy ? shares : -shares
            lastTradePrice[Int(event.symbol.rawValue) &- 1] = event.price.raw
            if event.leavesQuantity == 0 { openOrders[Int(event.account.rawValue) &- 1] &-= 1 }
        case .canceled:
            addOpen(cell(event.account, event.symbol), event.side, -Int64(event.quantity))
            if event.leavesQuantity == 0 { openOrders[Int(event.account.rawValue) &- 1] &-= 1 }
        case .replaced, .modified:
            addOpen(cell(event.account, event.symbol), event.side,
                    Int64(event.quantity) &- Int64(event.previousLeavesQuantity))
        default:
            break
        }
    }

    @inlinable
    func addOpen(_ cell: Int, _ side: Side, _ shares: Int64) {
        if side == .buy { openBuy[cell] &+= shares } else { openSell[cell] &+= shares }
    }

    // MARK: Checks

    /// Why a new order (or the new terms of a replace, `addedShares` being what the
    /// open quantity grows by) is refused, or nil. `price` is the limit price, 0 for a
    /// market order (checked at the mark price when there is one). Symbol and account
    /// must be known.
    @inlinable
    func refusal(account: AccountIndex, symbol: SymbolIndex, side: Side, quantity: Int64, addedShares: Int64,
                 price: Int64, countsAsNewOrder: Bool) -> RejectReason? {
        let a = Int(account.rawValue) &- 1
        if killSwitch[a] { return .killSwitch }
        let c = cell(account, symbol)
        if restricted[c] { return .restrictedSymbol }
        let l = limits[a]
        if l.maxOrderQuantity > 0 && quantity > l.maxOrderQuantity { return .riskOrderQuantity }
        let mark = markPrice(symbol)
        let orderPrice = price > 0 ? price : mark
        if l.maxOrderNotional > 0 && Int128(orderPrice) * Int128(quantity) > Int128(l.maxOrderNotional) {
            return .riskOrderNotional
        }
        if l.priceCollarBasisPoints > 0 && price > 0 && mark > 0 {
            let distance = Int128(price > mark ? price - mark : mark - price)
            if distance * 10_000 > Int128(l.priceCollarBasisPoints) * Int128(mark) { return .riskPriceCollar }
        }
        if countsAsNewOrder && l.maxOpenOrders > 0 && openOrders[a] >= l.maxOpenOrders { return .riskOpenOrders }
        if addedShares > 0 {
            let held = position[c]
            if l.maxGrossPosition > 0 && abs(held) + openBuy[c] + openSell[c] + addedShares > l.maxGrossPosition {
                return .riskGrossPosition
            }
            if l.maxNetPosition > 0 {
                // The position reached if every open order on this side (and this one) fills.
                let reach = side == .buy ? held + openBuy[c] + addedShares : -(held - openSell[c] - addedShares)
                if reach > l.maxNetPosition { return .riskNetPosition }
            }
            if l.maxTotalExposure > 0 {
                var exposure = Int128(orderPrice) * Int128(addedShares)
                let base = (Int(account.rawValue) &- 1) &* symbolCount
                for s in 0..<symbolCount {
                    let shares = abs(position[base &+ s]) + openBuy[base &+ s] + openSell[base &+ s]
                    if shares != 0 {
                        let lastTrade = lastTradePrice[s]
                        exposure += Int128(shares) * Int128(lastTrade > 0 ? lastTrade : referencePrice[s])
                    }
                }
                if exposure > Int128(l.maxTotalExposure) { return .riskExposure }
            }
        }
        return nil
    }
}
