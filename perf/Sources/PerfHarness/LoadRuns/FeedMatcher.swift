/// Pairs this run's resting orders with their ITCH Add Orders by order reference
/// number, whichever comes first: the acknowledgement (which names the reference) or
/// the Add Order. Add Orders of orders the run does not know wait in `early` (bounded:
/// cleared past a million entries).
final class FeedMatcher {
    private var awaiting: [UInt64: Int] = [:]
    private var early: [UInt64: Int64] = [:]
    private var matches: [(Int, Int64)] = []

    init() {
        awaiting.reserveCapacity(4_096)
        early.reserveCapacity(4_096)
    }

    /// True when the Add Order had already arrived.
    func accepted(reference: UInt64, token: Int) -> Bool {
        if let at = early.removeValue(forKey: reference) {
            matches.append((token, at))
            return true
        }
        awaiting[reference] = token
        return false
    }

    func received(reference: UInt64, at time: Int64) {
        if let token = awaiting.removeValue(forKey: reference) {
            matches.append((token, time))
        } else {
            if early.count > 1_000_000 { early.removeAll(keepingCapacity: true) }
            early[reference] = time
        }
    }

    func popMatch() -> (Int, Int64)? { matches.popLast() }
}
