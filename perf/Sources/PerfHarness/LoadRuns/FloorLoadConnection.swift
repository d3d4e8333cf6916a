import FIX
import GatewayCore
import OUCH
import SoupBinTCP

/// The floor's side of a load run: the same bytes a protocol client would write for
/// each new order (a FIX NewOrderSingle with header and sequence number, or an OUCH
/// Enter Order in a SoupBinTCP packet) sent to the echo server, whose echo is the
/// "acknowledgement". No logon, no session: the bytes' trip through the kernel and the
/// client's own work. Every request is sent as a new order (`--compare` runs only new orders).
public final class FloorLoadConnection: LoadConnection {
    public enum Bytes: Sendable { case fix, ouch }
    let bytes: Bytes
    let socket: any ByteTransport
    let fixOutput: FIXSendBuffer
    let fixInput: FIXReceiveBuffer
    let prefix: [UInt8] = Array("F".utf8)
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 64)
    var pending = 0
    var start = 0
    var end = 0
    static let ouchSymbols = PriceWalk.symbols.map { OUCHSymbol($0)! }

    public init(address: HostPort, bytes: Bytes, transport: ClientTransport = .plain) throws {
        self.bytes = bytes
        socket = try transport.connect(to: address)
        try socket.setReceiveTimeout(milliseconds: 1_000)
        fixOutput = FIXSendBuffer(socket: socket, senderCompID: "CLIENT1", targetCompID: "CIFT")
        fixInput = FIXReceiveBuffer(socket: socket)
    }

    deinit { buffer.deallocate() }

    public var fd: Int32 { socket.fd }

    public func send(_ request: LoadRequest, token: Int, order: LoadRequest?) throws {
        switch bytes {
        case .fix:
            try fixOutput.append(msgType: "D") { e, now in
                e.append(FIXTag.clOrdID, clientOrderID: ClientOrderID(bytes: prefix + Array(String(token).utf8)) ?? ClientOrderID())
                e.append(FIXTag.symbol, bytes: FIXLoadConnection.symbols[request.symbol])
                e.append(FIXTag.side, char: request.isBuy ? UInt8(ascii: "1") : UInt8(ascii: "2"))
                e.append(FIXTag.transactTime, timestamp: now)
                e.append(FIXTag.orderQty, int: Int(request.quantity))
                e.append(FIXTag.ordType, char: UInt8(ascii: "2"))
                e.append(FIXTag.price, price: Price(raw: request.price))
                e.append(FIXTag.timeInForce, char: request.kind == .market ? UInt8(ascii: "3") : UInt8(ascii: "0"))
            }
        case .ouch:
            let order = OUCHEnterOrder(
                userRefNum: UInt32(token + 1), side: request.side, quantity: request.quantity,
                symbol: Self.ouchSymbols[request.symbol], price: UInt64(request.price),
                timeInForce: request.kind == .market ? OUCHTimeInForce.immediateOrCancel : OUCHTimeInForce.day)
            let n = SoupBinTCPEncoder.unsequencedData(order, buffer.baseAddress! + 32_768)
            try socket.sendAll(UnsafeRawBufferPointer(start: buffer.baseAddress! + 32_768, count: n))
        }
    }

    public func flush() throws { if bytes == .fix { try fixOutput.flush() } }

    public func readAvailable(_ handle: (LoadEvent, Int64) -> Void) throws {
        switch bytes {
        case .fix:
            _ = try fixInput.read { message, receivedAt in
                var t = -1
                if let id = message.firstValue(of: FIXTag.clOrdID), id.count > 1 {
                    t = Int(String(decoding: id.bytes.dropFirst(), as: UTF8.self)) ?? -1
                }
                handle(.accepted(token: t, orderReference: 0), receivedAt)
            }
        case .ouch:
            // Echoed SoupBinTCP packets: 2-byte length, 'U', then the Enter Order ('O', UserRefNum).
            guard let n = try socket.receive(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end..<32_768])) else { return }
            let now = nowNanoseconds()
            if n == 0 { throw HarnessError("the echo server closed the connection") }
            end += n
            while end - start >= 2 {
                let p = buffer.baseAddress! + start
                let length = Int(p.load(fromByteOffset: 0, as: UInt8.self)) << 8 | Int(p.load(fromByteOffset: 1, as: UInt8.self))
                guard end - start >= 2 + length else { break }
                var ref: UInt32 = 0
                for i in 0..<4 { ref = ref << 8 | UInt32(p.load(fromByteOffset: 4 + i, as: UInt8.self)) }
                handle(.accepted(token: Int(ref) - 1, orderReference: 0), now)
                start += 2 + length
            }
            if start == end {
                start = 0
                end = 0
            } else if end > 16_384 {
                (buffer.baseAddress!).copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
                end -= start
                start = 0
            }
        }
    }

    public func keepAlive() throws {}

    public func close() { socket.close() }
}
