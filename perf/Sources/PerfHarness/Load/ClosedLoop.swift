/// Drives a ``RoundTripClient`` in a closed loop: `inFlight` requests outstanding, one
/// new request for each response, until the warm-up plus measured count is sent or the
/// duration has passed (whichever comes first); then waits for the outstanding
/// responses.
///
/// A request's latency runs from just before the write that carries it to the return
/// of the read that carries its response (one clock read per write and per read,
/// shared by the requests in it). Throughput is the measured responses over the time
/// from the first measured request's write to the last measured response.
public enum ClosedLoop {
    public static func run<Client: RoundTripClient>(
        _ client: inout Client, _ load: LoadParameters, progress: Progress? = nil
    ) throws -> LoadResult {
        precondition(load.inFlight >= 1 && load.total >= 1)
        var sendTimes = [Int64](repeating: 0, count: load.total)
        let histogram = LatencyHistogram()
        let start = nowNanoseconds()
        let deadline = start + Int64(load.durationSeconds * 1e9)
        var sent = 0
        var received = 0
        var measuredStart: Int64 = 0
        var lastMeasuredResponse: Int64 = 0
        var stoppedByDuration = false

        func send(upTo limit: Int) throws {
            let first = sent
            while sent < limit {
                try client.enqueue(request: sent)
                sent += 1
            }
            guard sent > first else { return }
            let now = nowNanoseconds()
            for n in first..<sent { sendTimes[n] = now }
            if first <= load.warmup && load.warmup < sent { measuredStart = now }
            try client.flush()
        }

        try send(upTo: min(load.inFlight, load.total))
        while received < sent {
            var answered = 0
            try client.receive { number, receivedAt in
                guard number >= 0 && number < sent && sendTimes[number] != 0 else {
                    throw HarnessError("a response to request \(number), which was not sent or was already answered")
                }
                if number >= load.warmup {
                    histogram.record(nanoseconds: receivedAt &- sendTimes[number])
                    lastMeasuredResponse = max(lastMeasuredResponse, receivedAt)
                }
                sendTimes[number] = 0
                answered += 1
            }
            received += answered
            if !stoppedByDuration && sent < load.total && nowNanoseconds() >= deadline { stoppedByDuration = true }
            if !stoppedByDuration && answered > 0 {
                try send(upTo: min(load.total, sent + answered))
            }
            if answered == 0 && nowNanoseconds() >= deadline + 10_000_000_000 {
                throw HarnessError("\(sent - received) responses still missing 10 s after the run's duration")
            }
            progress?.update(sent: sent, received: received, total: load.total)
        }
        progress?.finish()
        let measuredCount = histogram.count
        let elapsed = lastMeasuredResponse - measuredStart
        return LoadResult(
            load: load, latency: histogram.summary(),
            throughput: measuredCount > 0 && elapsed > 0 ? Double(measuredCount) * 1e9 / Double(elapsed) : 0,
            stoppedByDuration: stoppedByDuration, wallSeconds: Double(nowNanoseconds() - start) / 1e9)
    }
}
