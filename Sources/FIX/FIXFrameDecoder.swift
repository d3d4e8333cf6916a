/// What the frame decoder found at the start of the bytes it was given.
public enum FIXDecodeResult {
    /// The bytes end inside a message: keep them and call again with more.
    case needMoreData
    /// A whole message; the next one starts `message.length` bytes further on.
    case message(FIXMessage)
}

/// Finds FIX 4.4 messages in a byte stream:
/// `8=FIX.4.4␁9=<BodyLength>␁<body>10=<CheckSum>␁`, where BodyLength counts the
/// body (the bytes after `9=…␁` up to and including the SOH before `10=`) and
/// CheckSum is the sum of every byte before `10=` modulo 256, as three digits.
///
/// Stateless: the caller keeps the unconsumed bytes and calls again with more
/// appended. Works in place on the receive buffer and allocates nothing: one pass
/// over the message sums it and looks for a trailer earlier than BodyLength says.
/// A problem is reported as soon as its bytes have arrived, with the number of bytes
/// to consume so that the stream continues (see ``FIXFramingError``).
///
/// Data fields (RawData, tag 96, which may hold SOH) are not supported: the venue's
/// dictionary has none, and `␁10=` is taken to start the trailer wherever it occurs.
public struct FIXFrameDecoder: Sendable {
    /// The largest BodyLength accepted.
    public var maximumBodyLength: Int

    /// `8=FIX.4.4␁`
    @usableFromInline static let beginString: StaticString = "8=FIX.4.4\u{01}"
    /// What a message starts with, whatever its version: where resynchronisation stops.
    @usableFromInline static let messageStart: StaticString = "8=FIX"

    public init(maximumBodyLength: Int = 8192) {
        precondition(maximumBodyLength >= 1 && maximumBodyLength <= 99_999_999, "maximumBodyLength must be 1...99999999")
        self.maximumBodyLength = maximumBodyLength
    }

    /// Looks for one message at the start of `bytes`.
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(FIXFramingError) -> FIXDecodeResult {
        let n = bytes.count
        guard n > 0 else { return .needMoreData }

        // BeginString: exactly "8=FIX.4.4␁".
        let begin = Self.beginString.utf8Start
        let beginCount = Self.beginString.utf8CodeUnitCount
        for i in 0..<min(n, beginCount) where bytes[i] != begin[i] {
            if i < 2 { throw FIXFramingError(.garbageBeforeBeginString, bytesToSkip: Self.garbageLength(bytes, from: 1)) }
            if i == beginCount - 1 { throw FIXFramingError(.missingSOH(tag: FIXTag.beginString), bytesToSkip: 1) }
            throw FIXFramingError(.unsupportedBeginString, bytesToSkip: 1)
        }
        guard n > beginCount + 1 else { return .needMoreData }

        // BodyLength: "9=" digits "␁".
        guard bytes[beginCount] == UInt8(ascii: "9"), bytes[beginCount + 1] == FIXByte.equals else {
            throw FIXFramingError(.bodyLengthMissing, bytesToSkip: 1)
        }
        var i = beginCount + 2
        var declared = 0
        while true {
            guard i < n else { return .needMoreData }
            let b = bytes[i]
            if b == FIXByte.soh { break }
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else {
                throw FIXFramingError(.bodyLengthNotNumeric, bytesToSkip: 1)
            }
            declared = declared * 10 + Int(b &- 48)
            // Leading zeros are legal in a FIX int but not without bound.
            if declared > maximumBodyLength || i - beginCount - 2 >= 8 {
                throw FIXFramingError(.bodyLengthTooLarge(maximum: maximumBodyLength), bytesToSkip: 1)
            }
            i += 1
        }
        guard i > beginCount + 2 else { throw FIXFramingError(.bodyLengthNotNumeric, bytesToSkip: 1) }
        let bodyStart = i + 1
        let trailerStart = bodyStart + declared

        // One pass: sum the bytes before the trailer and watch for an early "␁10=".
        var sum = 0
        for j in 0..<bodyStart { sum &+= Int(bytes[j]) }
        let scanEnd = min(n, trailerStart)
        var j = bodyStart
        while j < scanEnd {
            let b = bytes[j]
            sum &+= Int(b)
            if b == UInt8(ascii: "1") && Self.isTrailerStart(bytes, at: j) {
                return try Self.misplacedTrailer(bytes, at: j, bodyStart: bodyStart, declared: declared)
            }
            j += 1
        }
        guard n > trailerStart else { return .needMoreData }

        // The trailer must start exactly at bodyStart + BodyLength.
        let expectedTrailer: StaticString = "10="
        let t = expectedTrailer.utf8Start
        var trailerHere = bytes[trailerStart - 1] == FIXByte.soh
        for k in 0..<3 where trailerStart + k < n && bytes[trailerStart + k] != t[k] { trailerHere = false }
        if !trailerHere {
            // The body is longer than declared: find the real trailer.
            var q = max(bodyStart, trailerStart - 1)
            while q + 2 < n {
                if bytes[q] == UInt8(ascii: "1") && Self.isTrailerStart(bytes, at: q) {
                    return try Self.misplacedTrailer(bytes, at: q, bodyStart: bodyStart, declared: declared)
                }
                q += 1
            }
            if n - bodyStart > maximumBodyLength + 8 {
                throw FIXFramingError(.bodyLengthMismatch(declared: declared, actual: nil), bytesToSkip: 1)
            }
            return .needMoreData
        }
        guard n >= trailerStart + 7 else {
            // Report a malformed CheckSum as soon as its bytes show it.
            for k in min(trailerStart + 3, n)..<n where !Self.isDigit(bytes[k]) {
                throw FIXFramingError(.checkSumMalformed, bytesToSkip: Self.skipPastSOH(bytes, from: k))
            }
            return .needMoreData
        }

        // CheckSum: three digits and SOH.
        var received = 0
        for k in (trailerStart + 3)..<(trailerStart + 6) {
            guard Self.isDigit(bytes[k]) else {
                throw FIXFramingError(.checkSumMalformed, bytesToSkip: Self.skipPastSOH(bytes, from: k))
            }
            received = received * 10 + Int(bytes[k] &- 48)
        }
        guard bytes[trailerStart + 6] == FIXByte.soh else {
            if Self.isDigit(bytes[trailerStart + 6]) {
                throw FIXFramingError(.checkSumMalformed, bytesToSkip: Self.skipPastSOH(bytes, from: trailerStart + 6))
            }
            throw FIXFramingError(.missingSOH(tag: FIXTag.checkSum), bytesToSkip: trailerStart + 6)
        }
        let computed = sum & 0xFF
        guard computed == received else {
            throw FIXFramingError(.checkSumMismatch(computed: computed, received: received), bytesToSkip: trailerStart + 7)
        }
        return .message(FIXMessage(
            bytes: UnsafeRawBufferPointer(rebasing: bytes[0..<(trailerStart + 7)]),
            bodyStart: bodyStart, trailerStart: trailerStart))
    }

    @inlinable static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// True when `bytes[j...]` starts with "10=" and the byte before is SOH.
    @inlinable
    static func isTrailerStart(_ bytes: UnsafeRawBufferPointer, at j: Int) -> Bool {
        j > 0 && j + 2 < bytes.count && bytes[j - 1] == FIXByte.soh && bytes[j] == UInt8(ascii: "1")
            && bytes[j + 1] == UInt8(ascii: "0") && bytes[j + 2] == FIXByte.equals
    }

    /// The trailer is at `q` instead of where BodyLength puts it: the message is
    /// garbled; skip it whole once its CheckSum field has arrived.
    static func misplacedTrailer(
        _ bytes: UnsafeRawBufferPointer, at q: Int, bodyStart: Int, declared: Int
    ) throws(FIXFramingError) -> FIXDecodeResult {
        let problem = FIXFramingError.Problem.bodyLengthMismatch(declared: declared, actual: q - bodyStart)
        var k = q + 3
        while k < bytes.count && k < q + 3 + 4 {
            if bytes[k] == FIXByte.soh { throw FIXFramingError(problem, bytesToSkip: k + 1) }
            k += 1
        }
        if k < q + 3 + 4 { return .needMoreData }
        throw FIXFramingError(problem, bytesToSkip: q + 3)
    }

    /// Past the first SOH at or after `from` within a CheckSum's reach, else `from`.
    static func skipPastSOH(_ bytes: UnsafeRawBufferPointer, from: Int) -> Int {
        var k = from
        while k < bytes.count && k < from + 4 {
            if bytes[k] == FIXByte.soh { return k + 1 }
            k += 1
        }
        return max(from, 1)
    }

    /// Bytes before the next "8=FIX" at or after `from`; when none is buffered, all
    /// but a tail that could be the beginning of one.
    static func garbageLength(_ bytes: UnsafeRawBufferPointer, from: Int) -> Int {
        let start = messageStart.utf8Start
        let count = messageStart.utf8CodeUnitCount
        var i = from
        while i < bytes.count {
            var k = 0
            while k < count && i + k < bytes.count && bytes[i + k] == start[k] { k += 1 }
            if k == count || i + k == bytes.count { return i }
            i += 1
        }
        return bytes.count
    }
}
