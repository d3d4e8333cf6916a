import FIX
import Foundation
import GatewayCore

/// 1,000 distinct NewOrderSingle messages (ClOrdID, symbol, side, price and quantity
/// vary), encoded once in setup into one contiguous buffer, and the parse loop the
/// benchmark times over them.
final class NewOrderSingleCorpus: @unchecked Sendable {
    static let messagesPerIteration = 100_000
    static let symbols = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "SPY"]

    let bytes: [UInt8]
    let count: Int
    let decoder = FIXFrameDecoder()
    let validator: FIXValidator

    init() throws {
        let dictionaryURL = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fix-dictionaries/FIX44.xml")
        validator = FIXValidator(dictionary: try FIXDictionaryLoader.load(contentsOf: dictionaryURL))
        count = 1_000
        var all: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 512)
        let sendingTime = Timestamp(rawValue: 1_795_000_000_000_000_000)
        for i in 0..<count {
            let length = scratch.withUnsafeMutableBytes { buffer -> Int in
                var e = FIXEncoder(buffer: buffer)
                e.begin(msgType: "D")
                e.append(FIXTag.senderCompID, ascii: "CLIENT1")
                e.append(FIXTag.targetCompID, ascii: "CIFT")
                e.append(FIXTag.msgSeqNum, int: 1_000 + i)
                e.append(FIXTag.sendingTime, timestamp: sendingTime)
                e.append(FIXTag.clOrdID, bytes: Array("O\(100_000 + i)".utf8))
                e.append(FIXTag.symbol, bytes: Array(Self.symbols[i % Self.symbols.count].utf8))
                e.append(FIXTag.side, char: i % 2 == 0 ? UInt8(ascii: "1") : UInt8(ascii: "2"))
                e.append(FIXTag.transactTime, timestamp: sendingTime)
                e.append(FIXTag.orderQty, int: 100 * (1 + i % 10))
                e.append(FIXTag.ordType, char: UInt8(ascii: "2"))
                e.append(FIXTag.price, price: Price(raw: 1_000_000 + Int64(i % 500) * 100))
                e.append(FIXTag.timeInForce, char: UInt8(ascii: "0"))
                return try! e.finish()
            }
            all.append(contentsOf: scratch[0..<length])
        }
        bytes = all
        // Check the corpus once, outside any measurement.
        let check = parseAll(rounds: 1)
        if let failure = check.failure { throw BenchmarkSetupError(failure) }
        guard check.messages == count else { throw BenchmarkSetupError("corpus parsed \(check.messages) of \(count)") }
    }

    struct Result {
        var digest = 0
        var messages = 0
        var failure: String?
    }

    /// Parses every message `rounds` times: frame, validate, read the fields.
    func parseAll(rounds: Int) -> Result {
        var result = Result()
        bytes.withUnsafeBytes { all in
            for _ in 0..<rounds {
                var offset = 0
                while offset < all.count {
                    let rest = UnsafeRawBufferPointer(rebasing: all[offset...])
                    guard case .message(let message)? = try? decoder.decode(rest) else {
                        result.failure = "frame decode failed at offset \(offset)"
                        return
                    }
                    if validator.validate(message) != nil {
                        result.failure = "validation failed at offset \(offset)"
                        return
                    }
                    let fields = NewOrderSingleFields(message)
                    guard let order = fields.order else {
                        result.failure = "fields missing at offset \(offset)"
                        return
                    }
                    result.digest &+= order.digest
                    result.messages += 1
                    offset += message.length
                }
            }
        }
        return result
    }
}

struct BenchmarkSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
