import OUCH
import XCTest

/// A seeded generator, so that "random" chunkings are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Splits `bytes` into pieces of 1 to `maxPiece` bytes.
func chunks(_ bytes: [UInt8], maxPiece: Int, using rng: inout SplitMix64) -> [[UInt8]] {
    var pieces: [[UInt8]] = []
    var i = 0
    while i < bytes.count {
        let n = min(Int.random(in: 1...maxPiece, using: &rng), bytes.count - i)
        pieces.append(Array(bytes[i..<(i + n)]))
        i += n
    }
    return pieces
}

final class SoupBinTCPCodecTests: XCTestCase {
    // MARK: Golden vectors, encoding

    func testEncodesEveryPacketAsTheSpecExample() {
        XCTAssertEqual(hex(SoupBinTCPEncoder.bytes { Golden.loginRequest.encode($0) }), hex(unhex(Golden.loginRequestHex)))
        XCTAssertEqual(
            hex(SoupBinTCPEncoder.bytes { Golden.loginRequestBlank.encode($0) }), hex(unhex(Golden.loginRequestBlankHex)))
        XCTAssertEqual(
            hex(SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.loginAccepted(session: "20251120", sequenceNumber: 13, $0) }),
            hex(unhex(Golden.loginAcceptedHex)))
        XCTAssertEqual(
            hex(SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.loginRejected(SoupBinTCPLoginRejectReason.notAuthorized, $0) }),
            hex(unhex(Golden.loginRejectedHex)))
        XCTAssertEqual(
            hex(SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.sequencedData(Golden.orderCanceled, $0) }),
            hex(unhex(Golden.sequencedCanceledHex)))
        let canceled = unhex(Golden.orderCanceledHex)
        XCTAssertEqual(
            hex(canceled.withUnsafeBytes { p in SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.sequencedData(p, $0) } }),
            hex(unhex(Golden.sequencedCanceledHex)))
        XCTAssertEqual(
            hex(SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.unsequencedData(Golden.cancelOrder, $0) }),
            hex(unhex(Golden.unsequencedCancelHex)))
        XCTAssertEqual(hex(SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.serverHeartbeat($0) }), Golden.serverHeartbeatHex.replacingOccurrences(of: " ", with: ""))
        XCTAssertEqual(hex(SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.endOfSession($0) }), "00015a")
        XCTAssertEqual(hex(SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.clientHeartbeat($0) }), "000152")
        XCTAssertEqual(hex(SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.logoutRequest($0) }), "00014f")
        XCTAssertEqual(hex(SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.debug("hi", $0) }), hex(unhex(Golden.debugHex)))
    }

    // MARK: Golden vectors, decoding

    func testDecodesEveryClientPacketOfTheSpec() throws {
        let stream = unhex(Golden.loginRequestHex) + unhex(Golden.unsequencedCancelHex) + unhex(Golden.clientHeartbeatHex)
            + unhex(Golden.debugHex) + unhex(Golden.logoutRequestHex) + unhex(Golden.loginRequestBlankHex)
        var reader = SoupBinTCPStreamReader(direction: .clientToServer, maximumLength: 100)
        reader.append(contentsOf: stream)
        var seen: [String] = []
        while let description = try reader.next({ frame -> String in
            switch try SoupBinTCPClientPacket(frame) {
            case .loginRequest(let r): return "L \(r.username) \(r.password) '\(r.requestedSession)' \(r.requestedSequenceNumber) \(r.heartbeatTimeoutMilliseconds.map(String.init) ?? "-")"
            case .unsequencedData(let p): return "U " + hex(Array(p))
            case .clientHeartbeat: return "R"
            case .logoutRequest: return "O"
            case .debug(let p): return "+ " + String(decoding: p, as: UTF8.self)
            }
        }) {
            seen.append(description)
        }
        XCTAssertEqual(seen, [
            "L OUCH01 demo '20251120' 12 5000", "U 580000000800000000", "R", "+ hi", "O", "L OUCH01 demo '' 0 0",
        ])
        XCTAssertEqual(reader.bufferedByteCount, 0)
        let login = try unhex(Golden.loginRequestHex).dropFirst(3).withUnsafeBytes { try SoupBinTCPLoginRequest(payload: $0) }
        XCTAssertEqual(login, Golden.loginRequest)
    }

    func testDecodesEveryServerPacketOfTheSpec() {
        let stream = unhex(Golden.loginAcceptedHex) + unhex(Golden.sequencedCanceledHex) + unhex(Golden.serverHeartbeatHex)
            + unhex(Golden.loginRejectedHex) + unhex(Golden.debugHex) + unhex(Golden.endOfSessionHex)
            + Client.packet(type: UInt8(ascii: "U"), payload: [1, 2])
        XCTAssertEqual(ServerPacket.parse(stream), [
            .loginAccepted(session: "20251120", sequence: 13), .sequenced(.orderCanceled(Golden.orderCanceled)), .heartbeat,
            .loginRejected(UInt8(ascii: "A")), .debug("hi"), .endOfSession, .unsequenced([1, 2]),
        ])
    }

    /// A SoupBinTCP 3.0 Login Request (no Heartbeat Timeout) is read, with no timeout.
    func testReadsALoginRequestWithoutHeartbeatTimeout() throws {
        let legacy = SoupBinTCPLoginRequest(
            username: "OUCH01", password: "demo", requestedSession: "", requestedSequenceNumber: 3,
            heartbeatTimeoutMilliseconds: nil)
        let bytes = SoupBinTCPEncoder.bytes { legacy.encode($0) }
        XCTAssertEqual(bytes.count, 3 + 46)
        XCTAssertEqual(Array(bytes[0..<3]), [0, 47, UInt8(ascii: "L")])
        let decoded = try bytes.dropFirst(3).withUnsafeBytes { try SoupBinTCPLoginRequest(payload: $0) }
        XCTAssertEqual(decoded, legacy)
    }

    func testLoginRequestsRoundTrip() throws {
        for (user, password, session, sequence, timeout) in [
            ("A", "p", "", UInt64(0), UInt32?(0)), ("ABCDEF", "0123456789", "SESSION012", UInt64(99_999_999_999), 99_999),
            ("x", "pw", "S1", 1, 1), ("u", "p", "", 18_446_744_073_709_551_615, nil),
        ] as [(String, String, String, UInt64, UInt32?)] {
            let request = SoupBinTCPLoginRequest(
                username: user, password: password, requestedSession: session, requestedSequenceNumber: sequence,
                heartbeatTimeoutMilliseconds: timeout)
            let bytes = SoupBinTCPEncoder.bytes { request.encode($0) }
            XCTAssertEqual(try bytes.dropFirst(3).withUnsafeBytes { try SoupBinTCPLoginRequest(payload: $0) }, request)
        }
        let accepted = SoupBinTCPLoginAccepted(session: "ABC", sequenceNumber: 1)
        let bytes = SoupBinTCPEncoder.bytes { accepted.encode($0) }
        XCTAssertEqual(try bytes.dropFirst(3).withUnsafeBytes { try SoupBinTCPLoginAccepted(payload: $0) }, accepted)
    }

    // MARK: Malformed

    func decode(_ bytes: [UInt8], _ direction: SoupBinTCPDirection, max: Int = 100) -> Result<String, SoupBinTCPFramingError> {
        let decoder = SoupBinTCPFrameDecoder(direction: direction, maximumLength: max)
        return bytes.withUnsafeBytes { b in
            do throws(SoupBinTCPFramingError) {
                switch try decoder.decode(b) {
                case .needMoreData: return .success("more")
                case .frame(let f): return .success("frame \(UnicodeScalar(f.type)) \(f.payload.count) \(f.length)")
                }
            } catch {
                return .failure(error)
            }
        }
    }

    func testReportsMalformedFramesAsSoonAsTheirBytesArrive() {
        XCTAssertEqual(decode([], .clientToServer), .success("more"))
        XCTAssertEqual(decode([0], .clientToServer), .success("more"))
        XCTAssertEqual(decode([0, 0], .clientToServer), .failure(.zeroLength))
        XCTAssertEqual(decode([0, 101], .clientToServer), .failure(.tooLong(length: 101, maximum: 100)))
        XCTAssertEqual(decode([0x47, 0x45], .clientToServer), .failure(.tooLong(length: 0x4745, maximum: 100)))
        XCTAssertEqual(decode([0, 5], .clientToServer), .success("more"))
        XCTAssertEqual(decode([0, 5, UInt8(ascii: "S")], .clientToServer), .failure(.unknownPacketType(UInt8(ascii: "S"), .clientToServer)))
        XCTAssertEqual(decode([0, 5, UInt8(ascii: "L")], .serverToClient), .failure(.unknownPacketType(UInt8(ascii: "L"), .serverToClient)))
        XCTAssertEqual(decode([0, 5, 0], .clientToServer), .failure(.unknownPacketType(0, .clientToServer)))
        XCTAssertEqual(decode([0, 3, UInt8(ascii: "U"), 1], .clientToServer), .success("more"))
        XCTAssertEqual(decode([0, 3, UInt8(ascii: "U"), 1, 2, 9], .clientToServer), .success("frame U 2 5"))
        XCTAssertEqual(decode([0, 100] + [UInt8(ascii: "U")] + [UInt8](repeating: 0, count: 99), .clientToServer), .success("frame U 99 102"))
        XCTAssertEqual(
            SoupBinTCPFramingError.tooLong(length: 18245, maximum: 513).description,
            "malformed SoupBinTCP packet: Length 18245 exceeds the maximum 513")
        XCTAssertEqual(
            SoupBinTCPFramingError.unknownPacketType(UInt8(ascii: "S"), .clientToServer).description,
            "unknown SoupBinTCP packet type 0x53 ('S') from the client")
    }

    func testRefusesPayloadsThatDoNotFitTheirPacket() {
        func clientPacket(_ bytes: [UInt8]) -> SoupBinTCPPacketError? {
            let decoder = SoupBinTCPFrameDecoder(direction: .clientToServer, maximumLength: 100)
            return bytes.withUnsafeBytes { b -> SoupBinTCPPacketError? in
                guard case .frame(let f)? = try? decoder.decode(b) else { return nil }
                do throws(SoupBinTCPPacketError) {
                    _ = try SoupBinTCPClientPacket(f)
                    return nil
                } catch {
                    return error
                }
            }
        }
        XCTAssertEqual(
            clientPacket(Client.packet(type: UInt8(ascii: "R"), payload: [1])),
            .wrongPayloadLength(packet: "Client Heartbeat ('R')", expected: 0, actual: 1))
        XCTAssertEqual(
            clientPacket(Client.packet(type: UInt8(ascii: "L"), payload: [UInt8](repeating: 0x20, count: 50))),
            .wrongPayloadLength(packet: "Login Request ('L')", expected: 51, actual: 50))
        var login = unhex(Golden.loginRequestHex)
        login[3 + 26 + 19] = UInt8(ascii: "x")
        XCTAssertEqual(
            clientPacket(login),
            .badField(packet: "Login Request ('L')", field: "Requested Sequence Number", value: "1x"))
        login = unhex(Golden.loginRequestHex)
        login[3 + 46] = UInt8(ascii: "-")
        XCTAssertEqual(
            clientPacket(login), .badField(packet: "Login Request ('L')", field: "Heartbeat Timeout", value: "-5000"))
        login = unhex(Golden.loginRequestHex)
        login[3 + 26 + 5] = UInt8(ascii: "7")  // digits, a space, digits
        XCTAssertNotNil(clientPacket(login))
    }

    // MARK: Incremental decoding

    /// Every server packet of the spec, one byte at a time and in random pieces: the
    /// same packets come out.
    func testDecodesTheSameFromAnyChunking() throws {
        var stream: [UInt8] = []
        stream += unhex(Golden.loginAcceptedHex)
        for (message, _) in Golden.outbound {
            stream += message.encodedBytes.withUnsafeBytes { p in
                SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.sequencedData(p, $0) }
            }
        }
        stream += unhex(Golden.serverHeartbeatHex) + unhex(Golden.endOfSessionHex)
        let expected = ServerPacket.parse(stream)
        XCTAssertEqual(expected.count, 1 + Golden.outbound.count + 2)

        var rng = SplitMix64(seed: 42)
        for maxPiece in [1, 2, 3, 7, 64, 500] {
            var reader = SoupBinTCPStreamReader(direction: .serverToClient)
            var got: [ServerPacket] = []
            for piece in chunks(stream, maxPiece: maxPiece, using: &rng) {
                reader.append(contentsOf: piece)
                while let packet = try reader.nextPacket() {
                    got.append(contentsOf: ServerPacket.parse(Client.packet(type: packet.type, payload: packet.payload)))
                }
            }
            XCTAssertEqual(got, expected, "pieces of up to \(maxPiece) bytes")
            XCTAssertEqual(reader.bufferedByteCount, 0)
        }
    }
}
