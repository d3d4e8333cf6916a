/// Who a FIX client session logs on as: the gateway's defaults (CLIENT1..CLIENT4 to
/// CIFT, Username = SenderCompID, Password demo, HeartBtInt 30).
public struct FIXSessionSettings: Sendable {
    public var senderCompID: String
    public var targetCompID: String
    public var username: String
    public var password: String
    public var heartBtInt: Int

    public init(senderCompID: String, targetCompID: String = "CIFT", password: String = "demo", heartBtInt: Int = 30) {
        self.senderCompID = senderCompID
        self.targetCompID = targetCompID
        self.username = senderCompID
        self.password = password
        self.heartBtInt = heartBtInt
    }
}
