/// One account's pre-trade limits (specs/engine-records.md, "Risk gates"). 0 means no
/// limit. Notional and exposure are in 4-implied-decimal currency units (the `Price`
/// scale times shares: 1,000,000.00 is 10,000,000,000).
public struct RiskLimits: Sendable, Equatable, BitwiseCopyable {
    public var maxOrderQuantity: Int64 = 0
    public var maxOrderNotional: Int64 = 0
    /// Largest distance of a limit price from the reference price, in basis points.
    public var priceCollarBasisPoints: Int64 = 0
    public var maxOpenOrders: Int64 = 0
    public var maxGrossPosition: Int64 = 0
    public var maxNetPosition: Int64 = 0
    public var maxTotalExposure: Int64 = 0

    public init() {}

    public init(maxOrderQuantity: Int64 = 0, maxOrderNotional: Int64 = 0, priceCollarBasisPoints: Int64 = 0,
                maxOpenOrders: Int64 = 0, maxGrossPosition: Int64 = 0, maxNetPosition: Int64 = 0,
                maxTotalExposure: Int64 = 0) {
        self.maxOrderQuantity = maxOrderQuantity
        self.maxOrderNotional = maxOrderNotional
        self.priceCollarBasisPoints = priceCollarBasisPoints
        self.maxOpenOrders = maxOpenOrders
        self.maxGrossPosition = maxGrossPosition
        self.maxNetPosition = maxNetPosition
        self.maxTotalExposure = maxTotalExposure
    }

    /// Sets the limit `limit` names (not `restrictedSymbol`, which is not a number).
    /// False for a limit that is not a number or a negative value.
    @inlinable
    public mutating func set(_ limit: RiskLimit, _ value: Int64) -> Bool {
        guard value >= 0 else { return false }
        switch limit {
        case .maxOrderQuantity: maxOrderQuantity = value
        case .maxOrderNotional: maxOrderNotional = value
        case .priceCollarBasisPoints: priceCollarBasisPoints = value
        case .maxOpenOrders: maxOpenOrders = value
        case .maxGrossPosition: maxGrossPosition = value
        case .maxNetPosition: maxNetPosition = value
        case .maxTotalExposure: maxTotalExposure = value
        case .restrictedSymbol: return false
        }
        return true
    }
}
