import GatewayCore
import Matching

extension EngineConfiguration {
    /// The engine's view of the gateway configuration: the symbol directory in order
    /// (stock locate = position + 1), the accounts with their self-trade modes, capacities.
    public init(gateway c: GatewayConfiguration) throws {
        var modes: [AccountIndex: SelfTradePrevention] = [:]
        for (i, a) in c.accounts.enumerated() where a.selfTradePrevention != .cancelNewest {
            modes[AccountIndex(rawValue: UInt16(i + 1))] = a.selfTradePrevention
        }
        try self.init(
            symbols: c.symbols.map { Symbol(name: $0.name, tickSize: $0.tick, lotSize: $0.lot) },
            accountCount: max(1, c.accounts.count),
            selfTradePrevention: modes,
            maxOrders: c.engine.maxOrders,
            maxPriceLevelsPerSide: c.engine.maxPriceLevelsPerSide)
        var limits: [AccountIndex: RiskLimits] = [:]
        var restricted: [AccountIndex: Set<SymbolIndex>] = [:]
        for (i, a) in c.accounts.enumerated() {
            let account = AccountIndex(rawValue: UInt16(i + 1))
            limits[account] = a.limits
            restricted[account] = Set(a.restrictedSymbols.compactMap { c.symbolIndex(named: $0) })
        }
        var references: [SymbolIndex: Price] = [:]
        for (i, s) in c.symbols.enumerated() {
            if let price = s.referencePrice { references[SymbolIndex(rawValue: UInt16(i + 1))] = price }
        }
        do {
            try setRisk(limits: limits, restricted: restricted, referencePrices: references)
        } catch {
            throw ConfigurationError(key: "accounts", value: "risk", expected: error.description)
        }
    }
}
