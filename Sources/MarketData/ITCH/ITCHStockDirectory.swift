import GatewayCore

/// Stock Directory (`R`, 39 bytes): one per symbol at the start of the day, binding
/// the stock locate code to the symbol's name and its round lot.
///
/// The single-byte fields are kept as the bytes on the wire: their values are
/// reference data a subscriber passes on, not something this module interprets.
/// ``venue(header:stock:roundLotSize:)`` fills them with what this venue sends
/// (specs/itch.md, "Stock Directory").
public struct ITCHStockDirectory: ITCHMessageLayout {
    public static let type = ITCHMessageType.stockDirectory
    public static let length = ITCHMessageLength.stockDirectory

    public enum Offset {
        public static let stock = 11                  // Alpha 8
        public static let marketCategory = 19         // Alpha 1
        public static let financialStatus = 20        // Alpha 1
        public static let roundLotSize = 21           // u32
        public static let roundLotsOnly = 25          // Alpha 1
        public static let issueClassification = 26    // Alpha 1
        public static let issueSubType = 27           // Alpha 2
        public static let authenticity = 29           // Alpha 1
        public static let shortSaleThreshold = 30     // Alpha 1
        public static let ipoFlag = 31                // Alpha 1
        public static let luldReferencePriceTier = 32 // Alpha 1
        public static let etpFlag = 33                // Alpha 1
        public static let etpLeverageFactor = 34      // u32
        public static let inverseIndicator = 38       // Alpha 1
    }

    public var header: ITCHHeader
    public var stock: ITCHStock
    public var marketCategory: UInt8
    public var financialStatus: UInt8
    public var roundLotSize: UInt32
    public var roundLotsOnly: UInt8
    public var issueClassification: UInt8
    /// The two bytes as a big-endian integer (`Z ` is 0x5A20).
    public var issueSubType: UInt16
    public var authenticity: UInt8
    public var shortSaleThreshold: UInt8
    public var ipoFlag: UInt8
    public var luldReferencePriceTier: UInt8
    public var etpFlag: UInt8
    public var etpLeverageFactor: UInt32
    public var inverseIndicator: UInt8

    @inlinable
    public init(
        header: ITCHHeader, stock: ITCHStock, marketCategory: UInt8, financialStatus: UInt8, roundLotSize: UInt32,
        roundLotsOnly: UInt8, issueClassification: UInt8, issueSubType: UInt16, authenticity: UInt8,
        shortSaleThreshold: UInt8, ipoFlag: UInt8, luldReferencePriceTier: UInt8, etpFlag: UInt8,
        etpLeverageFactor: UInt32, inverseIndicator: UInt8
    ) {
        self.header = header
        self.stock = stock
        self.marketCategory = marketCategory
        self.financialStatus = financialStatus
        self.roundLotSize = roundLotSize
        self.roundLotsOnly = roundLotsOnly
        self.issueClassification = issueClassification
        self.issueSubType = issueSubType
        self.authenticity = authenticity
        self.shortSaleThreshold = shortSaleThreshold
        self.ipoFlag = ipoFlag
        self.luldReferencePriceTier = luldReferencePriceTier
        self.etpFlag = etpFlag
        self.etpLeverageFactor = etpLeverageFactor
        self.inverseIndicator = inverseIndicator
    }

    /// The directory entry this venue sends for a symbol: MarketCategory `Q`,
    /// FinancialStatus ` ` (not available: the venue is not the listing market),
    /// RoundLotsOnly `N`, IssueClassification `C` (common stock), IssueSubType `Z `
    /// (not applicable), Authenticity `P` (live), ShortSaleThreshold `N`, IPOFlag
    /// `N`, LULDReferencePriceTier ` ` (not applicable), ETPFlag `N`,
    /// ETPLeverageFactor 0, InverseIndicator `N`.
    public static func venue(header: ITCHHeader, stock: ITCHStock, roundLotSize: UInt32) -> ITCHStockDirectory {
        ITCHStockDirectory(
            header: header, stock: stock, marketCategory: UInt8(ascii: "Q"), financialStatus: UInt8(ascii: " "),
            roundLotSize: roundLotSize, roundLotsOnly: UInt8(ascii: "N"), issueClassification: UInt8(ascii: "C"),
            issueSubType: 0x5A20, authenticity: UInt8(ascii: "P"), shortSaleThreshold: UInt8(ascii: "N"),
            ipoFlag: UInt8(ascii: "N"), luldReferencePriceTier: UInt8(ascii: " "), etpFlag: UInt8(ascii: "N"),
            etpLeverageFactor: 0, inverseIndicator: UInt8(ascii: "N"))
    }

    @inlinable
    public func encode(_ p: UnsafeMutableRawPointer) -> Int {
        header.store(type: Self.type, p)
        stock.store(p, at: Offset.stock)
        MarketDataWire.put8(marketCategory, p, Offset.marketCategory)
        MarketDataWire.put8(financialStatus, p, Offset.financialStatus)
        MarketDataWire.put32(roundLotSize, p, Offset.roundLotSize)
        MarketDataWire.put8(roundLotsOnly, p, Offset.roundLotsOnly)
        MarketDataWire.put8(issueClassification, p, Offset.issueClassification)
        MarketDataWire.put16(issueSubType, p, Offset.issueSubType)
        MarketDataWire.put8(authenticity, p, Offset.authenticity)
        MarketDataWire.put8(shortSaleThreshold, p, Offset.shortSaleThreshold)
        MarketDataWire.put8(ipoFlag, p, Offset.ipoFlag)
        MarketDataWire.put8(luldReferencePriceTier, p, Offset.luldReferencePriceTier)
        MarketDataWire.put8(etpFlag, p, Offset.etpFlag)
        MarketDataWire.put32(etpLeverageFactor, p, Offset.etpLeverageFactor)
        MarketDataWire.put8(inverseIndicator, p, Offset.inverseIndicator)
        return Self.length
    }

    @inlinable
    public init(unchecked p: UnsafeRawPointer) throws(ITCHDecodingError) {
        header = ITCHHeader(p)
        stock = ITCHStock(p, at: Offset.stock)
        marketCategory = MarketDataWire.u8(p, Offset.marketCategory)
        financialStatus = MarketDataWire.u8(p, Offset.financialStatus)
        roundLotSize = MarketDataWire.u32(p, Offset.roundLotSize)
        roundLotsOnly = MarketDataWire.u8(p, Offset.roundLotsOnly)
        issueClassification = MarketDataWire.u8(p, Offset.issueClassification)
        issueSubType = MarketDataWire.u16(p, Offset.issueSubType)
        authenticity = MarketDataWire.u8(p, Offset.authenticity)
        shortSaleThreshold = MarketDataWire.u8(p, Offset.shortSaleThreshold)
        ipoFlag = MarketDataWire.u8(p, Offset.ipoFlag)
        luldReferencePriceTier = MarketDataWire.u8(p, Offset.luldReferencePriceTier)
        etpFlag = MarketDataWire.u8(p, Offset.etpFlag)
        etpLeverageFactor = MarketDataWire.u32(p, Offset.etpLeverageFactor)
        inverseIndicator = MarketDataWire.u8(p, Offset.inverseIndicator)
    }
}
