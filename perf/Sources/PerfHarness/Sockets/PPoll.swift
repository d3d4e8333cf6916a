#if canImport(Glibc)
import Glibc
#endif

/// `ppoll(2)`: `poll` with a nanosecond timeout, which the open loop needs (its next
/// intended send time is often less than a millisecond away). Glibc declares it only
/// under _GNU_SOURCE, which Swift's Glibc module does not see, so it is looked up once
/// with `dlsym`; without it, `poll` with the timeout rounded up to a millisecond (or 0).
enum PPoll {
    typealias Function = @convention(c) (UnsafeMutablePointer<pollfd>?, nfds_t, UnsafePointer<timespec>?, UnsafeRawPointer?) -> Int32
    static let function: Function? = {
        guard let symbol = dlsym(nil, "ppoll") else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }()

    /// Waits up to `nanoseconds` for one of `fds`; the count ready, 0 on timeout, -1 on error.
    static func wait(_ fds: inout [pollfd], nanoseconds: Int64) -> Int32 {
        let count = nfds_t(fds.count)
        if let function {
            var ts = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
            return fds.withUnsafeMutableBufferPointer { function($0.baseAddress, count, &ts, nil) }
        }
        return poll(&fds, count, Int32(nanoseconds < 1_000_000 ? 0 : nanoseconds / 1_000_000))
    }
}
