#if canImport(Glibc)
import Glibc
#endif
import MarketData

/// One load run against one target, on one thread: `ppoll` over every connection
/// (and the multicast feed when given), issuing requests as the plan says (closed
/// loop: refill each connection to its in-flight count; open loop: every request whose
/// intended time has come, round robin over the connections), reading answers into
/// the ``LoadBook``. Stops issuing at the order count or the duration; then waits for
/// the outstanding answers (at most the timeout), logs out and closes.
public enum LoadRun {
    public static func run(
        label: String, connections: [LoadConnection], plan: LoadPlan, acknowledgeOnly: Bool, feed: ITCHFeedReceiver?,
        maxLive: Int = 200
    ) throws -> LoadRunResult {
        let count = connections.count
        let book = LoadBook(
            connections: count, capacity: plan.total, warmup: plan.warmup, acknowledgeOnly: acknowledgeOnly, feed: feed != nil)
        var flow = OrderFlow(mix: acknowledgeOnly ? plan.mix.newOrdersOnly : plan.mix, seed: plan.seed, maxLive: maxLive)
        var alive = Array(repeating: true, count: count)
        var fds = connections.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        if let feed { fds.append(pollfd(fd: feed.receiver.fd, events: Int16(POLLIN), revents: 0)) }
        let gapsBefore = feed?.gapMessages ?? 0
        let progress = Progress(label: label)
        let start = nowNanoseconds()
        let deadline = start + Int64(plan.durationSeconds * 1e9)
        let timeout = Int64(plan.timeoutSeconds * 1e9)
        let interval = plan.mode == .open ? Int64(1e9 / plan.rate) : 0
        var nextIntended = start
        var issuing = true
        var stoppedAt: Int64 = 0
        var expireFrom = 0
        var lastHousekeeping = start
        var dirty = Array(repeating: false, count: count)

        func issue(on c: Int, intended: Int64?) throws {
            let request = flow.next(connection: c, book: book)
            let now = nowNanoseconds()
            let token = book.issue(request, intended: intended ?? now, sent: now)
            let order = request.target >= 0 ? book.requests[request.target] : nil
            try connections[c].send(request, token: token, order: order)
            dirty[c] = true
        }

        func drop(_ c: Int, _ error: Error) {
            guard alive[c] else { return }
            alive[c] = false
            fds[c].fd = -1
            book.dropConnection(c)
            Progress.write("\n\(label): connection \(c + 1) lost: \(error)\n")
        }

        while true {
            var now = nowNanoseconds()
            if issuing && (book.requests.count >= plan.total || now >= deadline || !alive.contains(true)) {
                issuing = false
                stoppedAt = now
            }
            if issuing {
                switch plan.mode {
                case .closed:
                    for c in 0..<count where alive[c] {
                        while book.outstanding[c] < plan.inFlight && book.requests.count < plan.total {
                            do { try issue(on: c, intended: nil) } catch { drop(c, error); break }
                        }
                    }
                case .open:
                    while nextIntended <= now && book.requests.count < plan.total {
                        let c = book.requests.count % count
                        if alive[c] {
                            do { try issue(on: c, intended: nextIntended) } catch { drop(c, error) }
                        }
                        nextIntended += interval
                    }
                }
                for c in 0..<count where dirty[c] {
                    dirty[c] = false
                    do { try connections[c].flush() } catch { drop(c, error) }
                }
            } else if book.totalOutstanding == 0 || now - stoppedAt > timeout {
                break
            }

            // Wait for answers: in the open loop no later than the next intended time.
            now = nowNanoseconds()
            var wait = Int64(100_000_000)
            if issuing && plan.mode == .open { wait = max(0, min(wait, nextIntended - now)) }
            for i in fds.indices { fds[i].revents = 0 }
            let ready = PPoll.wait(&fds, nanoseconds: wait)
            if ready < 0 && errno != EINTR { throw HarnessError("ppoll: errno \(errno)") }
            if ready > 0 {
                for c in 0..<count where alive[c] && fds[c].revents != 0 {
                    do {
                        try connections[c].readAvailable { event, at in book.handle(event, connection: c, at: at) }
                    } catch {
                        drop(c, error)
                    }
                }
                if let feed, fds[count].revents != 0 { try readFeed(feed, into: book) }
            }
            now = nowNanoseconds()
            if now - lastHousekeeping >= 100_000_000 {
                lastHousekeeping = now
                book.expire(before: now - timeout, from: &expireFrom)
                for c in 0..<count where alive[c] {
                    do { try connections[c].keepAlive() } catch { drop(c, error) }
                }
                progress.update(sent: book.measures.counts.issued, received: book.measures.counts.answered, total: plan.total)
            }
        }
        progress.finish()
        // Late fills and Add Orders of the last requests: a short drain.
        let drainUntil = nowNanoseconds() + 50_000_000
        while nowNanoseconds() < drainUntil {
            for i in fds.indices { fds[i].revents = 0 }
            guard PPoll.wait(&fds, nanoseconds: 10_000_000) > 0 else { continue }
            for c in 0..<count where alive[c] && fds[c].revents != 0 {
                try? connections[c].readAvailable { event, at in book.handle(event, connection: c, at: at) }
            }
            if let feed, fds[count].revents != 0 { try? readFeed(feed, into: book) }
        }
        book.expire(before: Int64.max, from: &expireFrom)
        for c in 0..<count { connections[c].close() }
        if let feed { book.measures.counts.feedGapMessages = feed.gapMessages - gapsBefore }
        let elapsed = book.lastMeasuredAnswer - book.firstMeasuredIntended
        let measured = book.measures.counts.measuredAnswered
        return LoadRunResult(
            label: label, plan: plan, connections: count, measures: book.measures,
            throughput: measured > 0 && elapsed > 0 ? Double(measured) * 1e9 / Double(elapsed) : 0,
            stoppedByDuration: book.requests.count < plan.total,
            wallSeconds: Double(nowNanoseconds() - start) / 1e9)
    }

    /// Every packet waiting on the feed: each Add Order's reference and receipt time to the book.
    static func readFeed(_ feed: ITCHFeedReceiver, into book: LoadBook) throws {
        try feed.receive(timeoutMilliseconds: 0) { receipt in
            guard receipt.message.count == ITCHAddOrder.length,
                  receipt.message.load(fromByteOffset: 0, as: UInt8.self) == ITCHMessageType.addOrder,
                  let add = try? ITCHAddOrder(unchecked: receipt.message.baseAddress!)
            else { return }
            book.feedAddOrder(reference: add.orderReference, at: receipt.monotonic)
        }
    }
}
