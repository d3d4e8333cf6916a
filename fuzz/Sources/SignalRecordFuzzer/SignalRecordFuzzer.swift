import CFuzzerDriver
import FuzzSupport
@testable import Gateway
import GatewayCore

// The signals ring's records as the shared-memory bridge reads them: each 64-byte slot a
// local process wrote goes through `SignalRecord.decode` (internal to Gateway, hence
// `@testable`), and every command it yields goes to a real matching engine, as the
// bridge submits it: signals, risk updates, kill switches, reference prices with any
// field values. Strategy account 1; symbols AAPL, MSFT, PENNY; accounts ACC1, ACC2.
//
// Input: consecutive 64-byte records (a short last one is padded with zeros).
//
// Checks beyond "no trap": a command carries the record's sequence back
// (`SignalRecord.sequence(of:)`, what journal replay relies on).

@_cdecl("SignalRecordFuzzer_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    cift_fuzzer_run(argc, argv)
}

let symbolsByName = Dictionary(uniqueKeysWithValues: FuzzVenue.symbols.map { (SignalRecord.nameKey($0.name.utf8)!, $0.index) })
let accountsByName: [UInt64: AccountIndex] = [SignalRecord.nameKey("ACC1".utf8)!: 1, SignalRecord.nameKey("ACC2".utf8)!: 2]
let origin = OrderOrigin(source: 9, session: 0, connection: 0)
let now = Timestamp(rawValue: 1_704_205_800_000_000_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let venue = FuzzVenue()
    var slot = [UInt8](repeating: 0, count: 64)
    while !input.isAtEnd {
        let record = input.take(64)
        for i in 0..<64 { slot[i] = i < record.count ? record[i] : 0 }
        let outcome = slot.withUnsafeBytes { bytes in
            SignalRecord.decode(
                bytes, strategyAccount: 1, origin: origin, now: now,
                symbolIndex: { symbolsByName[$0] }, accountIndex: { accountsByName[$0] })
        }
        if case .command(let command) = outcome {
            let sequence = slot.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian }
            precondition(SignalRecord.sequence(of: command) == sequence, "the command lost the record's sequence")
            _ = venue.process([command])
        }
    }
    return 0
}
