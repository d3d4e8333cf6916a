import GatewayCore
import OUCH
import XCTest

/// Inbound OUCH messages → engine commands, and the UserRefNum rules.
final class OUCHServerInboundTests: XCTestCase {
    var h: ServerHarness!

    override func setUpWithError() throws {
        h = try ServerHarness()
        h.login(1)
    }

    override func tearDown() { h = nil }

    /// Sends `message` on connection 1 and returns the commands it produced.
    func commands<M: OUCHMessage>(_ message: M, connection: UInt32 = 1) -> [Command] {
        h.receive(connection, Client.data(message))
        defer { h.io.commands.removeAll() }
        return h.io.commands
    }

    /// Sends `message`, flushes, and returns the sequenced messages it produced.
    func answers<M: OUCHMessage>(_ message: M, connection: UInt32 = 1) -> [OUCHOutboundMessage] {
        h.receive(connection, Client.data(message))
        h.flush()
        return h.messages(connection)
    }

    let origin1 = OrderOrigin(source: 1, session: 101, connection: 1)

    // MARK: Enter Order

    func testEnterOrderBecomesANewOrder() {
        XCTAssertEqual(commands(Golden.enterOrder), [
            Command(
                kind: .newOrder, side: .buy, orderType: .limit, timeInForce: .day, flags: .postOnly,
                keyKind: .userReference, symbol: 1, account: 1, origin: origin1, quantity: 100,
                price: Price(raw: 1_502_500), userReference: 7, clientOrderID: ClientOrderID("ORD-1")!,
                timestamp: testStart),
        ])
    }

    func testSideLetters() {
        let sides = [OUCHSide.buy, OUCHSide.sell, OUCHSide.sellShort, OUCHSide.sellShortExempt].enumerated().map {
            commands(enter(UInt32($0.offset + 1), side: $0.element))[0].side
        }
        XCTAssertEqual(sides, [.buy, .sell, .sell, .sell])
    }

    func testMarketPrices() {
        let market = commands(enter(1, price: OUCHPrice.market))[0]
        XCTAssertEqual(market.orderType, .market)
        XCTAssertEqual(market.price, .zero)
        let threshold = commands(enter(2, price: 2_000_000_000))[0]
        XCTAssertEqual(threshold.orderType, .market)
        let huge = commands(enter(3, price: .max))[0]
        XCTAssertEqual(huge.orderType, .market)
        let highest = commands(enter(4, price: 1_999_999_900))[0]
        XCTAssertEqual(highest.orderType, .limit)
        XCTAssertEqual(highest.price, Price(raw: 1_999_999_900))
        XCTAssertEqual(commands(enter(5, symbol: "PENNY", price: 1))[0].price, Price(raw: 1))
    }

    func testTimeInForceLetters() {
        XCTAssertEqual(commands(enter(1, timeInForce: OUCHTimeInForce.day))[0].timeInForce, .day)
        XCTAssertEqual(commands(enter(2, timeInForce: OUCHTimeInForce.immediateOrCancel))[0].timeInForce, .immediateOrCancel)
        XCTAssertEqual(commands(enter(3, timeInForce: OUCHTimeInForce.goodTillExtendedHours))[0].timeInForce, .day)
        XCTAssertEqual(commands(enter(4, timeInForce: OUCHTimeInForce.goodTillTriple))[0].timeInForce, .day)
        for (urn, letter) in [(5, OUCHTimeInForce.afterHours), (6, UInt8(ascii: "1")), (7, UInt8(ascii: " "))] {
            XCTAssertEqual(answers(enter(UInt32(urn), timeInForce: letter)), [
                .rejected(OUCHRejected(timestamp: testStartOUCH, userRefNum: UInt32(urn), reason: .other, clOrdID: OUCHClOrdID("ORD")!)),
            ])
        }
        XCTAssertTrue(h.io.commands.isEmpty)
    }

    func testPostOnlyAppendage() {
        XCTAssertEqual(commands(enter(1, appendage: OUCHAppendage(postOnly: OUCHPostOnly.postOnly)))[0].flags, .postOnly)
        XCTAssertEqual(commands(enter(2, appendage: OUCHAppendage(postOnly: OUCHPostOnly.no)))[0].flags, [])
        XCTAssertEqual(answers(enter(3, appendage: OUCHAppendage(postOnly: UInt8(ascii: "Y")))).map(\.rejectReason), [.other])
    }

    /// MinQty equal to the quantity of an IOC is fill-or-kill; any other minimum is not
    /// supported.
    func testMinQtyAppendage() {
        let fok = commands(enter(1, quantity: 300, timeInForce: OUCHTimeInForce.immediateOrCancel,
                                 appendage: OUCHAppendage(minimumQuantity: 300)))
        XCTAssertEqual(fok[0].timeInForce, .fillOrKill)
        XCTAssertEqual(commands(enter(2, appendage: OUCHAppendage(minimumQuantity: 0)))[0].timeInForce, .day)
        XCTAssertEqual(answers(enter(3, appendage: OUCHAppendage(minimumQuantity: 100))).map(\.rejectReason), [.other])
        XCTAssertEqual(
            answers(enter(4, quantity: 300, timeInForce: OUCHTimeInForce.immediateOrCancel,
                          appendage: OUCHAppendage(minimumQuantity: 200))).map(\.rejectReason),
            [.other])
    }

    /// OUCH02 trades for firm FRMA: another Firm is refused. OUCH01 has no firm: any
    /// Firm is accepted.
    func testFirmAppendage() {
        h.login(2, "OUCH02", "Secret")
        XCTAssertEqual(commands(enter(1, appendage: OUCHAppendage(firm: OUCHFirm("FRMA"))), connection: 2).count, 1)
        XCTAssertEqual(
            answers(enter(2, appendage: OUCHAppendage(firm: OUCHFirm("OTHR"))), connection: 2).map(\.rejectReason),
            [.firmNotAuthorized])
        XCTAssertEqual(commands(enter(3), connection: 2).count, 1)
        XCTAssertEqual(commands(enter(1, appendage: OUCHAppendage(firm: OUCHFirm("ANY")))).count, 1)
    }

    func testUnknownAppendageTagsAreSkipped() {
        var bytes = enter(1).encodedBytes
        let appendage: [UInt8] = [5, 5, 0, 0, 0, 100, 2, 12, UInt8(ascii: "P")]
        bytes[45] = 0
        bytes[46] = UInt8(appendage.count)
        h.receive(1, Client.data(raw: bytes + appendage))
        XCTAssertEqual(h.io.commands.map(\.flags), [.postOnly])
    }

    // MARK: Replace, Cancel, Modify

    func testReplaceOrderBecomesAReplace() {
        XCTAssertEqual(commands(Golden.replaceOrder), [
            Command(
                kind: .replace, flags: OUCHProfile.replaceFlags, keyKind: .userReference, account: 1, origin: origin1,
                quantity: 200, price: Price(raw: 1_503_000), userReference: 8, originalUserReference: 7,
                clientOrderID: ClientOrderID("ORD-2")!, timestamp: testStart),
        ])
    }

    /// Invalid new details on a replace cancel the original (the OUCH rule); the new
    /// UserRefNum is used up.
    func testAReplaceWithInvalidDetailsCancelsTheOriginal() {
        let cancel = Command(
            kind: .cancel, keyKind: .userReference, account: 1, origin: origin1, quantity: 0, userReference: 7,
            timestamp: testStart)
        var urn: UInt32 = 100
        func replace(_ adjust: (inout OUCHReplaceOrder) -> Void) -> [Command] {
            var r = OUCHReplaceOrder(originalUserRefNum: 7, userRefNum: urn, quantity: 200, price: 1_503_000)
            urn += 1
            adjust(&r)
            return commands(r)
        }
        XCTAssertEqual(replace { $0.quantity = 0 }, [cancel])
        XCTAssertEqual(replace { $0.quantity = 1_000_000 }, [cancel])
        XCTAssertEqual(replace { $0.price = 0 }, [cancel])
        XCTAssertEqual(replace { $0.price = OUCHPrice.market }, [cancel])
        XCTAssertEqual(replace { $0.price = 1_999_999_950 }, [cancel])
        XCTAssertEqual(replace { $0.timeInForce = OUCHTimeInForce.immediateOrCancel }, [cancel])
        XCTAssertEqual(replace { $0.timeInForce = OUCHTimeInForce.afterHours }, [cancel])
        XCTAssertEqual(replace { $0.display = OUCHDisplay.hidden }, [cancel])
        XCTAssertEqual(replace { $0.intermarketSweep = UInt8(ascii: "?") }, [cancel])
        XCTAssertEqual(replace { $0.clOrdID = OUCHClOrdID(high: 0x4142_0000_0000_0000, low: 0) }, [cancel])
        XCTAssertEqual(replace { $0.appendage = OUCHAppendage(postOnly: UInt8(ascii: "X")) }, [cancel])
        // A malformed appendage too.
        var bytes = OUCHReplaceOrder(originalUserRefNum: 7, userRefNum: urn, quantity: 200, price: 1_503_000).encodedBytes
        bytes[39] = 2
        h.receive(1, Client.data(raw: bytes + [0, 0]))
        XCTAssertEqual(h.io.commands, [cancel])
        h.io.commands.removeAll()
        urn += 1
        XCTAssertEqual(h.server.nextUserRefNum(account: 1), urn)
        // GTX and GTT are Day orders too: a valid replace.
        XCTAssertEqual(replace { $0.timeInForce = OUCHTimeInForce.goodTillTriple }.map(\.kind), [.replace])
    }

    func testCancelOrderBecomesACancel() {
        XCTAssertEqual(commands(OUCHCancelOrder(userRefNum: 8, quantity: 0)), [
            Command(kind: .cancel, keyKind: .userReference, account: 1, origin: origin1, quantity: 0, userReference: 8,
                    timestamp: testStart),
        ])
        XCTAssertEqual(commands(OUCHCancelOrder(userRefNum: 8, quantity: 40)).map(\.quantity), [40])
    }

    /// Modify carries the side letter as a one-byte clientOrderID, which the engine
    /// echoes in its answer.
    func testModifyOrderBecomesAModify() {
        XCTAssertEqual(commands(Golden.modifyOrder), [
            Command(kind: .modify, side: .sell, keyKind: .userReference, account: 1, origin: origin1, quantity: 50,
                    userReference: 8, clientOrderID: ClientOrderID("T")!, timestamp: testStart),
        ])
        XCTAssertEqual(commands(OUCHModifyOrder(userRefNum: 8, side: OUCHSide.buy, quantity: 5)).map(\.side), [.buy])
        // A side that is no side at all is ignored.
        XCTAssertEqual(answers(OUCHModifyOrder(userRefNum: 8, side: UInt8(ascii: "X"), quantity: 5)), [])
        XCTAssertTrue(h.io.commands.isEmpty)
    }

    func testAccountQueryIsAnsweredHere() {
        XCTAssertEqual(answers(OUCHAccountQueryRequest()), [
            .accountQueryResponse(OUCHAccountQueryResponse(timestamp: testStartOUCH, nextUserRefNum: 1)),
        ])
        _ = commands(enter(41))
        XCTAssertEqual(answers(OUCHAccountQueryRequest()), [
            .accountQueryResponse(OUCHAccountQueryResponse(timestamp: testStartOUCH, nextUserRefNum: 42)),
        ])
        XCTAssertTrue(h.io.commands.isEmpty)
    }

    // MARK: UserRefNum

    /// UserRefNum must increase: one not above the last processed is a retransmission,
    /// ignored without an answer. Cancel and Modify name existing orders: no rule.
    func testUserRefNumsMustIncrease() {
        XCTAssertEqual(commands(enter(5)).map(\.userReference), [5])
        XCTAssertEqual(answers(enter(5)), [])
        XCTAssertEqual(answers(enter(3)), [])
        XCTAssertEqual(answers(OUCHReplaceOrder(originalUserRefNum: 5, userRefNum: 5, quantity: 1, price: 100)), [])
        XCTAssertEqual(answers(OUCHReplaceOrder(originalUserRefNum: 5, userRefNum: 4, quantity: 1, price: 100)), [])
        XCTAssertTrue(h.io.commands.isEmpty)
        XCTAssertEqual(commands(enter(6)).map(\.userReference), [6])
        XCTAssertEqual(commands(OUCHReplaceOrder(originalUserRefNum: 6, userRefNum: 9, quantity: 100, price: 1_500_000))
            .map(\.userReference), [9])
        XCTAssertEqual(answers(enter(8)), [])
        XCTAssertEqual(commands(OUCHCancelOrder(userRefNum: 5, quantity: 0)).map(\.userReference), [5])
        XCTAssertEqual(commands(OUCHModifyOrder(userRefNum: 6, side: OUCHSide.buy, quantity: 1)).map(\.userReference), [6])
        // UserRefNum 0 is never above the mark.
        h.login(2, "OUCH02", "Secret")
        XCTAssertEqual(answers(enter(0), connection: 2), [])
    }

    /// The UserRefNum space is the account's: OUCH03 shares account 1 with OUCH01.
    func testUserRefNumsArePerAccount() {
        h.login(3, "OUCH03", "demo3")
        h.login(2, "OUCH02", "Secret")
        XCTAssertEqual(commands(enter(10)).count, 1)
        XCTAssertEqual(answers(enter(10), connection: 3), [])
        XCTAssertEqual(commands(enter(11), connection: 3).count, 1)
        XCTAssertEqual(commands(enter(1), connection: 2).count, 1)
        XCTAssertEqual(h.server.nextUserRefNum(account: 1), 12)
        XCTAssertEqual(h.server.nextUserRefNum(account: 2), 2)
    }

    /// An order the edge rejects uses up its UserRefNum: sending it again is a
    /// retransmission.
    func testARejectedOrderUsesUpItsUserRefNum() {
        XCTAssertEqual(answers(enter(5, quantity: 0)).map(\.rejectReason), [.invalidQuantity])
        XCTAssertEqual(answers(enter(5)), [])
        XCTAssertTrue(h.io.commands.isEmpty)
    }
}

extension OUCHOutboundMessage {
    var rejectReason: OUCHRejectReason? {
        if case .rejected(let r) = self { return r.reason }
        return nil
    }
}
