/// Failed logins, counted per identity (a FIX session's CompID, an OUCH username) and
/// per source address, and the lock-outs they earn: once an identity has failed
/// `failuresBeforeLockout` times in a row (an address: `addressFailuresBeforeLockout`,
/// higher, since one address can stand for a whole member firm behind NAT), each
/// further failure locks it out for `firstLockout`, doubling up to `longestLockout`. While locked out, a login is refused
/// before its credentials are looked at, so a guesser learns nothing from it. A success
/// clears its identity's count (not its address's: one good account must not buy an
/// address more guesses at others). Failures older than `forgetAfter` are forgotten.
///
/// One instance is shared by the FIX acceptor and the OUCH server of an I/O thread, so
/// an address guessing on both ports is counted once. Memory is bounded: identities are
/// the configured ones (an unknown CompID or username counts against its address only),
/// and at most `maxAddresses` addresses are remembered (the stalest is forgotten first).
/// No allocation after an address's first failure. One thread (the I/O thread).
public final class LoginThrottle {
    public struct Policy: Sendable, Equatable {
        public var failuresBeforeLockout: Int
        public var addressFailuresBeforeLockout: Int
        public var firstLockoutNanoseconds: Int64
        public var longestLockoutNanoseconds: Int64
        public var forgetAfterNanoseconds: Int64
        public var maxAddresses: Int

        public init(
            failuresBeforeLockout: Int = 5, addressFailuresBeforeLockout: Int? = nil, firstLockoutNanoseconds: Int64 = 1_000_000_000,
            longestLockoutNanoseconds: Int64 = 60_000_000_000, forgetAfterNanoseconds: Int64 = 300_000_000_000,
            maxAddresses: Int = 4096
        ) {
            self.failuresBeforeLockout = failuresBeforeLockout
            self.addressFailuresBeforeLockout = addressFailuresBeforeLockout ?? failuresBeforeLockout * 4
            self.firstLockoutNanoseconds = firstLockoutNanoseconds
            self.longestLockoutNanoseconds = longestLockoutNanoseconds
            self.forgetAfterNanoseconds = forgetAfterNanoseconds
            self.maxAddresses = maxAddresses
        }
    }

    /// What one identity or address has earned.
    struct Record {
        var failures = 0
        var lastFailure: Int64 = 0
        var lockedUntil: Int64 = 0
    }

    /// Why a login is refused before its credentials are checked.
    public struct Lockout: Sendable, Equatable, CustomStringConvertible {
        /// `identity` or `address`.
        public var what: String
        public var remainingNanoseconds: Int64
        public var description: String {
            "too many failed logins from this \(what): locked out for \((remainingNanoseconds + 999_999_999) / 1_000_000_000) s"
        }
    }

    public let policy: Policy
    private var identities: [String: Record] = [:]
    private var addresses: [UInt32: Record] = [:]

    /// Logins that failed their checks (credentials, certificate).
    public private(set) var failedLogins: UInt64 = 0
    /// Logins refused because their identity or address was locked out.
    public private(set) var lockedOutLogins: UInt64 = 0
    /// Lock-outs begun (each one is logged by the caller).
    public private(set) var lockouts: UInt64 = 0

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// The lock-out in force for `identity` (nil: an unknown one) or `address` (0:
    /// unknown) at `now`, if any; counts the refusal.
    public func lockout(identity: String?, address: UInt32, now: Int64) -> Lockout? {
        if let identity, let record = identities[identity], record.lockedUntil > now {
            lockedOutLogins &+= 1
            return Lockout(what: "user", remainingNanoseconds: record.lockedUntil - now)
        }
        if address != 0, let record = addresses[address], record.lockedUntil > now {
            lockedOutLogins &+= 1
            return Lockout(what: "address", remainingNanoseconds: record.lockedUntil - now)
        }
        return nil
    }

    /// A login failed its checks. Returns the lock-out it began, if it began one (the
    /// caller logs it: once per lock-out, not once per attempt).
    @discardableResult
    public func failed(identity: String?, address: UInt32, now: Int64) -> Lockout? {
        failedLogins &+= 1
        var began: Lockout?
        if let identity {
            var record = identities[identity] ?? Record()
            if let lockout = count(&record, now: now, threshold: policy.failuresBeforeLockout, what: "user") { began = lockout }
            identities[identity] = record
        }
        if address != 0 {
            if addresses[address] == nil && addresses.count >= policy.maxAddresses { forgetStalestAddress() }
            var record = addresses[address] ?? Record()
            if let lockout = count(&record, now: now, threshold: policy.addressFailuresBeforeLockout, what: "address"),
               began == nil {
                began = lockout
            }
            addresses[address] = record
        }
        return began
    }

    /// A login succeeded: its identity starts again from no failures.
    public func succeeded(identity: String) {
        if identities[identity] != nil { identities[identity] = Record() }
    }

    private func count(_ record: inout Record, now: Int64, threshold: Int, what: String) -> Lockout? {
        if now - record.lastFailure > policy.forgetAfterNanoseconds { record.failures = 0 }
        record.failures += 1
        record.lastFailure = now
        let beyond = record.failures - threshold
        guard beyond >= 0 else { return nil }
        // 1, 2, 4 … times the first lock-out, at most the longest (the shift is bounded
        // so that it cannot overflow however many failures come).
        let doubled = policy.firstLockoutNanoseconds.multipliedReportingOverflow(by: Int64(1) << Int64(min(beyond, 40)))
        let length = doubled.overflow ? policy.longestLockoutNanoseconds : min(doubled.partialValue, policy.longestLockoutNanoseconds)
        record.lockedUntil = now + length
        lockouts &+= 1
        return Lockout(what: what, remainingNanoseconds: length)
    }

    private func forgetStalestAddress() {
        guard let stalest = addresses.min(by: { $0.value.lastFailure < $1.value.lastFailure })?.key else { return }
        addresses[stalest] = nil
    }
}
