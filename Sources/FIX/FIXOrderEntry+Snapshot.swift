import GatewayCore

/// The order table as snapshot bytes (specs/snapshots.md, "FIX order table section"): a
/// restart that loads an engine snapshot needs the table as replaying the journal up to
/// the snapshot would have left it, since CumQty, AvgPx and pending cancel/replace
/// chains of the orders still open come from it.
///
/// Only the journal's view is kept: the table of the snapshotting replica, which sees
/// nothing but replayed commands and events (``restore(command:)`` and
/// ``recover(event:io:)``). Entries are written sorted by ClOrdID so equal tables give
/// equal bytes.
extension FIXOrderEntry {
    /// Bytes per order entry and per request entry.
    static let snapshotOrderBytes = 24 + 2 + 1 + 1 + 1 + 8 + 4 + 2 + 24 + 24 + 4 + 4 + 16 + 8 + 1 + 24
    static let snapshotRequestBytes = 24 + 1 + 24 + 1 + 1

    public func writeSnapshot(into writer: inout SnapshotWriter) {
        writer.u32(UInt32(sessions.count))
        for session in sessions {
            writer.u64(UInt64(session.orders.count))
            for (id, order) in session.orders.sorted(by: { Self.precedes($0.key, $1.key) }) {
                writer.clientOrderID(id)
                writer.u16(order.symbol.rawValue)
                writer.u8(order.fixSide)
                writer.u8(order.orderType.rawValue)
                writer.u8(order.timeInForce.rawValue)
                writer.i64(order.price.raw)
                writer.u32(order.orderQuantity)
                writer.u16(order.account.rawValue)
                writer.clientOrderID(order.onBehalfOf)
                writer.clientOrderID(order.deliverTo)
                writer.u32(order.cumulative)
                writer.u32(order.leaves)
                writer.i128(order.notional)
                writer.u64(order.orderReference)
                writer.bool(order.accepted)
                writer.clientOrderID(order.pendingRequest)
            }
            writer.u64(UInt64(session.requests.count))
            for (id, request) in session.requests.sorted(by: { Self.precedes($0.key, $1.key) }) {
                writer.clientOrderID(id)
                writer.u8(request.kind.snapshotCode)
                writer.clientOrderID(request.original)
                writer.u8(request.fixSide)
                writer.u8(request.massCancelType)
            }
        }
    }

    /// Replaces the order table with a snapshot's. The section must name as many
    /// sessions as this layer has (the gateway's configuration fingerprint already
    /// refuses a snapshot of another session list).
    public func restoreSnapshot(from reader: inout SnapshotReader) throws(SnapshotFormatError) {
        let count = try reader.u32()
        guard count == sessions.count else {
            throw SnapshotFormatError("the FIX order table has \(count) sessions, the configuration \(sessions.count)")
        }
        for index in sessions.indices {
            sessions[index].orders.removeAll(keepingCapacity: true)
            sessions[index].requests.removeAll(keepingCapacity: true)
            let orders = try reader.count(bytesEach: Self.snapshotOrderBytes, name: "FIX session \(index + 1) orders")
            for _ in 0..<orders {
                let id = try reader.clientOrderID()
                let symbol = SymbolIndex(rawValue: try reader.u16())
                let fixSide = try reader.u8()
                let typeByte = try reader.u8(), timeInForceByte = try reader.u8()
                guard let type = OrderType(rawValue: typeByte), let timeInForce = TimeInForce(rawValue: timeInForceByte) else {
                    throw SnapshotFormatError("FIX order \(id): type \(typeByte), time in force \(timeInForceByte)")
                }
                var order = FIXOrderEntryOrder(
                    symbol: symbol, fixSide: fixSide, orderType: type, timeInForce: timeInForce,
                    price: Price(raw: try reader.i64()), orderQuantity: try reader.u32())
                order.account = AccountIndex(rawValue: try reader.u16())
                order.onBehalfOf = try reader.clientOrderID()
                order.deliverTo = try reader.clientOrderID()
                order.cumulative = try reader.u32()
                order.leaves = try reader.u32()
                order.notional = try reader.i128()
                order.orderReference = try reader.u64()
                order.accepted = try reader.bool()
                order.pendingRequest = try reader.clientOrderID()
                sessions[index].orders[id] = order
            }
            let requests = try reader.count(bytesEach: Self.snapshotRequestBytes, name: "FIX session \(index + 1) requests")
            for _ in 0..<requests {
                let id = try reader.clientOrderID()
                let code = try reader.u8()
                guard let kind = FIXOrderEntryRequest.Kind(snapshotCode: code) else {
                    throw SnapshotFormatError("FIX request \(id): kind \(code)")
                }
                sessions[index].requests[id] = FIXOrderEntryRequest(
                    kind: kind, original: try reader.clientOrderID(), fixSide: try reader.u8(), massCancelType: try reader.u8())
            }
        }
    }

    /// A total order on ClOrdIDs (their words), for writing entries sorted.
    static func precedes(_ a: ClientOrderID, _ b: ClientOrderID) -> Bool {
        let x = a.words, y = b.words
        return (x.0, x.1, x.2) < (y.0, y.1, y.2)
    }
}

extension FIXOrderEntryRequest.Kind {
    /// The byte a snapshot stores: 1 cancel, 2 replace, 3 mass cancel.
    var snapshotCode: UInt8 {
        switch self {
        case .cancel: 1
        case .replace: 2
        case .massCancel: 3
        }
    }

    init?(snapshotCode: UInt8) {
        switch snapshotCode {
        case 1: self = .cancel
        case 2: self = .replace
        case 3: self = .massCancel
        default: return nil
        }
    }
}
