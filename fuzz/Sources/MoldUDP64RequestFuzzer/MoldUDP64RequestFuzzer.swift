import CFuzzerDriver
import FuzzSupport
import GatewayCore
import MarketData

// The MoldUDP64 retransmission server's rules (`RetransmissionResponder`), as the
// market-data thread applies them to each datagram on its request port: decode, session,
// range, per-address token bucket, answer packets out of the message store. The store
// holds 500 messages of 19 to 50 bytes (ITCH's sizes) of session CIFT240102, all sent.
// A fresh responder (rate buckets) for every input.
//
// Input: byte 0 picks the configuration (most messages per request, packet size from
// the configurable minimum 84 up to 1400, addresses tracked); then records
// `address · clock step · length · datagram` (the clock moves step × 10 ms).
//
// Checks beyond "no trap": every answer is a MoldUDP64 packet of the session that fits
// the packet size, its messages are the store's, numbered from the one requested
// onwards, never past what was sent, never more than a request may have.

@_cdecl("MoldUDP64RequestFuzzer_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    cift_fuzzer_run(argc, argv)
}

let session = MoldUDP64Session("CIFT240102")!
let scratch = FuzzScratchDirectory("moldudp64")
nonisolated(unsafe) let store: MarketDataMessageStore = {
    let store = try! MarketDataMessageStore(directory: scratch.path, session: session, initialCapacity: 1 << 16)
    for sequence in 1...500 {
        let length = 19 + sequence * 7 % 32
        let message = (0..<length).map { UInt8(truncatingIfNeeded: sequence &* 31 &+ $0) }
        message.withUnsafeBytes { _ = store.append($0, engineSequence: UInt64(sequence)) }
    }
    return store
}()
let sentThrough = UInt64(store.count)
let messageLimits = [1000, 1, 7, 64]
let packetSizes = [1400, 84, 200, 512]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let choice = Int(input.byte())
    let configuration = RetransmissionConfiguration(
        maximumMessagesPerRequest: messageLimits[choice & 3], requestsPerSecond: 50, burst: 3,
        trackedAddresses: 1 + (choice >> 4))
    let packetSize = packetSizes[(choice >> 2) & 3]
    let responder = RetransmissionResponder(configuration: configuration, session: session, maximumPacketSize: packetSize)
    var now = Timestamp(rawValue: 1_704_205_800_000_000_000)
    while !input.isAtEnd {
        let address = UInt64(input.byte())
        now = Timestamp(rawValue: now.rawValue + Int64(input.byte()) * 10_000_000)
        let datagram = input.take(Int(input.byte()))
        let request = try? MoldUDP64Request(decoding: datagram)
        var next = request?.sequenceNumber ?? 0
        var answered = 0
        responder.handle(datagram, from: address, store: store, sentThrough: sentThrough, now: now) { packet in
            precondition(packet.count <= packetSize, "a \(packet.count)-byte answer for packets of \(packetSize)")
            guard let request, let decoded = try? MoldUDP64Packet(decoding: packet) else {
                preconditionFailure("an answer that does not decode, or to a request that does not")
            }
            precondition(decoded.header.session == session, "an answer for another session")
            precondition(decoded.header.sequenceNumber == next, "answer starts at \(decoded.header.sequenceNumber), not \(next)")
            precondition(decoded.messageCount > 0, "an empty answer packet")
            for (sequence, message) in decoded {
                precondition(sequence == next && sequence <= sentThrough, "message \(sequence) in place of \(next)")
                precondition(message.elementsEqual(store.message(sequence)!), "message \(sequence) is not the store's")
                next += 1
                answered += 1
            }
            precondition(answered <= Int(request.requestedMessageCount) && answered <= configuration.maximumMessagesPerRequest,
                         "\(answered) messages for a request of \(request.requestedMessageCount)")
        }
    }
    return 0
}
