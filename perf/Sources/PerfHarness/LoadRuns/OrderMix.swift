/// The order mix of a `cift-perf load` run, in percent of requests:
/// `rest` (limit Day orders a few ticks behind the mid: they rest), `cancel` (of one of
/// the connection's live orders), `replace` (one of them moved a tick, keeping its size)
/// and `market` (limit IOC priced 5 ticks through the mid: they trade against what
/// the other connections rest). Written `rest=50,cancel=20,replace=10,market=20`.
public struct OrderMix: Sendable, Codable, CustomStringConvertible {
    public var rest: Int
    public var cancel: Int
    public var replace: Int
    public var market: Int

    public init(rest: Int, cancel: Int, replace: Int, market: Int) {
        self.rest = rest
        self.cancel = cancel
        self.replace = replace
        self.market = market
    }

    public static let standard = OrderMix(rest: 50, cancel: 20, replace: 10, market: 20)

    /// Parses `key=percent,...`; keys left out are 0; the percentages must add up to 100.
    public init?(parsing text: String) {
        var mix = OrderMix(rest: 0, cancel: 0, replace: 0, market: 0)
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=")
            guard pair.count == 2, let value = Int(pair[1]), value >= 0 else { return nil }
            switch pair[0] {
            case "rest": mix.rest = value
            case "cancel": mix.cancel = value
            case "replace": mix.replace = value
            case "market": mix.market = value
            default: return nil
            }
        }
        guard mix.rest + mix.cancel + mix.replace + mix.market == 100 else { return nil }
        self = mix
    }

    /// The same mix without cancels and replaces (their share goes to resting orders):
    /// what a target that only acknowledges NewOrderSingle (the QuickFIX acceptor) can answer.
    public var newOrdersOnly: OrderMix {
        OrderMix(rest: rest + cancel + replace, cancel: 0, replace: 0, market: market)
    }

    public var description: String { "rest=\(rest),cancel=\(cancel),replace=\(replace),market=\(market)" }
}
