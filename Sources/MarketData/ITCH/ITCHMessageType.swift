/// ITCH 5.0 message type bytes (offset 0 of every message) that the venue sends.
public enum ITCHMessageType {
    public static let systemEvent = UInt8(ascii: "S")
    public static let stockDirectory = UInt8(ascii: "R")
    public static let stockTradingAction = UInt8(ascii: "H")
    public static let addOrder = UInt8(ascii: "A")
    public static let addOrderWithMPID = UInt8(ascii: "F")
    public static let orderExecuted = UInt8(ascii: "E")
    public static let orderExecutedWithPrice = UInt8(ascii: "C")
    public static let orderCancel = UInt8(ascii: "X")
    public static let orderDelete = UInt8(ascii: "D")
    public static let orderReplace = UInt8(ascii: "U")
    public static let trade = UInt8(ascii: "P")
    /// Venue extension, snapshot channel only. `G` is not an ITCH 5.0 type, so a
    /// standard parser skips it rather than misreading it.
    public static let snapshotComplete = UInt8(ascii: "G")
}

/// The fixed length of each ITCH message, type byte included. Every ITCH 5.0
/// message has exactly one length, which is how a decoder checks it.
public enum ITCHMessageLength {
    public static let systemEvent = 12
    public static let stockDirectory = 39
    public static let stockTradingAction = 25
    public static let addOrder = 36
    public static let addOrderWithMPID = 40
    public static let orderExecuted = 31
    public static let orderExecutedWithPrice = 36
    public static let orderCancel = 23
    public static let orderDelete = 19
    public static let orderReplace = 35
    public static let trade = 44
    public static let snapshotComplete = 19
    /// The longest message the venue sends (Trade): a buffer this big holds any one.
    public static let maximum = 44

    /// The length of the message with this type byte; nil for a type the venue does
    /// not send.
    @inlinable
    public static func of(type: UInt8) -> Int? {
        switch type {
        case ITCHMessageType.systemEvent: systemEvent
        case ITCHMessageType.stockDirectory: stockDirectory
        case ITCHMessageType.stockTradingAction: stockTradingAction
        case ITCHMessageType.addOrder: addOrder
        case ITCHMessageType.addOrderWithMPID: addOrderWithMPID
        case ITCHMessageType.orderExecuted: orderExecuted
        case ITCHMessageType.orderExecutedWithPrice: orderExecutedWithPrice
        case ITCHMessageType.orderCancel: orderCancel
        case ITCHMessageType.orderDelete: orderDelete
        case ITCHMessageType.orderReplace: orderReplace
        case ITCHMessageType.trade: trade
        case ITCHMessageType.snapshotComplete: snapshotComplete
        default: nil
        }
    }
}

/// System Event codes (System Event, offset 11).
public enum ITCHSystemEventCode {
    public static let startOfMessages = UInt8(ascii: "O")
    public static let startOfSystemHours = UInt8(ascii: "S")
    public static let startOfMarketHours = UInt8(ascii: "Q")
    public static let endOfMarketHours = UInt8(ascii: "M")
    public static let endOfSystemHours = UInt8(ascii: "E")
    public static let endOfMessages = UInt8(ascii: "C")
}

/// Trading states (Stock Trading Action, offset 19).
public enum ITCHTradingState {
    public static let halted = UInt8(ascii: "H")
    public static let paused = UInt8(ascii: "P")
    public static let quotationOnly = UInt8(ascii: "Q")
    public static let trading = UInt8(ascii: "T")
}

/// Buy/sell indicator (Add Order, Add Order with MPID and Trade, offset 19).
public enum ITCHSide {
    public static let buy = UInt8(ascii: "B")
    public static let sell = UInt8(ascii: "S")
}

/// Printable flag (Order Executed With Price, offset 31): whether the execution
/// should count toward volume and last-sale statistics.
public enum ITCHPrintable {
    public static let printable = UInt8(ascii: "Y")
    public static let nonPrintable = UInt8(ascii: "N")
}
