import GatewayCore
import MarketData
import XCTest
import TestSupport

final class ITCHBookBuilderTests: XCTestCase {
    let aapl: SymbolIndex = 1
    let msft: SymbolIndex = 2
    var book = ITCHBookBuilder()
    var time: UInt64 = 34_200_000_000_000

    override func setUp() {
        book = ITCHBookBuilder()
    }

    // MARK: Helpers: each applies one message, then checks the book's invariants.

    func header(_ locate: SymbolIndex) -> ITCHHeader {
        time += 1
        return ITCHHeader(stockLocate: locate, timestamp: time)
    }

    func apply(_ message: ITCHMessage, file: StaticString = #filePath, line: UInt = #line) throws {
        defer { XCTAssertEqual(book.invariantViolations(), [], file: file, line: line) }
        try book.apply(message)
    }

    func add(_ ref: OrderReference, _ side: Side, _ shares: UInt32, _ price: Int64, _ locate: SymbolIndex? = nil) throws {
        let locate = locate ?? aapl
        try apply(.addOrder(ITCHAddOrder(header: header(locate), orderReference: ref, side: side, shares: shares,
                                         stock: ITCHStock("AAPL")!, price: Price(raw: price))))
    }

    func execute(_ ref: OrderReference, _ shares: UInt32, match: UInt64 = 1) throws {
        try apply(.orderExecuted(ITCHOrderExecuted(header: header(aapl), orderReference: ref, executedShares: shares,
                                                   matchNumber: match)))
    }

    func cancel(_ ref: OrderReference, _ shares: UInt32) throws {
        try apply(.orderCancel(ITCHOrderCancel(header: header(aapl), orderReference: ref, canceledShares: shares)))
    }

    func delete(_ ref: OrderReference) throws {
        try apply(.orderDelete(ITCHOrderDelete(header: header(aapl), orderReference: ref)))
    }

    func replace(_ old: OrderReference, _ new: OrderReference, _ shares: UInt32, _ price: Int64) throws {
        try apply(.orderReplace(ITCHOrderReplace(header: header(aapl), originalOrderReference: old, newOrderReference: new,
                                                 shares: shares, price: Price(raw: price))))
    }

    func refs(_ side: Side, _ locate: SymbolIndex? = nil) -> [OrderReference] {
        book.orders(locate ?? aapl, side: side).map(\.reference)
    }

    func level(_ price: Int64, _ quantity: UInt64, _ count: Int) -> ITCHBookLevel {
        ITCHBookLevel(price: Price(raw: price), quantity: quantity, orderCount: count)
    }

    // MARK: Reference data

    func testDirectoryAndTradingActionAreKeptPerStockLocate() throws {
        try apply(.stockDirectory(ITCHStockDirectory.venue(header: header(aapl), stock: ITCHStock("AAPL")!, roundLotSize: 100)))
        try apply(.stockDirectory(ITCHStockDirectory.venue(header: header(msft), stock: ITCHStock("MSFT")!, roundLotSize: 10)))
        try apply(.stockTradingAction(ITCHStockTradingAction(header: header(aapl), stock: ITCHStock("AAPL")!,
                                                             tradingState: ITCHTradingState.trading)))
        try apply(.stockTradingAction(ITCHStockTradingAction(header: header(msft), stock: ITCHStock("MSFT")!,
                                                             tradingState: ITCHTradingState.halted)))
        XCTAssertEqual(book.stock(aapl), ITCHStock("AAPL"))
        XCTAssertEqual(book.stock(msft), ITCHStock("MSFT"))
        XCTAssertEqual(book.roundLotSize(msft), 10)
        XCTAssertEqual(book.stockLocate(of: ITCHStock("MSFT")!), msft)
        XCTAssertEqual(book.tradingState(aapl), ITCHTradingState.trading)
        XCTAssertEqual(book.tradingState(msft), ITCHTradingState.halted)
        XCTAssertNil(book.stock(3))
        XCTAssertEqual(book.stockLocates, [aapl, msft])

        try apply(.systemEvent(ITCHSystemEvent(header: header(0), eventCode: ITCHSystemEventCode.startOfMarketHours)))
        XCTAssertEqual(book.systemEventCode, ITCHSystemEventCode.startOfMarketHours)
        try apply(.snapshotComplete(ITCHSnapshotComplete(header: header(0), lastSequenceNumber: 77)))
        XCTAssertEqual(book.snapshotLastSequenceNumber, 77)
    }

    // MARK: Adds, levels, FIFO, BBO

    func testAddsBuildLevelsInPriceTimeOrder() throws {
        try add(1, .buy, 100, 1_000_000)
        try add(2, .buy, 200, 1_010_000)
        try add(3, .buy, 300, 1_000_000)
        try add(4, .sell, 50, 1_030_000)
        try add(5, .sell, 60, 1_020_000)
        try add(6, .sell, 70, 1_030_000)
        try apply(.addOrderWithMPID(ITCHAddOrderWithMPID(
            header: header(aapl), orderReference: 7, side: .buy, shares: 10, stock: ITCHStock("AAPL")!,
            price: Price(raw: 1_010_000), attribution: ITCHAlpha4("CIFT")!)))

        XCTAssertEqual(refs(.buy), [2, 7, 1, 3])   // high to low, FIFO within a price
        XCTAssertEqual(refs(.sell), [5, 4, 6])     // low to high, FIFO within a price
        XCTAssertEqual(book.levels(aapl, side: .buy), [level(1_010_000, 210, 2), level(1_000_000, 400, 2)])
        XCTAssertEqual(book.levels(aapl, side: .sell), [level(1_020_000, 60, 1), level(1_030_000, 120, 2)])
        XCTAssertEqual(book.bestBidOffer(aapl), ITCHBestBidOffer(bid: level(1_010_000, 210, 2), offer: level(1_020_000, 60, 1)))
        XCTAssertEqual(book.order(3), ITCHBookOrder(reference: 3, stockLocate: aapl, side: .buy, price: Price(raw: 1_000_000), shares: 300))
        XCTAssertEqual(book.orderCount, 7)
    }

    func testSymbolsAreSeparate() throws {
        try add(1, .buy, 100, 1_000_000, aapl)
        try add(2, .buy, 100, 2_000_000, msft)
        XCTAssertEqual(refs(.buy, aapl), [1])
        XCTAssertEqual(refs(.buy, msft), [2])
        XCTAssertEqual(book.bestBidOffer(msft).bid?.price, Price(raw: 2_000_000))
        XCTAssertEqual(book.bestBidOffer(3), ITCHBestBidOffer(bid: nil, offer: nil))
        XCTAssertEqual(book.levels(3, side: .sell), [])
    }

    // MARK: Executions

    func testExecutionReducesAndRemovesAtZero() throws {
        try add(1, .sell, 100, 1_020_000)
        try add(2, .sell, 50, 1_020_000)
        try execute(1, 40)
        XCTAssertEqual(book.order(1)?.shares, 60)
        XCTAssertEqual(book.levels(aapl, side: .sell), [level(1_020_000, 110, 2)])
        XCTAssertEqual(refs(.sell), [1, 2])  // a partial fill keeps priority

        try apply(.orderExecutedWithPrice(ITCHOrderExecutedWithPrice(
            header: header(aapl), orderReference: 1, executedShares: 60, matchNumber: 2, printable: ITCHPrintable.printable,
            executionPrice: Price(raw: 1_015_000))))
        XCTAssertNil(book.order(1))
        XCTAssertEqual(refs(.sell), [2])
        XCTAssertEqual(book.levels(aapl, side: .sell), [level(1_020_000, 50, 1)])

        try execute(2, 50)
        XCTAssertEqual(book.levels(aapl, side: .sell), [])
        XCTAssertNil(book.bestBidOffer(aapl).offer)
        XCTAssertEqual(book.orderCount, 0)
    }

    func testTradeMessageDoesNotTouchTheBook() throws {
        try add(1, .buy, 100, 1_000_000)
        let before = book.orders(aapl, side: .buy)
        try apply(.trade(ITCHTrade(header: header(aapl), orderReference: 0, side: .buy, shares: 100,
                                   stock: ITCHStock("AAPL")!, price: Price(raw: 1_000_000), matchNumber: 3)))
        XCTAssertEqual(book.orders(aapl, side: .buy), before)
        XCTAssertEqual(book.levels(aapl, side: .buy), [level(1_000_000, 100, 1)])
    }

    // MARK: Cancels, deletes, replaces

    func testPartialCancelKeepsQueuePosition() throws {
        try add(1, .buy, 100, 1_000_000)
        try add(2, .buy, 100, 1_000_000)
        try cancel(1, 30)
        XCTAssertEqual(refs(.buy), [1, 2])
        XCTAssertEqual(book.order(1)?.shares, 70)
        XCTAssertEqual(book.levels(aapl, side: .buy), [level(1_000_000, 170, 2)])
        try cancel(1, 70)
        XCTAssertEqual(refs(.buy), [2])
    }

    func testDeleteFromHeadMiddleAndTailOfALevel() throws {
        for ref in 1...5 as ClosedRange<UInt64> { try add(ref, .sell, UInt32(ref) * 10, 1_020_000) }
        try delete(3)
        XCTAssertEqual(refs(.sell), [1, 2, 4, 5])
        try delete(1)
        XCTAssertEqual(refs(.sell), [2, 4, 5])
        try delete(5)
        XCTAssertEqual(refs(.sell), [2, 4])
        XCTAssertEqual(book.levels(aapl, side: .sell), [level(1_020_000, 60, 2)])
        try add(6, .sell, 10, 1_020_000)
        XCTAssertEqual(refs(.sell), [2, 4, 6])
        try delete(2)
        try delete(4)
        try delete(6)
        XCTAssertEqual(book.levels(aapl, side: .sell), [])
    }

    func testReplaceMovesToTheBackOfItsNewLevel() throws {
        try add(1, .buy, 100, 1_000_000)
        try add(2, .buy, 100, 1_000_000)
        try add(3, .buy, 100, 1_010_000)
        // Same price: loses priority behind 2.
        try replace(1, 11, 80, 1_000_000)
        XCTAssertEqual(refs(.buy), [3, 2, 11])
        XCTAssertNil(book.order(1))
        XCTAssertEqual(book.order(11), ITCHBookOrder(reference: 11, stockLocate: aapl, side: .buy, price: Price(raw: 1_000_000), shares: 80))
        // New price: joins the back of the existing 101.0000 level; the old level shrinks.
        try replace(2, 12, 50, 1_010_000)
        XCTAssertEqual(refs(.buy), [3, 12, 11])
        XCTAssertEqual(book.levels(aapl, side: .buy), [level(1_010_000, 150, 2), level(1_000_000, 80, 1)])
        // To a price with no level: a new best bid.
        try replace(11, 13, 10, 1_015_000)
        XCTAssertEqual(book.bestBidOffer(aapl).bid, level(1_015_000, 10, 1))
        XCTAssertEqual(refs(.buy), [13, 3, 12])
    }

    func testBestBidOfferFollowsEveryChange() throws {
        try add(1, .buy, 100, 1_000_000)
        try add(2, .sell, 100, 1_020_000)
        XCTAssertEqual(book.bestBidOffer(aapl), ITCHBestBidOffer(bid: level(1_000_000, 100, 1), offer: level(1_020_000, 100, 1)))
        try add(3, .buy, 10, 1_010_000)
        XCTAssertEqual(book.bestBidOffer(aapl).bid, level(1_010_000, 10, 1))
        try add(4, .sell, 20, 1_015_000)
        XCTAssertEqual(book.bestBidOffer(aapl).offer, level(1_015_000, 20, 1))
        try execute(4, 20)
        XCTAssertEqual(book.bestBidOffer(aapl).offer, level(1_020_000, 100, 1))
        try delete(3)
        XCTAssertEqual(book.bestBidOffer(aapl).bid, level(1_000_000, 100, 1))
    }

    // MARK: Errors: counted, never fatal, book unchanged

    func testUnknownReferencesAreErrorsThatLeaveTheBookAlone() throws {
        try add(1, .buy, 100, 1_000_000)
        let before = book.orders(aapl, side: .buy)
        var errors: [ITCHBookError] = []
        let messages: [ITCHMessage] = [
            .orderExecuted(ITCHOrderExecuted(header: header(aapl), orderReference: 9, executedShares: 1, matchNumber: 1)),
            .orderExecutedWithPrice(ITCHOrderExecutedWithPrice(header: header(aapl), orderReference: 9, executedShares: 1,
                                                               matchNumber: 1, printable: 0x59, executionPrice: Price(raw: 1))),
            .orderCancel(ITCHOrderCancel(header: header(aapl), orderReference: 9, canceledShares: 1)),
            .orderDelete(ITCHOrderDelete(header: header(aapl), orderReference: 9)),
            .orderReplace(ITCHOrderReplace(header: header(aapl), originalOrderReference: 9, newOrderReference: 10, shares: 1,
                                           price: Price(raw: 1))),
        ]
        for message in messages {
            do { try book.apply(message) } catch { errors.append(error) }
        }
        XCTAssertEqual(errors, [
            .unknownOrderReference(9, messageType: UInt8(ascii: "E")),
            .unknownOrderReference(9, messageType: UInt8(ascii: "C")),
            .unknownOrderReference(9, messageType: UInt8(ascii: "X")),
            .unknownOrderReference(9, messageType: UInt8(ascii: "D")),
            .unknownOrderReference(9, messageType: UInt8(ascii: "U")),
        ])
        XCTAssertEqual(book.orders(aapl, side: .buy), before)
        XCTAssertEqual(book.invariantViolations(), [])
    }

    func testDuplicateOverAndZeroQuantitiesAreErrors() throws {
        try add(1, .buy, 100, 1_000_000)
        try add(2, .buy, 100, 1_000_000)
        XCTAssertThrowsError(try add(1, .sell, 5, 1_020_000)) {
            XCTAssertEqual($0 as? ITCHBookError, .duplicateOrderReference(1, messageType: UInt8(ascii: "A")))
        }
        XCTAssertThrowsError(try execute(1, 101)) {
            XCTAssertEqual($0 as? ITCHBookError, .sharesExceedOpen(1, messageType: UInt8(ascii: "E"), requested: 101, open: 100))
        }
        XCTAssertThrowsError(try cancel(1, 0)) {
            XCTAssertEqual($0 as? ITCHBookError, .zeroShares(1, messageType: UInt8(ascii: "X")))
        }
        XCTAssertThrowsError(try replace(1, 2, 10, 1_000_000)) {
            XCTAssertEqual($0 as? ITCHBookError, .duplicateOrderReference(2, messageType: UInt8(ascii: "U")))
        }
        XCTAssertThrowsError(try add(3, .buy, 0, 1_000_000)) {
            XCTAssertEqual($0 as? ITCHBookError, .zeroShares(3, messageType: UInt8(ascii: "A")))
        }
        XCTAssertEqual(refs(.buy), [1, 2])
        XCTAssertEqual(book.levels(aapl, side: .buy), [level(1_000_000, 200, 2)])
    }

    // MARK: A longer sequence against a simple reference model

    /// Random adds, executions, cancels, deletes and replaces, checked after every step
    /// against a list-based model of price-time priority.
    func testRandomSequenceMatchesAReferenceModel() throws {
        var rng = SplitMix64(seed: 99)
        var model: [ITCHBookOrder] = []  // in arrival order (replace = new arrival)
        var nextRef: OrderReference = 1
        for _ in 0..<2_000 {
            let choice = Int.random(in: 0..<10, using: &rng)
            if model.isEmpty || choice < 4 {
                let side: Side = Bool.random(using: &rng) ? .buy : .sell
                // Bids 90–99, asks 101–110: never crossed.
                let tick = Int64.random(in: 0..<10, using: &rng)
                let price = side == .buy ? 900_000 + tick * 10_000 : 1_010_000 + tick * 10_000
                let shares = UInt32.random(in: 1...500, using: &rng)
                try add(nextRef, side, shares, price)
                model.append(ITCHBookOrder(reference: nextRef, stockLocate: aapl, side: side, price: Price(raw: price), shares: shares))
                nextRef += 1
            } else {
                let index = Int.random(in: 0..<model.count, using: &rng)
                let order = model[index]
                switch choice {
                case 4, 5:
                    let shares = UInt32.random(in: 1...order.shares, using: &rng)
                    try execute(order.reference, shares)
                    if shares == order.shares { model.remove(at: index) } else { model[index].shares -= shares }
                case 6:
                    let shares = UInt32.random(in: 1...order.shares, using: &rng)
                    try cancel(order.reference, shares)
                    if shares == order.shares { model.remove(at: index) } else { model[index].shares -= shares }
                case 7:
                    try delete(order.reference)
                    model.remove(at: index)
                default:
                    let tick = Int64.random(in: 0..<10, using: &rng)
                    let price = order.side == .buy ? 900_000 + tick * 10_000 : 1_010_000 + tick * 10_000
                    let shares = UInt32.random(in: 1...500, using: &rng)
                    try replace(order.reference, nextRef, shares, price)
                    model.remove(at: index)
                    model.append(ITCHBookOrder(reference: nextRef, stockLocate: aapl, side: order.side, price: Price(raw: price), shares: shares))
                    nextRef += 1
                }
            }
            for side in [Side.buy, Side.sell] {
                let expected = model.enumerated().filter { $0.element.side == side }.sorted {
                    if $0.element.price != $1.element.price {
                        return side == .buy ? $0.element.price > $1.element.price : $0.element.price < $1.element.price
                    }
                    return $0.offset < $1.offset
                }.map(\.element)
                XCTAssertEqual(book.orders(aapl, side: side), expected)
            }
        }
        XCTAssertEqual(book.orderCount, model.count)
    }
}
