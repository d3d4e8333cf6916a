import GatewayCore

/// Spec-conformant messages and their exact bytes. BodyLength and CheckSum were
/// computed independently of the module, with Python:
///
///     body = "35=A\x0149=CLIENT1\x01…"
///     head = "8=FIX.4.4\x019=%d\x01" % len(body) + body
///     head + "10=%03d\x01" % (sum(head.encode()) % 256)
enum Golden {
    /// 2024-01-02 14:30:00.000 UTC.
    static let base = Timestamp(rawValue: 1_704_205_800 * 1_000_000_000)
    static func at(milliseconds: Int64) -> Timestamp { Timestamp(rawValue: base.rawValue + milliseconds * 1_000_000) }

    /// Logon from CLIENT1, HeartBtInt 30, Username alice, Password secret.
    static let logon =
        "8=FIX.4.4|9=87|35=A|49=CLIENT1|56=CIFT|34=1|52=20240102-14:30:00.000|98=0|108=30|553=alice|554=secret|10=057|"

    /// Buy 100 AAPL limit 150.25, Day, post-only (18=6), ClOrdID ORD-1, account ACC1.
    static let newOrderSingle =
        "8=FIX.4.4|9=140|35=D|49=CLIENT1|56=CIFT|34=2|52=20240102-14:30:00.123|11=ORD-1|1=ACC1|18=6|55=AAPL|54=1|"
        + "60=20240102-14:30:00.123|38=100|40=2|44=150.25|59=0|10=081|"

    /// The venue's acknowledgement: OrderID 42, ExecID E-1, ExecType New, OrdStatus New.
    static let executionReport =
        "8=FIX.4.4|9=164|35=8|49=CIFT|56=CLIENT1|34=2|52=20240102-14:30:00.125|37=42|11=ORD-1|17=E-1|150=0|39=0|"
        + "55=AAPL|54=1|38=100|40=2|44=150.25|151=100|14=0|6=0|60=20240102-14:30:00.125|10=065|"

    static var all: [String] { [logon, newOrderSingle, executionReport] }
}
