import CFuzzerDriver
import FIX
import Foundation
import FuzzSupport
import GatewayCore

// FIX 4.4 codec without the session: the frame decoder on a byte stream as a receive
// loop feeds it (what a socket gives, in arbitrary cuts), then, for every framed
// message, the dictionary validator and every typed reading of every field value.
//
// Input: byte 0 picks the largest BodyLength (the gateway's 8192, or small ones that
// reach the too-large paths) and the receive cut size; the rest is the stream.
//
// Checks beyond "no trap": the decoder always makes progress and never claims more
// bytes than it was given; a UTCTimestamp that parses formats and parses back to the
// same time, to the millisecond.

@_cdecl("FIXFrameFuzzer_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    cift_fuzzer_run(argc, argv)
}

let validator = FIXValidator(dictionary: try! FIXDictionaryLoader.load(
    contentsOf: URL(fileURLWithPath: FuzzPaths.fixDictionary)))
let bodyLimits = [8192, 64, 1, 99_999_999]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let choice = Int(input.byte())
    let decoder = FIXFrameDecoder(maximumBodyLength: bodyLimits[choice & 3])
    let cut = 1 + (choice >> 2) * 7  // 1...442 bytes per receive
    let stream = input.rest()
    var buffer: [UInt8] = []
    var offset = 0
    while offset < stream.count {
        let n = min(cut, stream.count - offset)
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: stream[offset..<(offset + n)]))
        offset += n
        decodeAll(&buffer, decoder)
    }
    return 0
}

/// Decodes and consumes messages from the front of `buffer` until it needs more.
func decodeAll(_ buffer: inout [UInt8], _ decoder: FIXFrameDecoder) {
    while !buffer.isEmpty {
        let consumed: Int? = buffer.withUnsafeBytes { raw -> Int? in
            do throws(FIXFramingError) {
                switch try decoder.decode(raw) {
                case .needMoreData:
                    return nil
                case .message(let message):
                    precondition(message.length > 0 && message.length <= raw.count, "message length out of the buffer")
                    read(message)
                    return message.length
                }
            } catch {
                precondition(error.bytesToSkip > 0 && error.bytesToSkip <= raw.count,
                             "\(error): skips \(error.bytesToSkip) of \(raw.count) bytes")
                return error.bytesToSkip
            }
        }
        guard let consumed else { return }
        buffer.removeFirst(consumed)
    }
}

/// Everything the session and order-entry layers read from a message.
func read(_ message: FIXMessage) {
    _ = validator.validate(message)
    _ = message.msgType
    _ = try? message.firstDuplicateTag()
    var fields = message.fields
    while let field = try? fields.next() {
        let value = field.value
        _ = value.int
        _ = value.price
        _ = value.isDecimal
        _ = value.char
        _ = value.bool
        _ = value.string
        if let time = value.utcTimestamp { checkRoundTrip(time) }
    }
}

/// format(t) is `YYYYMMDD-HH:MM:SS.sss`: it parses back to t less its sub-millisecond part.
func checkRoundTrip(_ time: Timestamp) {
    var text = [UInt8](repeating: 0, count: FIXUTCTimestamp.millisecondsLength)
    text.withUnsafeMutableBytes { FIXUTCTimestamp.format(time, into: $0.baseAddress!) }
    let again = text.withUnsafeBytes { FIXUTCTimestamp.parse($0) }
    let millisecond: Int64 = 1_000_000
    let expected = time.rawValue - ((time.rawValue % millisecond) + millisecond) % millisecond
    precondition(again?.rawValue == expected, "UTCTimestamp \(time.rawValue) formats to \(String(decoding: text, as: UTF8.self))")
}
