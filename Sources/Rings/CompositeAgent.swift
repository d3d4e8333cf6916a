/// Several agents in one duty cycle on one thread (Agrona's `CompositeAgent`): each
/// cycle calls every unfinished member's `doWork` in order, so a ring hand-off between
/// two members is a push in one and a poll in the next, with no wake-up and no system
/// call. The order is chosen by whoever composes (the gateway puts the engine first,
/// then the journal, the network, market data and the bridge: an order read in one
/// cycle is matched, journaled, acknowledged and published in the next).
public final class CompositeAgent: Agent {
    public let members: [any Agent]
    public let roleName: String

    public init(_ members: [any Agent]) {
        precondition(!members.isEmpty, "a composite of no agents")
        self.members = members
        roleName = members.map(\.roleName).joined(separator: "+")
    }

    public func onStart() throws {
        var started: [any Agent] = []
        do {
            for member in members {
                try member.onStart()
                started.append(member)
            }
        } catch {
            // Whatever started is closed again, in reverse, so nothing leaks a socket.
            for member in started.reversed() { member.onClose() }
            throw error
        }
    }

    @inline(__always)
    public func doWork(nowNanoseconds: Int64) -> Int {
        var work = 0
        for member in members where !member.isFinished {
            work &+= member.doWork(nowNanoseconds: nowNanoseconds)
        }
        return work
    }

    /// Runs every member but `agent` once: for a member that must wait, in the middle of
    /// its own cycle, for a consumer that shares its thread (the engine whose pending
    /// queue is full waits for the network member to drain its outbound ring).
    public func doWork(except agent: any Agent, nowNanoseconds: Int64) -> Int {
        var work = 0
        for member in members where member !== agent && !member.isFinished {
            work &+= member.doWork(nowNanoseconds: nowNanoseconds)
        }
        return work
    }

    public func hasPendingWork() -> Bool {
        members.contains { !$0.isFinished && $0.hasPendingWork() }
    }

    public func nextDeadline(nowNanoseconds: Int64) -> Int64? {
        var earliest: Int64?
        for member in members where !member.isFinished {
            if let d = member.nextDeadline(nowNanoseconds: nowNanoseconds) { earliest = min(earliest ?? d, d) }
        }
        return earliest
    }

    public var isFinished: Bool { members.allSatisfy(\.isFinished) }

    public func onClose() {
        for member in members.reversed() { member.onClose() }
    }
}
