import Foundation
import GatewayCore
import MarketData
import Matching
import OUCH

/// How the gateway sets up its feed at start-up (specs/moldudp64.md, "Publisher"): one
/// message store per UTC session day under `<data dir>/marketdata/<YYYYMMDD>`; a
/// restart within the day continues it (catching up from the journal replay), a new
/// day starts it from the engine's book.
enum MarketDataFeed {
    static func publisherConfiguration(_ c: GatewayConfiguration, day: OUCHSessionDay) throws -> ITCHPublisherConfiguration {
        let name = c.marketData.session.isEmpty
            ? MoldUDP64Session.tradingDay(year: day.year, month: day.month, day: day.day).description
            : c.marketData.session
        guard let session = MoldUDP64Session(name) else {
            throw ConfigurationError(key: "market_data.session", value: "\"\(c.marketData.session)\"", expected: "10 ASCII characters")
        }
        let symbols = try c.symbolDirectory.map { index, settings in
            guard let stock = ITCHStock(settings.name) else {
                throw ConfigurationError(key: "symbols", value: "\"\(settings.name)\"", expected: "a name ITCH can carry (1 to 8 ASCII characters)")
            }
            return ITCHSymbol(locate: index, stock: stock, roundLotSize: settings.lot)
        }
        return ITCHPublisherConfiguration(
            session: session, symbols: symbols, maximumPacketSize: c.marketData.maxPacketSize,
            flushDelayNanoseconds: Int64(c.marketData.flushDelayMicroseconds) * 1000,
            expectedOrders: c.engine.maxOrders, expectedLevelsPerSide: min(c.engine.maxPriceLevelsPerSide, 4096))
    }

    /// Opens today's store (creating the directory).
    static func openPublisher(_ c: GatewayConfiguration, dataDirectory: String, now: Timestamp, completeThrough: UInt64 = 0) throws -> ITCHPublisher {
        let day = OUCHSessionDay(now)
        let directory = dataDirectory + "/marketdata/" + day.description
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try ITCHPublisher(configuration: publisherConfiguration(c, day: day), directory: directory, completeThrough: completeThrough)
    }

    /// A new session day's opening messages, with the engine's book after the replay
    /// (called on the starting thread, before the engine thread exists).
    static func beginSessionDay(_ publisher: ITCHPublisher, engine: MatchingEngine, baseline: UInt64, now: Timestamp) throws {
        var resting: [ITCHRestingOrder] = []
        var halted = Set<SymbolIndex>()
        for symbol in publisher.configuration.symbols {
            if engine.tradingState(of: symbol.locate) == .halted { halted.insert(symbol.locate) }
            for side in [Side.buy, Side.sell] {
                engine.forEachOrder(symbol: symbol.locate, side: side) { order in
                    resting.append(ITCHRestingOrder(reference: order.reference, locate: order.symbol, side: order.side,
                                                    price: order.price, shares: order.openQuantity))
                }
            }
        }
        try publisher.begin(baseline: baseline, restingOrders: resting, haltedSymbols: halted,
                            marketOpen: engine.isMarketOpen, now: now)
    }
}
