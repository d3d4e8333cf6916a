import GatewayCore

/// The matching engine: every symbol's limit order book under price-time priority, and
/// the venue's rules for entering, canceling, modifying and replacing orders, self-trade
/// prevention, halts and the trading day (specs/engine-records.md).
///
/// **Threading.** One thread at a time, the engine thread, calls ``process(_:sequence:into:)``
/// and every other method; nothing inside is synchronised. The engine may be built and
/// fed recovery commands on one thread and then handed to the engine thread (which is why
/// it is `@unchecked Sendable`): the hand-over must be a proper happens-before (thread
/// start, a lock, a release/acquire pair), after which the old thread no longer touches it.
/// A re-entrant call (an event sink calling back into the engine) is caught by Swift's
/// exclusivity check on the engine state and traps.
///
/// **Determinism.** The engine reads no clock and no randomness that affects what it
/// emits: time comes with each command, order references and match numbers are counters
/// in the engine state. The same command sequence gives the same events, field for field
/// (an `Event` has a few padding bytes, whose contents are not part of its value), and the
/// same ``snapshotDigest()``; that is what journal replay relies on.
///
/// **Steady state.** Everything is allocated by `init`: the order pool, the price
/// levels of every book side and the key map. ``process(_:sequence:into:)`` allocates
/// nothing, takes no lock and makes no system call; when a limit is reached, the order
/// that would need more room is rejected with ``RejectReason/capacityExceeded``.
public final class MatchingEngine: @unchecked Sendable {
    public let configuration: EngineConfiguration
    @usableFromInline var core: Core

    /// Builds an engine with every structure allocated for the configured capacities
    /// (about 100 bytes per order of `maxOrders`, 32 bytes per price level).
    public init(configuration: EngineConfiguration) {
        self.configuration = configuration
        core = Core(configuration: configuration, hashSeed: UInt64.random(in: UInt64.min...UInt64.max))
    }

    deinit { core.deallocate() }

    /// Applies one command and emits its events, in order, into `sink`. Every event
    /// carries `sequence` and the command's timestamp.
    ///
    /// Engine thread only. Never fails: a command that cannot be applied produces a
    /// `rejected` or `cancelRejected` event saying why.
    ///
    /// Built with `-DMATCHING_INTERNAL_CHECKS` (for example `swift test -Xswiftc
    /// -DMATCHING_INTERNAL_CHECKS`), every command is followed by ``checkInvariants()``
    /// and a broken invariant traps: a way to run whole-system tests with the engine
    /// checking itself. Off by default: the check walks the whole pool.
    @inlinable
    public func process<Sink: EventSink>(_ command: Command, sequence: UInt64, into sink: inout Sink) {
        core.process(command, sequence: sequence, into: &sink)
        #if MATCHING_INTERNAL_CHECKS
        do {
            try checkInvariants()
        } catch {
            preconditionFailure("\(error) after command \(sequence): \(command)")
        }
        #endif
    }
}

/// The sequence number and time every event of one command carries.
@usableFromInline
struct EventStamp {
    @usableFromInline let sequence: UInt64
    @usableFromInline let timestamp: Timestamp

    @inlinable
    init(sequence: UInt64, timestamp: Timestamp) {
        self.sequence = sequence
        self.timestamp = timestamp
    }
}

extension MatchingEngine {
    /// The engine's whole state as one value, so that the engine class makes a single
    /// exclusive access per command and everything below works on a struct the
    /// optimiser can see through. The buffers it holds are owned by the engine and freed
    /// in its `deinit`; the struct is never copied.
    @usableFromInline
    struct Core {
        @usableFromInline var book: OrderBook
        /// Per symbol (index − 1): tick size in raw price units.
        @usableFromInline let tickSizes: FixedBuffer<Int64>
        /// Per symbol (index − 1): lot size.
        @usableFromInline let lotSizes: FixedBuffer<UInt32>
        /// Per symbol (index − 1): trading or halted.
        @usableFromInline let tradingStates: FixedBuffer<TradingState>
        /// Per account (index − 1).
        @usableFromInline let selfTradePrevention: FixedBuffer<SelfTradePrevention>
        @usableFromInline let symbolCount: Int
        @usableFromInline let accountCount: Int
        /// The reference the next accepted order (or priority-losing replace) gets.
        @usableFromInline var nextOrderReference: OrderReference = 1
        /// The number the next match gets.
        @usableFromInline var nextMatchNumber: UInt64 = 1
        /// False between an end of day and the next start of day. The engine starts open.
        @usableFromInline var isMarketOpen = true
        /// Pre-trade risk: limits, positions, open shares (kept from the events).
        @usableFromInline let risk: RiskBook

        @usableFromInline
        init(configuration: EngineConfiguration, hashSeed: UInt64) {
            let symbols = configuration.symbols
            symbolCount = symbols.count
            accountCount = configuration.accountCount
            book = OrderBook(
                symbolCount: symbols.count, maxOrders: configuration.maxOrders,
                maxPriceLevelsPerSide: configuration.maxPriceLevelsPerSide, hashSeed: hashSeed)
            tickSizes = FixedBuffer(count: symbols.count, repeating: 1)
            lotSizes = FixedBuffer(count: symbols.count, repeating: 1)
            tradingStates = FixedBuffer(count: symbols.count, repeating: .trading)
            for (position, symbol) in symbols.enumerated() {
                tickSizes[position] = symbol.tickSize.raw
                lotSizes[position] = symbol.lotSize
            }
            risk = RiskBook(configuration: configuration)
            selfTradePrevention = FixedBuffer(count: configuration.accountCount, repeating: .cancelNewest)
            for (position, mode) in configuration.selfTradePreventionModes.enumerated() {
                selfTradePrevention[position] = mode
            }
        }

        @usableFromInline
        func deallocate() {
            book.deallocate()
            tickSizes.deallocate()
            lotSizes.deallocate()
            tradingStates.deallocate()
            selfTradePrevention.deallocate()
            risk.deallocate()
        }

        /// Every event passes through the risk book on its way out, so positions and
        /// open shares follow the engine's own account of what happened.
        @inlinable
        mutating func process<Sink: EventSink>(_ command: Command, sequence: UInt64, into sink: inout Sink) {
            let stamp = EventStamp(sequence: sequence, timestamp: command.timestamp)
            // The caller's sink moves into the tracking sink and back: no copy of its
            // state, so a sink that owns an array does not copy it on the next append.
            var tracking = RiskTrackingSink(risk: risk, base: consume sink)
            dispatch(command, stamp, &tracking)
            sink = tracking.base
        }

        @inlinable
        mutating func dispatch<Sink: EventSink>(_ command: Command, _ stamp: EventStamp, _ sink: inout Sink) {
            switch command.kind {
            case .newOrder: enterOrder(command, stamp, &sink)
            case .cancel: cancelOrder(command, stamp, &sink)
            case .replace: replaceOrder(command, stamp, &sink)
            case .modify: modifyOrder(command, stamp, &sink)
            case .massCancel: massCancel(command, stamp, &sink)
            case .sessionDisconnected: cancelSessionOrders(command, stamp, &sink)
            case .setTradingState: setTradingState(command, stamp, &sink)
            case .systemEvent: systemEvent(command, stamp, &sink)
            case .riskUpdate: updateRisk(command, stamp, &sink)
            case .killSwitch: setKillSwitch(command, stamp, &sink)
            case .referencePrice: setReferencePrice(command, stamp, &sink)
            case .signal: enterSignal(command, stamp, &sink)
            }
        }

        @inlinable
        func isKnown(_ symbol: SymbolIndex) -> Bool {
            symbol.rawValue >= 1 && Int(symbol.rawValue) <= symbolCount
        }

        @inlinable
        func isKnown(_ account: AccountIndex) -> Bool {
            account.rawValue >= 1 && Int(account.rawValue) <= accountCount
        }

        /// Position of a known symbol in the per-symbol buffers.
        @inlinable
        static func position(_ symbol: SymbolIndex) -> Int { Int(symbol.rawValue) &- 1 }

        @inlinable
        func isOnTick(_ price: Int64, _ symbol: SymbolIndex) -> Bool {
            price > 0 && price % tickSizes[Core.position(symbol)] == 0
        }

        @inlinable
        func isWholeLots(_ quantity: UInt32, _ symbol: SymbolIndex) -> Bool {
            quantity % lotSizes[Core.position(symbol)] == 0
        }

        /// The key of the order a cancel or modify targets (OUCH: `userReference`;
        /// FIX: `originalClientOrderID`).
        @inlinable
        static func targetKey(of command: Command) -> OrderKey {
            OrderKey(
                account: command.account, kind: command.keyKind,
                userReference: command.userReference, clientOrderID: command.originalClientOrderID)
        }
    }
}
