import GatewayCore

/// The feed's state machine: engine events in, ITCH 5.0 messages stored and packed into
/// MoldUDP64 packets out. No sockets, no threads (the market-data thread owns those);
/// every rule is in specs/itch.md ("From engine events to messages") and
/// specs/moldudp64.md ("Publisher").
///
/// Every message is first appended to the ``MarketDataMessageStore`` (which numbers
/// it); packets are then cut from the store's unsent messages. So the live feed, the
/// retransmission server and a restart all read one sequence of messages.
///
/// The publisher keeps its own copy of the book (``book``), built from the messages it
/// publishes: it tells an incoming order's cancel (not published) from a resting
/// order's, gives the open quantity before a reduce, and is what snapshots are cut from.
public final class ITCHPublisher {
    public let configuration: ITCHPublisherConfiguration
    public let store: MarketDataMessageStore
    public private(set) var book: ITCHBookBuilder
    let builder: MoldUDP64PacketBuilder
    /// Where one message is encoded before it is stored.
    let scratch: UnsafeMutableRawBufferPointer
    let stockByLocate: [SymbolIndex: ITCHStock]

    /// The first replayed engine sequence the feed had not fully published before the
    /// restart (nil for a new session day: the opening book comes from the engine).
    public let resumeEngineSequence: UInt64?
    /// The last message multicast (or, at start-up, sent before the restart).
    public private(set) var sentThrough: UInt64
    /// When the oldest unsent message was stored (nil: nothing unsent).
    var unsentSince: Timestamp?
    var lastSentAt: Timestamp = .zero
    /// A loses-priority replace whose old order left the book: published as Order
    /// Replace if the new order's `booked` comes next, else as Order Delete.
    var pendingReplace: (old: OrderReference, new: OrderReference, timestamp: Timestamp, engineSequence: UInt64)?
    public private(set) var endOfSession = false
    /// True while a replace's message waits for the event after it (see `pendingReplace`).
    public var holdsPendingReplace: Bool { pendingReplace != nil }

    public private(set) var packetsSent: UInt64 = 0
    public private(set) var heartbeatsSent: UInt64 = 0
    /// Events about orders the feed's book does not hold (should stay 0).
    public private(set) var inconsistencies: UInt64 = 0

    /// Opens the session's store in `directory`. A store that already holds messages
    /// (a restart within the session day) rebuilds the book from them, after taking
    /// back the messages of the last engine command recorded (it may have been cut
    /// short); ``catchUp(_:)`` then republishes from there.
    ///
    /// `completeThrough`: every message of every command up to this sequence is known to
    /// be in the store (the start-up replays only the journal after a snapshot of that
    /// sequence, so a last command within it is kept, not taken back).
    public init(configuration: ITCHPublisherConfiguration, directory: String, completeThrough: UInt64 = 0) throws(MarketDataStoreError) {
        self.configuration = configuration
        let store = try MarketDataMessageStore(directory: directory, session: configuration.session)
        self.store = store
        builder = MoldUDP64PacketBuilder(session: configuration.session, maximumPacketSize: configuration.maximumPacketSize)
        scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 8)
        stockByLocate = Dictionary(uniqueKeysWithValues: configuration.symbols.map { ($0.locate, $0.stock) })
        book = ITCHBookBuilder()
        book.reserveCapacity(orders: configuration.expectedOrders, levelsPerSide: configuration.expectedLevelsPerSide,
                             stockLocates: configuration.symbols.map(\.locate))
        if store.count == 0 {
            resumeEngineSequence = nil
        } else {
            let baseline = store.baselineEngineSequence
            let last = store.engineSequence(UInt64(store.count)) ?? 0
            if last > baseline && last <= completeThrough {
                resumeEngineSequence = last + 1
            } else if last > baseline {
                var first = UInt64(store.count)
                while first > 1, store.engineSequence(first - 1) == last { first -= 1 }
                try store.truncate(from: first)
                resumeEngineSequence = last
            } else {
                resumeEngineSequence = baseline + 1
            }
            for sequence in 1..<store.nextSequenceNumber {
                guard let bytes = store.message(sequence), let message = try? ITCHMessage(decoding: bytes) else {
                    throw .unreadableRecord(path: store.path, sequence: Int(sequence), reason: "does not decode")
                }
                do throws(ITCHBookError) { try book.apply(message) } catch {
                    throw .unreadableRecord(path: store.path, sequence: Int(sequence), reason: "does not apply to the book: \(error)")
                }
            }
        }
        sentThrough = store.nextSequenceNumber - 1
    }

    deinit { scratch.deallocate() }

    public var nextSequenceNumber: UInt64 { store.nextSequenceNumber }

    // MARK: Starting a session day

    /// A new session day (empty store): Start of Messages, the Stock Directory, Start of
    /// System Hours, Start of Market Hours when the market is open, a Trading Action for
    /// each halted symbol, then an Add Order for every order the engine has resting
    /// (after replaying `baseline`), so that the feed's book starts equal to the
    /// engine's. Stored now, multicast by the first ``flush(now:io:)``.
    public func begin(baseline: UInt64, restingOrders: [ITCHRestingOrder], haltedSymbols: Set<SymbolIndex>,
                      marketOpen: Bool, now: Timestamp) throws(MarketDataStoreError) {
        precondition(store.count == 0, "begin is for a new session day")
        try store.setBaseline(baseline)
        let t = Self.itchTime(now)
        emit(ITCHSystemEvent(header: ITCHHeader(stockLocate: .none, timestamp: t), eventCode: ITCHSystemEventCode.startOfMessages),
             engineSequence: baseline, now: now)
        for symbol in configuration.symbols {
            emit(ITCHStockDirectory.venue(header: ITCHHeader(stockLocate: symbol.locate, timestamp: t), stock: symbol.stock,
                                          roundLotSize: symbol.roundLotSize), engineSequence: baseline, now: now)
        }
        emit(ITCHSystemEvent(header: ITCHHeader(stockLocate: .none, timestamp: t), eventCode: ITCHSystemEventCode.startOfSystemHours),
             engineSequence: baseline, now: now)
        if marketOpen {
            emit(ITCHSystemEvent(header: ITCHHeader(stockLocate: .none, timestamp: t), eventCode: ITCHSystemEventCode.startOfMarketHours),
                 engineSequence: baseline, now: now)
        }
        for symbol in configuration.symbols {
            let halted = haltedSymbols.contains(symbol.locate)
            emit(ITCHStockTradingAction(header: ITCHHeader(stockLocate: symbol.locate, timestamp: t), stock: symbol.stock,
                                        tradingState: halted ? ITCHTradingState.halted : ITCHTradingState.trading),
                 engineSequence: baseline, now: now)
        }
        for order in restingOrders {
            emit(ITCHAddOrder(header: ITCHHeader(stockLocate: order.locate, timestamp: t), orderReference: order.reference,
                              side: order.side, shares: order.shares, stock: stock(order.locate), price: order.price),
                 engineSequence: baseline, now: now)
        }
    }

    /// A replayed event at start-up: published (stored; multicast with the next flush)
    /// when the feed had not fully published its command before the restart.
    public func catchUp(_ event: Event) {
        guard let resume = resumeEngineSequence, event.sequence >= resume else { return }
        handle(event, now: event.timestamp)
    }

    // MARK: Events

    /// One durable engine event, in engine order. `now` is the market-data thread's
    /// clock (for the flush timer); the messages carry the event's own timestamp.
    public func handle(_ event: Event, now: Timestamp) {
        if let pending = pendingReplace {
            if event.kind == .booked && event.orderReference == pending.new {
                pendingReplace = nil
                emit(ITCHOrderReplace(header: header(event), originalOrderReference: pending.old,
                                      newOrderReference: pending.new, shares: event.quantity, price: event.price),
                     engineSequence: event.sequence, now: now)
                return
            }
            settlePendingReplace(now: now)
        }
        switch event.kind {
        case .booked:
            emit(ITCHAddOrder(header: header(event), orderReference: event.orderReference, side: event.side,
                              shares: event.quantity, stock: stock(event.symbol), price: event.price),
                 engineSequence: event.sequence, now: now)
        case .executed:
            guard event.liquidity == .added else { return }  // the incoming side never rested
            guard let resting = book.order(event.orderReference) else {
                inconsistencies &+= 1
                return
            }
            if resting.price == event.price {
                emit(ITCHOrderExecuted(header: header(event), orderReference: event.orderReference,
                                       executedShares: event.quantity, matchNumber: event.matchNumber),
                     engineSequence: event.sequence, now: now)
            } else {
                emit(ITCHOrderExecutedWithPrice(header: header(event), orderReference: event.orderReference,
                                                executedShares: event.quantity, matchNumber: event.matchNumber,
                                                printable: ITCHPrintable.printable, executionPrice: event.price),
                     engineSequence: event.sequence, now: now)
            }
        case .canceled:
            // An incoming order's remainder (IOC, FOK, self-trade) never rested: nothing to say.
            guard let resting = book.order(event.orderReference) else { return }
            if event.leavesQuantity == 0 || event.quantity >= resting.shares {
                emit(ITCHOrderDelete(header: header(event), orderReference: event.orderReference),
                     engineSequence: event.sequence, now: now)
            } else {
                emit(ITCHOrderCancel(header: header(event), orderReference: event.orderReference, canceledShares: event.quantity),
                     engineSequence: event.sequence, now: now)
            }
        case .replaced where event.orderReference == event.previousOrderReference, .modified:
            // Priority kept: a partial cancel of what the open quantity lost.
            guard let resting = book.order(event.orderReference) else {
                inconsistencies &+= 1
                return
            }
            if resting.shares > event.quantity {
                emit(ITCHOrderCancel(header: header(event), orderReference: event.orderReference,
                                     canceledShares: resting.shares - event.quantity),
                     engineSequence: event.sequence, now: now)
            }
        case .replaced:
            guard book.order(event.previousOrderReference) != nil else {
                inconsistencies &+= 1
                return
            }
            pendingReplace = (event.previousOrderReference, event.orderReference, event.timestamp, event.sequence)
        case .tradingStateChanged:
            let halted = event.code == TradingState.halted.rawValue
            emit(ITCHStockTradingAction(header: header(event), stock: stock(event.symbol),
                                        tradingState: halted ? ITCHTradingState.halted : ITCHTradingState.trading),
                 engineSequence: event.sequence, now: now)
        case .systemEvent:
            let h = ITCHHeader(stockLocate: .none, timestamp: Self.itchTime(event.timestamp))
            if event.code == SystemEventCode.endOfDay.rawValue {
                for code in [ITCHSystemEventCode.endOfMarketHours, ITCHSystemEventCode.endOfSystemHours,
                             ITCHSystemEventCode.endOfMessages] {
                    emit(ITCHSystemEvent(header: h, eventCode: code), engineSequence: event.sequence, now: now)
                }
                endOfSession = true
            } else if event.code == SystemEventCode.startOfDay.rawValue {
                emit(ITCHSystemEvent(header: h, eventCode: ITCHSystemEventCode.startOfMarketHours),
                     engineSequence: event.sequence, now: now)
            }
        case .accepted, .rejected, .cancelRejected, .trade, .massCancelDone, .riskUpdated:
            break
        }
    }

    /// The pending replace did not rest at once (it traded, or was canceled): its old
    /// order is simply gone, and the new one appears with its own `booked`.
    func settlePendingReplace(now: Timestamp) {
        guard let pending = pendingReplace else { return }
        pendingReplace = nil
        emit(ITCHOrderDelete(header: ITCHHeader(stockLocate: book.order(pending.old)?.stockLocate ?? .none,
                                                timestamp: Self.itchTime(pending.timestamp)),
                             orderReference: pending.old),
             engineSequence: pending.engineSequence, now: now)
    }

    // MARK: Packets

    /// The ring is empty: everything stored goes out now (a pending replace first
    /// becomes a delete only if nothing else can follow it, which the caller knows:
    /// `settleReplace`).
    public func flush<IO: ITCHPublisherIO>(now: Timestamp, io: inout IO, settleReplace: Bool = false) {
        if settleReplace { settlePendingReplace(now: now) }
        sendUnsent(now: now, io: &io, wholePacketsOnly: false)
    }

    /// Between events: full packets go at once; a partial one when its oldest message
    /// has waited `flushDelayNanoseconds`.
    public func flushFullPackets<IO: ITCHPublisherIO>(now: Timestamp, io: inout IO) {
        let late = unsentSince.map { now.rawValue - $0.rawValue >= configuration.flushDelayNanoseconds } ?? false
        sendUnsent(now: now, io: &io, wholePacketsOnly: !late)
    }

    /// Timers: a heartbeat (End of Session once the session has ended) after a second
    /// of silence, and a partial packet that has waited too long.
    public func tick<IO: ITCHPublisherIO>(now: Timestamp, io: inout IO) {
        flushFullPackets(now: now, io: &io)
        if sentThrough == store.nextSequenceNumber - 1,
           now.rawValue - lastSentAt.rawValue >= configuration.heartbeatIntervalNanoseconds {
            let header = endOfSession
                ? MoldUDP64Header.endOfSession(session: configuration.session, nextSequenceNumber: store.nextSequenceNumber)
                : MoldUDP64Header.heartbeat(session: configuration.session, nextSequenceNumber: store.nextSequenceNumber)
            let length = header.encode(scratch.baseAddress!)
            io.publish(UnsafeRawBufferPointer(rebasing: scratch[0..<length]))
            heartbeatsSent &+= 1
            lastSentAt = now
        }
    }

    /// When the next timer is due (for the thread's sleep).
    public func nextDeadline(now: Timestamp) -> Timestamp {
        var due = lastSentAt.rawValue + configuration.heartbeatIntervalNanoseconds
        if let since = unsentSince { due = min(due, since.rawValue + configuration.flushDelayNanoseconds) }
        return Timestamp(rawValue: max(due, now.rawValue))
    }

    /// Packs unsent stored messages into packets and publishes them; with
    /// `wholePacketsOnly`, stops before a packet that is not full. The store's file
    /// write comes first, so a message is never on the wire without being on disk.
    func sendUnsent<IO: ITCHPublisherIO>(now: Timestamp, io: inout IO, wholePacketsOnly: Bool) {
        var next = sentThrough + 1
        let end = store.nextSequenceNumber
        guard next < end else { return }
        var wroteStore = false
        while next < end {
            builder.begin(sequenceNumber: next)
            var full = false
            while next < end, let message = store.message(next) {
                if !builder.append(message) {
                    full = true
                    break
                }
                next += 1
            }
            if !full && wholePacketsOnly && builder.messageCount < MoldUDP64PacketBuilder.maximumMessageCount { break }
            if !wroteStore {
                do throws(MarketDataStoreError) { try store.flush() } catch {
                    // The file is behind, memory is not: retransmission still works; a
                    // restart would republish from the journal.
                    inconsistencies &+= 1
                }
                wroteStore = true
            }
            io.publish(builder.packet)
            packetsSent &+= 1
            sentThrough = builder.nextSequenceNumber - 1
            lastSentAt = now
        }
        unsentSince = sentThrough + 1 < end ? (unsentSince ?? now) : nil
    }

    // MARK: Helpers

    /// Stores `message` (numbering it) and applies it to the feed's book.
    func emit<M: ITCHMessageLayout>(_ message: M, engineSequence: UInt64, now: Timestamp) {
        let length = message.encode(scratch.baseAddress!)
        let bytes = UnsafeRawBufferPointer(rebasing: scratch[0..<length])
        if let decoded = try? ITCHMessage(decoding: bytes) {
            do throws(ITCHBookError) { try book.apply(decoded) } catch { inconsistencies &+= 1 }
        }
        store.append(bytes, engineSequence: engineSequence)
        if unsentSince == nil { unsentSince = now }
    }

    func header(_ event: Event) -> ITCHHeader {
        ITCHHeader(stockLocate: event.symbol, timestamp: Self.itchTime(event.timestamp))
    }

    func stock(_ locate: SymbolIndex) -> ITCHStock { stockByLocate[locate] ?? ITCHStock(rawValue: 0x2020_2020_2020_2020) }

    /// ITCH timestamps: nanoseconds since UTC midnight.
    @inlinable
    static func itchTime(_ t: Timestamp) -> UInt64 { UInt64(t.nanosecondsSinceMidnight) }
}
