import FIX
import GatewayCore

/// Encodes ExecutionReport(New) messages, field for field as the gateway's
/// FIXOrderEntry and FIXAcceptor write them, into one buffer allocated in setup.
final class ExecutionReportEncoderRig: @unchecked Sendable {
    static let messagesPerIteration = 100_000

    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1_024, alignment: 64)
    let clientOrderIDs: [ClientOrderID] = (0..<1_000).map { ClientOrderID("O\(100_000 + $0)")! }
    let execID: [UInt8] = Array("E1795000000-000001".utf8)
    let symbols: [[UInt8]] = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "SPY"].map { Array($0.utf8) }
    let ourCompID: [UInt8] = Array("CIFT".utf8)
    let clientCompID: [UInt8] = Array("CLIENT1".utf8)
    var sequenceNumber = 1

    struct Result {
        var digest = 0
        var failure: String?
    }

    func encodeAll(count: Int) -> Result {
        var result = Result()
        let now = Timestamp(rawValue: 1_795_000_000_000_000_000)
        for i in 0..<count {
            sequenceNumber &+= 1
            let k = i % clientOrderIDs.count
            var e = FIXEncoder(buffer: buffer)
            e.begin(msgType: "8")
            e.append(FIXTag.senderCompID, bytes: ourCompID)
            e.append(FIXTag.targetCompID, bytes: clientCompID)
            e.append(FIXTag.msgSeqNum, int: sequenceNumber)
            e.append(FIXTag.sendingTime, timestamp: Timestamp(rawValue: now.rawValue &+ Int64(i) &* 1_000))
            e.append(FIXTag.orderID, int: 1_000_000 + i)
            e.append(FIXTag.clOrdID, clientOrderID: clientOrderIDs[k])
            e.append(FIXTag.execID, bytes: execID)
            e.append(FIXTag.execType, char: UInt8(ascii: "0"))
            e.append(FIXTag.ordStatus, char: UInt8(ascii: "0"))
            e.append(FIXTag.symbol, bytes: symbols[k % symbols.count])
            e.append(FIXTag.side, char: UInt8(ascii: "1"))
            e.append(FIXTag.orderQty, int: 100 * (1 + k % 10))
            e.append(FIXTag.ordType, char: UInt8(ascii: "2"))
            e.append(FIXTag.price, price: Price(raw: 1_000_000 + Int64(k % 500) * 100))
            e.append(FIXTag.timeInForce, char: UInt8(ascii: "0"))
            e.append(FIXTag.leavesQty, int: 100 * (1 + k % 10))
            e.append(FIXTag.cumQty, int: 0)
            e.append(FIXTag.avgPx, price: .zero)
            e.append(FIXTag.transactTime, timestamp: now)
            do {
                let length = try e.finish()
                result.digest &+= length &+ Int(buffer[length - 2])
            } catch {
                result.failure = "encode failed: \(error)"
                return result
            }
        }
        return result
    }

    func deallocate() { buffer.deallocate() }
}
