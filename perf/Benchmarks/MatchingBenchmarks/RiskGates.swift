import GatewayCore
import Matching

/// Risk limits for every account of the flow's venue that never bind on the
/// benchmark's order flow, so each new order and replace is evaluated by every gate
/// (kill switch, restricted symbol, order quantity, notional, price collar, open
/// orders, gross and net position, and the total-exposure loop over the symbols) and
/// passes them all. The replay check (same event count and live count as the
/// generation, which ran without limits) fails the benchmark if one ever binds.
///
/// Values (the flow: 4 symbols around 100.00, orders of 1–10 lots of 100, about 1,000
/// live orders over 32 accounts; positions grow a little with each replayed iteration,
/// since `restore` cancels orders but does not undo trades):
/// - order quantity 1,000,000 shares; notional 10^15 (100 billion at 4 decimals);
/// - price collar 5,000 bp around the mark (the flow stays within about 2% of 100.00);
///   every symbol gets a reference price of 100.00, so the collar is evaluated from the
///   first order on, before the symbol trades;
/// - 1,000,000 open orders; gross and net position 10^12 shares; exposure 10^18.
extension OrderFlow {
    static let nonBindingLimits = RiskLimits(
        maxOrderQuantity: 1_000_000, maxOrderNotional: 1_000_000_000_000_000, priceCollarBasisPoints: 5_000,
        maxOpenOrders: 1_000_000, maxGrossPosition: 1_000_000_000_000, maxNetPosition: 1_000_000_000_000,
        maxTotalExposure: 1_000_000_000_000_000_000)

    /// The flow's venue (gateway default capacities) with `nonBindingLimits` on every
    /// account and a reference price of 100.00 on every symbol.
    func configurationWithRiskLimits() -> EngineConfiguration {
        var configuration = OrderFlow.configuration(parameters, maxOrders: parameters.maxOrders)
        var limits: [AccountIndex: RiskLimits] = [:]
        for account in 1...parameters.accountCount {
            limits[AccountIndex(rawValue: UInt16(account))] = OrderFlow.nonBindingLimits
        }
        var references: [SymbolIndex: Price] = [:]
        for symbol in 1...parameters.symbolCount {
            references[SymbolIndex(rawValue: UInt16(symbol))] = Price(raw: parameters.center)
        }
        try! configuration.setRisk(limits: limits, referencePrices: references)
        return configuration
    }
}
