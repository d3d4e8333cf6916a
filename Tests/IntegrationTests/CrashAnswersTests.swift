import Foundation
import MarketData
import OUCH
import XCTest
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Every answer to a journaled command reaches its owner, whatever point a SIGKILL hits
/// (issue 14, part 1; specs/recovery.md). The journal is written before any answer
/// leaves; the session streams (an OUCH user's sequenced stream, a FIX session's store)
/// are written behind it, so a kill can leave a stream without the tail of answers to
/// commands the journal holds. Recovery replays the journal's events into the streams,
/// and each stream appends, once and in order, the answers it lacks.
///
/// The tests read each owner's stream from its first message (OUCH: login at sequence 1;
/// FIX: ResendRequest from 1) and check it against the book and the public feed: every
/// order the book holds or held for it is known to it with the right open size, every
/// execution of it is reported once, each match is reported to both its buyer and its
/// seller, and every execution on the ITCH feed is one its owners were told of.
final class CrashAnswersTests: XCTestCase {
    var directory = ""

    override func setUp() {
        directory = makeTemporaryDirectory("crash-answers")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func writeConfigs(snapshots: Bool = true) throws -> (mixed: String, everywhere: String) {
        let mixed = directory + "/mixed.toml"
        let everywhere = directory + "/cancel-on-disconnect.toml"
        try CrashAnswerGateway.toml(cancelOnDisconnectEverywhere: false, snapshots: snapshots)
            .write(toFile: mixed, atomically: true, encoding: .utf8)
        try CrashAnswerGateway.toml(cancelOnDisconnectEverywhere: true, snapshots: snapshots)
            .write(toFile: everywhere, atomically: true, encoding: .utf8)
        return (mixed, everywhere)
    }

    var dataDirectory: String { directory + "/data" }

    // MARK: The load

    /// What the clients carry from one gateway process to the next.
    struct Clients {
        var nextUserRefNum: [String: UInt32] = [:]
        var nextFIXSeqNum: [String: Int] = [:]
        var orders = 0
    }

    /// One burst of orders (prices around 100.00 on two symbols, so that the four
    /// accounts trade with each other) and cancels of some of them, from all four
    /// owners at once, without reading answers. `closeCancelOnDisconnectOwners` drops
    /// the connections of the owners with cancel-on-disconnect at the end of the burst.
    func sendBurst(
        _ gateway: CrashAnswerGateway, _ clients: inout Clients, cycle: Int, perOwner: Int,
        closeCancelOnDisconnectOwners: Bool, random: inout SplitMix64
    ) throws -> [AnyObject] {
        var ouch: [(String, OUCHTestClient)] = []
        for user in CrashAnswerGateway.ouchUsers {
            let client = try OUCHTestClient(port: gateway.ouchPort)
            client.login(user, sequence: 0)
            guard case .loginAccepted = client.next() else { throw CrashAnswerError("\(user) could not log in") }
            ouch.append((user, client))
        }
        var fix: [(String, FIXTestClient)] = []
        for session in CrashAnswerGateway.fixSessions {
            let client = try FIXTestClient(port: gateway.fixPort, sender: session, firstSeqNum: clients.nextFIXSeqNum[session] ?? 1)
            guard client.logonAnsweringGaps() != nil else { throw CrashAnswerError("\(session) could not log on") }
            fix.append((session, client))
        }
        let symbols = ["AAPL", "MSFT"]
        for i in 0..<perOwner {
            for (user, client) in ouch {
                let ref = clients.nextUserRefNum[user] ?? 1
                clients.nextUserRefNum[user] = ref + 1
                if i % 6 == 5 && ref > 3 {
                    client.send(OUCHCancelOrder(userRefNum: ref - UInt32.random(in: 1...3, using: &random), quantity: 0))
                    continue
                }
                if i % 6 == 2 && ref > 3 {
                    // A replace of a recent order: a new size and price under a new UserRefNum.
                    client.send(OUCHReplaceOrder(
                        originalUserRefNum: ref - UInt32.random(in: 1...2, using: &random), userRefNum: ref,
                        quantity: UInt32(100 * Int.random(in: 1...3, using: &random)),
                        price: UInt64(999_800 + 100 * Int.random(in: 0...4, using: &random))))
                    continue
                }
                let buy = Bool.random(using: &random)
                let price = UInt64(999_800 + 100 * Int.random(in: 0...4, using: &random))
                client.send(OUCHEnterOrder.limit(
                    ref, buy ? OUCHSide.buy : OUCHSide.sell, UInt32(100 * Int.random(in: 1...3, using: &random)),
                    symbols[Int.random(in: 0...1, using: &random)], price))
                clients.orders += 1
            }
            for (session, client) in fix {
                let id = "\(session)-\(cycle)-\(i)"
                if i % 6 == 5 && i >= 3 {
                    let original = "\(session)-\(cycle)-\(i - Int.random(in: 1...3, using: &random))"
                    client.send("F", [(11, id + "-X"), (41, original), (55, "AAPL"), (54, "1"), (60, "20261121-12:00:00.000")])
                    continue
                }
                if i % 6 == 2 && i >= 3 {
                    // A cancel/replace of a recent order (refused when the side or symbol
                    // does not match it: that answer is a cancel reject, not an execution).
                    let original = "\(session)-\(cycle)-\(i - Int.random(in: 1...2, using: &random))"
                    let price = String(format: "%.2f", 99.98 + 0.01 * Double(Int.random(in: 0...4, using: &random)))
                    client.send("G", [
                        (11, id), (41, original), (55, "AAPL"), (54, "1"), (60, "20261121-12:00:00.000"),
                        (38, String(100 * Int.random(in: 1...3, using: &random))), (40, "2"), (44, price),
                    ])
                    continue
                }
                let buy = Bool.random(using: &random)
                let price = String(format: "%.2f", 99.98 + 0.01 * Double(Int.random(in: 0...4, using: &random)))
                client.send("D", [
                    (11, id), (55, symbols[Int.random(in: 0...1, using: &random)]), (54, buy ? "1" : "2"),
                    (60, "20261121-12:00:00.000"), (38, String(100 * Int.random(in: 1...3, using: &random))),
                    (40, "2"), (44, price), (59, "0"),
                ])
                clients.orders += 1
            }
        }
        for (session, client) in fix { clients.nextFIXSeqNum[session] = client.nextSeqNum }
        var kept: [AnyObject] = []
        for (user, client) in ouch {
            if closeCancelOnDisconnectOwners && user == "OUCH01" { shutdown(client.fd, Int32(SHUT_RDWR)) }
            kept.append(client)
        }
        for (session, client) in fix {
            if closeCancelOnDisconnectOwners && session == "CLIENT2" { shutdown(client.fd, Int32(SHUT_RDWR)) }
            kept.append(client)
        }
        return kept
    }

    // MARK: The check

    /// Starts the gateway with cancel-on-disconnect for every owner, connects and drops
    /// each owner once (cancelling whatever it still has in the book), then reads each
    /// owner's whole stream from its first message and checks it.
    func checkEveryStream(
        config: String, clients: Clients, seed: UInt64, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let gateway = try CrashAnswerGateway.start(config: config, dataDirectory: dataDirectory)
        var stopped = false
        defer {
            if !stopped {
                gateway.process.signal(SIGTERM)
                _ = gateway.process.waitForExit(seconds: 30)
            }
        }
        var fixNext = clients.nextFIXSeqNum
        // Connect and drop: cancel-on-disconnect cancels every open order, answered in
        // the owner's stream like any cancel.
        for user in CrashAnswerGateway.ouchUsers {
            let client = try OUCHTestClient(port: gateway.ouchPort)
            client.login(user, sequence: 0)
            guard case .loginAccepted = client.next() else { throw CrashAnswerError("\(user) could not log in") }
        }
        for session in CrashAnswerGateway.fixSessions {
            let client = try FIXTestClient(port: gateway.fixPort, sender: session, firstSeqNum: fixNext[session] ?? 1)
            guard client.logonAnsweringGaps() != nil else { throw CrashAnswerError("\(session) could not log on") }
            fixNext[session] = client.nextSeqNum
        }
        usleep(500_000)

        var views: [OwnerView] = []
        for user in CrashAnswerGateway.ouchUsers {
            let client = try OUCHTestClient(port: gateway.ouchPort)
            client.login(user, sequence: 1)
            guard case .loginAccepted = client.next() else { throw CrashAnswerError("\(user) could not log in") }
            var view = OwnerView(owner: user)
            for message in client.drain(idle: 1.5) {
                switch message {
                case .orderAccepted(let m):
                    view.accepted(String(m.userRefNum), buy: m.side == OUCHSide.buy, quantity: Int(m.quantity))
                case .orderExecuted(let m):
                    view.executed(String(m.userRefNum), quantity: Int(m.quantity), match: m.matchNumber)
                case .orderCanceled(let m):
                    view.canceled(String(m.userRefNum), quantity: Int(m.quantity))
                case .orderReplaced(let m):
                    view.replaced(String(m.originalUserRefNum), by: String(m.userRefNum), open: Int(m.quantity))
                default:
                    continue
                }
            }
            views.append(view)
        }
        for session in CrashAnswerGateway.fixSessions {
            let client = try FIXTestClient(port: gateway.fixPort, sender: session, firstSeqNum: fixNext[session] ?? 1)
            guard client.logonAnsweringGaps() != nil else { throw CrashAnswerError("\(session) could not log on") }
            client.send("2", [(7, "1"), (16, "0")])
            var view = OwnerView(owner: session)
            for message in client.drain(idle: 1.5) where message[35] == "8" && message[43] == "Y" {
                guard let orderID = message[37] else { continue }
                let leaves = Int(message[151] ?? "") ?? -1
                switch message[150] {
                case "0":
                    view.accepted(orderID, buy: message[54] == "1", quantity: leaves)
                    if let id = message[11] { view.orderIDs[id] = orderID }
                case "F":
                    // ExecID E<sequence>-X<match><A|R>
                    let execID = message[17] ?? ""
                    let match = execID.split(separator: "X").last.map { UInt64($0.dropLast()) ?? 0 } ?? 0
                    view.executed(orderID, quantity: Int(message[32] ?? "") ?? 0, match: match, leaves: leaves)
                case "4":
                    view.canceled(orderID, quantity: nil)
                case "5":
                    // The replaced order's OrderID comes from its ClOrdID (the new one may differ).
                    let original = message[41].flatMap { view.orderIDs[$0] } ?? orderID
                    view.replaced(original, by: orderID, open: leaves)
                    if let id = message[11] { view.orderIDs[id] = orderID }
                default:
                    continue
                }
            }
            views.append(view)
        }

        // Each owner's own stream adds up, and after cancel-on-disconnect nothing is open.
        let problems = views.flatMap(\.problems) + views.flatMap { $0.openOrders() }
        // Every match is reported to both sides: a fill a crash hid from one owner shows
        // as a match with one side short.
        var matches: [UInt64: (buy: Int, sell: Int)] = [:]
        for view in views {
            for (match, sides) in view.executions {
                var total = matches[match] ?? (0, 0)
                total.buy += sides.buy
                total.sell += sides.sell
                matches[match] = total
            }
        }
        let oneSided = matches.filter { $0.value.buy != $0.value.sell }
            .map { "match \($0.key): buyers told of \($0.value.buy), sellers of \($0.value.sell)" }
        // The public feed: every execution published (Order Executed names the resting
        // order's match) was reported to both owners for the same quantity, and every
        // execution an owner was told of is on the feed.
        gateway.process.signal(SIGTERM)
        XCTAssertEqual(gateway.process.waitForExit(seconds: 30), 0, file: file, line: line)
        stopped = true
        let feed = try publishedExecutions()
        XCTAssertFalse(feed.isEmpty, "the feed has the day's executions", file: file, line: line)
        var feedProblems: [String] = []
        for (match, shares) in feed where matches[match].map({ $0.buy != shares || $0.sell != shares }) ?? true {
            let told = matches[match].map { "buyers \($0.buy), sellers \($0.sell)" } ?? "nobody"
            feedProblems.append("match \(match): \(shares) on the feed, owners told: \(told)")
        }
        for match in matches.keys where feed[match] == nil {
            feedProblems.append("match \(match): reported to an owner, not on the feed")
        }
        let all = problems + oneSided + feedProblems
        XCTAssertTrue(all.isEmpty, "seed \(seed): \(all.count) problem(s):\n" + all.prefix(40).joined(separator: "\n"),
                      file: file, line: line)
        XCTAssertGreaterThan(views.map(\.messages).reduce(0, +), 0, "the streams hold answers", file: file, line: line)
        XCTAssertFalse(matches.isEmpty, "the owners traded with each other", file: file, line: line)
        for protocolViews in [views.prefix(CrashAnswerGateway.ouchUsers.count), views.suffix(CrashAnswerGateway.fixSessions.count)] {
            XCTAssertGreaterThan(protocolViews.map(\.replaces).reduce(0, +), 0, "replaces on both protocols", file: file, line: line)
        }
    }

    /// Every execution on the day's ITCH feed store: match number → shares.
    func publishedExecutions() throws -> [UInt64: Int] {
        var executions: [UInt64: Int] = [:]
        let root = dataDirectory + "/marketdata"
        for day in try FileManager.default.contentsOfDirectory(atPath: root) {
            for file in try FileManager.default.contentsOfDirectory(atPath: root + "/" + day) where file.hasSuffix(".itchstore") {
                guard let session = MoldUDP64Session(String(file.dropLast(".itchstore".count))) else { continue }
                let store = try MarketDataMessageStore(directory: root + "/" + day, session: session, initialCapacity: 1 << 24)
                for sequence in 1...max(UInt64(store.count), 1) where sequence <= UInt64(store.count) {
                    guard let bytes = store.message(sequence), let message = try? ITCHMessage(decoding: bytes) else { continue }
                    switch message {
                    case .orderExecuted(let m): executions[m.matchNumber, default: 0] += Int(m.executedShares)
                    case .orderExecutedWithPrice(let m): executions[m.matchNumber, default: 0] += Int(m.executedShares)
                    default: continue
                    }
                }
            }
        }
        return executions
    }

    // MARK: Tests

    /// SIGKILL at random points under load, with and without cancel-on-disconnect and
    /// with connections dropped just before some kills, over several cycles on one data
    /// directory; then every owner's stream, read from the start, agrees with the book.
    /// `CIFT_CRASH_CYCLES` sets the number of cycles (8 by default).
    func testEveryAnswerToAJournaledCommandReachesItsOwnerAcrossSIGKILLs() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["CIFT_CRASH_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
        var random = SplitMix64(seed: seed)
        let cycles = Int(ProcessInfo.processInfo.environment["CIFT_CRASH_CYCLES"] ?? "") ?? 8
        let configs = try writeConfigs()
        var clients = Clients()
        var snapshotStarts = 0
        for cycle in 0..<cycles {
            let gateway = try CrashAnswerGateway.start(config: configs.mixed, dataDirectory: dataDirectory)
            if gateway.loadedSnapshot { snapshotStarts += 1 }
            let connections = try sendBurst(
                gateway, &clients, cycle: cycle, perOwner: 120, closeCancelOnDisconnectOwners: cycle % 3 == 2,
                random: &random)
            usleep(UInt32.random(in: 0...20_000, using: &random))
            gateway.process.signal(SIGKILL)
            XCTAssertNotNil(gateway.process.waitForExit(seconds: 30))
            withExtendedLifetime(connections) {}
        }
        // Snapshots every 150 commands and bursts of 480: every start after the first
        // can load one (a start whose newest snapshot waited on the stores cannot).
        XCTAssertGreaterThan(snapshotStarts, 0, "no restart loaded a snapshot (seed \(seed))")
        try checkEveryStream(config: configs.everywhere, clients: clients, seed: seed)
    }

    /// The deterministic form: a clean run's streams lose their tails (cut as a crash
    /// between the journal write and the streams' flush leaves them), and the restart
    /// appends exactly the answers that were cut, so the check passes; without the
    /// recovery it fails every time.
    ///
    /// Without snapshots: a snapshot covers only commands whose answers every store has
    /// written, so a stream cut below one (by hand; a crash cannot) is not repaired.
    func testAnswersCutFromTheStreamsAreAppendedAgainOnRestart() throws {
        let configs = try writeConfigs(snapshots: false)
        var clients = Clients()
        var random = SplitMix64(seed: 14)
        let gateway = try CrashAnswerGateway.start(config: configs.mixed, dataDirectory: dataDirectory)
        let connections = try sendBurst(
            gateway, &clients, cycle: 0, perOwner: 60, closeCancelOnDisconnectOwners: false, random: &random)
        usleep(1_000_000)  // every answer written
        gateway.process.signal(SIGKILL)
        XCTAssertNotNil(gateway.process.waitForExit(seconds: 30))
        withExtendedLifetime(connections) {}

        // Cut each stream after half its messages.
        let ouchDirectory = try FileManager.default.contentsOfDirectory(atPath: dataDirectory + "/ouch")
            .map { dataDirectory + "/ouch/" + $0 }.first!
        for user in CrashAnswerGateway.ouchUsers {
            let kept = try cutOUCHStream(ouchDirectory + "/\(user).seq", keepingHalf: true)
            XCTAssertGreaterThan(kept.cut, 0, "\(user)'s stream had answers to cut")
        }
        for session in CrashAnswerGateway.fixSessions {
            let cut = try cutFIXStore(dataDirectory + "/fix/CIFT-\(session).fixstore")
            XCTAssertGreaterThan(cut, 0, "\(session)'s store had answers to cut")
        }
        try checkEveryStream(config: configs.everywhere, clients: clients, seed: 14)
    }

    /// Users renumbered between two starts (the operator swapped two users of different
    /// accounts in the file): replay meets the first user's missing answers under the
    /// session number the second user now has, and must not append them to the second
    /// user's stream.
    func testRenumberedUsersDoNotReceiveAnotherAccountsAnswers() throws {
        func toml(_ users: [(String, String)]) -> String {
            var text = "[threading]\nmode = \"\(testThreadingMode)\"\n[engine]\ncore = -1\n[ouch]\nlisten = \"127.0.0.1:0\"\n"
            for (user, account) in users {
                text += "[[ouch.users]]\nusername = \"\(user)\"\naccount = \"\(account)\"\npassword = \"demo\"\ncancel_on_disconnect = false\n"
            }
            text += "[fix]\nlisten = \"127.0.0.1:0\"\ndictionary = \"\(fixDictionaryPath)\"\n"
            text += "[market_data]\nretransmission = \"127.0.0.1:0\"\nsnapshot = \"127.0.0.1:0\"\n[shared_memory]\nenabled = false\n"
            return text
        }
        let first = directory + "/first.toml"
        let swapped = directory + "/swapped.toml"
        try toml([("OUCH01", "ACC1"), ("OUCH02", "ACC2")]).write(toFile: first, atomically: true, encoding: .utf8)
        try toml([("OUCH02", "ACC2"), ("OUCH01", "ACC1")]).write(toFile: swapped, atomically: true, encoding: .utf8)
        var gateway = try CrashAnswerGateway.start(config: first, dataDirectory: dataDirectory)
        let client = try OUCHTestClient(port: gateway.ouchPort)
        client.loginAccepted("OUCH01")
        for ref in 1...20 {
            client.send(OUCHEnterOrder.limit(UInt32(ref), OUCHSide.buy, 100, "AAPL", UInt64(990_000 + ref * 100)))
            guard case .orderAccepted = client.nextMessage() else { return XCTFail("order \(ref)") }
        }
        gateway.process.signal(SIGKILL)
        XCTAssertNotNil(gateway.process.waitForExit(seconds: 30))
        let ouchDirectory = try FileManager.default.contentsOfDirectory(atPath: dataDirectory + "/ouch")
            .map { dataDirectory + "/ouch/" + $0 }.first!
        XCTAssertGreaterThan(try cutOUCHStream(ouchDirectory + "/OUCH01.seq", keepingHalf: true).cut, 0)

        gateway = try CrashAnswerGateway.start(config: swapped, dataDirectory: dataDirectory)
        defer {
            gateway.process.signal(SIGTERM)
            _ = gateway.process.waitForExit(seconds: 30)
        }
        let other = try OUCHTestClient(port: gateway.ouchPort)
        other.loginAccepted("OUCH02")
        XCTAssertEqual(other.drain(idle: 1), [], "OUCH02 (ACC2) is told nothing of ACC1's orders")
        let owner = try OUCHTestClient(port: gateway.ouchPort)
        owner.loginAccepted("OUCH01")
        XCTAssertEqual(owner.drain(idle: 1).count, 10, "OUCH01 keeps the half its stream held")
    }

    /// Cuts an OUCH stream file (64-byte header, then `u16 length` packets) after half of
    /// its messages. Returns how many were kept and cut.
    func cutOUCHStream(_ path: String, keepingHalf: Bool) throws -> (kept: Int, cut: Int) {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        var offsets: [Int] = []
        var offset = 64
        while offset + 2 <= bytes.count {
            offsets.append(offset)
            offset += 2 + (Int(bytes[offset]) << 8 | Int(bytes[offset + 1]))
        }
        let keep = offsets.count / 2
        guard keep < offsets.count else { return (keep, 0) }
        try Data(bytes[0..<offsets[keep]]).write(to: URL(fileURLWithPath: path))
        return (keep, offsets.count - keep)
    }

    /// Cuts a FIX store (40-byte header, then records `u64 seq, u8 kind, u32 length,
    /// u64 engine sequence, bytes`) after half of its records. Returns how many were cut.
    func cutFIXStore(_ path: String) throws -> Int {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        var offsets: [Int] = []
        var offset = 40
        while offset + 21 <= bytes.count {
            offsets.append(offset)
            let length = bytes[(offset + 9)..<(offset + 13)].reduce(0) { $0 << 8 | Int($1) }
            offset += 21 + length
        }
        let keep = offsets.count / 2
        guard keep < offsets.count else { return 0 }
        try Data(bytes[0..<offsets[keep]]).write(to: URL(fileURLWithPath: path))
        return offsets.count - keep
    }
}
