/// Bytes at the start of a receive buffer that are not a well-framed FIX 4.4 message.
///
/// Every error says how many bytes to consume so the stream can go on: FIX drops a
/// garbled message (bad BodyLength, bad CheckSum) without answering and without
/// counting its sequence number, and keeps reading. Where the frame's own length
/// cannot be trusted, ``bytesToSkip`` stops short and the next call reports the
/// rest as ``Problem/garbageBeforeBeginString`` up to the next `8=FIX`.
public struct FIXFramingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        /// The bytes do not start with `8=`; the next `8=FIX` is `bytesToSkip` further on
        /// (or none is buffered yet and only a possible beginning of one is kept).
        case garbageBeforeBeginString
        /// Tag 8 is not `FIX.4.4`. The FIX rule is Logout and disconnect
        /// (``FIXFramingError/requiresDisconnect``).
        case unsupportedBeginString
        /// The second field is not tag 9 (BodyLength).
        case bodyLengthMissing
        /// BodyLength is empty or holds something other than digits.
        case bodyLengthNotNumeric
        /// BodyLength exceeds the decoder's configured maximum.
        case bodyLengthTooLarge(maximum: Int)
        /// The field with this tag (8 or 10) is not closed by SOH where it must end.
        case missingSOH(tag: Int)
        /// CheckSum is not exactly three digits.
        case checkSumMalformed
        /// CheckSum holds `received` but the bytes before `10=` sum to `computed` (mod 256).
        case checkSumMismatch(computed: Int, received: Int)
        /// The trailer `␁10=` is not where BodyLength puts it. `actual` is the real body
        /// length when the trailer was found elsewhere, nil when it was not found
        /// within the maximum body length.
        case bodyLengthMismatch(declared: Int, actual: Int?)
    }

    public var problem: Problem
    /// Bytes to consume before calling the decoder again; at least 1.
    public var bytesToSkip: Int

    @inlinable public init(_ problem: Problem, bytesToSkip: Int) {
        self.problem = problem
        self.bytesToSkip = bytesToSkip
    }

    /// True for a BeginString other than FIX.4.4: the counterparty speaks another
    /// version and the session ends. Every other problem is a garbled message the
    /// session skips silently.
    public var requiresDisconnect: Bool { problem == .unsupportedBeginString }

    public var description: String {
        let what: String
        switch problem {
        case .garbageBeforeBeginString: what = "bytes before 8=FIX"
        case .unsupportedBeginString: what = "BeginString (8) is not FIX.4.4"
        case .bodyLengthMissing: what = "BodyLength (9) is not the second field"
        case .bodyLengthNotNumeric: what = "BodyLength (9) is not a number"
        case .bodyLengthTooLarge(let maximum): what = "BodyLength (9) exceeds the maximum \(maximum)"
        case .missingSOH(let tag): what = "field \(tag) is not closed by SOH"
        case .checkSumMalformed: what = "CheckSum (10) is not three digits"
        case .checkSumMismatch(let computed, let received):
            what = "CheckSum (10) is \(received), the bytes sum to \(computed)"
        case .bodyLengthMismatch(let declared, let actual):
            what = "BodyLength (9) is \(declared), the body is " + (actual.map { "\($0) bytes" } ?? "longer")
        }
        return "malformed FIX message: \(what); skipping \(bytesToSkip) bytes"
    }
}
