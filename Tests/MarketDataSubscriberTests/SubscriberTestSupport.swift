import GatewayCore
import MarketData
import MarketDataSubscriber
import XCTest

let testSession = MoldUDP64Session("CIFT261121")!
let aapl = ITCHStock("AAPL")!
let msft = ITCHStock("MSFT")!

/// 14:30:00 plus `n` microseconds: distinct, readable timestamps.
func header(_ locate: UInt16, _ n: UInt64 = 0) -> ITCHHeader {
    ITCHHeader(stockLocate: SymbolIndex(rawValue: locate), timestamp: 52_200_000_000_000 + n * 1000)
}

func directory(_ locate: UInt16, _ stock: ITCHStock) -> ITCHMessage {
    .stockDirectory(.venue(header: header(locate), stock: stock, roundLotSize: 100))
}

func trading(_ locate: UInt16, _ stock: ITCHStock) -> ITCHMessage {
    .stockTradingAction(ITCHStockTradingAction(header: header(locate), stock: stock, tradingState: ITCHTradingState.trading))
}

/// Add Order `reference`: `side` `shares` of `stock` (locate `locate`) at `price` (e.g. "150.25").
func add(_ reference: OrderReference, _ side: Side, _ shares: UInt32, _ price: String,
         locate: UInt16 = 1, stock: ITCHStock = aapl) -> ITCHMessage {
    .addOrder(ITCHAddOrder(header: header(locate), orderReference: reference, side: side, shares: shares, stock: stock,
                           price: Price(parsing: price)!))
}

func delete(_ reference: OrderReference, locate: UInt16 = 1) -> ITCHMessage {
    .orderDelete(ITCHOrderDelete(header: header(locate), orderReference: reference))
}

func execute(_ reference: OrderReference, _ shares: UInt32, match: UInt64, locate: UInt16 = 1) -> ITCHMessage {
    .orderExecuted(ITCHOrderExecuted(header: header(locate), orderReference: reference, executedShares: shares,
                                     matchNumber: match))
}

func snapshotComplete(_ last: UInt64) -> ITCHMessage {
    .snapshotComplete(ITCHSnapshotComplete(header: header(0), lastSequenceNumber: last))
}

/// One downstream packet whose first message is `first`.
func packet(_ first: UInt64, _ messages: [ITCHMessage], session: MoldUDP64Session = testSession) -> [UInt8] {
    let builder = MoldUDP64PacketBuilder(session: session)
    builder.begin(sequenceNumber: first)
    for message in messages { precondition(builder.append(message), "test packet too large") }
    return Array(builder.packet)
}

/// A packet carrying raw message blocks (for undecodable messages).
func rawPacket(_ first: UInt64, _ blocks: [[UInt8]]) -> [UInt8] {
    let builder = MoldUDP64PacketBuilder(session: testSession)
    builder.begin(sequenceNumber: first)
    for block in blocks { precondition(block.withUnsafeBytes { builder.append($0) }) }
    return Array(builder.packet)
}

func heartbeat(next: UInt64, session: MoldUDP64Session = testSession) -> [UInt8] {
    MoldUDP64Header.heartbeat(session: session, nextSequenceNumber: next).encodedBytes
}

func endOfSession(next: UInt64) -> [UInt8] {
    MoldUDP64Header.endOfSession(session: testSession, nextSequenceNumber: next).encodedBytes
}

func level(_ quantity: UInt64, _ price: String, orders: Int = 1) -> ITCHBookLevel {
    ITCHBookLevel(price: Price(parsing: price)!, quantity: quantity, orderCount: orders)
}

/// Applies `messages` to a fresh book: the book the subscriber must end with.
func referenceBook(_ messages: [ITCHMessage]) throws -> ITCHBookBuilder {
    var book = ITCHBookBuilder()
    for message in messages { try book.apply(message) }
    return book
}

/// Asserts two books hold the same orders, in the same priority, on both sides of `locate`.
func assertSameBook(_ actual: ITCHBookBuilder, _ expected: ITCHBookBuilder, locate: UInt16 = 1,
                    file: StaticString = #filePath, line: UInt = #line) {
    let index = SymbolIndex(rawValue: locate)
    for side in [Side.buy, Side.sell] {
        XCTAssertEqual(actual.orders(index, side: side), expected.orders(index, side: side), "\(side)", file: file, line: line)
    }
    XCTAssertEqual(actual.orderCount, expected.orderCount, file: file, line: line)
}

extension MoldUDP64Sequencer {
    /// Decodes `bytes` as a packet, hands it over and returns the disposition and the events.
    @discardableResult
    mutating func take(_ bytes: [UInt8]) throws -> (MoldUDP64PacketDisposition, [MoldUDP64SequencerEvent]) {
        var events: [MoldUDP64SequencerEvent] = []
        let disposition = try bytes.withUnsafeBytes { buffer in
            receive(try MoldUDP64Packet(decoding: buffer)) { events.append($0) }
        }
        return (disposition, events)
    }

    /// Applies a snapshot and returns the events.
    mutating func takeSnapshot(_ messages: [ITCHMessage], last: UInt64) -> [MoldUDP64SequencerEvent] {
        var events: [MoldUDP64SequencerEvent] = []
        applySnapshot(messages, lastSequenceNumber: last) { events.append($0) }
        return events
    }
}

/// The sequence numbers of the message events, in order.
func sequenceNumbers(_ events: [MoldUDP64SequencerEvent]) -> [UInt64?] {
    events.compactMap { event -> UInt64?? in
        guard case .message(_, let sequence) = event else { return nil }
        return .some(sequence)
    }
}

/// The sequencer event for a best bid/offer on AAPL (locate 1).
func bbo(_ bid: ITCHBookLevel?, _ offer: ITCHBookLevel?, locate: UInt16 = 1, stock: ITCHStock? = aapl)
    -> MoldUDP64SequencerEvent
{
    .bestBidOffer(stockLocate: SymbolIndex(rawValue: locate), stock: stock, ITCHBestBidOffer(bid: bid, offer: offer))
}

/// Socket tests need a network namespace in which loopback carries multicast.
func requireMulticastNamespace() throws {
    guard ProcessInfo.processInfo.environment["CIFT_MULTICAST_NAMESPACE"] == "1" else {
        throw XCTSkip("run inside the multicast namespace: scripts/run-tests.sh enters it")
    }
}
