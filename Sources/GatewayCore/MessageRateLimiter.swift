/// A token bucket for one session's order-entry messages (the I/O thread's per-session
/// message-rate limit, specs/engine-records.md "Risk gates"): `perSecond` tokens a
/// second, up to `perSecond` banked (one second's burst). Integer arithmetic on the
/// session's own clock; nothing allocates.
public struct MessageRateLimiter: Sendable, Equatable {
    /// Messages a second; 0: no limit.
    public let perSecond: Int64
    /// Tokens × 1e9, so that refills of a few nanoseconds' worth stay exact.
    @usableFromInline var scaledTokens: Int64
    @usableFromInline var refilledAt: Int64

    public init(perSecond: Int) {
        self.perSecond = Int64(max(0, perSecond))
        scaledTokens = self.perSecond * 1_000_000_000
        refilledAt = Int64.min
    }

    /// Takes one token at `now`; false when the session is over its rate.
    @inlinable
    public mutating func allow(now: Timestamp) -> Bool {
        guard perSecond > 0 else { return true }
        let capacity = perSecond * 1_000_000_000
        if refilledAt != Int64.min {
            let elapsed = max(0, now.rawValue - refilledAt)
            // elapsed × perSecond tokens/ns × 1e9 scale, capped before it can overflow.
            scaledTokens = elapsed >= 1_000_000_000 ? capacity : min(capacity, scaledTokens + elapsed * perSecond)
        }
        refilledAt = now.rawValue
        guard scaledTokens >= 1_000_000_000 else { return false }
        scaledTokens -= 1_000_000_000
        return true
    }
}
