import GatewayCore

/// The engine's state as snapshot bytes (specs/snapshots.md, "Engine section"), and an
/// empty engine rebuilt from them: exchange-core's model, a snapshot plus the journal
/// after it gives the state the whole journal gives.
///
/// Written logically, not as memory images: orders in priority order per book side, the
/// counters, the risk state. So a snapshot does not depend on pool slots, the key map's
/// hash seed or the build, and a restored engine's ``snapshotDigest()`` equals the
/// original's (the gateway checks it on every load).
extension MatchingEngine {
    /// Bytes per resting order in the section.
    static let snapshotOrderBytes = 65

    /// Appends the engine section. Engine thread only (or the thread that owns a replica).
    public func writeSnapshot(into writer: inout SnapshotWriter) {
        let core = self.core
        writer.u64(core.nextOrderReference)
        writer.u64(core.nextMatchNumber)
        writer.bool(core.isMarketOpen)
        writer.u32(UInt32(core.symbolCount))
        writer.u32(UInt32(core.accountCount))
        for position in 0..<core.symbolCount {
            let symbol = SymbolIndex(rawValue: UInt16(position + 1))
            writer.u8(core.tradingStates[position].rawValue)
            for side in Side.allCases {
                writer.u64(UInt64(countOrders(symbol: symbol, side: side)))
                forEachOrder(symbol: symbol, side: side) { order in
                    writer.u64(order.reference)
                    writer.i64(order.price.raw)
                    writer.clientOrderID(order.clientOrderID)
                    writer.origin(order.origin)
                    writer.u32(order.userReference)
                    writer.u32(order.openQuantity)
                    writer.u32(order.executedQuantity)
                    writer.u16(order.account.rawValue)
                    writer.u8(order.orderType.rawValue)
                    writer.u8(order.timeInForce.rawValue)
                    writer.u8(order.flags.rawValue)
                    writer.u8(order.keyKind.rawValue)
                }
            }
        }
        let risk = core.risk
        for a in 0..<risk.accountCount {
            let l = risk.limits[a]
            for value in [l.maxOrderQuantity, l.maxOrderNotional, l.priceCollarBasisPoints, l.maxOpenOrders,
                          l.maxGrossPosition, l.maxNetPosition, l.maxTotalExposure, risk.openOrders[a]] {
                writer.i64(value)
            }
            writer.bool(risk.killSwitch[a])
        }
        for c in 0..<(risk.accountCount * risk.symbolCount) {
            writer.i64(risk.position[c])
            writer.i64(risk.openBuy[c])
            writer.i64(risk.openSell[c])
            writer.bool(risk.restricted[c])
        }
        for s in 0..<risk.symbolCount {
            writer.i64(risk.referencePrice[s])
            writer.i64(risk.lastTradePrice[s])
        }
    }

    private func countOrders(symbol: SymbolIndex, side: Side) -> Int {
        var count = 0
        forEachLevel(symbol: symbol, side: side) { count += $0.orderCount }
        return count
    }

    /// Loads an engine section into this engine, which must be new (no command processed):
    /// every order rests again in the order written, so time priority is the original's.
    /// A section that does not fit this engine's configuration (symbols, accounts,
    /// capacity) or holds an impossible value is an error; the engine is then unusable
    /// and must be dropped.
    public func restoreSnapshot(from reader: inout SnapshotReader) throws(SnapshotFormatError) {
        guard core.book.pool.usedCount == 0, core.nextOrderReference == 1, core.nextMatchNumber == 1 else {
            throw SnapshotFormatError("a snapshot is loaded only into a new engine")
        }
        let nextOrderReference = try reader.u64()
        let nextMatchNumber = try reader.u64()
        let isMarketOpen = try reader.bool()
        let symbols = try reader.u32()
        let accounts = try reader.u32()
        guard symbols == core.symbolCount, accounts == core.accountCount else {
            throw SnapshotFormatError(
                "the snapshot has \(symbols) symbols and \(accounts) accounts, the configuration \(core.symbolCount) and \(core.accountCount)")
        }
        for position in 0..<core.symbolCount {
            let symbol = SymbolIndex(rawValue: UInt16(position + 1))
            let stateByte = try reader.u8()
            guard let state = TradingState(rawValue: stateByte) else {
                throw SnapshotFormatError("symbol \(position + 1): trading state \(stateByte)")
            }
            core.tradingStates[position] = state
            for side in Side.allCases {
                let count = try reader.count(bytesEach: Self.snapshotOrderBytes, name: "symbol \(position + 1) \(side) orders")
                for _ in 0..<count {
                    try restoreOrder(symbol: symbol, side: side, below: nextOrderReference, from: &reader)
                }
            }
        }
        let risk = core.risk
        for a in 0..<risk.accountCount {
            var l = RiskLimits()
            l.maxOrderQuantity = try reader.i64()
            l.maxOrderNotional = try reader.i64()
            l.priceCollarBasisPoints = try reader.i64()
            l.maxOpenOrders = try reader.i64()
            l.maxGrossPosition = try reader.i64()
            l.maxNetPosition = try reader.i64()
            l.maxTotalExposure = try reader.i64()
            risk.limits[a] = l
            risk.openOrders[a] = try reader.i64()
            risk.killSwitch[a] = try reader.bool()
        }
        for c in 0..<(risk.accountCount * risk.symbolCount) {
            risk.position[c] = try reader.i64()
            risk.openBuy[c] = try reader.i64()
            risk.openSell[c] = try reader.i64()
            risk.restricted[c] = try reader.bool()
        }
        for s in 0..<risk.symbolCount {
            risk.referencePrice[s] = try reader.i64()
            risk.lastTradePrice[s] = try reader.i64()
        }
        core.nextOrderReference = nextOrderReference
        core.nextMatchNumber = nextMatchNumber
        core.isMarketOpen = isMarketOpen
    }

    /// One resting order, put at the back of its price's queue (the section lists each
    /// side in priority order).
    private func restoreOrder(symbol: SymbolIndex, side: Side, below nextReference: UInt64,
                              from reader: inout SnapshotReader) throws(SnapshotFormatError) {
        var record = OrderRecord()
        record.reference = try reader.u64()
        record.price = try reader.i64()
        record.clientOrderID = try reader.clientOrderID()
        record.origin = try reader.origin()
        record.userReference = try reader.u32()
        record.openQuantity = try reader.u32()
        record.executedQuantity = try reader.u32()
        record.account = AccountIndex(rawValue: try reader.u16())
        let type = try reader.u8(), timeInForce = try reader.u8(), flags = try reader.u8(), keyKind = try reader.u8()
        record.symbol = symbol
        record.side = side
        record.flags = OrderFlags(rawValue: flags)
        guard let t = OrderType(rawValue: type), let f = TimeInForce(rawValue: timeInForce), let k = OrderKeyKind(rawValue: keyKind) else {
            throw SnapshotFormatError("order #\(record.reference): type \(type), time in force \(timeInForce), key kind \(keyKind)")
        }
        record.orderType = t
        record.timeInForce = f
        record.keyKind = k
        guard core.isKnown(record.account), record.openQuantity > 0, record.price > 0,
              record.reference > 0, record.reference < nextReference
        else {
            throw SnapshotFormatError("order #\(record.reference): account \(record.account.rawValue), open \(record.openQuantity), price \(record.price)")
        }
        guard core.book.pool.freeCount > 0, core.book.hasRoom(symbol: symbol, side: side, price: record.price) else {
            throw SnapshotFormatError("order #\(record.reference) does not fit the configured capacity")
        }
        guard core.book.find(OrderKey(of: record)) < 0 else {
            throw SnapshotFormatError("order #\(record.reference): its key is already taken by another order")
        }
        let slot = core.book.pool.allocate()
        record.state = .inFlight
        core.book.pool[slot] = record
        core.book.rest(slot)
    }
}
