import GatewayCore
import Matching

/// A digest of everything in the configuration that changes what replaying a journal
/// builds: the engine's configuration (symbols, accounts, capacities, self-trade
/// prevention, the starting risk limits, restricted symbols and reference prices) and
/// the FIX sessions' accounts. A snapshot records it; a start-up whose configuration gives
/// another digest does not use the snapshot but replays the whole journal, since the
/// snapshot holds what the old configuration built (a raised limit, say, would otherwise
/// be lost).
///
/// FNV-1a over a canonical text (sorted where the configuration holds a dictionary), so
/// the digest is the same in every process and build.
enum ReplayFingerprint {
    static func of(engine e: EngineConfiguration, fixAccounts: [AccountIndex],
                   fixAllowedAccounts: [[AccountIndex]], fixOrdersPerSession: Int) -> UInt64 {
        var text = "snapshot format 1\n"
        for s in e.symbols { text += "symbol \(s.name) \(s.tickSize.raw) \(s.lotSize)\n" }
        text += "accounts \(e.accountCount) max_orders \(e.maxOrders) levels \(e.maxPriceLevelsPerSide)\n"
        text += "stp " + e.selfTradePreventionModes.map { String($0.rawValue) }.joined(separator: ",") + "\n"
        for (i, l) in e.riskLimits.enumerated() {
            text += "limits \(i + 1) \(l.maxOrderQuantity) \(l.maxOrderNotional) \(l.priceCollarBasisPoints) \(l.maxOpenOrders) "
                + "\(l.maxGrossPosition) \(l.maxNetPosition) \(l.maxTotalExposure)\n"
        }
        for (account, symbols) in e.restrictedSymbols.sorted(by: { $0.key < $1.key }) {
            text += "restricted \(account.rawValue) " + symbols.sorted().map { String($0.rawValue) }.joined(separator: ",") + "\n"
        }
        for (symbol, price) in e.referencePrices.sorted(by: { $0.key < $1.key }) {
            text += "reference \(symbol.rawValue) \(price.raw)\n"
        }
        for (i, account) in fixAccounts.enumerated() {
            let allowed = i < fixAllowedAccounts.count ? fixAllowedAccounts[i] : []
            text += "fix \(i + 1) \(account.rawValue) " + allowed.map { String($0.rawValue) }.joined(separator: ",") + "\n"
        }
        text += "fix orders per session \(fixOrdersPerSession)\n"
        var digest = FNV1a()
        digest.add(bytes: text.utf8)
        return digest.value
    }
}
