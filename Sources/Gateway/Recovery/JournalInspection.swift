import GatewayCore
import Journal

/// `cift-gateway journal inspect`: the journal module's read-only report, with each
/// payload decoded as the engine command it holds.
public enum JournalInspection {
    public struct Report: Sendable {
        public var text: String
        /// True when the inspector found damage (torn tail or corruption).
        public var hasProblems: Bool
    }

    public static func report(directory: String, records: Bool) throws -> Report {
        var text = ""
        let summary = try JournalInspector.inspect(
            directory: directory, options: JournalInspectionOptions(listRecords: records),
            describe: describe, to: &text)
        return Report(text: text, hasProblems: !summary.isClean)
    }

    /// One command as a short line: kind, account, symbol, side, quantity, price, identifiers.
    static func describe(_ payload: UnsafeRawBufferPointer) -> String? {
        guard let c = try? CommandRecord.decode(payload) else { return nil }
        var parts = ["\(c.kind)"]
        if c.account != .none { parts.append("account \(c.account.rawValue)") }
        if c.symbol != .none { parts.append("symbol \(c.symbol.rawValue)") }
        switch c.kind {
        case .newOrder, .replace:
            parts.append("\(c.side) \(c.quantity) \(c.orderType == .market ? "market" : "@ \(c.price)") \(c.timeInForce)")
            if c.flags.contains(.postOnly) { parts.append("post-only") }
        case .cancel, .modify:
            parts.append("to \(c.quantity)")
        case .setTradingState:
            parts.append(TradingState(rawValue: c.code).map { "\($0)" } ?? "state \(c.code)")
        case .systemEvent:
            parts.append(SystemEventCode(rawValue: c.code).map { "\($0)" } ?? "event \(c.code)")
        case .massCancel, .sessionDisconnected:
            parts.append("session \(c.origin.session)")
        case .riskUpdate:
            parts.append((RiskLimit(rawValue: c.code).map { "\($0)" } ?? "limit \(c.code)") + " = \(c.price.raw)")
        case .killSwitch:
            parts.append(c.code == 1 ? "engage" : "release")
        case .referencePrice:
            parts.append("@ \(c.price)")
        case .signal:
            parts.append((SignalTarget(rawValue: c.code).map { "\($0)" } ?? "target \(c.code)")
                         + " \(c.side) \(c.quantity) @ \(c.price) \(c.timeInForce)")
        }
        if c.keyKind == .userReference {
            if c.userReference != 0 { parts.append("ref \(c.userReference)") }
            if c.originalUserReference != 0 { parts.append("orig ref \(c.originalUserReference)") }
        } else {
            if !c.clientOrderID.isEmpty { parts.append("ClOrdID \(c.clientOrderID)") }
            if !c.originalClientOrderID.isEmpty { parts.append("OrigClOrdID \(c.originalClientOrderID)") }
        }
        return parts.joined(separator: " ")
    }
}
