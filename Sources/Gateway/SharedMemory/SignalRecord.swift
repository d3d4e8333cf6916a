import GatewayCore

/// One record of the signals ring (specs/shm-ring.md, "Signals ring records"), read
/// into the engine command it becomes, or the reason it is refused before the engine.
struct SignalRecord {
    /// Record kinds on the signals ring.
    enum Kind: UInt8 {
        case signal = 1, riskUpdate = 2, killSwitch = 3, referencePrice = 4
    }

    /// Refusals decided by the bridge (the engine's own are `RejectReason` values).
    enum Refusal: UInt16 {
        case unknownKind = 1001, unknownSymbol = 1002, unknownAccount = 1003, unknownLimit = 1004
        case stale = 1005, invalidField = 1006
    }

    enum Outcome {
        case command(Command)
        case refused(Refusal)
    }

    let sequence: UInt64
    let kindByte: UInt8
    let tag: UInt64
    let modelID: UInt32

    /// Offsets of specs/shm-ring.md.
    enum Offset {
        static let kind = 8, byte9 = 9, byte10 = 10, byte11 = 11, modelID = 12, name16 = 16, value24 = 24
        static let price32 = 32, ttl = 40, tag = 48, created = 56
    }

    /// A symbol or account name as a lookup key: its bytes other than spaces and NULs,
    /// packed from the low byte up (the record's 8-byte fields are space-padded; a
    /// configured name is not). Nil for more than 8 such bytes. No String is built per
    /// record.
    static func nameKey<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt64? {
        var key: UInt64 = 0
        var shift: UInt64 = 0
        for byte in bytes where byte != 0x20 && byte != 0 {
            guard shift < 64 else { return nil }
            key |= UInt64(byte) << shift
            shift += 8
        }
        return key
    }

    init(_ bytes: UnsafeRawBufferPointer) {
        sequence = bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self).littleEndian
        kindByte = bytes[Offset.kind]
        tag = bytes.loadUnaligned(fromByteOffset: Offset.tag, as: UInt64.self).littleEndian
        modelID = bytes.loadUnaligned(fromByteOffset: Offset.modelID, as: UInt32.self).littleEndian
    }

    /// The command for the engine, stamped `now`, from `origin`; the signals-ring
    /// sequence rides in `userReference` (low 32 bits) and `originalUserReference`
    /// (high), so that journal replay can tell which records were applied.
    static func decode(
        _ bytes: UnsafeRawBufferPointer, strategyAccount: AccountIndex, origin: OrderOrigin, now: Timestamp,
        symbolIndex: (UInt64) -> SymbolIndex?, accountIndex: (UInt64) -> AccountIndex?
    ) -> Outcome {
        let record = SignalRecord(bytes)
        func i64(_ offset: Int) -> Int64 { bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self).littleEndian }
        func name(_ offset: Int) -> UInt64 {
            nameKey(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 8)])) ?? 0
        }
        var command = Command(kind: .signal, origin: origin, timestamp: now)
        command.userReference = UInt32(truncatingIfNeeded: record.sequence)
        command.originalUserReference = UInt32(truncatingIfNeeded: record.sequence >> 32)
        guard let kind = Kind(rawValue: record.kindByte) else { return .refused(.unknownKind) }
        switch kind {
        case .signal:
            guard let symbol = symbolIndex(name(Offset.name16)) else { return .refused(.unknownSymbol) }
            let ttl = Int64(bytes.loadUnaligned(fromByteOffset: Offset.ttl, as: UInt32.self).littleEndian)
            let created = i64(Offset.created)
            if ttl > 0 {
                // `created` is the producer's word, any Int64: an age that overflows is
                // older than any TTL (a created time near Int64.min), never a trap.
                let (age, overflowed) = now.rawValue.subtractingReportingOverflow(created)
                if overflowed || age > ttl * 1_000_000 { return .refused(.stale) }
            }
            let target = i64(Offset.value24)
            let price = i64(Offset.price32)
            guard price > 0, let type = SignalTarget(rawValue: bytes[Offset.byte9]) else { return .refused(.invalidField) }
            switch type {
            case .quantity:
                guard target > 0, target <= Int64(UInt32.max), let side = Side(rawValue: bytes[Offset.byte10]) else {
                    return .refused(.invalidField)
                }
                command.side = side
                command.quantity = UInt32(target)
            case .position:
                // `magnitude`, not `abs`: abs(Int64.min) traps.
                guard target.magnitude <= UInt64(UInt32.max) else { return .refused(.invalidField) }
                command.side = target < 0 ? .sell : .buy
                command.quantity = UInt32(target.magnitude)
            }
            guard bytes[Offset.byte11] <= 1 else { return .refused(.invalidField) }
            command.timeInForce = bytes[Offset.byte11] == 1 ? .immediateOrCancel : .day
            command.code = type.rawValue
            command.symbol = symbol
            command.account = strategyAccount
            command.price = Price(raw: price)
            // "~S<sequence>": unique per record; "~" marks the venue's own identifiers.
            command.clientOrderID = ClientOrderID("~S\(record.sequence)") ?? .empty
        case .riskUpdate:
            guard let limit = RiskLimit(rawValue: bytes[Offset.byte9]) else { return .refused(.unknownLimit) }
            guard let account = accountIndex(name(Offset.name16)) else { return .refused(.unknownAccount) }
            command.kind = .riskUpdate
            command.code = limit.rawValue
            command.account = account
            command.price = Price(raw: i64(Offset.value24))
            if limit == .restrictedSymbol {
                guard let symbol = symbolIndex(name(Offset.price32)) else { return .refused(.unknownSymbol) }
                command.symbol = symbol
            }
        case .killSwitch:
            guard let account = accountIndex(name(Offset.name16)) else { return .refused(.unknownAccount) }
            guard bytes[Offset.byte9] <= 1 else { return .refused(.invalidField) }
            command.kind = .killSwitch
            command.code = bytes[Offset.byte9]
            command.account = account
        case .referencePrice:
            guard let symbol = symbolIndex(name(Offset.name16)) else { return .refused(.unknownSymbol) }
            let price = i64(Offset.price32)
            guard price > 0 else { return .refused(.invalidField) }
            command.kind = .referencePrice
            command.symbol = symbol
            command.price = Price(raw: price)
        }
        return .command(command)
    }

    /// The signals-ring sequence a bridge command carries (see `decode`).
    static func sequence(of command: Command) -> UInt64 {
        UInt64(command.originalUserReference) << 32 | UInt64(command.userReference)
    }
}
