import MarketData
import XCTest

/// What the snapshot service reads from a client (specs/itch.md, "Snapshot service"),
/// byte by byte as a socket may deliver it.
final class SnapshotRequestReaderTests: XCTestCase {
    /// A SoupBinTCP packet: u16 length (type + payload), type, payload.
    func packet(_ type: Character, _ payload: [UInt8] = []) -> [UInt8] {
        let length = payload.count + 1
        return [UInt8(length >> 8), UInt8(length & 0xFF), UInt8(ascii: type.unicodeScalars.first!)] + payload
    }

    let login = [UInt8](repeating: UInt8(ascii: " "), count: 46)

    /// Feeds `bytes` one at a time and collects every action.
    func actions(_ bytes: [UInt8], reader: inout SnapshotRequestReader) -> [SnapshotRequestReader.Action] {
        var out: [SnapshotRequestReader.Action] = []
        for byte in bytes {
            [byte].withUnsafeBytes { reader.append($0) }
            while let action = reader.next() { out.append(action) }
        }
        return out
    }

    func testLoginHeartbeatThenTheRequestNamingStocks() {
        var reader = SnapshotRequestReader()
        let bytes = packet("L", login) + packet("R") + packet("U", Array("AAPL    NOPE    ".utf8))
        XCTAssertEqual(actions(bytes, reader: &reader), [.login, .request([ITCHStock("AAPL")!, ITCHStock("NOPE")!])])
        XCTAssertEqual(reader.phase, .answered)
        XCTAssertTrue(reader.isFinished)
    }

    func testAnEmptyRequestAsksForEverySymbol() {
        var reader = SnapshotRequestReader()
        XCTAssertEqual(actions(packet("L", login) + packet("U"), reader: &reader), [.login, .request([])])
    }

    func testARequestThatIsNotWholeStockFieldsIsMalformedAndEndsTheReading() {
        var reader = SnapshotRequestReader()
        let bytes = packet("L", login) + packet("U", Array("AAPL".utf8)) + packet("U")
        XCTAssertEqual(actions(bytes, reader: &reader), [.login, .malformedRequest])
        XCTAssertEqual(reader.phase, .answered)
    }

    func testARequestBeforeLoginAnUnknownTypeOrABadLengthCloses() {
        for bytes in [packet("U"), packet("L", login) + packet("L", login), [0, 0, 0x4C], [0x04, 0x01, 0x4C]] {
            var reader = SnapshotRequestReader()
            XCTAssertEqual(actions(bytes, reader: &reader).last, .close, "\(bytes.prefix(8))")
            XCTAssertEqual(reader.phase, .closed)
        }
    }

    func testNothingIsReadAfterTheRequest() {
        var reader = SnapshotRequestReader()
        _ = actions(packet("L", login) + packet("U"), reader: &reader)
        XCTAssertEqual(actions(packet("U") + [0, 0], reader: &reader), [])
    }

    func testAPartialPacketWaitsForTheRest() {
        var reader = SnapshotRequestReader()
        let bytes = packet("L", login)
        bytes.dropLast().withUnsafeBytes { reader.append($0) }
        XCTAssertNil(reader.next())
        bytes.suffix(1).withUnsafeBytes { reader.append($0) }
        XCTAssertEqual(reader.next(), .login)
        XCTAssertEqual(reader.phase, .awaitingRequest)
    }
}
