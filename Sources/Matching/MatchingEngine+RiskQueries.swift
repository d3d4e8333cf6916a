import GatewayCore

/// What the risk gates know, for tests, the gateway's status output and recovery
/// checks. Engine thread only, like every query.
extension MatchingEngine {
    /// Signed shares held in `symbol` (bought − sold since the engine started).
    public func position(account: AccountIndex, symbol: SymbolIndex) -> Int64 {
        precondition(core.isKnown(account) && core.isKnown(symbol), "unknown account or symbol")
        return core.risk.position[core.risk.cell(account, symbol)]
    }

    /// Open shares of the account's orders in `symbol` on `side`.
    public func openShares(account: AccountIndex, symbol: SymbolIndex, side: Side) -> Int64 {
        precondition(core.isKnown(account) && core.isKnown(symbol), "unknown account or symbol")
        let c = core.risk.cell(account, symbol)
        return side == .buy ? core.risk.openBuy[c] : core.risk.openSell[c]
    }

    /// Open orders of the account (resting, and an incoming one while it matches).
    public func openOrderCount(account: AccountIndex) -> Int64 {
        precondition(core.isKnown(account), "unknown account")
        return core.risk.openOrders[Int(account.rawValue) - 1]
    }

    public func riskLimits(account: AccountIndex) -> RiskLimits {
        precondition(core.isKnown(account), "unknown account")
        return core.risk.limits[Int(account.rawValue) - 1]
    }

    public func isKillSwitchEngaged(account: AccountIndex) -> Bool {
        precondition(core.isKnown(account), "unknown account")
        return core.risk.killSwitch[Int(account.rawValue) - 1]
    }

    public func isRestricted(account: AccountIndex, symbol: SymbolIndex) -> Bool {
        precondition(core.isKnown(account) && core.isKnown(symbol), "unknown account or symbol")
        return core.risk.restricted[core.risk.cell(account, symbol)]
    }

    /// The price the collar and exposure use: the last trade, else the reference price
    /// (nil when the symbol has neither).
    public func markPrice(symbol: SymbolIndex) -> Price? {
        precondition(core.isKnown(symbol), "unknown symbol")
        let mark = core.risk.markPrice(symbol)
        return mark > 0 ? Price(raw: mark) : nil
    }
}
