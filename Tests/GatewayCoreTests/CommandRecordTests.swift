import GatewayCore
import XCTest

/// Golden vectors for the journal payload layout in specs/engine-records.md.
final class CommandRecordTests: XCTestCase {
    /// The example command of specs/engine-records.md.
    static let example = Command(
        kind: .newOrder, side: .sell, orderType: .limit, timeInForce: .goodTillCancel,
        flags: .postOnly, keyKind: .clientOrderID, code: 0,
        symbol: 3, account: 2,
        origin: OrderOrigin(source: 1, session: 0x0102, connection: 0x0A0B_0C0D),
        quantity: 300, price: Price(raw: 1_234_500),
        userReference: 7, originalUserReference: 0,
        clientOrderID: ClientOrderID("ORD-1")!, originalClientOrderID: .empty,
        timestamp: Timestamp(rawValue: 1_763_600_000_123_456_789))

    /// The same bytes, hex, as printed in the spec.
    static let exampleHex =
        "01020201010200000300020001000201"
        + "0d0c0b0a2c01000044d6120000000000"
        + "07000000000000004f52442d31000000"
        + "00000000000000000000000000000000"
        + "00000000000000000000000000000000"
        + "000000000000000015cd3c2ddb907918"

    func testEncodesTheSpecExample() {
        var bytes = [UInt8](repeating: 0xEE, count: CommandRecord.size)
        bytes.withUnsafeMutableBytes { CommandRecord.encode(Self.example, into: $0.baseAddress!) }
        XCTAssertEqual(hex(bytes), Self.exampleHex)
    }

    func testDecodesTheSpecExample() throws {
        let bytes = unhex(Self.exampleHex)
        let command = try bytes.withUnsafeBytes { try CommandRecord.decode($0) }
        XCTAssertEqual(command, Self.example)
    }

    func testRoundTripsEveryKind() throws {
        for kind in CommandKind.allCases {
            var command = Self.example
            command.kind = kind
            command.originalClientOrderID = ClientOrderID("ABCDEFGHIJKLMNOPQRSTUVWX")!
            command.price = Price(raw: -5)
            var bytes = [UInt8](repeating: 0, count: CommandRecord.size)
            bytes.withUnsafeMutableBytes { CommandRecord.encode(command, into: $0.baseAddress!) }
            XCTAssertEqual(try bytes.withUnsafeBytes { try CommandRecord.decode($0) }, command)
        }
    }

    func testRefusesInvalidBytesNamingTheField() {
        var bytes = unhex(Self.exampleHex)
        bytes[CommandRecord.kindOffset] = 0xFF
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try CommandRecord.decode($0) }) { error in
            XCTAssertEqual(error as? CommandRecord.DecodingError, .init(field: "kind", value: 255))
        }
        bytes = unhex(Self.exampleHex)
        bytes[CommandRecord.sideOffset] = 9
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try CommandRecord.decode($0) })
        XCTAssertThrowsError(try [UInt8](repeating: 0, count: 10).withUnsafeBytes { try CommandRecord.decode($0) })
    }
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

func unhex(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    var chars = Array(text.utf8)[...]
    while chars.count >= 2 {
        out.append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16)!)
        chars = chars.dropFirst(2)
    }
    return out
}
