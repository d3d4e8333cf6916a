import CFuzzerDriver
import FuzzSupport
import GatewayCore
import MarketData
import SoupBinTCP

// The snapshot service's side of a client connection: `SnapshotRequestReader` (the
// SoupBinTCP packets a late joiner sends: Login Request, Client Heartbeat, the request
// naming stocks) received in arbitrary cuts, and for a request the snapshot
// `SnapshotEncoder` builds from a book of three symbols with resting orders, as
// SnapshotService (Gateway) answers it.
//
// Input: byte 0 sets the receive cut (1 to 64 bytes); the rest is what the client sends.
//
// Checks beyond "no trap": after the request or a protocol breach nothing more is read;
// a snapshot is whole SoupBinTCP packets ending with End of Session, and it holds the
// directory of exactly the symbols asked for that the venue lists (all when none is named).

@_cdecl("SnapshotRequestFuzzer_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    cift_fuzzer_run(argc, argv)
}

let symbols = [("AAPL", 1), ("MSFT", 2), ("PENNY", 3)].map {
    ITCHSymbol(locate: SymbolIndex(rawValue: UInt16($0.1)), stock: ITCHStock($0.0)!, roundLotSize: 100)
}
let book: ITCHBookBuilder = {
    var book = ITCHBookBuilder()
    var reference: OrderReference = 1
    for symbol in symbols {
        let header = ITCHHeader(stockLocate: symbol.locate, timestamp: 0)
        try! book.apply(.stockDirectory(.venue(header: header, stock: symbol.stock, roundLotSize: symbol.roundLotSize)))
        for (side, price) in [(Side.buy, 1_500_000), (Side.buy, 1_499_900), (Side.sell, 1_500_100)] {
            try! book.apply(.addOrder(ITCHAddOrder(header: header, orderReference: reference, side: side, shares: 100,
                                                   stock: symbol.stock, price: Price(raw: Int64(price)))))
            reference += 1
        }
    }
    return book
}()
let now = Timestamp(rawValue: 1_704_205_800_000_000_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let cut = 1 + Int(input.byte() % 64)
    var reader = SnapshotRequestReader()
    var loggedIn = false
    while !input.isAtEnd {
        let wasFinished = reader.isFinished
        reader.append(input.take(cut))
        while let action = reader.next() {
            precondition(!wasFinished, "an action after the end")
            switch action {
            case .login:
                precondition(!loggedIn, "a second login")
                loggedIn = true
            case .request(let stocks):
                precondition(loggedIn && reader.isFinished, "a request before login, or not the last")
                answer(stocks)
            case .malformedRequest, .close:
                precondition(reader.isFinished, "reading goes on after \(action)")
            }
        }
    }
    return 0
}

/// The snapshot for `stocks`, as SnapshotService builds it, and its checks.
func answer(_ stocks: [ITCHStock]) {
    let locates: Set<SymbolIndex>? = stocks.isEmpty
        ? nil : Set(symbols.filter { symbol in stocks.contains(symbol.stock) }.map(\.locate))
    let bytes = SnapshotEncoder.snapshot(book: book, symbols: symbols, locates: locates, lastSequenceNumber: 41, now: now)
    var directories = Set<SymbolIndex>()
    var ended = false
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            precondition(!ended && raw.count - offset >= 3, "bytes after End of Session, or a cut packet")
            let length = Int(raw[offset]) << 8 | Int(raw[offset + 1])
            precondition(length >= 1 && offset + 2 + length <= raw.count, "a packet past the end")
            if raw[offset + 2] == SoupBinTCPPacketType.endOfSession {
                ended = true
            } else {
                let message = UnsafeRawBufferPointer(rebasing: raw[(offset + 3)..<(offset + 2 + length)])
                guard let decoded = try? ITCHMessage(decoding: message) else {
                    preconditionFailure("a message that does not decode")
                }
                if case .stockDirectory(let directory) = decoded { directories.insert(directory.header.stockLocate) }
            }
            offset += 2 + length
        }
    }
    precondition(ended, "no End of Session")
    precondition(directories == (locates ?? Set(symbols.map(\.locate))), "the directory of other symbols than asked")
}
