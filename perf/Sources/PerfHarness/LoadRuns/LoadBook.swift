/// Every request of a run, indexed by token, the live orders of each connection, and
/// the bookkeeping that turns answers into latencies: the first answer of a request
/// ends it (its latency from the intended time goes to the kind's histogram); a
/// marketable order's first execution goes to `fill`; a resting order's Add Order on the
/// feed to `feed`. Requests with tokens below `warmup` are not measured.
public final class LoadBook {
    public private(set) var requests: [LoadRequest] = []
    var live: [[Int]]
    var outstanding: [Int]
    let warmup: Int
    /// The QuickFIX acceptor and the floor only acknowledge: no orders are tracked.
    let acknowledgeOnly: Bool
    public let measures = LoadMeasures()
    var feedMatcher: FeedMatcher?
    var firstMeasuredIntended: Int64 = 0
    var lastMeasuredAnswer: Int64 = 0

    init(connections: Int, capacity: Int, warmup: Int, acknowledgeOnly: Bool, feed: Bool) {
        live = Array(repeating: [], count: connections)
        outstanding = Array(repeating: 0, count: connections)
        requests.reserveCapacity(capacity)
        self.warmup = warmup
        self.acknowledgeOnly = acknowledgeOnly
        if feed { feedMatcher = FeedMatcher() }
    }

    func liveCount(_ connection: Int) -> Int { live[connection].count }
    func liveOrder(_ connection: Int, at index: Int) -> Int { live[connection][index] }

    /// Files `request` as the next token; a cancel or replace takes its order off the
    /// live list (so nothing else picks it) and marks it as having one in flight.
    func issue(_ request: LoadRequest, intended: Int64, sent: Int64) -> Int {
        var r = request
        r.intended = intended
        r.sent = sent
        let token = requests.count
        requests.append(r)
        if r.target >= 0 {
            removeLive(r.target)
            requests[r.target].pendingOperation = token
        }
        outstanding[r.connection] += 1
        measures.counts.issued += 1
        if token == warmup { firstMeasuredIntended = intended }
        return token
    }

    func valid(_ token: Int, _ connection: Int) -> Bool {
        if token >= 0 && token < requests.count && requests[token].connection == connection { return true }
        measures.counts.unknownAnswers += 1
        return false
    }

    /// Ends request `token` (once); records its latency in `histogram` when measured.
    func answer(_ token: Int, at time: Int64, into histogram: LatencyHistogram?) {
        guard !requests[token].answered else { return }
        requests[token].answered = true
        outstanding[requests[token].connection] -= 1
        measures.counts.answered += 1
        if token >= warmup {
            measures.counts.measuredAnswered += 1
            histogram?.record(nanoseconds: time - requests[token].intended)
            lastMeasuredAnswer = max(lastMeasuredAnswer, time)
        }
    }

    func handle(_ event: LoadEvent, connection: Int, at time: Int64) {
        if acknowledgeOnly {
            if case .accepted(let token, _) = event, valid(token, connection) {
                answer(token, at: time, into: histogram(for: requests[token].kind))
            } else if case .rejected(let token) = event, valid(token, connection) {
                measures.counts.rejects += 1
                answer(token, at: time, into: nil)
            }
            return
        }
        switch event {
        case .accepted(let token, let reference):
            guard valid(token, connection) else { return }
            answer(token, at: time, into: measures.ack)
            requests[token].orderRef = reference
            requests[token].remaining = requests[token].quantity
            if requests[token].kind == .rest {
                requests[token].live = true
                addLive(token)
                if token >= warmup, let matcher = feedMatcher {
                    if matcher.accepted(reference: reference, token: token) { measures.counts.feedBeforeAck += 1 }
                    recordFeed(matcher)
                }
            }
        case .executed(let token, let quantity):
            guard valid(token, connection) else { return }
            measures.counts.executions += 1
            if requests[token].kind == .market && !requests[token].filled && token >= warmup {
                measures.fill.record(nanoseconds: time - requests[token].intended)
            }
            requests[token].filled = true
            let left = requests[token].remaining
            requests[token].remaining = quantity >= left ? 0 : left - quantity
            if requests[token].remaining == 0 { finish(token, at: time) }
        case .canceled(let token):
            guard valid(token, connection) else { return }
            let operation = requests[token].pendingOperation
            if operation >= 0 && requests[operation].kind == .cancel {
                answer(operation, at: time, into: measures.cancel)
            } else if requests[token].kind == .market && !requests[token].filled {
                measures.counts.marketUnfilled += 1
            }
            finish(token, at: time)
        case .replaced(let token, let original, let reference, let quantity):
            guard valid(token, connection), valid(original, connection) else { return }
            answer(token, at: time, into: measures.replace)
            requests[original].pendingOperation = -1
            finish(original, at: time)
            requests[token].orderRef = reference
            requests[token].remaining = quantity
            requests[token].live = quantity > 0
            if quantity > 0 { addLive(token) }
        case .rejected(let token):
            guard valid(token, connection) else { return }
            measures.counts.rejects += 1
            answer(token, at: time, into: nil)
            let target = requests[token].target
            if target >= 0 { requests[target].pendingOperation = -1 }
        case .cancelRejected(let token):
            guard valid(token, connection) else { return }
            measures.counts.cancelRejects += 1
            answer(token, at: time, into: nil)
            let target = requests[token].target
            if target >= 0 { requests[target].pendingOperation = -1 }
        }
    }

    /// An Add Order received on the feed.
    func feedAddOrder(reference: UInt64, at time: Int64) {
        guard let matcher = feedMatcher else { return }
        matcher.received(reference: reference, at: time)
        recordFeed(matcher)
    }

    private func recordFeed(_ matcher: FeedMatcher) {
        while let (token, at) = matcher.popMatch() {
            measures.feed.record(nanoseconds: at - requests[token].intended)
        }
    }

    /// The order is gone (filled, canceled, replaced): off the live list; a cancel or
    /// replace still in flight for it will not be answered by OUCH, so it ends here.
    private func finish(_ token: Int, at time: Int64) {
        requests[token].live = false
        removeLive(token)
        let operation = requests[token].pendingOperation
        if operation >= 0 && !requests[operation].answered {
            measures.counts.tooLate += 1
            answer(operation, at: time, into: nil)
        }
        requests[token].pendingOperation = -1
    }

    private func addLive(_ token: Int) {
        let c = requests[token].connection
        requests[token].livePosition = live[c].count
        live[c].append(token)
    }

    private func removeLive(_ token: Int) {
        let position = requests[token].livePosition
        guard position >= 0 else { return }
        let c = requests[token].connection
        let last = live[c].removeLast()
        if last != token {
            live[c][position] = last
            requests[last].livePosition = position
        }
        requests[token].livePosition = -1
    }

    func histogram(for kind: RequestKind) -> LatencyHistogram {
        switch kind {
        case .rest, .market: measures.ack
        case .cancel: measures.cancel
        case .replace: measures.replace
        }
    }

    /// Ends every request still unanswered whose intended time is before `cutoff`, as a timeout.
    func expire(before cutoff: Int64, from start: inout Int) {
        while start < requests.count && (requests[start].answered || requests[start].intended < cutoff) {
            if !requests[start].answered {
                measures.counts.timeouts += 1
                requests[start].answered = true
                outstanding[requests[start].connection] -= 1
            }
            start += 1
        }
    }

    /// A connection is gone: its unanswered requests will never be answered.
    func dropConnection(_ connection: Int) {
        measures.counts.disconnects += 1
        for i in requests.indices where requests[i].connection == connection && !requests[i].answered {
            requests[i].answered = true
            measures.counts.timeouts += 1
        }
        outstanding[connection] = 0
        live[connection].removeAll()
    }

    var totalOutstanding: Int { outstanding.reduce(0, +) }
}
