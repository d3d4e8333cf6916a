import GatewayCore

/// Why ``FIXEncoder/finish()`` produced no message.
public enum FIXEncodingError: Error, Sendable, Equatable {
    /// The message does not fit the buffer.
    case bufferTooSmall(capacity: Int)
    /// A value that FIX cannot carry: empty, or containing SOH.
    case invalidValue(tag: Int)
    /// ``FIXEncoder/finish()`` without ``FIXEncoder/begin(msgType:)``.
    case notBegun
}

/// Writes one FIX 4.4 message at a time into a buffer the caller owns (a connection's
/// send buffer, a reusable scratch area): no allocation per message.
///
/// `begin` writes `8=FIX.4.4␁9=` and reserves room for BodyLength as wide as the
/// buffer's capacity can need (5 digits for up to 99 999 bytes), then `35=`; fields
/// are appended in call order; `finish` writes the real BodyLength without leading
/// zeros, moves the body left over the unused reserved digits (one `memmove` of the
/// body, a few hundred bytes), sums the bytes and appends `10=ddd␁`. The message
/// always starts at offset 0 of the buffer. Leading zeros in BodyLength would save
/// the move, but some engines compare BodyLength as text; the move is cheaper than
/// finding out which.
///
/// Errors are sticky: a value that does not fit or is not valid FIX is remembered,
/// later appends are ignored, and `finish` reports the first problem.
public struct FIXEncoder {
    @usableFromInline let buffer: UnsafeMutableRawBufferPointer
    /// Digits reserved for BodyLength.
    @usableFromInline let reservedDigits: Int
    /// Where the next byte goes.
    @usableFromInline var position = 0
    @usableFromInline var error: FIXEncodingError? = FIXEncodingError.notBegun

    /// `8=FIX.4.4␁9=`
    @usableFromInline static let prefix: StaticString = "8=FIX.4.4\u{01}9="

    public init(buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
        self.reservedDigits = FIXEncoder.decimalDigits(UInt64(max(buffer.count, 1)))
    }

    /// Offset of the body while fields are being appended.
    @usableFromInline var reservedBodyStart: Int { Self.prefix.utf8CodeUnitCount + reservedDigits + 1 }

    /// Starts a message of type `msgType` (tag 35), discarding anything unfinished.
    public mutating func begin(msgType: StaticString) {
        error = nil
        position = 0
        writeBytes(Self.prefix.utf8Start, Self.prefix.utf8CodeUnitCount)
        position = reservedBodyStart
        if position > buffer.count { error = .bufferTooSmall(capacity: buffer.count) }
        append(FIXTag.msgType, ascii: msgType)
    }

    /// An integer field (int, Length, SeqNum, NumInGroup, Qty in whole units).
    @inlinable
    public mutating func append(_ tag: Int, int value: Int) {
        writeTag(tag)
        if value < 0 { writeByte(UInt8(ascii: "-")) }
        writeDecimal(UInt64(value.magnitude))
        writeByte(FIXByte.soh)
    }

    /// A field whose value is ASCII text known at compile time (`35=D`, `8=…`).
    @inlinable
    public mutating func append(_ tag: Int, ascii value: StaticString) {
        guard checkValue(tag, UnsafeRawBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount)) else {
            return
        }
        writeTag(tag)
        writeBytes(value.utf8Start, value.utf8CodeUnitCount)
        writeByte(FIXByte.soh)
    }

    /// A field whose value is the given bytes (a String's `utf8`, a slice of a received
    /// message). Empty or SOH-containing values are refused.
    @inlinable
    public mutating func append<Bytes: Collection>(_ tag: Int, bytes value: Bytes) where Bytes.Element == UInt8 {
        if value.isEmpty || value.contains(FIXByte.soh) {
            if error == nil { error = .invalidValue(tag: tag) }
            return
        }
        writeTag(tag)
        for b in value { writeByte(b) }
        writeByte(FIXByte.soh)
    }

    /// A field with a received value, copied unchanged.
    @inlinable
    public mutating func append(_ tag: Int, value: FIXValue) {
        append(tag, bytes: value.bytes)
    }

    /// A ClOrdID / OrigClOrdID field.
    @inlinable
    public mutating func append(_ tag: Int, clientOrderID: ClientOrderID) {
        let count = clientOrderID.count
        guard count > 0 else {
            if error == nil { error = .invalidValue(tag: tag) }
            return
        }
        writeTag(tag)
        for i in 0..<count { writeByte(clientOrderID[i]) }
        writeByte(FIXByte.soh)
    }

    /// A Price field: the shortest FIX decimal that is exactly the price, with up to
    /// four decimals and no trailing zeros (`150.25`, `100`, `0.0001`, `-2.5`).
    @inlinable
    public mutating func append(_ tag: Int, price: Price) {
        writeTag(tag)
        if price.raw < 0 { writeByte(UInt8(ascii: "-")) }
        let magnitude = price.raw.magnitude
        let scale = UInt64(Price.scale)
        writeDecimal(magnitude / scale)
        var fraction = magnitude % scale
        if fraction != 0 {
            writeByte(UInt8(ascii: "."))
            var divisor = scale / 10
            while fraction != 0 {
                writeByte(UInt8(48 + fraction / divisor))
                fraction %= divisor
                divisor /= 10
            }
        }
        writeByte(FIXByte.soh)
    }

    /// A char field (Side, OrdType, ExecType…).
    @inlinable
    public mutating func append(_ tag: Int, char value: UInt8) {
        guard value != FIXByte.soh else {
            if error == nil { error = .invalidValue(tag: tag) }
            return
        }
        writeTag(tag)
        writeByte(value)
        writeByte(FIXByte.soh)
    }

    /// A Boolean field: `Y` or `N`.
    @inlinable
    public mutating func append(_ tag: Int, bool value: Bool) {
        append(tag, char: value ? UInt8(ascii: "Y") : UInt8(ascii: "N"))
    }

    /// A UTCTimestamp field with milliseconds: `YYYYMMDD-HH:MM:SS.sss`.
    @inlinable
    public mutating func append(_ tag: Int, timestamp: Timestamp) {
        writeTag(tag)
        guard error == nil else { return }
        guard position + FIXUTCTimestamp.millisecondsLength <= buffer.count else {
            error = .bufferTooSmall(capacity: buffer.count)
            return
        }
        FIXUTCTimestamp.format(timestamp, into: buffer.baseAddress! + position)
        position += FIXUTCTimestamp.millisecondsLength
        writeByte(FIXByte.soh)
    }

    /// Completes the message: BodyLength, CheckSum. Returns its length; the message
    /// is `buffer[0 ..< length]`.
    public mutating func finish() throws(FIXEncodingError) -> Int {
        if let error { throw error }
        let prefixCount = Self.prefix.utf8CodeUnitCount
        let bodyLength = position - reservedBodyStart
        let digits = Self.decimalDigits(UInt64(bodyLength))
        let bodyStart = prefixCount + digits + 1
        guard bodyStart + bodyLength + 7 <= buffer.count else { throw .bufferTooSmall(capacity: buffer.count) }
        let base = buffer.baseAddress!
        if bodyStart != reservedBodyStart {
            (base + bodyStart).copyMemory(from: base + reservedBodyStart, byteCount: bodyLength)
        }
        position = prefixCount
        writeDecimal(UInt64(bodyLength))
        writeByte(FIXByte.soh)
        position = bodyStart + bodyLength
        var sum = 0
        for i in 0..<position { sum &+= Int(buffer[i]) }
        let checkSum = sum & 0xFF
        writeTag(FIXTag.checkSum)
        writeByte(UInt8(48 + checkSum / 100))
        writeByte(UInt8(48 + checkSum / 10 % 10))
        writeByte(UInt8(48 + checkSum % 10))
        writeByte(FIXByte.soh)
        error = .notBegun
        return position
    }

    // MARK: Writing bytes

    @inlinable
    mutating func checkValue(_ tag: Int, _ value: UnsafeRawBufferPointer) -> Bool {
        if value.isEmpty || value.contains(FIXByte.soh) {
            if error == nil { error = .invalidValue(tag: tag) }
            return false
        }
        return true
    }

    @inlinable
    mutating func writeByte(_ b: UInt8) {
        guard error == nil else { return }
        guard position < buffer.count else {
            error = .bufferTooSmall(capacity: buffer.count)
            return
        }
        buffer[position] = b
        position += 1
    }

    @inlinable
    mutating func writeBytes(_ p: UnsafePointer<UInt8>, _ count: Int) {
        for i in 0..<count { writeByte(p[i]) }
    }

    @inlinable
    mutating func writeTag(_ tag: Int) {
        writeDecimal(UInt64(tag))
        writeByte(FIXByte.equals)
    }

    @inlinable
    mutating func writeDecimal(_ value: UInt64) {
        let digits = Self.decimalDigits(value)
        guard error == nil else { return }
        guard position + digits <= buffer.count else {
            error = .bufferTooSmall(capacity: buffer.count)
            return
        }
        var v = value
        var i = position + digits - 1
        while i >= position {
            buffer[i] = UInt8(48 + v % 10)
            v /= 10
            i -= 1
        }
        position += digits
    }

    @inlinable
    static func decimalDigits(_ value: UInt64) -> Int {
        var v = value
        var digits = 1
        while v >= 10 {
            v /= 10
            digits += 1
        }
        return digits
    }
}
