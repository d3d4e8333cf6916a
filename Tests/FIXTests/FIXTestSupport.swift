import FIX
import Foundation
import XCTest

/// `"8=FIX.4.4|9=5|…"` with `|` standing for SOH, as bytes.
func fixBytes(_ text: String) -> [UInt8] {
    text.utf8.map { $0 == UInt8(ascii: "|") ? 0x01 : $0 }
}

/// A whole message around `body` (`|` for SOH), with BodyLength and CheckSum worked
/// out here, independently of the encoder: for malformed-input and validator cases.
func framed(_ body: String, beginString: String = "FIX.4.4") -> [UInt8] {
    let b = fixBytes(body)
    let head = fixBytes("8=\(beginString)|9=\(b.count)|") + b
    let sum = head.reduce(0) { ($0 + Int($1)) & 0xFF }
    return head + fixBytes(String(format: "10=%03d|", sum))
}

/// What a stream of bytes decodes to, message by message.
enum StreamItem: Equatable {
    case message([UInt8])
    case error(FIXFramingError.Problem)
}

/// Feeds `chunks` to the decoder as a receive loop would: append, decode until it
/// needs more, consume what it says.
func decodeStream(_ chunks: [[UInt8]], decoder: FIXFrameDecoder = FIXFrameDecoder()) -> (items: [StreamItem], leftover: Int) {
    var buffer: [UInt8] = []
    var items: [StreamItem] = []
    for chunk in chunks {
        buffer += chunk
        while true {
            let consumed: Int? = buffer.withUnsafeBytes { raw -> Int? in
                do throws(FIXFramingError) {
                    switch try decoder.decode(raw) {
                    case .needMoreData: return nil
                    case .message(let m):
                        items.append(.message(Array(m.bytes)))
                        return m.length
                    }
                } catch {
                    XCTAssertGreaterThan(error.bytesToSkip, 0)
                    items.append(.error(error.problem))
                    return error.bytesToSkip
                }
            }
            guard let consumed else { break }
            buffer.removeFirst(consumed)
        }
    }
    return (items, buffer.count)
}

/// Decodes `bytes` as one message and hands it to `body`.
func withMessage<R>(_ bytes: [UInt8], _ body: (FIXMessage) throws -> R) throws -> R {
    try bytes.withUnsafeBytes { raw in
        guard case .message(let m) = try FIXFrameDecoder().decode(raw) else {
            throw NotAWholeMessage()
        }
        return try body(m)
    }
}

let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The complete FIX 4.4 dictionary the gateway validates against (QuickFIX's, fetched by
/// scripts/install-deps.sh: run it if this file is missing).
let dictionaryURL = repositoryRoot.appendingPathComponent("fix-dictionaries/FIX44.xml")

/// The venue's order-entry profile (committed): what it answers and acts on.
let profileURL = repositoryRoot.appendingPathComponent("fix-dictionaries/CIFT-FIX44.xml")

/// The complete dictionary, loaded once for every test.
let fullDictionary: FIXDictionary = {
    do { return try FIXDictionaryLoader.load(contentsOf: dictionaryURL) } catch {
        fatalError("\(dictionaryURL.path): \(error) (scripts/install-deps.sh fetches it)")
    }
}()

struct NotAWholeMessage: Error {}
