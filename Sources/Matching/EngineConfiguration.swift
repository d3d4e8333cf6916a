import GatewayCore

/// What the matching engine is built with: the symbol directory, the accounts and
/// their self-trade prevention, and the capacity limits that size every preallocated
/// structure. Validated when it is made, so an engine is never built from a
/// configuration it cannot honour.
public struct EngineConfiguration: Sendable, Equatable {
    /// One entry of the symbol directory. Its ``SymbolIndex`` is its position + 1.
    public struct Symbol: Sendable, Equatable {
        public var name: String
        /// Every limit price must be a positive multiple of this.
        public var tickSize: Price
        /// Every quantity must be a positive multiple of this.
        public var lotSize: UInt32

        public init(name: String, tickSize: Price, lotSize: UInt32) {
            self.name = name
            self.tickSize = tickSize
            self.lotSize = lotSize
        }
    }

    /// The symbol directory, in stock-locate order.
    public let symbols: [Symbol]
    /// Accounts are `1...accountCount`.
    public let accountCount: Int
    /// Self-trade prevention of account `i` at position `i - 1`.
    public let selfTradePreventionModes: [SelfTradePrevention]
    /// Resting orders the engine can hold across all books. Beyond it, an order that
    /// could rest is rejected with ``RejectReason/capacityExceeded``.
    public let maxOrders: Int
    /// Distinct prices each side of each symbol's book can hold. Beyond it, an order
    /// that would open a new price level is rejected with ``RejectReason/capacityExceeded``.
    /// Memory for levels is `symbols × 2 × maxPriceLevelsPerSide × 32` bytes.
    public let maxPriceLevelsPerSide: Int
    /// Pre-trade limits of account `i` at position `i − 1` at start (risk updates change
    /// them at run time); unset accounts have none.
    public private(set) var riskLimits: [RiskLimits]
    /// Symbols each account may not trade, at start.
    public private(set) var restrictedSymbols: [AccountIndex: Set<SymbolIndex>] = [:]
    /// The price collar's reference per symbol until it trades (reference-price commands
    /// change it at run time).
    public private(set) var referencePrices: [SymbolIndex: Price] = [:]

    /// Largest `maxOrders` accepted (order slots are 32-bit indices; about 100 bytes each).
    public static let maximumOrders = 1 << 30
    /// Largest `symbols × 2 × maxPriceLevelsPerSide` accepted (32 bytes each).
    public static let maximumTotalPriceLevels = 1 << 27

    /// - Parameters:
    ///   - symbols: the directory; at least one, at most 65,535, names unique and not
    ///     empty, tick sizes and lot sizes positive.
    ///   - accountCount: 1...65,535.
    ///   - selfTradePrevention: the mode of each account that does not use the default
    ///     ``SelfTradePrevention/cancelNewest``.
    ///   - maxOrders: 1...``maximumOrders``.
    ///   - maxPriceLevelsPerSide: at least 1; with the symbols, within ``maximumTotalPriceLevels``.
    public init(
        symbols: [Symbol],
        accountCount: Int,
        selfTradePrevention: [AccountIndex: SelfTradePrevention] = [:],
        maxOrders: Int,
        maxPriceLevelsPerSide: Int
    ) throws(EngineConfigurationError) {
        if symbols.isEmpty {
            throw EngineConfigurationError("symbols: at least one symbol is required")
        }
        if symbols.count > Int(UInt16.max) {
            throw EngineConfigurationError("symbols: \(symbols.count) symbols, at most \(UInt16.max) are supported")
        }
        var seen = Set<String>()
        for (position, symbol) in symbols.enumerated() {
            let label = "symbols[\(position)] (\(symbol.name.isEmpty ? "no name" : symbol.name))"
            if symbol.name.isEmpty {
                throw EngineConfigurationError("\(label): the name is empty")
            }
            if !seen.insert(symbol.name).inserted {
                throw EngineConfigurationError("\(label): the name is already used by another symbol")
            }
            if symbol.tickSize.raw <= 0 {
                throw EngineConfigurationError("\(label): tick size \(symbol.tickSize) must be positive")
            }
            if symbol.lotSize == 0 {
                throw EngineConfigurationError("\(label): lot size must be positive")
            }
        }
        if accountCount < 1 || accountCount > Int(UInt16.max) {
            throw EngineConfigurationError("accountCount: \(accountCount), expected 1...\(UInt16.max)")
        }
        var modes = [SelfTradePrevention](repeating: .cancelNewest, count: accountCount)
        for (account, mode) in selfTradePrevention {
            guard account.rawValue >= 1 && Int(account.rawValue) <= accountCount else {
                throw EngineConfigurationError(
                    "selfTradePrevention: \(account) is not an account (accounts are 1...\(accountCount))")
            }
            modes[Int(account.rawValue) - 1] = mode
        }
        if maxOrders < 1 || maxOrders > EngineConfiguration.maximumOrders {
            throw EngineConfigurationError("maxOrders: \(maxOrders), expected 1...\(EngineConfiguration.maximumOrders)")
        }
        if maxPriceLevelsPerSide < 1 {
            throw EngineConfigurationError("maxPriceLevelsPerSide: \(maxPriceLevelsPerSide), expected at least 1")
        }
        let (total, overflow) = maxPriceLevelsPerSide.multipliedReportingOverflow(by: symbols.count * 2)
        if overflow || total > EngineConfiguration.maximumTotalPriceLevels {
            throw EngineConfigurationError(
                "maxPriceLevelsPerSide: \(maxPriceLevelsPerSide) × 2 sides × \(symbols.count) symbols is more than "
                    + "\(EngineConfiguration.maximumTotalPriceLevels) levels")
        }
        self.symbols = symbols
        self.accountCount = accountCount
        self.selfTradePreventionModes = modes
        self.maxOrders = maxOrders
        self.maxPriceLevelsPerSide = maxPriceLevelsPerSide
        riskLimits = [RiskLimits](repeating: RiskLimits(), count: accountCount)
    }

    /// Sets the start-of-day risk configuration: limits per account, restricted symbols,
    /// reference prices. Accounts and symbols must exist; limits must not be negative.
    public mutating func setRisk(
        limits: [AccountIndex: RiskLimits], restricted: [AccountIndex: Set<SymbolIndex>] = [:],
        referencePrices: [SymbolIndex: Price] = [:]
    ) throws(EngineConfigurationError) {
        func checkAccount(_ account: AccountIndex) throws(EngineConfigurationError) {
            guard account.rawValue >= 1 && Int(account.rawValue) <= accountCount else {
                throw EngineConfigurationError("risk: \(account) is not an account (accounts are 1...\(accountCount))")
            }
        }
        func checkSymbol(_ symbol: SymbolIndex) throws(EngineConfigurationError) {
            guard symbol.rawValue >= 1 && Int(symbol.rawValue) <= symbols.count else {
                throw EngineConfigurationError("risk: \(symbol) is not a symbol (symbols are 1...\(symbols.count))")
            }
        }
        for (account, value) in limits {
            try checkAccount(account)
            let fields = [value.maxOrderQuantity, value.maxOrderNotional, value.priceCollarBasisPoints, value.maxOpenOrders,
                          value.maxGrossPosition, value.maxNetPosition, value.maxTotalExposure]
            guard fields.allSatisfy({ $0 >= 0 }) else {
                throw EngineConfigurationError("risk: a limit of \(account) is negative")
            }
            riskLimits[Int(account.rawValue) - 1] = value
        }
        for (account, set) in restricted {
            try checkAccount(account)
            for symbol in set { try checkSymbol(symbol) }
        }
        for (symbol, price) in referencePrices {
            try checkSymbol(symbol)
            guard price.raw > 0 else { throw EngineConfigurationError("risk: reference price of \(symbol) must be positive") }
        }
        restrictedSymbols = restricted
        self.referencePrices = referencePrices
    }

    /// The index (stock locate) of the symbol named `name`.
    public func symbolIndex(named name: String) -> SymbolIndex? {
        symbols.firstIndex { $0.name == name }.map { SymbolIndex(rawValue: UInt16($0 + 1)) }
    }

    /// The directory entry of `index`, nil for ``SymbolIndex/none`` or an unknown index.
    public func symbol(_ index: SymbolIndex) -> Symbol? {
        let position = Int(index.rawValue) - 1
        return position >= 0 && position < symbols.count ? symbols[position] : nil
    }

    /// The self-trade prevention of `account` (the default for an unknown account).
    public func selfTradePrevention(for account: AccountIndex) -> SelfTradePrevention {
        let position = Int(account.rawValue) - 1
        return position >= 0 && position < accountCount ? selfTradePreventionModes[position] : .cancelNewest
    }
}

/// A configuration the engine refuses, with a message naming the field and the value.
public struct EngineConfigurationError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "invalid engine configuration: \(message)" }
}
