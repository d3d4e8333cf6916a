import SoupBinTCP
import XCTest
import TestSupport

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
        let canceled = unhex(Golden.orderCanceledHex)
        XCTAssertEqual(
            hex(canceled.withUnsafeBytes { p in SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.sequencedData(p, $0) } }),
            hex(unhex(Golden.sequencedCanceledHex)))
        let cancel = unhex(Golden.cancelOrderHex)
        XCTAssertEqual(
            hex(cancel.withUnsafeBytes { p in SoupBinTCPEncoder.bytes { SoupBinTCPEncoder.unsequencedData(p, $0) } }),
            hex(unhex(Golden.unsequencedCancelHex)))
        // A payload written in place after the header, as OUCH and the snapshot service do.
        XCTAssertEqual(
            hex(SoupBinTCPEncoder.bytes { p in
                SoupBinTCPEncoder.packet(type: SoupBinTCPPacketType.sequencedData, p) { payload in
                    payload.copyMemory(from: canceled, byteCount: canceled.count)
                    return canceled.count
                }
            }),
            hex(unhex(Golden.sequencedCanceledHex)))
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
            + packet(type: UInt8(ascii: "U"), payload: [1, 2])
        XCTAssertEqual(try serverPackets(stream), [
            "A 20251120 13", "S " + hex(unhex(Golden.orderCanceledHex)), "H", "J A", "+ hi", "Z", "U 0102",
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
            clientPacket(packet(type: UInt8(ascii: "R"), payload: [1])),
            .wrongPayloadLength(packet: "Client Heartbeat ('R')", expected: 0, actual: 1))
        XCTAssertEqual(
            clientPacket(packet(type: UInt8(ascii: "L"), payload: [UInt8](repeating: 0x20, count: 50))),
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
        var rng = SplitMix64(seed: 42)
        for length in [0, 1, 2, 19, 40, 255, 256, 1000] {
            let payload = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            stream += packet(type: SoupBinTCPPacketType.sequencedData, payload: payload)
        }
        stream += unhex(Golden.serverHeartbeatHex) + unhex(Golden.endOfSessionHex)
        let expected = try serverPackets(stream)
        XCTAssertEqual(expected.count, 1 + 8 + 2)

        for maxPiece in [1, 2, 3, 7, 64, 500] {
            var reader = SoupBinTCPStreamReader(direction: .serverToClient)
            var got: [String] = []
            for piece in chunks(stream, maxPiece: maxPiece, using: &rng) {
                reader.append(contentsOf: piece)
                while let packet = try reader.nextPacket() {
                    got += try serverPackets(self.packet(type: packet.type, payload: packet.payload))
                }
            }
            XCTAssertEqual(got, expected, "pieces of up to \(maxPiece) bytes")
            XCTAssertEqual(reader.bufferedByteCount, 0)
        }
    }

    // MARK: Helpers

    /// A packet of `type` carrying `payload`, framed by hand (Length = payload + 1).
    func packet(type: UInt8, payload: [UInt8]) -> [UInt8] {
        [UInt8(truncatingIfNeeded: (payload.count + 1) >> 8), UInt8(truncatingIfNeeded: payload.count + 1), type] + payload
    }

    /// What a client reads from `stream`, one line per packet: its type letter and
    /// fields (payloads in hex).
    func serverPackets(_ stream: [UInt8]) throws -> [String] {
        var reader = SoupBinTCPStreamReader(direction: .serverToClient)
        reader.append(contentsOf: stream)
        var lines: [String] = []
        while let line = try reader.next({ frame -> String in
            switch try SoupBinTCPServerPacket(frame) {
            case .loginAccepted(let a): return "A \(a.session) \(a.sequenceNumber)"
            case .loginRejected(let reason): return "J " + String(UnicodeScalar(reason))
            case .sequencedData(let p): return "S " + hex(Array(p))
            case .unsequencedData(let p): return "U " + hex(Array(p))
            case .serverHeartbeat: return "H"
            case .endOfSession: return "Z"
            case .debug(let p): return "+ " + String(decoding: p, as: UTF8.self)
            }
        }) {
            lines.append(line)
        }
        XCTAssertEqual(reader.bufferedByteCount, 0, "a partial packet at the end")
        return lines
    }
}
