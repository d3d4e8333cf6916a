/// The FIX 4.4 tag numbers the codec and the venue's sessions name in code.
///
/// Hand-written, not generated: the dictionary (fix-dictionaries/FIX44.xml) is the
/// full list, these are the ones Swift code refers to by name.
public enum FIXTag {
    /// Corresponds to FIX tag 8 (BeginString).
    public static let beginString = 8
    /// Corresponds to FIX tag 9 (BodyLength).
    public static let bodyLength = 9
    /// Corresponds to FIX tag 10 (CheckSum).
    public static let checkSum = 10
    /// Corresponds to FIX tag 35 (MsgType).
    public static let msgType = 35
    /// Corresponds to FIX tag 34 (MsgSeqNum).
    public static let msgSeqNum = 34
    /// Corresponds to FIX tag 49 (SenderCompID).
    public static let senderCompID = 49
    /// Corresponds to FIX tag 52 (SendingTime).
    public static let sendingTime = 52
    /// Corresponds to FIX tag 56 (TargetCompID).
    public static let targetCompID = 56
    /// Corresponds to FIX tag 115 (OnBehalfOfCompID).
    public static let onBehalfOfCompID = 115
    /// Corresponds to FIX tag 128 (DeliverToCompID).
    public static let deliverToCompID = 128
    /// Corresponds to FIX tag 7 (BeginSeqNo).
    public static let beginSeqNo = 7
    /// Corresponds to FIX tag 16 (EndSeqNo).
    public static let endSeqNo = 16
    /// Corresponds to FIX tag 36 (NewSeqNo).
    public static let newSeqNo = 36
    /// Corresponds to FIX tag 123 (GapFillFlag).
    public static let gapFillFlag = 123
    /// Corresponds to FIX tag 43 (PossDupFlag).
    public static let possDupFlag = 43
    /// Corresponds to FIX tag 122 (OrigSendingTime).
    public static let origSendingTime = 122
    /// Corresponds to FIX tag 98 (EncryptMethod).
    public static let encryptMethod = 98
    /// Corresponds to FIX tag 108 (HeartBtInt).
    public static let heartBtInt = 108
    /// Corresponds to FIX tag 141 (ResetSeqNumFlag).
    public static let resetSeqNumFlag = 141
    /// Corresponds to FIX tag 553 (Username).
    public static let username = 553
    /// Corresponds to FIX tag 554 (Password).
    public static let password = 554
    /// Corresponds to FIX tag 112 (TestReqID).
    public static let testReqID = 112
    /// Corresponds to FIX tag 45 (RefSeqNum).
    public static let refSeqNum = 45
    /// Corresponds to FIX tag 371 (RefTagID).
    public static let refTagID = 371
    /// Corresponds to FIX tag 372 (RefMsgType).
    public static let refMsgType = 372
    /// Corresponds to FIX tag 373 (SessionRejectReason).
    public static let sessionRejectReason = 373
    /// Corresponds to FIX tag 58 (Text).
    public static let text = 58
    /// Corresponds to FIX tag 11 (ClOrdID).
    public static let clOrdID = 11
    /// Corresponds to FIX tag 55 (Symbol).
    public static let symbol = 55
    /// Corresponds to FIX tag 54 (Side).
    public static let side = 54
    /// Corresponds to FIX tag 38 (OrderQty).
    public static let orderQty = 38
    /// Corresponds to FIX tag 40 (OrdType).
    public static let ordType = 40
    /// Corresponds to FIX tag 44 (Price).
    public static let price = 44
    /// Corresponds to FIX tag 59 (TimeInForce).
    public static let timeInForce = 59
    /// Corresponds to FIX tag 60 (TransactTime).
    public static let transactTime = 60
    /// Corresponds to FIX tag 37 (OrderID).
    public static let orderID = 37
    /// Corresponds to FIX tag 17 (ExecID).
    public static let execID = 17
    /// Corresponds to FIX tag 150 (ExecType).
    public static let execType = 150
    /// Corresponds to FIX tag 39 (OrdStatus).
    public static let ordStatus = 39
    /// Corresponds to FIX tag 151 (LeavesQty).
    public static let leavesQty = 151
    /// Corresponds to FIX tag 14 (CumQty).
    public static let cumQty = 14
    /// Corresponds to FIX tag 6 (AvgPx).
    public static let avgPx = 6
}

/// Bytes with a meaning in tag=value framing.
public enum FIXByte {
    /// The field delimiter, SOH (0x01).
    public static let soh: UInt8 = 0x01
    /// Between a tag and its value.
    public static let equals = UInt8(ascii: "=")
}
