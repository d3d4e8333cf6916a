import GatewayCore
import OUCH
import XCTest

/// specs/ouch.md, "Bad input": every malformed case and its defined answer. Each case
/// runs on a logged-in connection beside another logged-in user, who must not notice.
final class OUCHServerBadInputTests: XCTestCase {
    enum Answer: Equatable {
        /// The connection is closed with this reason.
        case close(String)
        /// OUCH Rejected with this reason for the UserRefNum; the connection carries on.
        case rejected(OUCHRejectReason)
    }

    func check(
        _ bytes: [UInt8], _ expected: Answer, userRefNum: UInt32 = 1,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let h = try ServerHarness()
        h.login(1)
        h.login(2, "OUCH02", "Secret")
        h.receive(1, bytes)
        h.turn()
        switch expected {
        case .close(let reason):
            XCTAssertEqual(h.closes(1), [reason], file: file, line: line)
            XCTAssertEqual(h.messages(1), [], file: file, line: line)
        case .rejected(let code):
            XCTAssertTrue(h.io.closes.isEmpty, "\(h.io.closes)", file: file, line: line)
            let answers = h.messages(1)
            XCTAssertEqual(answers.map(\.rejectReason), [code], file: file, line: line)
            XCTAssertEqual(answers.first?.userRefNum, userRefNum, file: file, line: line)
            // The connection carries on.
            h.send(1, enter(userRefNum + 1))
            XCTAssertEqual(h.messages(1).map(\.summary), ["A \(userRefNum + 1) 100 L"], file: file, line: line)
        }
        XCTAssertFalse(
            h.processed.contains { $0.kind == .newOrder && $0.userReference == userRefNum },
            "the bad order reached the engine", file: file, line: line)
        // The other user is untouched.
        XCTAssertTrue(h.closes(2).isEmpty, file: file, line: line)
        h.send(2, enter(7))
        XCTAssertEqual(h.messages(2).map(\.summary), ["A 7 100 L"], file: file, line: line)
    }

    // MARK: SoupBinTCP framing

    func testFramingErrorsClose() throws {
        try check([0, 0], .close("malformed SoupBinTCP packet: Length 0"))
        try check([0x02, 0x02, UInt8(ascii: "U")], .close("malformed SoupBinTCP packet: Length 514 exceeds the maximum 513"))
        try check(Client.packet(type: UInt8(ascii: "S"), payload: [1]),
                  .close("unknown SoupBinTCP packet type 0x53 ('S') from the client"))
        try check(Client.packet(type: 0x00, payload: []), .close("unknown SoupBinTCP packet type 0x00 from the client"))
        try check(Client.packet(type: UInt8(ascii: "R"), payload: [1]),
                  .close("malformed Client Heartbeat ('R'): 1 payload bytes, expected 0"))
        try check(Client.packet(type: UInt8(ascii: "O"), payload: [1, 2]),
                  .close("malformed Logout Request ('O'): 2 payload bytes, expected 0"))
    }

    /// An OUCH message of exactly the maximum length (512) is accepted.
    func testTheMaximumLengthItselfIsAccepted() throws {
        var order = enter(1).encodedBytes
        let appendageLength = 512 - 47
        order[45] = UInt8(appendageLength >> 8)
        order[46] = UInt8(appendageLength & 0xFF)
        // Unknown elements: one of 3 bytes, then 231 of 2 (Length 1, tag 200, no value).
        let appendage: [UInt8] = [2, 200, 0] + (0..<231).flatMap { _ in [1, 200] as [UInt8] }
        XCTAssertEqual(appendage.count, appendageLength)
        let h = try ServerHarness()
        h.login(1)
        h.receive(1, Client.data(raw: order + appendage))
        XCTAssertEqual(h.io.commands.count, 1)
        XCTAssertTrue(h.io.closes.isEmpty)
    }

    // MARK: OUCH structure

    func testStructuralErrorsClose() throws {
        try check(Client.data(raw: []), .close("malformed Unsequenced Data ('U'): no OUCH message"))
        try check(Client.data(raw: [UInt8(ascii: "Z"), 1, 2]), .close("protocol violation: unknown OUCH message type 0x5A ('Z')"))
        try check(Client.data(raw: [UInt8(ascii: "C")]), .close("protocol violation: unknown OUCH message type 0x43 ('C')"))
        try check(Client.data(raw: Array(enter(1).encodedBytes.prefix(46))),
                  .close("protocol violation: Enter Order ('O'): 46 bytes, expected 47"))
        try check(Client.data(raw: enter(1).encodedBytes + [2, 12, 80]),
                  .close("protocol violation: Enter Order ('O'): AppendageLength 0 but 3 appendage bytes follow"))
        try check(Client.data(raw: Array(Golden.replaceOrder.encodedBytes.prefix(30))),
                  .close("protocol violation: Replace Order ('U'): 30 bytes, expected 40"))
        try check(Client.data(raw: Array(Golden.cancelOrder.encodedBytes.prefix(8))),
                  .close("protocol violation: Cancel Order ('X'): 8 bytes, expected 9"))
        try check(Client.data(raw: Golden.modifyOrder.encodedBytes + [0]),
                  .close("protocol violation: Modify Order ('M'): 11 bytes, expected 10"))
        try check(Client.data(raw: [UInt8(ascii: "Q"), 0]),
                  .close("protocol violation: Account Query Request ('Q'): 2 bytes, expected 1"))
    }

    // MARK: Enter Order contents → Rejected

    func testEnterOrderContentsAreRejectedWithTheirReason() throws {
        try check(Client.data(enter(1, side: UInt8(ascii: "X"))), .rejected(.invalidSide))
        try check(Client.data(enter(1, quantity: 0)), .rejected(.invalidQuantity))
        try check(Client.data(enter(1, quantity: 1_000_000)), .rejected(.invalidQuantity))
        try check(Client.data(enter(1, symbol: "NOPE")), .rejected(.invalidSymbol))
        var nonASCII = enter(1)
        nonASCII.symbol = OUCHSymbol(rawValue: 0x4141_504C_C320_2020)
        try check(Client.data(nonASCII), .rejected(.invalidSymbol))
        try check(Client.data(enter(1, price: 1_502_550)), .rejected(.invalidPrice))  // off the 0.01 tick
        try check(Client.data(enter(1, price: 0)), .rejected(.invalidPrice))
        try check(Client.data(enter(1, symbol: "PENNY", price: 1_999_999_901)), .rejected(.invalidPrice))
        try check(Client.data(enter(1, timeInForce: OUCHTimeInForce.afterHours)), .rejected(.other))
        var order = enter(1)
        order.display = OUCHDisplay.hidden
        try check(Client.data(order), .rejected(.other))
        order = enter(1)
        order.capacity = UInt8(ascii: "Z")
        try check(Client.data(order), .rejected(.other))
        order = enter(1)
        order.intermarketSweep = UInt8(ascii: "?")
        try check(Client.data(order), .rejected(.other))
        order = enter(1)
        order.crossType = UInt8(ascii: "O")
        try check(Client.data(order), .rejected(.other))
        order = enter(1)
        order.clOrdID = OUCHClOrdID(high: 0x4142_0043_2020_2020, low: 0x2020_2020_2020)
        try check(Client.data(order), .rejected(.other))
        try check(Client.data(enter(1, appendage: OUCHAppendage(postOnly: UInt8(ascii: "Y")))), .rejected(.other))
        try check(Client.data(enter(1, appendage: OUCHAppendage(minimumQuantity: 50))), .rejected(.other))
    }

    /// A malformed appendage inside a correctly sized Enter Order: the order is answered.
    func testAMalformedAppendageIsRejected() throws {
        for appendage: [UInt8] in [[0], [4, 3, 0, 0, 1], [9, 2], [2, 12, 80, 2, 12, 80]] {
            var bytes = enter(5).encodedBytes
            bytes[46] = UInt8(appendage.count)
            try check(Client.data(raw: bytes + appendage), .rejected(.other), userRefNum: 5)
        }
    }

    /// Bad contents behind an old UserRefNum are a retransmission: ignored.
    func testBadContentsWithAnOldUserRefNumAreIgnored() throws {
        let h = try ServerHarness()
        h.login(1)
        h.send(1, enter(5))
        _ = h.messages(1)
        h.send(1, enter(5, quantity: 0))
        h.send(1, enter(4, symbol: "NOPE"))
        var bytes = enter(3).encodedBytes
        bytes[46] = 1
        h.receive(1, Client.data(raw: bytes + [0]))
        h.turn()
        XCTAssertEqual(h.messages(1), [])
        XCTAssertTrue(h.io.closes.isEmpty)
    }
}
