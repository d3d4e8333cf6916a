import Foundation
import OUCH
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The gateway process of the crash-answer tests: two OUCH users and two FIX sessions
/// on four accounts (so any two of them can trade), one of each protocol with
/// cancel-on-disconnect and one without, shared memory off.
struct CrashAnswerGateway {
    static let ouchUsers = ["OUCH01", "OUCH03"]
    static let fixSessions = ["CLIENT2", "CLIENT4"]

    let process: ChildProcess
    let ouchPort: UInt16
    let fixPort: UInt16

    /// `cancelOnDisconnectEverywhere`: every user and session cancels on disconnect (the
    /// final check uses it to learn every open order from the owner's own stream).
    /// `snapshots`: a snapshot every 150 commands (most restarts then load one and replay
    /// only the journal after it).
    static func toml(cancelOnDisconnectEverywhere: Bool, snapshots: Bool = true) -> String {
        """
        [threading]
        mode = "\(testThreadingMode)"
        [engine]
        core = -1
        [journal]
        snapshot_every_commands = \(snapshots ? 150 : 0)
        [ouch]
        listen = "127.0.0.1:0"
        [[ouch.users]]
        username = "OUCH01"
        account = "ACC1"
        password = "demo"
        cancel_on_disconnect = true
        [[ouch.users]]
        username = "OUCH03"
        account = "ACC3"
        password = "demo"
        cancel_on_disconnect = \(cancelOnDisconnectEverywhere)
        [fix]
        listen = "127.0.0.1:0"
        dictionary = "\(fixDictionaryPath)"
        [[fix.sessions]]
        sender_comp_id = "CLIENT2"
        account = "ACC2"
        password = "demo"
        cancel_on_disconnect = true
        [[fix.sessions]]
        sender_comp_id = "CLIENT4"
        account = "ACC4"
        password = "demo"
        cancel_on_disconnect = \(cancelOnDisconnectEverywhere)
        [market_data]
        retransmission = "127.0.0.1:0"
        snapshot = "127.0.0.1:0"
        [shared_memory]
        enabled = false

        """
    }

    static func start(config: String, dataDirectory: String) throws -> CrashAnswerGateway {
        let process = try ChildProcess(
            executable: "cift-gateway", arguments: ["run", "--config", config, "--data-dir", dataDirectory])
        guard waitForStderr(process, "ready", seconds: 60) else {
            throw CrashAnswerError("the gateway did not start: \(process.standardError)")
        }
        let log = process.standardError
        func port(_ pattern: String) throws -> UInt16 {
            guard let range = log.range(of: pattern + #" on 127\.0\.0\.1:(\d+)"#, options: .regularExpression),
                  let port = UInt16(log[range].split(separator: ":").last!)
            else { throw CrashAnswerError("no \(pattern) port in: \(log)") }
            return port
        }
        return CrashAnswerGateway(process: process, ouchPort: try port("OUCH 5.0"), fixPort: try port("FIX 4.4"))
    }

    /// True when this start loaded a snapshot and replayed only the journal after it.
    var loadedSnapshot: Bool { process.standardError.contains("loaded from a snapshot") }
}

struct CrashAnswerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// What one owner's stream, read from its first message, says it owns: every order it
/// was told about, its open size, and every execution reported to it. Each message is
/// checked against what came before it: nothing about an order it was never told of,
/// no acceptance or execution twice, no size below zero.
struct OwnerView {
    let owner: String
    struct Order {
        var buy: Bool
        var open: Int
    }
    var orders: [String: Order] = [:]
    /// match number → (buy quantity, sell quantity) reported to this owner.
    var executions: [UInt64: (buy: Int, sell: Int)] = [:]
    private var seenExecutions: Set<String> = []
    var problems: [String] = []
    var messages = 0

    init(owner: String) { self.owner = owner }

    mutating func accepted(_ key: String, buy: Bool, quantity: Int) {
        messages += 1
        if orders[key] != nil { problems.append("\(owner): order \(key) accepted twice") }
        orders[key] = Order(buy: buy, open: quantity)
    }

    mutating func executed(_ key: String, quantity: Int, match: UInt64, leaves: Int? = nil) {
        messages += 1
        guard var order = orders[key] else {
            return problems.append("\(owner): execution (match \(match)) of order \(key) it was never told was accepted")
        }
        if !seenExecutions.insert("\(key)/\(match)").inserted {
            problems.append("\(owner): execution of order \(key), match \(match), reported twice")
        }
        order.open -= quantity
        if order.open < 0 { problems.append("\(owner): order \(key) executed beyond its size") }
        if let leaves, leaves != order.open {
            problems.append("\(owner): order \(key) says leaves \(leaves) after match \(match), its stream adds up to \(order.open)")
        }
        orders[key] = order
        var sides = executions[match] ?? (0, 0)
        if order.buy { sides.buy += quantity } else { sides.sell += quantity }
        executions[match] = sides
    }

    /// FIX: ClOrdID → OrderID, for finding the order a replace names.
    var orderIDs: [String: String] = [:]

    /// `original` was replaced by `key` (the same key when the venue keeps it) with
    /// `open` outstanding.
    var replaces = 0

    mutating func replaced(_ original: String, by key: String, open: Int) {
        messages += 1
        replaces += 1
        guard var order = orders[original] else {
            return problems.append("\(owner): replace of order \(original) it was never told was accepted")
        }
        if order.open <= 0 { problems.append("\(owner): replace of order \(original), which its stream says is done") }
        if key != original {
            if orders[key] != nil { problems.append("\(owner): order \(key) accepted twice (by a replace)") }
            order.open = 0
            orders[original] = order
            orders[key] = Order(buy: order.buy, open: open)
        } else {
            order.open = open
            orders[key] = order
        }
    }

    mutating func canceled(_ key: String, quantity: Int?) {
        messages += 1
        guard var order = orders[key] else {
            return problems.append("\(owner): cancel of order \(key) it was never told was accepted")
        }
        if order.open <= 0 { problems.append("\(owner): cancel of order \(key), which its stream says is done") }
        order.open -= quantity ?? order.open
        if order.open < 0 { problems.append("\(owner): order \(key) canceled beyond its open size") }
        orders[key] = order
    }

    /// After cancel-on-disconnect every order must be done: one still open is an order
    /// the book no longer has, or an answer that never came.
    func openOrders() -> [String] {
        orders.filter { $0.value.open != 0 }.map { "\(owner): order \($0.key) still open for \($0.value.open) by its stream" }
    }
}

extension OUCHTestClient {
    /// Every packet until `idle` seconds pass without one (or the connection closes).
    func drain(idle: Double) -> [OUCHOutboundMessage] {
        var messages: [OUCHOutboundMessage] = []
        while true {
            switch next(seconds: idle) {
            case .message(let m): messages.append(m)
            case .timeout, .closed, .endOfSession: return messages
            case .loginAccepted, .loginRejected: continue
            }
        }
    }
}

extension FIXTestClient {
    /// Logs on and reads the Logon reply, answering a ResendRequest of the gateway's
    /// (orders it never took before the kill) with a gap fill. Returns the reply's
    /// MsgSeqNum, nil if refused.
    func logonAnsweringGaps() -> Int? {
        logon()
        var reply: Int?
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            guard let message = next(seconds: reply == nil ? 10 : 0.3) else { break }
            switch message[35] {
            case "A": reply = Int(message[34] ?? "")
            case "2": sendGapFill(from: Int(message[7] ?? "") ?? 1)
            case "5": return nil
            default: continue
            }
        }
        return reply
    }

    /// Every message until `idle` seconds pass without one.
    func drain(idle: Double) -> [[Int: String]] {
        var messages: [[Int: String]] = []
        while let message = next(seconds: idle) {
            if message[35] == "2" { sendGapFill(from: Int(message[7] ?? "") ?? 1) }
            messages.append(message)
        }
        return messages
    }
}
