import GatewayCore
import OUCH
import SoupBinTCP

struct BenchmarkSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum OUCHCorpus {
    static let symbols = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "SPY"].map { OUCHSymbol($0)! }
    static let firm = OUCHFirm("CIFT")!

    /// Every 4th order carries Firm, MinQty and PostOnly (15 bytes of appendage).
    static func appendage(_ i: Int) -> OUCHAppendage {
        i % 4 == 3 ? OUCHAppendage(firm: firm, minimumQuantity: 100, postOnly: OUCHPostOnly.postOnly) : .none
    }
}

/// 1,000 distinct Enter Orders, each framed as a SoupBinTCP Unsequenced Data packet,
/// back to back in one buffer allocated in setup (what a connection's receive buffer
/// holds), and the loop the benchmark times over them.
final class EnterOrderDecodeRig: @unchecked Sendable {
    static let messagesPerIteration = 100_000

    let storage: UnsafeMutableRawBufferPointer
    let byteCount: Int
    let count = 1_000
    let decoder = SoupBinTCPFrameDecoder(direction: .clientToServer, maximumLength: Int(UInt16.max))

    init() throws {
        let capacity = count * (3 + OUCHEnterOrder.fixedLength + 15)
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 64)
        var offset = 0
        for i in 0..<count {
            let order = OUCHEnterOrder(
                userRefNum: UInt32(1 + i), side: i % 2 == 0 ? OUCHSide.buy : OUCHSide.sell,
                quantity: UInt32(100 * (1 + i % 10)), symbol: OUCHCorpus.symbols[i % 8],
                price: 1_000_000 + UInt64(i % 500) * 100,
                timeInForce: i % 7 == 0 ? OUCHTimeInForce.immediateOrCancel : OUCHTimeInForce.day,
                clOrdID: OUCHClOrdID("O\(100_000 + i)")!, appendage: OUCHCorpus.appendage(i))
            offset += SoupBinTCPEncoder.unsequencedData(order, storage.baseAddress! + offset)
        }
        byteCount = offset
        // Check the corpus once, outside any measurement.
        let check = decodeAll(rounds: 1)
        if let failure = check.failure { throw BenchmarkSetupError(failure) }
        guard check.messages == count else { throw BenchmarkSetupError("corpus decoded \(check.messages) of \(count)") }
    }

    struct Result {
        var digest: UInt64 = 0
        var messages = 0
        var failure: String?
    }

    /// Finds and decodes every packet `rounds` times.
    func decodeAll(rounds: Int) -> Result {
        var result = Result()
        let all = UnsafeRawBufferPointer(start: storage.baseAddress, count: byteCount)
        for _ in 0..<rounds {
            var offset = 0
            while offset < byteCount {
                do {
                    switch try decoder.decode(UnsafeRawBufferPointer(rebasing: all[offset...])) {
                    case .needMoreData:
                        result.failure = "truncated packet at offset \(offset)"
                        return result
                    case .frame(let frame):
                        guard frame.type == SoupBinTCPPacketType.unsequencedData else {
                            result.failure = "packet type \(frame.type) at offset \(offset)"
                            return result
                        }
                        let order = try OUCHEnterOrder(decoding: frame.payload)
                        result.digest &+= UInt64(order.userRefNum) &+ UInt64(order.quantity) &+ order.price
                            &+ (order.symbol.rawValue ^ order.clOrdID.low) &+ UInt64(order.side)
                            &+ UInt64(order.timeInForce) &+ UInt64(order.appendage.minimumQuantity ?? 0)
                        result.messages += 1
                        offset += frame.length
                    }
                } catch {
                    result.failure = "decode failed at offset \(offset): \(error)"
                    return result
                }
            }
        }
        return result
    }

    func deallocate() { storage.deallocate() }
}

/// Builds Order Accepted / Order Executed messages from engine-side values, as
/// OUCHServer.handle(_:) does, and encodes each with its Sequenced Data header into
/// one 256-byte buffer allocated in setup.
final class OutboundEncodeRig: @unchecked Sendable {
    static let messagesPerIteration = 100_000

    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 64)
    let clientOrderIDs: [ClientOrderID] = (0..<1_000).map { ClientOrderID("O\(100_000 + $0)")! }
    let appendages: [OUCHAppendage] = (0..<1_000).map { OUCHCorpus.appendage($0) }
    let base = Timestamp(rawValue: 1_795_000_000_000_000_000)

    func encodeAccepted(count: Int) -> Int {
        var digest = 0
        let p = buffer.baseAddress!
        clientOrderIDs.withUnsafeBufferPointer { ids in
            appendages.withUnsafeBufferPointer { appendages in
                for i in 0..<count {
                    let k = i % ids.count
                    let now = Timestamp(rawValue: base.rawValue &+ Int64(i) &* 1_000)
                    let message = OUCHOrderAccepted(
                        timestamp: UInt64(now.nanosecondsSinceMidnight), userRefNum: UInt32(truncatingIfNeeded: 1 + i),
                        side: k % 2 == 0 ? OUCHSide.buy : OUCHSide.sell, quantity: UInt32(100 * (1 + k % 10)),
                        symbol: OUCHCorpus.symbols[k % 8], price: 1_000_000 + UInt64(k % 500) * 100,
                        timeInForce: OUCHTimeInForce.day, display: OUCHDisplay.visible,
                        orderReferenceNumber: 1_000_000 + UInt64(i), capacity: OUCHCapacity.agency,
                        intermarketSweep: UInt8(ascii: "N"), crossType: OUCHCrossType.continuous,
                        orderState: OUCHOrderState.live, clOrdID: OUCHClOrdID(ids[k]), appendage: appendages[k])
                    let length = SoupBinTCPEncoder.sequencedData(message, p)
                    digest &+= length &+ Int(buffer[length - 1]) &+ Int(buffer[20])
                }
            }
        }
        return digest
    }

    func encodeExecuted(count: Int) -> Int {
        var digest = 0
        let p = buffer.baseAddress!
        for i in 0..<count {
            let k = i % 1_000
            let now = Timestamp(rawValue: base.rawValue &+ Int64(i) &* 1_000)
            let message = OUCHOrderExecuted(
                timestamp: UInt64(now.nanosecondsSinceMidnight), userRefNum: UInt32(truncatingIfNeeded: 1 + i),
                quantity: UInt32(100 * (1 + k % 10)), price: UInt64(clamping: 1_000_000 + Int64(k % 500) * 100),
                liquidityFlag: k % 2 == 0 ? OUCHLiquidityFlag.added : OUCHLiquidityFlag.removed,
                matchNumber: 5_000_000 + UInt64(i))
            let length = SoupBinTCPEncoder.sequencedData(message, p)
            digest &+= length &+ Int(buffer[length - 1]) &+ Int(buffer[30])
        }
        return digest
    }

    func deallocate() { buffer.deallocate() }
}
