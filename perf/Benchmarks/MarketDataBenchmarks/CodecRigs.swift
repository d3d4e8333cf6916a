import GatewayCore
import MarketData

/// Encodes Add Orders (`A`, 36 bytes) one after another into one 64-byte buffer
/// allocated in setup, from 1,000 distinct messages built in setup.
final class AddOrderEncodeRig: @unchecked Sendable {
    static let messagesPerIteration = 100_000

    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 64)
    static let names = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "SPY"]
    let orders: [ITCHAddOrder] = (0..<1_000).map { (i: Int) -> ITCHAddOrder in AddOrderEncodeRig.order(i) }

    static func order(_ i: Int) -> ITCHAddOrder {
        let locate = SymbolIndex(rawValue: UInt16(1 + i % 8))
        let timestamp: UInt64 = 34_200_000_000_000 + UInt64(i) * 1_000
        let header = ITCHHeader(stockLocate: locate, timestamp: timestamp)
        let side: Side = i % 2 == 0 ? .buy : .sell
        let shares = UInt32(100 * (1 + i % 10))
        let price = Price(raw: 1_000_000 + Int64(i % 500) * 100)
        return ITCHAddOrder(header: header, orderReference: 1_000_000 + UInt64(i), side: side, shares: shares,
                            stock: ITCHStock(names[i % 8])!, price: price)
    }

    func encodeAll() -> Int {
        var digest = 0
        orders.withUnsafeBufferPointer { orders in
            let p = buffer.baseAddress!
            for i in 0..<Self.messagesPerIteration {
                var order = orders[i % orders.count]
                order.orderReference &+= UInt64(i)
                let length = order.encode(p)
                digest &+= length &+ Int(buffer[19]) &+ Int(buffer[14])
            }
        }
        return digest
    }

    func deallocate() { buffer.deallocate() }
}

/// Decodes recorded MoldUDP64 packets: the publisher's own output for one replay of
/// ``EngineEventBurst`` (Add Order, Order Executed, Order Cancel, Order Delete), held
/// back to back in one buffer. Per packet: `MoldUDP64Packet(decoding:)` (header, every
/// message block's length checked), then every message decoded with
/// `ITCHMessage(decoding:)`, with its type and sequence number folded into a digest.
final class PacketDecodeRig: @unchecked Sendable {
    let storage: UnsafeMutableRawBufferPointer
    let packets: [(offset: Int, count: Int)]
    let messageCount: Int

    struct Recorder: ITCHPublisherIO {
        var bytes: [UInt8] = []
        var packets: [(offset: Int, count: Int)] = []
        mutating func publish(_ packet: UnsafeRawBufferPointer) {
            packets.append((bytes.count, packet.count))
            bytes.append(contentsOf: packet)
        }
    }

    init(burst: EngineEventBurst) throws {
        let rig = try PublisherRig(burst: burst)
        var recorder = Recorder()
        let publisher = rig.publisher!
        let now = Timestamp(rawValue: 1_795_000_000_000_000_000)
        for event in burst.events {
            publisher.handle(event, now: now)
            publisher.flushFullPackets(now: now, io: &recorder)
        }
        publisher.flush(now: now, io: &recorder, settleReplace: true)
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: recorder.bytes.count, alignment: 64)
        recorder.bytes.withUnsafeBytes { memory.copyMemory(from: $0) }
        var messages = 0
        for packet in recorder.packets {
            let bytes = UnsafeRawBufferPointer(rebasing: memory[packet.offset..<packet.offset + packet.count])
            messages += try MoldUDP64Packet(decoding: bytes).messageCount
        }
        storage = memory
        packets = recorder.packets
        messageCount = messages
    }

    struct Result {
        var digest: UInt64 = 0
        var failure: String?
    }

    func decodeAll() -> Result {
        var result = Result()
        packets.withUnsafeBufferPointer { packets in
            for packet in packets {
                let bytes = UnsafeRawBufferPointer(rebasing: storage[packet.offset..<packet.offset + packet.count])
                do {
                    let decoded = try MoldUDP64Packet(decoding: bytes)
                    var iterator = decoded.makeIterator()
                    while let (sequence, message) = iterator.next() {
                        let m = try ITCHMessage(decoding: message)
                        switch m {
                        case .addOrder(let a): result.digest &+= a.orderReference &+ UInt64(a.shares)
                        case .orderExecuted(let e): result.digest &+= e.orderReference ^ e.matchNumber
                        default: result.digest &+= sequence
                        }
                    }
                } catch {
                    result.failure = "decode failed: \(error)"
                    return
                }
            }
        }
        return result
    }

    func deallocate() { storage.deallocate() }
}
